#include "key_set.hpp"

#include <algorithm>

#include <openssl/core_names.h>

#include "asymmetric.hpp"
#include "cancel.hpp"
#include "jwk.hpp"
#include "lru_cache.hpp"
#include "openssl_error.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

constexpr size_t kCacheEntries = 128;
constexpr size_t kCacheBytes = 8 * 1024 * 1024;
// A parsed asymmetric key with its contexts, roughly (RSA-4096 private is the largest).
constexpr size_t kBytesPerKey = 8 * 1024;

LruCache<std::unique_ptr<KeySet>> &cache() {
    static LruCache<std::unique_ptr<KeySet>> instance(kCacheEntries, kCacheBytes);
    return instance;
}

Status unfit(Algorithm alg, std::string detail) {
    return Status::InvalidArgument("key does not fit algorithm " + std::string(algorithm_name(alg)),
                                   std::move(detail));
}

Status check_rsa(Algorithm alg, const ImportedKey &key) {
    size_t bits = rsa_modulus_bits(key);
    if (bits == 0) return openssl_failure("read the RSA key size");
    if (bits < 2048 || bits > kMaxRsaModulusBits)
        return unfit(alg, "RSA keys must have 2048 to 16384 bits; this one has " +
                              std::to_string(bits) + ".");
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(key.pkey.get(), OSSL_PKEY_PARAM_RSA_E, &raw) != 1)
        return openssl_failure("read the RSA exponent");
    BnPtr e(raw);
    if (!BN_is_odd(e.get()) || BN_is_one(e.get()))
        return unfit(alg, "The RSA public exponent must be odd and at least 3.");
    return check_rsa_public_exponent(key);
}

std::string set_cache_key(Algorithm alg, KeyPurpose purpose, std::string_view material) {
    std::string key;
    key.reserve(material.size() + 2);
    key.push_back(static_cast<char>(alg));
    key.push_back(static_cast<char>(purpose));
    key.append(material);
    return key;
}

// One key of a set: binding problems make it unusable rather than failing the set.
Status prepare(Algorithm alg, KeyPurpose purpose, PreparedKey &prepared) {
    Status fit = check_key_binding(alg, prepared.key, purpose);
    if (!fit.ok()) {
        if (fit.fault != Fault::invalid_argument) return fit;
        prepared.usable = false;
        prepared.unusable = std::move(fit);
        return Status::Ok();
    }
    PGJWT_TRY(prepare_asymmetric(alg, purpose, prepared));
    prepared.usable = true;
    return Status::Ok();
}

Status parse_set(Algorithm alg, std::string_view material, KeyPurpose purpose, KeySet &set) {
    if (looks_like_json_object(material)) {
        std::vector<JwkMembers> members;
        PGJWT_TRY(parse_jwk_text(material, members, set.is_set));
        for (const JwkMembers &m : members) {
            // Importing a key can cost milliseconds (an EC point check, an
            // RSA private key's self-test): a set is bounded, and the work
            // stops between keys on cancel (DESIGN.md section 2.8).
            if (cancel_requested()) return cancelled();
            auto prepared = std::make_unique<PreparedKey>();
            PGJWT_TRY(import_jwk(m, prepared->key));
            set.keys.push_back(std::move(prepared));
        }
    } else if (looks_like_pem(material)) {
        auto prepared = std::make_unique<PreparedKey>();
        PGJWT_TRY(import_pem(material, prepared->key));
        set.keys.push_back(std::move(prepared));
    } else {
        return Status::InvalidArgument(
            "key is neither PEM nor a JSON Web Key",
            std::string(algorithm_name(alg)) + " needs a PEM block, a JWK or a JWK set.");
    }
    if (set.is_set) {
        bool has_oct = false, has_asymmetric = false;
        std::vector<std::string_view> kids;
        for (const auto &k : set.keys) {
            (k->key.type == KeyType::oct ? has_oct : has_asymmetric) = true;
            if (k->key.has_kid) kids.push_back(k->key.kid);
        }
        if (has_oct && has_asymmetric)
            return Status::InvalidArgument(
                "JWK set mixes symmetric and asymmetric keys",
                "A set with both oct and public keys invites key confusion; use separate sets.");
        std::sort(kids.begin(), kids.end());
        auto dup = std::adjacent_find(kids.begin(), kids.end());
        if (dup != kids.end())
            return Status::InvalidArgument("JWK set has duplicate kid \"" + excerpt(*dup) + "\"");
    }
    for (auto &k : set.keys) {
        if (cancel_requested()) return cancelled();
        PGJWT_TRY(prepare(alg, purpose, *k));
    }
    bool any =
        std::any_of(set.keys.begin(), set.keys.end(), [](const auto &k) { return k->usable; });
    if (!any) {
        if (!set.is_set) return set.keys.front()->unusable;
        return Status::InvalidArgument(
            "no key in the JWK set fits algorithm " + std::string(algorithm_name(alg)),
            set.keys.front()->unusable.detail);
    }
    return Status::Ok();
}

}  // namespace

// Key type, curve and size against the algorithm family.
static Status check_key_type(Algorithm alg, const ImportedKey &key);

Status check_key_binding(Algorithm alg, const ImportedKey &key, KeyPurpose purpose) {
    std::string_view name = algorithm_name(alg);
    if (key.has_alg && key.alg != name)
        return unfit(alg, "The JWK is for algorithm \"" + excerpt(key.alg, 32) + "\".");
    if (key.has_use && key.use != "sig")
        return unfit(alg, "The JWK's \"use\" is \"" + excerpt(key.use, 32) + "\", not \"sig\".");
    if (key.has_key_ops) {
        const char *op = purpose == KeyPurpose::sign ? "sign" : "verify";
        if (std::find(key.key_ops.begin(), key.key_ops.end(), op) == key.key_ops.end())
            return unfit(alg, std::string("The JWK's \"key_ops\" does not allow \"") + op + "\".");
    }
    PGJWT_TRY(check_key_type(alg, key));
    if (purpose == KeyPurpose::sign && !key.has_private)
        return Status::InvalidArgument("signing needs a private key",
                                       "The key given is a public key.");
    return Status::Ok();
}

static Status check_key_type(Algorithm alg, const ImportedKey &key) {
    std::string_view name = algorithm_name(alg);
    switch (algorithm_family(alg)) {
        case AlgorithmFamily::hmac: {
            if (key.type != KeyType::oct)
                return unfit(alg,
                             "An HS* algorithm needs an oct key; using a public key as an "
                             "HMAC secret would let anyone forge tokens.");
            size_t min = digest_size(algorithm_digest(alg));
            if (key.secret.size() < min)
                return unfit(alg, "An HMAC key for " + std::string(name) + " needs at least " +
                                      std::to_string(min) +
                                      " bytes (RFC 7518 section 3.2); this one has " +
                                      std::to_string(key.secret.size()) + ".");
            return Status::Ok();
        }
        case AlgorithmFamily::rsa_pkcs1:
        case AlgorithmFamily::rsa_pss:
            if (key.type != KeyType::rsa)
                return unfit(alg, "The key is of type " + std::string(key_type_name(key.type)) +
                                      ", not RSA.");
            return check_rsa(alg, key);
        case AlgorithmFamily::ecdsa:
            if (key.type != KeyType::ec || key.curve != algorithm_curve(alg))
                return unfit(alg, std::string(name) + " needs an EC key on curve " +
                                      std::string(curve_name(algorithm_curve(alg))) + ".");
            return Status::Ok();
        case AlgorithmFamily::eddsa: {
            Curve want = algorithm_curve(alg);
            if (key.type != KeyType::okp || (want != Curve::none && key.curve != want))
                return unfit(alg, std::string(name) + " needs an OKP key on curve " +
                                      (want == Curve::none ? std::string("Ed25519 or Ed448")
                                                           : std::string(curve_name(want))) +
                                      ".");
            return Status::Ok();
        }
    }
    return Status::Internal("unknown algorithm family");
}

Status resolve_key_set(Algorithm alg, std::string_view material, KeyPurpose purpose,
                       const KeySet *&out) {
    openssl_clear_errors();
    LruCache<std::unique_ptr<KeySet>> &sets = cache();
    std::string cache_key = set_cache_key(alg, purpose, material);
    Status status = Status::Ok();
    if (std::unique_ptr<KeySet> *hit = sets.find(cache_key)) {
        out = hit->get();
    } else {
        auto set = std::make_unique<KeySet>();
        status = parse_set(alg, material, purpose, *set);
        if (status.ok()) {
            size_t bytes = set->keys.size() * kBytesPerKey;
            out = sets.insert(cache_key, std::move(set), bytes).get();
        } else {
            openssl_clear_errors();  // whatever a refused key left behind
        }
    }
    OPENSSL_cleanse(cache_key.data(), cache_key.size());
    return status;
}

Status select_keys(const KeySet &set, const JoseHeader &header, std::vector<PreparedKey *> &out) {
    out.clear();
    if (set.is_set && header.has_kid) {
        for (const auto &k : set.keys) {
            if (!k->key.has_kid || k->key.kid != header.kid) continue;
            if (!k->usable)
                return Status::Rejected("the key named by the token's kid does not fit",
                                        k->unusable.detail);
            out.push_back(k.get());
            return Status::Ok();
        }
        return Status::Rejected("no key matches the token's kid");
    }
    for (const auto &k : set.keys) {
        if (!k->usable) continue;
        out.push_back(k.get());
        if (out.size() == kMaxCandidateKeys) break;
    }
    return Status::Ok();
}

Status signing_key(const KeySet &set, PreparedKey *&out) {
    if (set.is_set)
        return Status::InvalidArgument("a JWK set cannot sign",
                                       "Pass the one private key to sign with.");
    out = set.keys.front().get();
    return Status::Ok();
}

void key_cache_clear() {
    cache().clear();
}
size_t key_cache_size() {
    return cache().size();
}

}  // namespace pgjwt

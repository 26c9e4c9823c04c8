#include "key_set.hpp"

#include <algorithm>

#include <openssl/core_names.h>

#include "asymmetric.hpp"
#include "cancel.hpp"
#include "jwk.hpp"
#include "jwk_set.hpp"
#include "key_checks.hpp"
#include "lru_cache.hpp"
#include "openssl_error.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

constexpr size_t kCacheEntries = 128;
constexpr size_t kCacheBytes = 8 * 1024 * 1024;
// A parsed asymmetric key with its contexts, roughly (RSA-4096 private is the largest).
constexpr size_t kBytesPerKey = 8 * 1024;
// An HMAC context holds the inner and outer digest states: about 1 KiB.
constexpr size_t kBytesPerHmacKey = 1024;

using KeySetCache = LruCache<std::shared_ptr<const KeySet>>;

KeySetCache &cache() {
    static KeySetCache instance(kCacheEntries, kCacheBytes);
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

// What the caller's material is: the HMAC secret itself (as text or as
// bytes), or key text to parse. Part of the cache key, so that bytes that
// spell a JWK are never taken for that JWK.
enum class KeyForm : char { secret_text = 't', secret_bytes = 'b', key_text = 'k' };

KeyForm key_form(Algorithm alg, std::string_view material, KeyEncoding encoding) {
    if (encoding == KeyEncoding::binary) return KeyForm::secret_bytes;
    if (algorithm_family(alg) == AlgorithmFamily::hmac && !looks_like_json_object(material))
        return KeyForm::secret_text;
    return KeyForm::key_text;
}

// The cache key, built in `out` (a buffer kept for the next lookup and
// wiped after each).
void set_cache_key(Algorithm alg, KeyPurpose purpose, KeyForm form, std::string_view material,
                   SecretString &out) {
    out.clear();
    out.push_back(static_cast<char>(alg));
    out.push_back(static_cast<char>(purpose));
    out.push_back(static_cast<char>(form));
    out.append(material);
}

// One key: binding problems make it unusable rather than failing the set.
Status prepare(Algorithm alg, KeyPurpose purpose, PreparedKey &prepared) {
    Status fit = check_key_binding(alg, prepared.key, purpose);
    if (!fit.ok()) {
        if (fit.fault != Fault::invalid_argument) return fit;
        prepared.usable = false;
        if (!prepared.label.empty())
            fit.detail = unfit_sentence(prepared.label, algorithm_name(alg), fit);
        prepared.unusable = std::move(fit);
        return Status::Ok();
    }
    if (algorithm_family(alg) == AlgorithmFamily::hmac)
        PGJWT_TRY(hmac_context(alg, prepared.key.secret, prepared.mac_ctx));
    else
        PGJWT_TRY(prepare_asymmetric(alg, purpose, prepared));
    prepared.usable = true;
    return Status::Ok();
}

// A raw secret: any non-empty bytes, and text that is not key material
// (DESIGN.md section 3); no minimum length (pgjwt's sign and verify accept
// any secret; the strict API checks the length itself).
Status prepare_secret(Algorithm alg, std::string_view material, KeyForm form, KeySet &set) {
    PGJWT_TRY(form == KeyForm::secret_text ? check_secret_text(material)
                                           : check_secret_bytes(material));
    auto prepared = std::make_unique<PreparedKey>();
    PGJWT_TRY(import_secret(material, prepared->key));
    PGJWT_TRY(hmac_context(alg, prepared->key.secret, prepared->mac_ctx));
    prepared->usable = true;
    set.keys.push_back(std::move(prepared));
    set.raw_secret = true;
    return Status::Ok();
}

// The keys of a JWK set or certificate map, those skipped included (never
// usable, with the reason).
Status import_set(std::vector<JwkMembers> &members, KeySet &set) {
    std::vector<SetKey> keys;
    PGJWT_TRY(import_set_keys(members, keys));
    set.cacheable = !any_uncertain(keys);
    for (SetKey &k : keys) {
        auto prepared = std::make_unique<PreparedKey>();
        prepared->label = std::move(k.label);
        if (k.kept) {
            prepared->key = std::move(k.key);
        } else {
            // Its kid still names it, for the message when a token does.
            prepared->key.has_kid = k.jwk.has_kid;
            prepared->key.kid = k.jwk.kid;
            prepared->unusable = std::move(k.skipped);
        }
        set.keys.push_back(std::move(prepared));
    }
    return Status::Ok();
}

Status parse_set(Algorithm alg, std::string_view material, KeyPurpose purpose, KeySet &set) {
    if (looks_like_json_object(material)) {
        std::vector<JwkMembers> members;
        PGJWT_TRY(parse_jwk_text(material, members, set.is_set));
        if (set.is_set) {
            PGJWT_TRY(import_set(members, set));
        } else {
            auto prepared = std::make_unique<PreparedKey>();
            PGJWT_TRY(import_jwk(members.front(), prepared->key));
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
    for (auto &k : set.keys) {
        if (cancel_requested()) return cancelled();
        // A skipped key has no key to prepare: it stays unusable.
        if (k->unusable.ok()) PGJWT_TRY(prepare(alg, purpose, *k));
    }
    bool any =
        std::any_of(set.keys.begin(), set.keys.end(), [](const auto &k) { return k->usable; });
    if (any) return Status::Ok();
    if (!set.is_set) return set.keys.front()->unusable;
    std::vector<std::string> reasons;
    for (const auto &k : set.keys) reasons.push_back(k->unusable.detail);
    return Status::InvalidArgument(
        "no key in the JWK set fits algorithm " + std::string(algorithm_name(alg)),
        sentences_detail(reasons));
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

Status resolve_key_set(Algorithm alg, std::string_view material, KeyEncoding encoding,
                       KeyPurpose purpose, std::shared_ptr<const KeySet> &out) {
    openssl_clear_errors();
    KeySetCache &sets = cache();
    KeyForm form = key_form(alg, material, encoding);
    static SecretString cache_key;
    set_cache_key(alg, purpose, form, material, cache_key);
    Status status = Status::Ok();
    if (std::shared_ptr<const KeySet> *hit = sets.find(cache_key)) {
        out = *hit;
    } else {
        auto set = std::make_shared<KeySet>();
        set->alg = alg;
        status = form == KeyForm::key_text ? parse_set(alg, material, purpose, *set)
                                           : prepare_secret(alg, material, form, *set);
        if (status.ok() && !set->cacheable) {
            out = std::move(set);  // used once: the next call imports it again
        } else if (status.ok()) {
            size_t bytes =
                set->keys.size() *
                (algorithm_family(alg) == AlgorithmFamily::hmac ? kBytesPerHmacKey : kBytesPerKey);
            out = sets.insert(cache_key, std::move(set), bytes);
        } else {
            openssl_clear_errors();  // whatever a refused key left behind
        }
    }
    cache_key.wipe();
    return status;
}

Status select_keys(const KeySet &set, const JoseHeader &header, Candidates &out) {
    out.count = 0;
    if (set.is_set && header.has_kid) {
        const PreparedKey *named = nullptr;
        for (const auto &k : set.keys) {
            if (!k->key.has_kid || k->key.kid != header.kid) continue;
            if (k->usable) {
                out.keys[out.count++] = k.get();
                return Status::Ok();
            }
            if (named == nullptr) named = k.get();
        }
        if (named != nullptr)
            return Status::Rejected("the key named by the token's kid does not fit",
                                    named->unusable.detail);
        return Status::Rejected("no key matches the token's kid");
    }
    for (const auto &k : set.keys) {
        if (!k->usable) continue;
        out.keys[out.count++] = k.get();
        if (out.count == kMaxCandidateKeys) break;
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

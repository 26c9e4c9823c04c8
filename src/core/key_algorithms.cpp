#include "key_algorithms.hpp"

#include <algorithm>

#include "jwk.hpp"
#include "jwk_set.hpp"
#include "jws.hpp"
#include "key_import.hpp"
#include "key_set.hpp"
#include "limits.hpp"
#include "lru_cache.hpp"

namespace pgjwt {

void add_unique(std::vector<Algorithm> &algs, Algorithm alg) {
    if (std::find(algs.begin(), algs.end(), alg) == algs.end()) algs.push_back(alg);
}

namespace {

// How the algorithms of keys that name none are found.
enum class Unnamed {
    by_type,  // the algorithm of the key's type
    skipped,  // none: only named algorithms count
};

Status must_be_given(std::string detail) {
    return Status::InvalidArgument("algorithm must be given", std::move(detail));
}

// The keys of a set: each kept key's algorithm, when the key fits it.
Status set_algorithms(std::vector<JwkMembers> &members, Unnamed unnamed,
                      std::vector<Algorithm> &out, bool &cacheable) {
    std::vector<SetKey> keys;
    PGJWT_TRY(import_set_keys(members, keys));
    cacheable = !any_uncertain(keys);
    std::vector<std::string> reasons = skipped_sentences(keys);
    bool unnamed_kept = false;
    for (const SetKey &k : keys) {
        if (!k.kept) continue;
        Algorithm alg = algorithm_for_type(k.key);
        if (k.jwk.has_alg) {
            // check_understood has made sure pg_jwt implements it.
            PGJWT_TRY(algorithm_from_argument(k.jwk.alg, alg));
        } else if (unnamed == Unnamed::skipped) {
            unnamed_kept = true;
            continue;
        }
        Status fit = check_key_binding(alg, k.key, KeyPurpose::verify);
        if (fit.ok()) {
            add_unique(out, alg);
        } else {
            if (fit.fault != Fault::invalid_argument) return fit;
            reasons.push_back(unfit_sentence(k.label, algorithm_name(alg), fit));
        }
    }
    if (!out.empty()) return Status::Ok();
    if (unnamed_kept) return must_be_given("No usable key of the JWK set names an \"alg\".");
    return Status::InvalidArgument("no usable key in the JWK set", sentences_detail(reasons));
}

Status compute(std::string_view material, Unnamed unnamed, std::vector<Algorithm> &out,
               bool &cacheable) {
    cacheable = true;
    if (looks_like_json_object(material)) {
        std::vector<JwkMembers> members;
        bool is_set = false;
        PGJWT_TRY(parse_jwk_text(material, members, is_set));
        if (is_set) return set_algorithms(members, unnamed, out, cacheable);
        const JwkMembers &jwk = members.front();
        Algorithm alg;
        if (jwk.has_alg) {
            PGJWT_TRY(algorithm_from_argument(jwk.alg, alg));
        } else {
            if (unnamed == Unnamed::skipped) return must_be_given("The JWK has no \"alg\" member.");
            ImportedKey key;
            PGJWT_TRY(import_jwk(jwk, key));
            alg = algorithm_for_type(key);
        }
        out.push_back(alg);
        return Status::Ok();
    }
    if (unnamed == Unnamed::skipped)
        return must_be_given("Only a JWK or a JWK set names its algorithm.");
    if (looks_like_pem(material)) {
        ImportedKey key;
        PGJWT_TRY(import_pem(material, key));
        out.push_back(algorithm_for_type(key));
        return Status::Ok();
    }
    out.push_back(Algorithm::HS256);
    return Status::Ok();
}

// Importing keys to learn their types is slow; the answer is kept per key
// material (one cache for each way of finding it), as the key cache keeps
// the keys.
Status cached_algorithms(std::string_view material, Unnamed unnamed, std::vector<Algorithm> &out) {
    out.clear();
    // Before the cache copies it.
    PGJWT_TRY(check_key_size(material));
    static LruCache<std::vector<Algorithm>> by_type(128, 1024 * 1024), named(128, 1024 * 1024);
    LruCache<std::vector<Algorithm>> &cache = unnamed == Unnamed::by_type ? by_type : named;
    if (auto *hit = cache.find(material)) {
        out = *hit;
        return Status::Ok();
    }
    bool cacheable = true;
    PGJWT_TRY(compute(material, unnamed, out, cacheable));
    if (cacheable) cache.insert(material, out, out.size() * sizeof(Algorithm));
    return Status::Ok();
}

}  // namespace

Algorithm algorithm_for_type(const ImportedKey &key) {
    switch (key.type) {
        case KeyType::oct:
            return Algorithm::HS256;
        case KeyType::rsa:
            return Algorithm::RS256;
        case KeyType::ec:
            switch (key.curve) {
                case Curve::p384:
                    return Algorithm::ES384;
                case Curve::p521:
                    return Algorithm::ES512;
                case Curve::secp256k1:
                    return Algorithm::ES256K;
                default:
                    return Algorithm::ES256;
            }
        case KeyType::okp:
            return Algorithm::EdDSA;
    }
    return Algorithm::HS256;
}

Status default_algorithms(std::string_view material, KeyEncoding encoding,
                          std::vector<Algorithm> &out) {
    if (encoding == KeyEncoding::binary) {
        out.assign(1, Algorithm::HS256);
        return Status::Ok();
    }
    // A raw secret as text: HS256, as compute() says, without a copy of the
    // secret in the cache.
    if (!looks_like_json_object(material) && !looks_like_pem(material)) {
        PGJWT_TRY(check_key_size(material));
        out.assign(1, Algorithm::HS256);
        return Status::Ok();
    }
    return cached_algorithms(material, Unnamed::by_type, out);
}

Status algorithms_for_key(std::string_view requested, bool has_requested, std::string_view jwk_text,
                          std::vector<Algorithm> &out) {
    if (!has_requested) return cached_algorithms(jwk_text, Unnamed::skipped, out);
    Algorithm alg;
    PGJWT_TRY(algorithm_from_argument(requested, alg));
    out.assign(1, alg);
    return Status::Ok();
}

Status token_algorithm(std::string_view token, const std::vector<Algorithm> &allowed,
                       Algorithm &out) {
    if (allowed.empty()) return Status::Internal("no algorithm to choose from");
    out = allowed.front();
    if (allowed.size() == 1) return Status::Ok();
    // Kept from call to call (a backend is one thread), like the verifier's.
    static Jws jws;
    PGJWT_TRY(jws_decode(token, jws));
    for (Algorithm a : allowed)
        if (algorithm_name(a) == jws.header.alg) out = a;
    return Status::Ok();
}

}  // namespace pgjwt

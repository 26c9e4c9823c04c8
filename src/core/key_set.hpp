// Keys ready for one algorithm and one purpose, and the bounded per-backend
// cache that keeps them (DESIGN.md sections 2.4 and 4): a raw HMAC secret
// with its keyed context, or the parsed keys of a PEM block, JWK or JWK set
// with theirs. Parsing and checking key material costs far more than a
// signature, so a key passed on every row is prepared once. The cache key is
// the key material with the algorithm, purpose and form, never a `kid`.
#pragma once
#include "core_guard.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "algorithm.hpp"
#include "hmac.hpp"
#include "jose_header.hpp"
#include "key.hpp"
#include "key_import.hpp"
#include "openssl_ptr.hpp"
#include "status.hpp"

namespace pgjwt {

struct PreparedKey {
    ImportedKey key;
    std::string label;         // a key of a set: key_label (jwk_set.hpp)
    bool usable = false;       // fits the algorithm and purpose
    Status unusable;           // why not, when !usable (in a set: the detail names the key)
    MacCtxPtr mac_ctx;         // HMAC: keyed with the secret for the algorithm
    PkeyCtxPtr ctx;            // RSA / ECDSA: initialised for the algorithm and purpose
    MdCtxPtr md_ctx;           // EdDSA: initialised with the key for the purpose
    size_t max_signature = 0;  // RSA / ECDSA: the largest signature OpenSSL writes
    BnPtr ec_order;            // ECDSA: the group order n, for the r, s range check
};

struct KeySet {
    Algorithm alg = Algorithm::HS256;  // what the keys are prepared for
    // A set's keys in its order, those skipped (jwk_set.hpp) included.
    std::vector<std::unique_ptr<PreparedKey>> keys;
    bool is_set = false;      // a JWK set: the token's kid selects
    bool raw_secret = false;  // an HMAC secret as the caller passed it (not a JWK)
    bool cacheable = true;    // false: a key was skipped for a reason OpenSSL gave
};

// The most keys tried for a token without `kid` (DESIGN.md section 3).
constexpr size_t kMaxCandidateKeys = 16;

// The key/algorithm binding of DESIGN.md section 3: key type and curve,
// RSA modulus 2048..16384 bits with an odd exponent >= 3, a JWK's alg, use
// and key_ops, a private half for signing, oct JWKs at least the hash size.
Status check_key_binding(Algorithm alg, const ImportedKey &key, KeyPurpose purpose);

// Finds in the cache, or prepares and caches, the keys of `material` for
// `alg`: with an HS* algorithm, binary material and text that is not a JSON
// object are the secret itself (check_secret_text, check_secret_bytes);
// otherwise the text is PEM, a JWK, a JWK set or a certificate map. The keys
// of a set that pg_jwt does not understand are skipped, and those that do
// not fit `alg` are unusable (each key is bound to its family by its kty);
// a set none of whose keys fits is refused, with the reason for each key.
Status resolve_key_set(Algorithm alg, std::string_view material, KeyEncoding encoding,
                       KeyPurpose purpose, std::shared_ptr<const KeySet> &out);

// The keys to try for a token: the usable one its kid names (a JWK set;
// keys of different types may share a kid), else every usable key, at most
// kMaxCandidateKeys. An unknown kid is the token's fault, and so is a kid
// that names only keys that are skipped or do not fit.
struct Candidates {
    PreparedKey *keys[kMaxCandidateKeys];
    size_t count = 0;
};
Status select_keys(const KeySet &set, const JoseHeader &header, Candidates &out);

// The one key a signature is made with (a JWK set cannot sign).
Status signing_key(const KeySet &set, PreparedKey *&out);

void key_cache_clear();
size_t key_cache_size();

}  // namespace pgjwt

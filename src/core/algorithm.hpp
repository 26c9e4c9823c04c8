// The JOSE signature algorithms (RFC 7518 section 3, RFC 8037, RFC 8812,
// RFC 9864) as an explicit allow-list. Names are matched exactly: "hs256"
// and "none" are not algorithms here.
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

#include "status.hpp"

namespace pgjwt {

enum class Algorithm {
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
    ES256K,
    EdDSA,    // RFC 8037: Ed25519 or Ed448, by the key
    Ed25519,  // RFC 9864 fully-specified names
    Ed448,
};

enum class AlgorithmFamily { hmac, rsa_pkcs1, rsa_pss, ecdsa, eddsa };

enum class Digest { none, sha256, sha384, sha512 };

// Curves by their JWK "crv" names.
enum class Curve { none, p256, p384, p521, secp256k1, ed25519, ed448 };

std::optional<Algorithm> parse_algorithm(std::string_view name);
std::string_view algorithm_name(Algorithm alg);
AlgorithmFamily algorithm_family(Algorithm alg);
Digest algorithm_digest(Algorithm alg);
// ES*: the one curve the algorithm is defined on; Ed25519/Ed448: that curve;
// EdDSA and the others: Curve::none.
Curve algorithm_curve(Algorithm alg);

// Output size of the digest in bytes (also the RFC 7518 minimum HMAC key size).
size_t digest_size(Digest digest);
// The OpenSSL name of the digest ("SHA256", ...).
const char *digest_openssl_name(Digest digest);

std::string_view curve_name(Curve curve);  // "P-256", "Ed25519", ...
std::optional<Curve> parse_curve(std::string_view jwk_crv);
// ECDSA: bytes of one coordinate / of r and of s (32, 48, 66, 32).
size_t curve_field_size(Curve curve);

// Parses an algorithm named by the caller; an unknown name is the caller's fault.
Status algorithm_from_argument(std::string_view name, Algorithm &out);

}  // namespace pgjwt

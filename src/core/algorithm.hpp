// The JOSE signature algorithms (RFC 7518 section 3, RFC 8037, RFC 8812) as
// an explicit allow-list. Names are matched exactly: "hs256" and "none" are
// not algorithms here.
#pragma once
#include "core_guard.hpp"

#include <optional>
#include <string_view>

namespace pgjwt {

enum class Algorithm { HS256, HS384, HS512 };

enum class AlgorithmFamily { hmac };

enum class Digest { sha256, sha384, sha512 };

std::optional<Algorithm> parse_algorithm(std::string_view name);
std::string_view algorithm_name(Algorithm alg);
AlgorithmFamily algorithm_family(Algorithm alg);
Digest algorithm_digest(Algorithm alg);
// Output size of the digest in bytes (also the RFC 7518 minimum HMAC key size).
size_t digest_size(Digest digest);
// The OpenSSL name of the digest ("SHA256", ...).
const char *digest_openssl_name(Digest digest);

}  // namespace pgjwt

#include "status.hpp"

namespace pgjwt {
// Parses an algorithm named by the caller; an unknown name is the caller's fault.
Status algorithm_from_argument(std::string_view name, Algorithm &out);
}  // namespace pgjwt

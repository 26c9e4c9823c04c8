// New keys, made by OpenSSL for jwt.generate_key.
#pragma once
#include "core_guard.hpp"

#include <cstddef>

#include "algorithm.hpp"
#include "key_import.hpp"
#include "status.hpp"

namespace pgjwt {

// A new key for `alg`: RSA of `rsa_bits` (2048, 3072 or 4096), the
// algorithm's curve, or for HS* an HMAC secret that is printable text: the
// base64url form of random bytes of the hash size (HS256 43 characters,
// HS384 64, HS512 86).
Status generate_key(Algorithm alg, size_t rsa_bits, ImportedKey &out);

}  // namespace pgjwt

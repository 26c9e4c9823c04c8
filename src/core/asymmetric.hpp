// RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA and EdDSA signatures in their JOSE
// forms (RFC 7518 sections 3.3-3.5, RFC 8037). RSA and ECDSA keep an
// EVP_PKEY_CTX initialised once per key and algorithm (DESIGN.md section 4),
// and sign or verify a digest computed separately.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>

#include "algorithm.hpp"
#include "key.hpp"
#include "status.hpp"

namespace pgjwt {

struct PreparedKey;

// Builds the contexts a prepared key needs for `alg` and `purpose`.
Status prepare_asymmetric(Algorithm alg, KeyPurpose purpose, PreparedKey &key);

// Appends the JOSE signature of `input` (ECDSA: raw r||s, fixed width).
Status asymmetric_sign(Algorithm alg, PreparedKey &key, std::string_view input, std::string &out);

// Sets `valid`. Signatures of the wrong length (RSA: the modulus size; ECDSA:
// 64/96/132 bytes; EdDSA: 64/114) and ECDSA r or s outside [1, n-1] are
// invalid before any arithmetic.
Status asymmetric_verify(Algorithm alg, PreparedKey &key, std::string_view input,
                         std::string_view signature, bool &valid);

}  // namespace pgjwt

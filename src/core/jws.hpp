// JWS compact serialization (RFC 7515 section 7.1): three base64url parts,
// any payload bytes. This layer knows nothing of claims: Wycheproof's JWS
// vectors carry payloads that are not JSON, and they run against it.
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "algorithm.hpp"
#include "jose_header.hpp"
#include "json.hpp"
#include "key.hpp"
#include "status.hpp"

namespace pgjwt {

// The default and largest accepted token (DESIGN.md section 3). A constant,
// so that the IMMUTABLE functions that apply it stay immutable.
constexpr size_t kMaxTokenBytes = 64 * 1024;

struct JwsParts {
    std::string_view header_b64, payload_b64, signature_b64;
    std::string_view signing_input;  // header_b64 '.' payload_b64
};

// Exactly three parts, size capped; five parts is a JWE and is refused.
Status jws_split(std::string_view token, JwsParts &out);

struct Jws {
    JwsParts parts;
    std::string header_json;  // decoded, with spare capacity for in-place parsing
    std::string payload;      // decoded bytes
    std::string signature;    // decoded bytes
    JoseHeader header;
};

// Splits, strictly decodes every part and parses the protected header.
Status jws_decode(std::string_view token, Jws &out);

// Applies the verification policy to a decoded JWS: the header's alg equals
// `alg` (case-sensitive), no `crit` (no extension is understood), no
// `b64:false`, and the signature verifies under `key`. A token that fails is
// reported as Fault::token_rejected with the reason.
Status jws_verify(const Jws &jws, Algorithm alg, const Key &key);

// Builds a compact JWS from a header (JSON text) and payload bytes.
Status jws_sign(std::string_view header_json, std::string_view payload, Algorithm alg,
                const Key &key, std::string &token);

}  // namespace pgjwt

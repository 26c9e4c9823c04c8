// JSON Web Keys (RFC 7517) at the JSON level: the members of a JWK or of a
// JWK set, as strings, before any cryptography. Key material stays in its
// base64url form here; key_import turns it into OpenSSL keys.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "json.hpp"
#include "secret.hpp"
#include "status.hpp"

namespace pgjwt {

struct JwkMembers {
    std::string kty, crv, alg, kid, use;
    bool has_alg = false, has_kid = false, has_use = false, has_key_ops = false;
    std::vector<std::string> key_ops;
    // base64url-encoded key material, empty when absent
    SecretString n, e, d, p, q, dp, dq, qi, x, y, k;
    bool has_d = false, has_k = false;
};

// True when `text` (after white space) starts like a JSON object.
bool looks_like_json_object(std::string_view text);

// Parses a JWK or a JWK set ({"keys":[...]}). `is_set` tells which it was.
// Problems are the caller's (Fault::invalid_argument): the key is theirs.
// The JSON parser's copies of the text are wiped before this returns.
Status parse_jwk_text(std::string_view text, std::vector<JwkMembers> &keys, bool &is_set);

// The JWK text of `jwk`: its members above, in that order, no white space
// (members pg_jwt does not read are left out).
SecretString jwk_text(const JwkMembers &jwk);

}  // namespace pgjwt

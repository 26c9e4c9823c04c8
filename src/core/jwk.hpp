// JSON Web Keys (RFC 7517) at the JSON level: the members of a JWK or of a
// JWK set, as strings, before any cryptography. Key material stays in its
// base64url form here; key_import turns it into OpenSSL keys. Firebase's
// certificate map ({"<kid>": "<X.509 certificate PEM>", ...}) is read as a
// set too: each certificate's public key becomes the members of a JWK
// (certificate_map.hpp).
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
    // A key of a set: its position (from 0), whether it came from a
    // certificate map, and what is wrong with it, if anything (a member of
    // the wrong JSON type, a certificate OpenSSL cannot read). A set is
    // read whole; which of its keys are used is jwk_set.hpp's question.
    size_t index = 0;
    bool from_certificate = false;
    Status problem;
};

// True when `text` (after white space) starts like a JSON object.
bool looks_like_json_object(std::string_view text);

// Parses a JWK, a JWK set ({"keys":[...]}) or a certificate map. `is_set`
// tells whether it was one key or several. Problems are the caller's
// (Fault::invalid_argument): the key is theirs. In a set, a key whose
// members are wrong does not fail the set: its `problem` says why. The
// JSON parser's copies of the text are wiped before this returns.
Status parse_jwk_text(std::string_view text, std::vector<JwkMembers> &keys, bool &is_set);

// The JWK text of `jwk`: its members above, in that order, no white space
// (members pg_jwt does not read are left out).
SecretString jwk_text(const JwkMembers &jwk);

}  // namespace pgjwt

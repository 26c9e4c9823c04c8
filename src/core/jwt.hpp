// JWT (RFC 7519) on top of the JWS layer: the payload is a JSON object of
// claims, and the time claims exp/nbf bound when the token is valid.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "algorithm.hpp"
#include "jws.hpp"
#include "key.hpp"
#include "status.hpp"

namespace pgjwt {

struct JwtSignRequest {
    Algorithm alg;
    Key key;
    std::string_view claims_json;   // a JSON object
    bool keep_claims_text = true;   // false: minify (e.g. jsonb's spaced text)
    std::string_view extra_header;  // JSON object text, or empty
    // Members whose values are replaced by raw JSON texts (a row's timestamp
    // columns named exp, nbf, iat become NumericDates); implies minifying.
    std::vector<std::pair<std::string, std::string>> replacements;
};
Status jwt_sign(const JwtSignRequest &request, std::string &token);

// Decodes a JWT without verifying it: a JWS whose payload is a JSON object.
Status jwt_decode(std::string_view token, Jws &out);

struct JwtVerification {
    Jws jws;
    bool valid = false;
    Status reason;  // why not valid (Fault::token_rejected), for callers that say why
};

// pgjwt's verify: malformed tokens and bad keys are errors; otherwise `valid`
// tells whether the signature verifies with `alg`, the token's alg is `alg`,
// and `now` (seconds since the epoch) lies in [nbf, exp) where present. A
// non-numeric or out-of-range exp/nbf makes the token invalid.
Status jwt_verify(std::string_view token, Algorithm alg, const Key &key, double now,
                  JwtVerification &out);

// The backend's one JwtVerification, kept from call to call (a backend is
// one thread) for a caller that verifies row after row: reusing its buffers
// saves about a tenth of a verify (test/bench/README.md, "The glue"). They
// stay small: jwt_verify refuses a token above kMaxTokenBytes before
// decoding it.
JwtVerification &reusable_verification();

}  // namespace pgjwt

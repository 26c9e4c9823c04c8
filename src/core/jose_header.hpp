// The protected header of a JWS (RFC 7515 section 4): what the JWS layer
// reads from a token's header, and the header pg_jwt writes when it signs.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "json.hpp"
#include "status.hpp"

namespace pgjwt {

// What the JWS layer needs from a protected header.
struct JoseHeader {
    bool has_alg = false;
    std::string alg;
    bool has_typ = false;
    std::string typ;
    bool has_kid = false;
    std::string kid;
    bool has_crit = false;
    std::vector<std::string> crit;
    bool has_b64 = false;
    bool b64 = true;
};

Status parse_jose_header(JsonInput json, JoseHeader &out);

// Builds a compact JOSE header: {"alg":<alg>,"typ":"JWT"}, then "kid":<kid>
// when `kid` is not empty and `extra` names none, then the members of `extra`
// (a JSON object, may be empty). `extra` may replace typ (null removes it)
// but may only repeat alg with the same value.
Status build_jose_header(std::string_view alg, std::string_view extra, std::string_view kid,
                         std::string &out);

}  // namespace pgjwt

// jwt.request_token(): the token of a PostgREST request, read from the
// settings PostgREST fills for each request's transaction: request.cookies
// (a JSON object of cookie names and values) and request.headers (a JSON
// object of lower-case header names and values).
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>

#include "json.hpp"
#include "status.hpp"

namespace pgjwt {

enum class TokenPlace {
    cookie,         // the cookie's value is the token
    header,         // the header's value, after an optional "Bearer " (any case)
    authorization,  // the Authorization header with the Bearer scheme only
};

// The token in the member `name` of `json`, the value of the setting named
// `setting` (a JSON object). `found` is false when the member is absent,
// JSON null or empty, or, for TokenPlace::authorization, when the header
// uses another scheme than Bearer. A token must be an RFC 6750 b64token
// (letters, digits, - . _ ~ + / and trailing =): anything else, a member
// that is not a string, or a setting that is not a JSON object is
// Fault::invalid_argument. Header names are matched in lower case (as
// PostgREST writes them), cookie names exactly.
Status request_token(JsonInput json, const char *setting, std::string_view name, TokenPlace place,
                     bool &found, std::string &token);

}  // namespace pgjwt

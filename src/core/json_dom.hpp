// simdjson's DOM for the few core files that read JSON structures of their
// own (JWKs, claims, JOSE headers, members as written). Everything else uses
// the narrow functions of json.hpp, so that simdjson's large header is
// compiled in as few translation units as possible.
#pragma once
#include "core_guard.hpp"

#include <string_view>
#include <vector>

#include <simdjson.h>

#include "json.hpp"

namespace pgjwt {

// Parses and strictly validates `json` (see json.hpp) with the backend's
// parser; `root` is valid until the next parse. Failures are
// Fault::malformed_json for text that is not JSON, else Fault::malformed_token.
Status parse_json_element(JsonInput json, const char *what, simdjson::dom::element &root);
// The same for a document that must be an object.
Status parse_json_object(JsonInput json, const char *what, simdjson::dom::object &object);

// A member of a parsed object with the text its value is written as.
struct RawMember {
    std::string_view key;          // unescaped (from the DOM)
    simdjson::dom::element value;  // parsed
    std::string_view text;         // as written in the document
};
// The members of a strictly valid object, in document order.
Status raw_members(JsonInput json, const char *what, std::vector<RawMember> &out);

// Wipes what the backend's parser keeps of the last document (its copy of
// the text, its unescaped strings), after key material was parsed; any
// element of that parse is invalid afterwards.
void json_wipe_parser() noexcept;

}  // namespace pgjwt

// JSON as text, for what pg_jwt writes: members copied as they are written
// in a validated document (numbers keep every digit), minified copies,
// objects with some members' values replaced, and strings written as JSON.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json.hpp"
#include "secret.hpp"
#include "status.hpp"

namespace pgjwt {

// The minified form of a JSON object (validated as validate_json_object does).
Status minify_json_object(JsonInput json, const char *what, std::string &out);

// Appends `text` (a part of a valid JSON document) without the white space
// outside strings.
void append_minified(std::string_view text, std::string &out);

// Rewrites the object `json` with the values of the named members replaced
// by raw JSON texts (used for timestamp columns that become NumericDates).
Status replace_json_members(JsonInput json,
                            const std::vector<std::pair<std::string, std::string>> &replacements,
                            std::string &out);

// Appends `text` as a JSON string literal (into a SecretString where the
// text is key material).
void json_append_string(std::string_view text, std::string &out);
void json_append_string(std::string_view text, WipedString &out);
// Appends "name":"value" to an object under construction ("{" so far, or more).
void json_append_member(std::string_view name, std::string_view value, std::string &object);
void json_append_member(std::string_view name, std::string_view value, WipedString &object);

}  // namespace pgjwt

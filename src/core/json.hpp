// Strict JSON for JOSE headers and JWT claims, through simdjson's DOM parser.
// Every document is fully validated (UTF-8, grammar, a depth cap), and two
// things that JSON itself allows are refused, because they let two parsers
// disagree about a token: duplicate member names (RFC 7515 section 5.2 and
// RFC 8725 section 3.x) and `\u0000` (PostgreSQL's text and jsonb cannot hold
// it). One parser per backend is reused for every document.
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "secret.hpp"
#include "status.hpp"

namespace pgjwt {

constexpr size_t kMaxJsonDepth = 64;

// A document about to be parsed. When `capacity` leaves SIMDJSON_PADDING bytes
// readable past `size`, it is parsed in place; otherwise it is copied once.
struct JsonInput {
    const char *data;
    size_t size;
    size_t capacity;
};
JsonInput json_input(std::string_view text);
JsonInput json_input(const std::string &text);  // uses the string's spare capacity
// Bytes to reserve beyond a document so that it can be parsed in place.
size_t json_padding();

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

// NumericDates outside 0001-01-01 .. 9999-12-31 are refused before any
// conversion, so no clock arithmetic can overflow.
constexpr double kMinNumericDate = -62135596800.0;
constexpr double kMaxNumericDate = 253402300799.0;

// A NumericDate claim (RFC 7519 section 2) as it stands in the token.
struct NumericDate {
    enum class State { absent, number, not_a_number } state = State::absent;
    double seconds = 0;
};

Status parse_jose_header(JsonInput json, JoseHeader &out);
// Validates `json` as an object without looking inside (beyond the strict rules).
Status validate_json_object(JsonInput json, const char *what);

// The minified form of a JSON object (validated as above).
Status minify_json_object(JsonInput json, const char *what, std::string &out);

// The backend's parser grows to the largest document it has parsed (about
// 14 bytes per byte of JSON: tape, structure index, strings) and keeps that
// size. Documents are bounded (tokens, key material), but a call that parsed
// a large one must not leave the backend large: past this capacity the
// parser and its scratch copy are released (json_release_large_buffers,
// called after every call through release_large_buffers in scratch.hpp).
constexpr size_t kMaxKeptJsonBytes = 256 * 1024;
void json_release_large_buffers() noexcept;

// Builds a compact JOSE header: {"alg":<alg>,"typ":"JWT"}, then "kid":<kid>
// when `kid` is not empty and `extra` names none, then the members of `extra`
// (a JSON object, may be empty). `extra` may replace typ (null removes it)
// but may only repeat alg with the same value.
Status build_jose_header(std::string_view alg, std::string_view extra, std::string_view kid,
                         std::string &out);

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

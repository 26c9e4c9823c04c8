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

// Validates `json` as an object without looking inside (beyond the strict rules).
Status validate_json_object(JsonInput json, const char *what);

// The backend's parser grows to the largest document it has parsed (about
// 14 bytes per byte of JSON: tape, structure index, strings) and keeps that
// size. Documents are bounded (tokens, key material), but a call that parsed
// a large one must not leave the backend large: past this capacity the
// parser and its scratch copy are released (json_release_large_buffers,
// called after every call through release_large_buffers in scratch.hpp).
constexpr size_t kMaxKeptJsonBytes = 256 * 1024;
void json_release_large_buffers() noexcept;

}  // namespace pgjwt

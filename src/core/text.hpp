// Small text helpers for messages and JSON.
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pgjwt {

// At most `max_bytes` of `text`, cut at a UTF-8 character boundary (a
// message must stay valid UTF-8 whatever the client encoding), with "..."
// when something was cut, and escaped as escape_for_message does. For
// quoting names and values from tokens, keys and settings in messages:
// every message that quotes foreign text goes through here.
std::string excerpt(std::string_view text, size_t max_bytes = 64);

// Appends `text` to `out` with every control character escaped, so that
// text from a token, a key or a setting cannot carry a carriage return, a
// line feed or a terminal escape sequence into a message, the server log or
// a terminal (log and terminal injection): bytes below 0x20 as \b \t \n \f
// \r or \u00XX, DEL as \u007f, the C1 controls U+0080..U+009F (UTF-8 C2 80
// .. C2 9F) as \u0080..\u009f, and each byte that is not part of a valid
// UTF-8 character as \xNN. Everything else is copied unchanged (a
// backslash too: messages quote text, they do not need to be decoded).
void append_escaped(std::string_view text, std::string &out);

// The same into a fixed buffer of `size` bytes (size >= 1), NUL-terminated,
// never ending inside an escape or a character; never allocates, so that
// the glue can use it around ereport. Returns the length written.
size_t escape_into(std::string_view text, char *out, size_t size) noexcept;

// The length of the longest prefix of `text` of at most `max_bytes` bytes
// that does not end inside a UTF-8 character.
size_t utf8_prefix_length(std::string_view text, size_t max_bytes);

// The length of the valid UTF-8 character at the start of `s` (1 to 4), or
// 0 when `s` is empty or its first bytes do not form one (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
size_t utf8_character_length(std::string_view s);

// `text` without leading and trailing white space, including a UTF-8 byte
// order mark at the start.
std::string_view trim_space(std::string_view text);

// A name of at most 8 bytes as one number (its bytes in order, the rest
// zero), so that short fixed names (claim names, algorithm names) are matched
// with an integer comparison, or a switch, instead of string comparisons.
// Names longer than 8 bytes are not distinguished beyond their 8th byte, and
// a NUL byte is lost: callers compare lengths too.
constexpr uint64_t pack_short_name(std::string_view name) {
    uint64_t packed = 0;
    for (size_t i = 0; i < name.size() && i < 8; i++)
        packed |= uint64_t{static_cast<unsigned char>(name[i])} << (8 * i);
    return packed;
}

}  // namespace pgjwt

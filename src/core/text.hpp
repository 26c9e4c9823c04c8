// Small text helpers for messages and JSON.
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace pgjwt {

// At most `max_bytes` of `text`, cut at a UTF-8 character boundary (a
// message must stay valid UTF-8 whatever the client encoding), with "..."
// when something was cut. For quoting names and values from tokens and keys
// in messages.
std::string excerpt(std::string_view text, size_t max_bytes = 64);

// The length of the longest prefix of `text` of at most `max_bytes` bytes
// that does not end inside a UTF-8 character.
size_t utf8_prefix_length(std::string_view text, size_t max_bytes);

// `text` without leading and trailing white space, including a UTF-8 byte
// order mark at the start.
std::string_view trim_space(std::string_view text);

}  // namespace pgjwt

// base64url without padding (RFC 7515 section 2, RFC 4648 section 5).
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <string>
#include <string_view>

#include "secret.hpp"
#include "status.hpp"

namespace pgjwt {

// Appends the unpadded base64url form of `bytes` to `out` (a SecretString
// where the bytes are key material).
void base64url_append(std::string_view bytes, std::string &out);
void base64url_append(std::string_view bytes, WipedString &out);
std::string base64url_encode(std::string_view bytes);

// The length of the unpadded base64url form of `n` bytes.
constexpr size_t base64url_encoded_size(size_t n) {
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}
// The room a decode of `n` characters needs: the bytes they decode to and a
// few bytes the decoder writes past them.
constexpr size_t base64url_decode_room(size_t n) {
    return n / 4 * 3 + 4;
}

// For large texts, into memory the caller allocated: encodes `bytes` into
// `out` (base64url_encoded_size(bytes.size()) bytes), in chunks, returning
// cancelled() when cancel_requested() says so between chunks.
Status base64url_encode_to(std::string_view bytes, char *out);
// Strict decode (as base64url_decode) of `text` into `out`, which has room
// for base64url_decode_room(text.size()) bytes; `written` is set to the
// bytes decoded. Malformed ("invalid base64url") or cancelled().
Status base64url_decode_to(std::string_view text, char *out, size_t &written);

// Strict decode: only A-Z a-z 0-9 - _, no padding, no white space, no length
// of 1 mod 4 and no non-zero trailing bits (so every byte string has exactly
// one accepted encoding). Appends to `out`; false when `text` is not strict.
bool base64url_decode(std::string_view text, std::string &out);
bool base64url_decode(std::string_view text, WipedString &out);

}  // namespace pgjwt

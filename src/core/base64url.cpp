#include "base64url.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "cancel.hpp"

namespace pgjwt {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> make_decode_table() {
    std::array<uint8_t, 256> table{};
    for (auto &v : table) v = kInvalid;
    for (uint8_t i = 0; i < 64; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = i;
    return table;
}
constexpr auto kDecode = make_decode_table();

// The decoding table once per position in a 4-character group, each value
// already shifted into place in the group's 24 bits, and kGroupInvalid for a
// character outside the alphabet: a group decodes with four loads and three
// ORs, and one test tells whether all four characters were valid.
constexpr uint32_t kGroupInvalid = 0x80000000u;
constexpr std::array<std::array<uint32_t, 256>, 4> make_group_tables() {
    std::array<std::array<uint32_t, 256>, 4> tables{};
    for (size_t position = 0; position < 4; position++)
        for (size_t c = 0; c < 256; c++)
            tables[position][c] = kDecode[c] == kInvalid
                                      ? kGroupInvalid
                                      : uint32_t{kDecode[c]} << (18 - 6 * position);
    return tables;
}
constexpr auto kGroup = make_group_tables();

void encode(const uint8_t *in, size_t n, char *o) {
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = kAlphabet[(v >> 6) & 63];
        *o++ = kAlphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = uint32_t{in[i]} << 16;
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8);
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = kAlphabet[(v >> 6) & 63];
    }
}

template <typename String>
void append(std::string_view bytes, String &out) {
    size_t start = out.size();
    out.resize(start + base64url_encoded_size(bytes.size()));
    encode(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), out.data() + start);
}

}  // namespace

void base64url_append(std::string_view bytes, std::string &out) {
    append(bytes, out);
}
void base64url_append(std::string_view bytes, WipedString &out) {
    append(bytes, out);
}

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    base64url_append(bytes, out);
    return out;
}

namespace {

// The last 2 or 3 characters of an encoding (`rest` of them, rest % 4 != 1).
bool decode_tail(const uint8_t *in, size_t rest, uint8_t *&o) {
    uint8_t a = kDecode[in[0]], b = kDecode[in[1]];
    uint8_t c = rest == 3 ? kDecode[in[2]] : 0;
    if ((a | b | c) & 0xc0) return false;
    uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6);
    // Non-zero trailing bits would give a second spelling of the same bytes.
    if ((rest == 2 && (v & 0xffff)) || (rest == 3 && (v & 0xff))) return false;
    *o++ = static_cast<uint8_t>(v >> 16);
    if (rest == 3) *o++ = static_cast<uint8_t>(v >> 8);
    return true;
}

// Decodes `in[0, n)` into `first`, which has room for
// base64url_decode_room(n) bytes; `written` is set to the number of bytes
// written. False unless every character is in the alphabet and the text is
// a strict encoding. (Everything is in locals: the output bytes could
// otherwise alias them.)
bool decode_raw(const uint8_t *in, size_t n, uint8_t *const first, size_t &written) {
    uint8_t *o = first;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t v =
            kGroup[0][in[i]] | kGroup[1][in[i + 1]] | kGroup[2][in[i + 2]] | kGroup[3][in[i + 3]];
        if (v & kGroupInvalid) return false;
        // The three bytes, big-endian, written as four: the output has room
        // for at least one byte more than the whole groups (see the resize).
        uint32_t bytes = __builtin_bswap32(v << 8);
        std::memcpy(o, &bytes, 4);
        o += 3;
    }
    size_t rest = n - i;
    if (rest == 1 || (rest && !decode_tail(in + i, rest, o))) return false;
    written = static_cast<size_t>(o - first);
    return true;
}

// Large texts (jwt.url_encode and url_decode take up to 1 GB) are done in
// chunks of this many input bytes, polling for cancel between chunks; a
// multiple of 3 (whole groups to encode) and of 4 (to decode).
constexpr size_t kChunkBytes = 12 * 1024 * 1024;

}  // namespace

Status base64url_encode_to(std::string_view bytes, char *out) {
    const auto *in = reinterpret_cast<const uint8_t *>(bytes.data());
    size_t n = bytes.size();
    for (size_t done = 0; done < n;) {
        if (done > 0 && cancel_requested()) return cancelled();
        size_t chunk = std::min(kChunkBytes, n - done);
        encode(in + done, chunk, out);
        out += base64url_encoded_size(chunk);
        done += chunk;
    }
    return Status::Ok();
}

Status base64url_decode_to(std::string_view text, char *out, size_t &written) {
    const auto *in = reinterpret_cast<const uint8_t *>(text.data());
    auto *o = reinterpret_cast<uint8_t *>(out);
    size_t n = text.size();
    written = 0;
    for (size_t done = 0; done == 0 || done < n;) {
        if (done > 0 && cancel_requested()) return cancelled();
        size_t chunk = std::min(kChunkBytes, n - done);
        size_t chunk_written = 0;
        if (!decode_raw(in + done, chunk, o + written, chunk_written))
            return Status::Malformed("invalid base64url",
                                     "Input must be unpadded base64url (RFC 4648 section 5) "
                                     "without white space or non-zero trailing bits.");
        written += chunk_written;
        done += chunk;
        if (n == 0) break;
    }
    return Status::Ok();
}

namespace {

template <typename String>
bool decode(std::string_view text, String &out) {
    size_t start = out.size();
    // Room for the whole groups, the 1-2 bytes of a partial one, and the
    // fourth byte the last whole group writes.
    out.resize(start + base64url_decode_room(text.size()));
    size_t written = 0;
    if (!decode_raw(reinterpret_cast<const uint8_t *>(text.data()), text.size(),
                    reinterpret_cast<uint8_t *>(out.data() + start), written)) {
        out.resize(start);
        return false;
    }
    out.resize(start + written);
    return true;
}

}  // namespace

bool base64url_decode(std::string_view text, std::string &out) {
    return decode(text, out);
}
bool base64url_decode(std::string_view text, WipedString &out) {
    return decode(text, out);
}

}  // namespace pgjwt

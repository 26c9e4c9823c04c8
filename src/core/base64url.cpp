#include "base64url.hpp"

#include <array>
#include <cstdint>

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

}  // namespace

void base64url_append(std::string_view bytes, std::string &out) {
    const auto *in = reinterpret_cast<const uint8_t *>(bytes.data());
    size_t n = bytes.size();
    size_t start = out.size();
    out.resize(start + (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0));
    char *o = out.data() + start;
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

// Decodes the characters of `in[0, n)`, which must all be base64url
// characters except where `stop` (a character outside the alphabet, or -1
// for none) ends the text early; `length` is set to where the text ended.
// (Everything is in locals: the output bytes could otherwise alias them.)
bool decode(const uint8_t *in, size_t n, int stop, std::string &out, size_t &length) {
    size_t start = out.size();
    out.resize(start + (n / 4) * 3 + 2);
    auto *const first = reinterpret_cast<uint8_t *>(out.data() + start);
    uint8_t *o = first;
    size_t i = 0;
    size_t end = n;
    for (; i + 4 <= n; i += 4) {
        uint8_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]],
                d = kDecode[in[i + 3]];
        if ((a | b | c | d) & 0xc0) break;
        uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
        o[0] = static_cast<uint8_t>(v >> 16);
        o[1] = static_cast<uint8_t>(v >> 8);
        o[2] = static_cast<uint8_t>(v);
        o += 3;
    }
    // The text ends at the first character outside the alphabet (found in
    // the group that stopped the loop, or in the last 1 to 3 characters),
    // which must be `stop`.
    for (size_t j = i; j < n; j++)
        if (kDecode[in[j]] == kInvalid) {
            if (static_cast<int>(in[j]) != stop) {
                out.resize(start);
                return false;
            }
            end = j;
            break;
        }
    size_t rest = end - i;
    if (rest == 1 || (rest && !decode_tail(in + i, rest, o))) {
        out.resize(start);
        return false;
    }
    out.resize(start + static_cast<size_t>(o - first));
    length = end;
    return true;
}

}  // namespace

bool base64url_decode(std::string_view text, std::string &out) {
    size_t length = 0;
    return decode(reinterpret_cast<const uint8_t *>(text.data()), text.size(), -1, out, length);
}

bool base64url_decode_until(std::string_view text, char stop, std::string &out, size_t &length) {
    return decode(reinterpret_cast<const uint8_t *>(text.data()), text.size(),
                  static_cast<unsigned char>(stop), out, length);
}

}  // namespace pgjwt

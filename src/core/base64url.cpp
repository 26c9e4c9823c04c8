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

bool base64url_decode(std::string_view text, std::string &out) {
    size_t n = text.size();
    if (n % 4 == 1) return false;
    const auto *in = reinterpret_cast<const uint8_t *>(text.data());
    size_t start = out.size();
    out.resize(start + (n / 4) * 3 + (n % 4 ? n % 4 - 1 : 0));
    auto *o = reinterpret_cast<uint8_t *>(out.data() + start);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint8_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]],
                d = kDecode[in[i + 3]];
        if ((a | b | c | d) == kInvalid || ((a | b | c | d) & 0xc0)) {
            out.resize(start);
            return false;
        }
        uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
        *o++ = static_cast<uint8_t>(v >> 16);
        *o++ = static_cast<uint8_t>(v >> 8);
        *o++ = static_cast<uint8_t>(v);
    }
    size_t rest = n - i;
    if (rest) {
        uint8_t a = kDecode[in[i]], b = kDecode[in[i + 1]];
        uint8_t c = rest == 3 ? kDecode[in[i + 2]] : 0;
        if ((a | b | c) & 0xc0) {
            out.resize(start);
            return false;
        }
        uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6);
        // Non-zero trailing bits would give a second spelling of the same bytes.
        if ((rest == 2 && (v & 0xffff)) || (rest == 3 && (v & 0xff))) {
            out.resize(start);
            return false;
        }
        *o++ = static_cast<uint8_t>(v >> 16);
        if (rest == 3) *o++ = static_cast<uint8_t>(v >> 8);
    }
    return true;
}

}  // namespace pgjwt

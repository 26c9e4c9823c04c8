#include "base64url.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "cancel.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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
// ORs, and one test tells whether all four characters were valid (a third
// faster than decoding and shifting each character).
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

}  // namespace

namespace {

// Encodes whole 3-byte groups from `in[i]` on; returns where it stopped.
size_t encode_groups_portable(const uint8_t *in, size_t n, size_t i, char *&o) {
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = kAlphabet[(v >> 6) & 63];
        *o++ = kAlphabet[v & 63];
    }
    return i;
}

#if defined(__x86_64__)
// Twelve bytes (sixteen characters) a step with SSSE3, while sixteen bytes
// remain to be read: about 15 instructions where the portable loop takes
// about 110, which is a tenth of pg_jwt's own work in an ES256 sign. The
// shuffle puts each group's bytes as [b1 b0 b2 b1] in a 32-bit lane; two
// multiplies move the four 6-bit fields into the lane's four bytes; the
// alphabet is five ranges, each an offset added to the value, picked with
// a second shuffle. The package must run on any x86-64 (DESIGN.md section
// 4), so this is chosen at run time.
__attribute__((target("ssse3"))) size_t encode_groups_ssse3(const uint8_t *in, size_t n, size_t i,
                                                            char *&o) {
    const __m128i spread = _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
    const __m128i high_fields = _mm_set1_epi32(0x0fc0fc00);  // a (bits 10-15), c (22-27)
    const __m128i high_shifts = _mm_set1_epi32(0x04000040);  // a >> 10, c >> 6, per 16 bits
    const __m128i low_fields = _mm_set1_epi32(0x003f03f0);   // b (bits 4-9), d (16-21)
    const __m128i low_shifts = _mm_set1_epi32(0x01000010);   // b << 4, d << 8
    // Offsets from a 6-bit value to its character: 0-25 'A', 26-51 'a',
    // 52-61 '0', 62 '-', 63 '_', indexed by the range number computed below.
    const __m128i offsets =
        _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                      '0' - 52, '0' - 52, '0' - 52, '0' - 52, '-' - 62, '_' - 63, 'A', 0, 0);
    for (; i + 16 <= n; i += 12) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in + i));
        v = _mm_shuffle_epi8(v, spread);
        __m128i fields = _mm_or_si128(_mm_mulhi_epu16(_mm_and_si128(v, high_fields), high_shifts),
                                      _mm_mullo_epi16(_mm_and_si128(v, low_fields), low_shifts));
        // Range number: 0 for 26-51, 1-10 for 52-61, 11 for 62, 12 for 63,
        // 13 for 0-25.
        __m128i range = _mm_subs_epu8(fields, _mm_set1_epi8(51));
        __m128i upper = _mm_cmpgt_epi8(_mm_set1_epi8(26), fields);
        range = _mm_or_si128(range, _mm_and_si128(upper, _mm_set1_epi8(13)));
        __m128i chars = _mm_add_epi8(fields, _mm_shuffle_epi8(offsets, range));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(o), chars);
        o += 16;
    }
    return i;
}

#endif

// Whether the SSSE3 loops run: decided once, at run time (DESIGN.md section
// 4: the package must run on any x86-64).
bool vector_base64() {
#if defined(__x86_64__)
    static const bool supported = __builtin_cpu_supports("ssse3");
    return supported;
#else
    return false;
#endif
}

void encode(const uint8_t *in, size_t n, char *o, bool vector) {
    size_t i = 0;
#if defined(__x86_64__)
    if (vector) i = encode_groups_ssse3(in, n, i, o);
#else
    (void)vector;
#endif
    i = encode_groups_portable(in, n, i, o);
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

void append(std::string_view bytes, std::string &out, bool vector) {
    size_t n = bytes.size();
    size_t start = out.size();
    out.resize(start + (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0));
    encode(reinterpret_cast<const uint8_t *>(bytes.data()), n, out.data() + start, vector);
}

}  // namespace

void base64url_append(std::string_view bytes, std::string &out) {
    append(bytes, out, vector_base64());
}

void base64url_append_portable(std::string_view bytes, std::string &out) {
    append(bytes, out, false);
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

#if defined(__x86_64__)
// Sixteen characters (twelve bytes) a step with SSSE3 while sixteen remain,
// up to the first step holding a character outside the alphabet (the stop
// character, or an error), from which the portable loop goes on: it finds
// that character, and only whole groups are decoded here, so every check of
// the strict decoding (the end, the trailing bits) stays in one place.
// About 25 instructions for what the portable loop does in about 80. Each
// character is classed by range (signed compares: bytes from 0x80 are in no
// range) and turned into its 6-bit value by the range's offset; two
// multiply-adds join four values into a 24-bit group per 32-bit lane and a
// shuffle writes its three bytes in order. Returns where it stopped.
__attribute__((target("ssse3"))) size_t decode_groups_ssse3(const uint8_t *in, size_t n,
                                                            uint8_t *&o) {
    auto in_range = [](__m128i c, char low, char high) {
        return _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(static_cast<char>(low - 1))),
                             _mm_cmpgt_epi8(_mm_set1_epi8(static_cast<char>(high + 1)), c));
    };
    const __m128i join_pairs = _mm_set1_epi32(0x01400140);   // a << 6 | b, c << 6 | d
    const __m128i join_halves = _mm_set1_epi32(0x00011000);  // ab << 12 | cd
    const __m128i order = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in + i));
        __m128i upper = in_range(c, 'A', 'Z');
        __m128i lower = in_range(c, 'a', 'z');
        __m128i digit = in_range(c, '0', '9');
        __m128i dash = _mm_cmpeq_epi8(c, _mm_set1_epi8('-'));
        __m128i underscore = _mm_cmpeq_epi8(c, _mm_set1_epi8('_'));
        __m128i valid = _mm_or_si128(_mm_or_si128(upper, lower),
                                     _mm_or_si128(digit, _mm_or_si128(dash, underscore)));
        if (_mm_movemask_epi8(valid) != 0xffff) break;
        __m128i offset = _mm_or_si128(
            _mm_or_si128(_mm_and_si128(upper, _mm_set1_epi8(-'A')),
                         _mm_and_si128(lower, _mm_set1_epi8(26 - 'a'))),
            _mm_or_si128(_mm_and_si128(digit, _mm_set1_epi8(52 - '0')),
                         _mm_or_si128(_mm_and_si128(dash, _mm_set1_epi8(62 - '-')),
                                      _mm_and_si128(underscore, _mm_set1_epi8(63 - '_')))));
        __m128i values = _mm_add_epi8(c, offset);
        __m128i groups = _mm_madd_epi16(_mm_maddubs_epi16(values, join_pairs), join_halves);
        _mm_storeu_si128(reinterpret_cast<__m128i *>(o), _mm_shuffle_epi8(groups, order));
        o += 12;
    }
    return i;
}
#endif

// Decodes the characters of `in[0, n)`, which must all be base64url
// characters except where `stop` (a character outside the alphabet, or -1
// for none) ends the text early; `length` is set to where the text ended
// and `written` to the number of bytes written to `first`, which has room
// for base64url_decode_room(n) bytes. (Everything is in locals: the output
// bytes could otherwise alias them.)
bool decode_raw(const uint8_t *in, size_t n, int stop, uint8_t *const first, size_t &written,
                size_t &length, bool vector) {
    uint8_t *o = first;
    size_t i = 0;
    size_t end = n;
#if defined(__x86_64__)
    if (vector) i = decode_groups_ssse3(in, n, o);
#else
    (void)vector;
#endif
    for (; i + 4 <= n; i += 4) {
        uint32_t v =
            kGroup[0][in[i]] | kGroup[1][in[i + 1]] | kGroup[2][in[i + 2]] | kGroup[3][in[i + 3]];
        if (v & kGroupInvalid) break;
        // The three bytes, big-endian, written as four: the output has room
        // for at least one byte more than the whole groups (see the resize).
        uint32_t bytes = __builtin_bswap32(v << 8);
        std::memcpy(o, &bytes, 4);
        o += 3;
    }
    // The text ends at the first character outside the alphabet (found in
    // the group that stopped the loop, or in the last 1 to 3 characters),
    // which must be `stop`.
    for (size_t j = i; j < n; j++)
        if (kDecode[in[j]] == kInvalid) {
            if (static_cast<int>(in[j]) != stop) return false;
            end = j;
            break;
        }
    size_t rest = end - i;
    if (rest == 1 || (rest && !decode_tail(in + i, rest, o))) return false;
    written = static_cast<size_t>(o - first);
    length = end;
    return true;
}

bool decode(const uint8_t *in, size_t n, int stop, std::string &out, size_t &length, bool vector) {
    size_t start = out.size();
    // Room for the whole groups, the 1-2 bytes of a partial one, and the
    // 4 bytes the SSSE3 loop writes past its 12 (2 more than the fourth
    // byte the last whole group of the portable loop writes).
    out.resize(start + base64url_decode_room(n));
    size_t written = 0;
    if (!decode_raw(in, n, stop, reinterpret_cast<uint8_t *>(out.data() + start), written, length,
                    vector)) {
        out.resize(start);
        return false;
    }
    out.resize(start + written);
    return true;
}

// Large texts (jwt.url_encode and url_decode take up to 1 GB) are done in
// chunks of this many input bytes, polling for cancel between chunks; a
// multiple of 3 (whole groups to encode) and of 4 (to decode).
constexpr size_t kChunkBytes = 12 * 1024 * 1024;

}  // namespace

Status base64url_encode_to(std::string_view bytes, char *out) {
    const bool vector = vector_base64();
    const auto *in = reinterpret_cast<const uint8_t *>(bytes.data());
    size_t n = bytes.size();
    for (size_t done = 0; done < n;) {
        if (done > 0 && cancel_requested()) return cancelled();
        size_t chunk = std::min(kChunkBytes, n - done);
        encode(in + done, chunk, out, vector);
        out += base64url_encoded_size(chunk);
        done += chunk;
    }
    return Status::Ok();
}

Status base64url_decode_to(std::string_view text, char *out, size_t &written) {
    const bool vector = vector_base64();
    const auto *in = reinterpret_cast<const uint8_t *>(text.data());
    auto *o = reinterpret_cast<uint8_t *>(out);
    size_t n = text.size();
    written = 0;
    for (size_t done = 0; done == 0 || done < n;) {
        if (done > 0 && cancel_requested()) return cancelled();
        size_t chunk = std::min(kChunkBytes, n - done);
        size_t chunk_written = 0, length = 0;
        if (!decode_raw(in + done, chunk, -1, o + written, chunk_written, length, vector))
            return Status::Malformed("invalid base64url",
                                     "Input must be unpadded base64url (RFC 4648 section 5) "
                                     "without white space or non-zero trailing bits.");
        written += chunk_written;
        done += chunk;
        if (n == 0) break;
    }
    return Status::Ok();
}

bool base64url_decode(std::string_view text, std::string &out) {
    size_t length = 0;
    return decode(reinterpret_cast<const uint8_t *>(text.data()), text.size(), -1, out, length,
                  vector_base64());
}

bool base64url_decode_until(std::string_view text, char stop, std::string &out, size_t &length) {
    return decode(reinterpret_cast<const uint8_t *>(text.data()), text.size(),
                  static_cast<unsigned char>(stop), out, length, vector_base64());
}

bool base64url_decode_until_portable(std::string_view text, char stop, std::string &out,
                                     size_t &length) {
    return decode(reinterpret_cast<const uint8_t *>(text.data()), text.size(),
                  static_cast<unsigned char>(stop), out, length, false);
}

}  // namespace pgjwt

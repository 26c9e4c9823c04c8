#include "ecdsa_der.hpp"

#include <cstring>

namespace pgjwt {
namespace {

// A DER length at `p` (short form, or long form of one or two bytes, the
// longest an ECDSA signature needs), minimally encoded; advances `p`.
bool read_length(const unsigned char *&p, const unsigned char *end, size_t &length) {
    if (p >= end) return false;
    unsigned char first = *p++;
    if (first < 0x80) {
        length = first;
        return true;
    }
    size_t bytes = first & 0x7f;
    if (bytes == 0 || bytes > 2 || static_cast<size_t>(end - p) < bytes) return false;
    length = 0;
    for (size_t i = 0; i < bytes; i++) length = length << 8 | *p++;
    // Minimal: the long form only from 128 on, and no leading zero byte.
    return length >= 0x80 && (bytes == 1 || length >= 0x100);
}

// A non-negative INTEGER at `p`, minimally encoded; `value` points at its
// magnitude without the sign byte. Advances `p`.
bool read_integer(const unsigned char *&p, const unsigned char *end, const unsigned char *&value,
                  size_t &size) {
    size_t length = 0;
    if (p >= end || *p++ != 0x02 || !read_length(p, end, length) || length == 0 ||
        static_cast<size_t>(end - p) < length)
        return false;
    value = p;
    size = length;
    p += length;
    if (value[0] & 0x80) return false;  // negative
    if (value[0] == 0x00) {
        // A leading zero only to keep the next byte's high bit from reading
        // as a sign.
        if (size > 1 && !(value[1] & 0x80)) return false;
        if (size > 1) {
            value++;
            size--;
        }
    }
    return true;
}

}  // namespace

bool ecdsa_der_to_raw(const unsigned char *der, size_t len, size_t field_size, std::string &out) {
    const unsigned char *p = der;
    const unsigned char *end = der + len;
    size_t body = 0;
    if (len == 0 || *p++ != 0x30 || !read_length(p, end, body) ||
        static_cast<size_t>(end - p) != body)
        return false;
    const unsigned char *r = nullptr, *s = nullptr;
    size_t r_size = 0, s_size = 0;
    if (!read_integer(p, end, r, r_size) || !read_integer(p, end, s, s_size) || p != end ||
        r_size > field_size || s_size > field_size)
        return false;
    size_t start = out.size();
    out.resize(start + 2 * field_size, '\0');
    char *o = out.data() + start;
    std::memcpy(o + field_size - r_size, r, r_size);
    std::memcpy(o + 2 * field_size - s_size, s, s_size);
    return true;
}

}  // namespace pgjwt

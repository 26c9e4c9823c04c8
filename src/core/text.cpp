#include "text.hpp"

#include <cstring>

namespace pgjwt {

size_t utf8_character_length(std::string_view s) {
    if (s.empty()) return 0;
    auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char lead = byte(0);
    if (lead < 0x80) return 1;
    size_t length;
    unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
    } else {
        return 0;
    }
    if (s.size() < length || byte(1) < low || byte(1) > high) return 0;
    for (size_t i = 2; i < length; i++)
        if ((byte(i) & 0xC0) != 0x80) return 0;
    return length;
}

namespace {

// Calls sink(piece, is_escape) for each piece of the escaped form of `text`
// (a run of characters copied as they are, or one escape), until sink
// returns false.
// The one implementation of the escaping rules.
template <typename Sink>
void escape_pieces(std::string_view text, Sink &&sink) {
    static constexpr char kHex[] = "0123456789abcdef";
    size_t run = 0;  // start of the run of characters not yet given to sink
    size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        size_t length = utf8_character_length(text.substr(i));
        char escape[8];
        size_t escape_length = 0;
        if (length == 0) {  // not UTF-8: \xNN
            std::memcpy(escape, "\\x", 2);
            escape[2] = kHex[c >> 4];
            escape[3] = kHex[c & 15];
            escape_length = 4;
            length = 1;
        } else if (c < 0x20 || c == 0x7F ||
                   (c == 0xC2 && length == 2 && static_cast<unsigned char>(text[i + 1]) <= 0x9F)) {
            // The code point: the byte itself, or for C1 the second byte.
            unsigned char code = c == 0xC2 ? static_cast<unsigned char>(text[i + 1]) : c;
            const char *named = code == '\b'   ? "\\b"
                                : code == '\t' ? "\\t"
                                : code == '\n' ? "\\n"
                                : code == '\f' ? "\\f"
                                : code == '\r' ? "\\r"
                                               : nullptr;
            if (named != nullptr) {
                std::memcpy(escape, named, 2);
                escape_length = 2;
            } else {
                std::memcpy(escape, "\\u00", 4);
                escape[4] = kHex[code >> 4];
                escape[5] = kHex[code & 15];
                escape_length = 6;
            }
        } else {
            i += length;
            continue;
        }
        if (i > run && !sink(text.substr(run, i - run), false)) return;
        if (!sink(std::string_view(escape, escape_length), true)) return;
        i += length;
        run = i;
    }
    if (i > run) sink(text.substr(run, i - run), false);
}

}  // namespace

size_t utf8_prefix_length(std::string_view text, size_t max_bytes) {
    if (text.size() <= max_bytes) return text.size();
    auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    // Step back over continuation bytes (10xxxxxx) to the start of the
    // character that byte max_bytes is in (at most three: a character has
    // at most four bytes), and cut there if that character reaches past
    // the limit. Bytes that are not UTF-8 are cut anywhere.
    size_t start = max_bytes;
    while (start > 0 && max_bytes - start < 3 && (byte(start) & 0xC0) == 0x80) start--;
    unsigned char lead = byte(start);
    size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return start + length > max_bytes ? start : max_bytes;
}

void append_escaped(std::string_view text, std::string &out) {
    escape_pieces(text, [&](std::string_view piece, bool) {
        out.append(piece);
        return true;
    });
}

size_t escape_into(std::string_view text, char *out, size_t size) noexcept {
    size_t n = 0;
    escape_pieces(text, [&](std::string_view piece, bool is_escape) {
        size_t room = size - 1 - n;
        if (piece.size() > room) {
            // A run of characters is cut at a character boundary; an escape
            // is never cut.
            if (is_escape) return false;
            size_t keep = utf8_prefix_length(piece, room);
            std::memcpy(out + n, piece.data(), keep);
            n += keep;
            return false;
        }
        std::memcpy(out + n, piece.data(), piece.size());
        n += piece.size();
        return true;
    });
    out[n] = '\0';
    return n;
}

std::string excerpt(std::string_view text, size_t max_bytes) {
    size_t n = utf8_prefix_length(text, max_bytes);
    std::string out;
    out.reserve(n + 3);
    append_escaped(text.substr(0, n), out);
    if (n < text.size()) out += "...";
    return out;
}

std::string_view trim_space(std::string_view text) {
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    constexpr std::string_view kSpace = " \t\r\n\f\v";
    if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
    size_t b = text.find_first_not_of(kSpace);
    if (b == std::string_view::npos) return {};
    size_t e = text.find_last_not_of(kSpace);
    return text.substr(b, e - b + 1);
}

}  // namespace pgjwt

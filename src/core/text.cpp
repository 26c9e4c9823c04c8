#include "text.hpp"

namespace pgjwt {

size_t utf8_prefix_length(std::string_view text, size_t max_bytes) {
    if (text.size() <= max_bytes) return text.size();
    size_t n = max_bytes;
    // Step back over continuation bytes (10xxxxxx) to the start of a character.
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) n--;
    return n;
}

std::string excerpt(std::string_view text, size_t max_bytes) {
    size_t n = utf8_prefix_length(text, max_bytes);
    std::string out(text.substr(0, n));
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

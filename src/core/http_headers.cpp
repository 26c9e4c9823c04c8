#include "http_headers.hpp"

#include <cctype>

#include "text.hpp"

namespace pgjwt {
namespace {

constexpr double kMaxAgeCap = 365.0 * 24 * 3600;

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool iends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           iequals(text.substr(text.size() - suffix.size()), suffix);
}

bool istarts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool is_json_media_type(std::string_view content_type) {
    std::string_view type = trim_ows(content_type.substr(0, content_type.find(';')));
    if (iequals(type, "application/json")) return true;
    if (!istarts_with(type, "application/") || !iends_with(type, "+json")) return false;
    // A subtype name before "+json": token characters only (RFC 9110 section 5.6.2).
    std::string_view name = type.substr(12, type.size() - 12 - 5);
    if (name.empty()) return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_')
            return false;
    return true;
}

std::optional<double> cache_control_max_age(std::string_view cache_control) {
    std::optional<double> max_age;
    bool no_cache = false;
    while (!cache_control.empty()) {
        size_t comma = cache_control.find(',');
        std::string_view directive = trim_ows(cache_control.substr(0, comma));
        cache_control =
            comma == std::string_view::npos ? std::string_view{} : cache_control.substr(comma + 1);
        size_t eq = directive.find('=');
        std::string_view name = trim_ows(directive.substr(0, eq));
        if (iequals(name, "no-store") || iequals(name, "no-cache")) {
            no_cache = true;
            continue;
        }
        if (!iequals(name, "max-age") || eq == std::string_view::npos) continue;
        std::string_view value = trim_ows(directive.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        if (value.empty()) return std::nullopt;
        double seconds = 0;
        for (char c : value) {
            if (c < '0' || c > '9') return std::nullopt;
            if (seconds < kMaxAgeCap) seconds = seconds * 10 + (c - '0');
        }
        if (max_age.has_value()) return std::nullopt;  // given twice: not trusted
        max_age = seconds < kMaxAgeCap ? seconds : kMaxAgeCap;
    }
    if (no_cache) return 0.0;
    return max_age;
}

}  // namespace pgjwt

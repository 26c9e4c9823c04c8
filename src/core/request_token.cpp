#include "request_token.hpp"

#include "json_dom.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

namespace dom = simdjson::dom;

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_b64token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// (RFC 6750 section 2.1).
bool is_b64token(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && is_b64token_char(s[i])) i++;
    if (i == 0) return false;
    while (i < s.size() && s[i] == '=') i++;
    return i == s.size();
}

bool is_ows(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

bool is_bearer(std::string_view scheme) {
    constexpr std::string_view bearer = "bearer";
    if (scheme.size() != bearer.size()) return false;
    for (size_t i = 0; i < bearer.size(); i++)
        if (lower(scheme[i]) != bearer[i]) return false;
    return true;
}

std::string quote_name(std::string_view name) {
    return "\"" + excerpt(name, 64) + "\"";
}

Status malformed(TokenPlace place, std::string_view name) {
    if (place == TokenPlace::cookie)
        return Status::InvalidArgument(
            "malformed token in cookie " + quote_name(name),
            "A token is letters, digits and - . _ ~ + / with = only at the end (RFC 6750), "
            "without white space.");
    return Status::InvalidArgument(
        "malformed bearer token in header " + quote_name(name),
        "Expected a token of letters, digits and - . _ ~ + / with = only at the end (RFC 6750), "
        "after \"Bearer \"" +
            std::string(place == TokenPlace::header ? " or alone." : "."));
}

}  // namespace

Status request_token(JsonInput json, const char *setting, std::string_view name, TokenPlace place,
                     bool &found, std::string &token) {
    found = false;
    token.clear();
    dom::element root;
    dom::object object;
    Status parsed = parse_json_element(json, setting, root);
    if (!parsed.ok())
        return Status::InvalidArgument(std::string(setting) + " is not a JSON object",
                                       parsed.detail);
    if (root.get_object().get(object) != simdjson::SUCCESS)
        return Status::InvalidArgument(std::string(setting) + " is not a JSON object",
                                       "PostgREST sets it to a JSON object for each request.");
    std::string key(name);
    if (place != TokenPlace::cookie)
        for (char &c : key) c = lower(c);
    dom::element member;
    if (object.at_key(key).get(member) != simdjson::SUCCESS || member.is_null())
        return Status::Ok();
    std::string_view value;
    if (member.get_string().get(value) != simdjson::SUCCESS)
        return Status::InvalidArgument(std::string(setting) + " member " + quote_name(key) +
                                       " is not a string");
    if (place != TokenPlace::cookie) value = trim_ows(value);
    if (value.empty()) return Status::Ok();
    std::string_view credentials = value;
    if (place != TokenPlace::cookie) {
        size_t space = value.find_first_of(" \t");
        std::string_view scheme = value.substr(0, space);
        if (is_bearer(scheme)) {
            if (space == std::string_view::npos) return malformed(place, key);
            credentials = trim_ows(value.substr(space));
        } else if (place == TokenPlace::authorization) {
            return Status::Ok();  // another scheme (Basic, ...): no bearer token
        }
    }
    if (!is_b64token(credentials)) return malformed(place, key);
    found = true;
    token.assign(credentials);
    return Status::Ok();
}

}  // namespace pgjwt

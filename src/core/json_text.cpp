#include "json_text.hpp"

#include <algorithm>
#include <cstring>

#include "json_dom.hpp"

namespace pgjwt {
namespace {

namespace dom = simdjson::dom;

// --- raw member spans ---------------------------------------------------------
// Values are copied as the text they are in the document (minus white space),
// never re-serialised from the DOM, so that numbers keep every digit.

size_t skip_space(std::string_view s, size_t i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

size_t skip_string(std::string_view s, size_t i) {  // s[i] == '"'; returns past the closing quote
    i++;
    while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
    return i + 1;
}

size_t skip_value(std::string_view s, size_t i) {
    if (s[i] == '"') return skip_string(s, i);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < s.size()) {
            char c = s[i];
            if (c == '"') {
                i = skip_string(s, i);
                continue;
            }
            if (c == '{' || c == '[') depth++;
            if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
            i++;
        }
        return i;
    }
    while (i < s.size() && !std::strchr(",}] \t\r\n", s[i])) i++;
    return i;
}

}  // namespace

Status raw_members(JsonInput json, const char *what, std::vector<RawMember> &out) {
    dom::object object;
    PGJWT_TRY(parse_json_object(json, what, object));
    std::string_view s(json.data, json.size);
    size_t i = skip_space(s, 0) + 1;  // past '{'
    out.clear();
    for (dom::key_value_pair field : object) {
        i = skip_space(s, i);
        i = skip_space(s, skip_string(s, i));  // the key, then ':'
        i = skip_space(s, i + 1);
        size_t end = skip_value(s, i);
        out.push_back({field.key, field.value, s.substr(i, end - i)});
        i = skip_space(s, end) + 1;  // past ',' or '}'
    }
    return Status::Ok();
}

void append_minified(std::string_view text, std::string &out) {
    for (size_t i = 0; i < text.size();) {
        char c = text[i];
        if (c == '"') {
            size_t end = skip_string(text, i);
            out.append(text.substr(i, end - i));
            i = end;
            continue;
        }
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out.push_back(c);
        i++;
    }
}

Status minify_json_object(JsonInput json, const char *what, std::string &out) {
    PGJWT_TRY(validate_json_object(json, what));
    out.clear();
    append_minified({json.data, json.size}, out);
    return Status::Ok();
}

namespace {

template <typename String>
void append_string(std::string_view text, String &out) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 15]);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
}

template <typename String>
void append_member(std::string_view name, std::string_view value, String &object) {
    if (object.size() > 1) object.push_back(',');
    append_string(name, object);
    object.push_back(':');
    append_string(value, object);
}

}  // namespace

void json_append_string(std::string_view text, std::string &out) {
    append_string(text, out);
}
void json_append_string(std::string_view text, WipedString &out) {
    append_string(text, out);
}
void json_append_member(std::string_view name, std::string_view value, std::string &object) {
    append_member(name, value, object);
}
void json_append_member(std::string_view name, std::string_view value, WipedString &object) {
    append_member(name, value, object);
}

Status replace_json_members(JsonInput json,
                            const std::vector<std::pair<std::string, std::string>> &replacements,
                            std::string &out) {
    std::vector<RawMember> members;
    PGJWT_TRY(raw_members(json, "payload", members));
    out.clear();
    out.push_back('{');
    for (const RawMember &m : members) {
        if (out.size() > 1) out.push_back(',');
        json_append_string(m.key, out);
        out.push_back(':');
        auto it = std::find_if(replacements.begin(), replacements.end(),
                               [&](const auto &r) { return r.first == m.key; });
        if (it != replacements.end())
            out += it->second;
        else
            append_minified(m.text, out);
    }
    out.push_back('}');
    return Status::Ok();
}

}  // namespace pgjwt

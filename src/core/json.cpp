#include "json.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "json_dom.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

namespace dom = simdjson::dom;

// One parser and one padded scratch buffer per backend (a backend is one thread).
struct Reader {
    dom::parser parser;
    std::string scratch;
    bool allocated = false;
};

Reader &reader() {
    static Reader instance;
    return instance;
}

std::string capitalized(const char *what) {
    std::string s(what);
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

Status syntax_error(const char *what, const char *why) {
    std::string reason(why);
    while (!reason.empty() && (reason.back() == '.' || reason.back() == ' ')) reason.pop_back();
    return Status::Malformed(std::string("invalid JSON in ") + what,
                             capitalized(what) + " is not valid JSON: " + reason + ".");
}

Status has_nul(const char *what) {
    return Status::Malformed(std::string(what) + " contains the character U+0000",
                             "PostgreSQL text cannot hold it, so it is refused.");
}

Status too_deep(const char *what) {
    return Status::Malformed(std::string(what) + " is nested too deeply",
                             capitalized(what) + " is nested more than " +
                                 std::to_string(kMaxJsonDepth) + " levels deep.");
}

// What check_strict found wrong, turned into a Status only on failure: the
// walk runs for every payload signed and every token read, and building a
// Status per value cost more than the walk itself.
struct StrictFault {
    enum Kind { none, nul, too_deep, duplicate } kind = none;
    std::string_view member;  // the duplicate name
};

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && (a.empty() || a[0] == b[0]) && a == b;
}

// Walks the containers of the tree (scalars are checked in their container's
// loop): duplicate member names and, when `nul_possible`, U+0000 anywhere
// are refused.
bool check_container(dom::element value, bool nul_possible, size_t depth, StrictFault &fault);

bool check_value(dom::element value, bool nul_possible, size_t depth, StrictFault &fault) {
    switch (value.type()) {
        case dom::element_type::STRING:
            if (nul_possible &&
                value.get_string().value_unsafe().find('\0') != std::string_view::npos) {
                fault.kind = StrictFault::nul;
                return false;
            }
            return true;
        case dom::element_type::ARRAY:
        case dom::element_type::OBJECT:
            return check_container(value, nul_possible, depth, fault);
        default:
            return true;
    }
}

bool check_container(dom::element value, bool nul_possible, size_t depth, StrictFault &fault) {
    if (depth > kMaxJsonDepth) {
        fault.kind = StrictFault::too_deep;
        return false;
    }
    if (value.type() == dom::element_type::ARRAY) {
        dom::array array = value.get_array().value_unsafe();
        for (dom::element item : array)
            if (!check_value(item, nul_possible, depth + 1, fault)) return false;
        return true;
    }
    // Small objects (JOSE headers, most claims) are checked pairwise without
    // allocating; larger ones are sorted.
    constexpr size_t kSmall = 16;
    std::string_view small[kSmall];
    std::vector<std::string_view> large;
    size_t n = 0;
    dom::object object = value.get_object().value_unsafe();
    for (dom::key_value_pair field : object) {
        if (nul_possible && field.key.find('\0') != std::string_view::npos) {
            fault.kind = StrictFault::nul;
            return false;
        }
        if (n < kSmall) {
            for (size_t i = 0; i < n; i++)
                if (same_name(small[i], field.key)) {
                    fault = {StrictFault::duplicate, field.key};
                    return false;
                }
            small[n] = field.key;
        } else {
            if (large.empty()) large.assign(small, small + kSmall);
            large.push_back(field.key);
        }
        n++;
        if (!check_value(field.value, nul_possible, depth + 1, fault)) return false;
    }
    if (!large.empty()) {
        std::sort(large.begin(), large.end());
        auto it = std::adjacent_find(large.begin(), large.end());
        if (it != large.end()) {
            fault = {StrictFault::duplicate, *it};
            return false;
        }
    }
    return true;
}

Status check_strict(dom::element root, const char *what, bool nul_possible) {
    StrictFault fault;
    if (check_value(root, nul_possible, 1, fault)) return Status::Ok();
    switch (fault.kind) {
        case StrictFault::nul:
            return has_nul(what);
        case StrictFault::too_deep:
            return too_deep(what);
        default:
            return Status::Malformed(
                std::string("duplicate member name in ") + what,
                "The member \"" + excerpt(fault.member) + "\" appears more than once.");
    }
}

// simdjson's DOM refuses valid JSON numbers it cannot hold: integers beyond
// 64 bits and values beyond the double range. For those (rare) documents a
// copy is parsed instead in which such integers become decimals (parsed as
// doubles) and overflowing values become +-1e308, so that the document is
// accepted and such a NumericDate is simply out of range. The original text
// is what is signed and returned.
// The length of the JSON number (RFC 8259 section 6) at the start of `s`, or 0.
size_t json_number_length(std::string_view s) {
    size_t i = 0;
    auto digits = [&] {
        size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') i++;
        return i - start;
    };
    if (i < s.size() && s[i] == '-') i++;
    if (i < s.size() && s[i] == '0')
        i++;
    else if (digits() == 0)
        return 0;
    if (i < s.size() && s[i] == '.') {
        i++;
        if (digits() == 0) return 0;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) i++;
        if (digits() == 0) return 0;
    }
    return i;
}

std::string tame_numbers(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 16);
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == '"') {  // copy a string verbatim
            size_t j = i + 1;
            while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
            j = std::min(j + 1, text.size());
            out.append(text.substr(i, j - i));
            i = j;
            continue;
        }
        size_t n = (c == '-' || (c >= '0' && c <= '9')) ? json_number_length(text.substr(i)) : 0;
        if (n == 0) {  // not a well-formed number: left for the parser to refuse
            out.push_back(c);
            i++;
            continue;
        }
        std::string number(text.substr(i, n));
        bool integer = number.find_first_of(".eE") == std::string::npos;
        double value = std::strtod(number.c_str(), nullptr);
        if (std::isinf(value))
            out += value < 0 ? "-1e308" : "1e308";
        else if (integer && number.size() > 18)
            out += number + ".0";
        else
            out += number;
        i += n;
    }
    return out;
}

// An integer beyond 64 bits is NUMBER_ERROR in older simdjson (3.0 in
// Debian 12) and BIGINT_ERROR in newer (3.12 in Debian 13, 4.6 in testing);
// both are retried tamed.
template <typename Error>
bool is_number_error(Error error) {
    if constexpr (requires { Error::BIGINT_ERROR; })
        return error == Error::NUMBER_ERROR || error == Error::BIGINT_ERROR;
    else
        return error == Error::NUMBER_ERROR;
}

simdjson::error_code parse_padded(std::string_view text, dom::element &root) {
    Reader &r = reader();
    r.scratch.assign(text);
    r.scratch.resize(text.size() + simdjson::SIMDJSON_PADDING);
    return r.parser.parse(r.scratch.data(), text.size(), false).get(root);
}

// Parses `json` into the backend's parser; the element is valid until the next parse.
Status parse(JsonInput json, const char *what, dom::element &root) {
    Reader &r = reader();
    if (!r.allocated) {
        // simdjson counts a scalar as a level of its own, so it stops one level
        // later; the cap on containers is applied exactly by check_strict.
        if (r.parser.allocate(4096, kMaxJsonDepth + 1) != simdjson::SUCCESS)
            return Status{Fault::out_of_memory, "out of memory",
                          "Could not allocate the JSON parser."};
        r.allocated = true;
    }
    // Newer simdjson (3.12 in Debian 13) skips a leading byte order mark; it is refused
    // on every version, with simdjson 3.0's message (RFC 8259 section 8.1).
    if (json.size >= 3 && std::memcmp(json.data, "\xEF\xBB\xBF", 3) == 0)
        return syntax_error(what, simdjson::error_message(simdjson::TAPE_ERROR));
    simdjson::error_code error;
    if (json.capacity >= json.size + simdjson::SIMDJSON_PADDING)
        error = r.parser.parse(json.data, json.size, false).get(root);
    else
        error = parse_padded({json.data, json.size}, root);
    if (is_number_error(error)) error = parse_padded(tame_numbers({json.data, json.size}), root);
    if (error == simdjson::DEPTH_ERROR) return too_deep(what);
    if (error == simdjson::MEMALLOC)
        return Status{Fault::out_of_memory, "out of memory", "Could not grow the JSON parser."};
    if (error != simdjson::SUCCESS) return syntax_error(what, simdjson::error_message(error));
    // Valid JSON holds no raw control characters, so a U+0000 in a parsed
    // string can only come from the escape \u0000: without that text in the
    // document, the per-string search is skipped.
    std::string_view text(json.data, json.size);
    bool nul_possible = text.find("\\u0000") != std::string_view::npos;
    return check_strict(root, what, nul_possible);
}

Status parse_object(JsonInput json, const char *what, dom::object &object) {
    dom::element root;
    PGJWT_TRY(parse(json, what, root));
    if (root.type() != dom::element_type::OBJECT)
        return Status::Malformed(std::string(what) + " is not a JSON object");
    object = root.get_object().value_unsafe();
    return Status::Ok();
}

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

struct RawMember {
    std::string_view key;   // unescaped (from the DOM)
    dom::element value;     // parsed
    std::string_view text;  // as written in the document
};

// The members of a validated object, in document order, with their raw text.
Status raw_members(JsonInput json, const char *what, std::vector<RawMember> &out) {
    dom::object object;
    PGJWT_TRY(parse_object(json, what, object));
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

// Appends `text` without the white space outside strings.
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

// --- objects whose syntax the caller vouches for --------------------------
// PostgreSQL's json type holds only valid JSON (RFC 8259): for such a
// payload, what the strict rules add to the syntax (duplicate member names,
// U+0000, the depth cap, an object at the top) can be decided by walking the
// text, without simdjson's tree: a third of the instructions, and much less
// code to bring back into the instruction cache between two signatures. The
// walk only ever says "all rules hold" or "not decided here": anything it
// does not handle simply (a backslash or a non-ASCII byte in a string, an
// object of more than 16 members, a duplicate, a container too deep) goes to
// the full parse, which gives the verdict and its message. It relies on the
// syntax (`tru` would pass as a scalar), so it is only for text already
// validated as JSON.

bool scan_value(std::string_view s, size_t &i, size_t depth);

// Byte classes of the walk, so that its loops test one table entry a byte.
constexpr uint8_t kEndsScalar = 1;  // , } ] and JSON white space
constexpr uint8_t kEndsString = 2;  // the quote, and what the walk leaves to the full parse:
                                    // a backslash (an escape) or a non-ASCII byte
constexpr std::array<uint8_t, 256> make_walk_classes() {
    std::array<uint8_t, 256> classes{};
    for (char c : {',', '}', ']', ' ', '\t', '\n', '\r'})
        classes[static_cast<unsigned char>(c)] |= kEndsScalar;
    classes['"'] |= kEndsString;
    classes['\\'] |= kEndsString;
    for (size_t c = 0x80; c < 256; c++) classes[c] |= kEndsString;
    return classes;
}
constexpr auto kWalkClasses = make_walk_classes();

uint8_t walk_class(char c) {
    return kWalkClasses[static_cast<unsigned char>(c)];
}

// A string without escapes and of ASCII characters only; `i` at its quote.
bool scan_plain_string(std::string_view s, size_t &i, std::string_view &content) {
    size_t j = i + 1;
    while (j < s.size() && !(walk_class(s[j]) & kEndsString)) j++;
    if (j >= s.size() || s[j] != '"') return false;
    content = s.substr(i + 1, j - i - 1);
    i = j + 1;
    return true;
}

bool scan_container(std::string_view s, size_t &i, size_t depth) {
    if (depth > kMaxJsonDepth) return false;
    const bool object = s[i] == '{';
    const char close = object ? '}' : ']';
    constexpr size_t kMembers = 16;
    std::string_view names[kMembers];
    size_t n = 0;
    i = skip_space(s, i + 1);
    if (i < s.size() && s[i] == close) {
        i++;
        return true;
    }
    while (true) {
        if (object) {
            std::string_view name;
            if (i >= s.size() || s[i] != '"' || !scan_plain_string(s, i, name) || n == kMembers)
                return false;
            for (size_t k = 0; k < n; k++)
                if (same_name(names[k], name)) return false;
            names[n++] = name;
            i = skip_space(s, i);
            if (i >= s.size() || s[i] != ':') return false;
            i = skip_space(s, i + 1);
        }
        if (!scan_value(s, i, depth + 1)) return false;
        i = skip_space(s, i);
        if (i >= s.size()) return false;
        if (s[i] == close) {
            i++;
            return true;
        }
        if (s[i] != ',') return false;
        i = skip_space(s, i + 1);
    }
}

bool scan_value(std::string_view s, size_t &i, size_t depth) {
    if (i >= s.size()) return false;
    if (s[i] == '{' || s[i] == '[') return scan_container(s, i, depth);
    if (s[i] == '"') {
        std::string_view content;
        return scan_plain_string(s, i, content);
    }
    size_t start = i;  // a number, true, false or null
    while (i < s.size() && !(walk_class(s[i]) & kEndsScalar)) i++;
    return i > start;
}

}  // namespace

void json_release_large_buffers() noexcept {
    Reader &r = reader();
    if (r.parser.capacity() > kMaxKeptJsonBytes) {
        r.parser = dom::parser{};  // allocates nothing until the next parse
        r.allocated = false;
    }
    if (r.scratch.capacity() > kMaxKeptJsonBytes) std::string().swap(r.scratch);
}

Status parse_json_element(JsonInput json, const char *what, dom::element &root) {
    return parse(json, what, root);
}

size_t json_padding() {
    return simdjson::SIMDJSON_PADDING;
}

JsonInput json_input(std::string_view text) {
    return {text.data(), text.size(), text.size()};
}
JsonInput json_input(const std::string &text) {
    return {text.data(), text.size(), text.capacity()};
}

Status parse_jose_header(JsonInput json, JoseHeader &out) {
    dom::object object;
    PGJWT_TRY(parse_object(json, "token header", object));
    out = JoseHeader{};
    auto string_member = [](dom::key_value_pair field, std::string &value) -> Status {
        if (field.value.type() != dom::element_type::STRING)
            return Status::Malformed("token header member \"" + excerpt(field.key, 32) +
                                     "\" is not a string");
        value = field.value.get_string().value_unsafe();
        return Status::Ok();
    };
    for (dom::key_value_pair field : object) {
        if (field.key == "alg") {
            out.has_alg = true;
            PGJWT_TRY(string_member(field, out.alg));
        } else if (field.key == "typ") {
            out.has_typ = true;
            PGJWT_TRY(string_member(field, out.typ));
        } else if (field.key == "kid") {
            out.has_kid = true;
            PGJWT_TRY(string_member(field, out.kid));
        } else if (field.key == "crit") {
            out.has_crit = true;
            if (field.value.type() != dom::element_type::ARRAY)
                return Status::Malformed("token header member \"crit\" is not an array");
            dom::array items = field.value.get_array().value_unsafe();
            for (dom::element item : items) {
                if (item.type() != dom::element_type::STRING)
                    return Status::Malformed("token header member \"crit\" holds a non-string");
                out.crit.emplace_back(item.get_string().value_unsafe());
            }
        } else if (field.key == "b64") {
            out.has_b64 = true;
            if (field.value.type() != dom::element_type::BOOL)
                return Status::Malformed("token header member \"b64\" is not a boolean");
            out.b64 = field.value.get_bool().value_unsafe();
        } else if (field.key == "enc") {
            return Status::Malformed("token is a JWE, not a JWS",
                                     "Its header names a content encryption (\"enc\"); encrypted "
                                     "tokens are not supported.");
        }
    }
    if (!out.has_alg) return Status::Malformed("token header has no \"alg\" member");
    return Status::Ok();
}

Status validate_json_object(JsonInput json, const char *what) {
    dom::object object;
    return parse_object(json, what, object);
}

Status validate_json_object_of_valid_json(JsonInput json, const char *what) {
    std::string_view s(json.data, json.size);
    size_t i = skip_space(s, 0);
    if (i < s.size() && s[i] == '{' && scan_container(s, i, 1) && skip_space(s, i) == s.size())
        return Status::Ok();
    return validate_json_object(json, what);
}

Status minify_json_object(JsonInput json, const char *what, std::string &out) {
    PGJWT_TRY(validate_json_object(json, what));
    out.clear();
    append_minified({json.data, json.size}, out);
    return Status::Ok();
}

void json_append_string(std::string_view text, std::string &out) {
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

void json_append_member(std::string_view name, std::string_view value, std::string &object) {
    if (object.size() > 1) object.push_back(',');
    json_append_string(name, object);
    object.push_back(':');
    json_append_string(value, object);
}

Status build_jose_header(std::string_view alg, std::string_view extra, std::string_view kid,
                         std::string &out) {
    std::string typ = "\"JWT\"";
    std::string rest;
    bool extra_has_kid = false;
    if (!extra.empty()) {
        std::vector<RawMember> members;
        Status s = raw_members(json_input(extra), "header argument", members);
        if (!s.ok()) return Status::InvalidArgument(s.message, s.detail);
        for (const RawMember &m : members) {
            bool is_string = m.value.type() == dom::element_type::STRING;
            if (m.key == "alg") {
                if (!is_string || m.value.get_string().value_unsafe() != alg)
                    return Status::InvalidArgument(
                        "header argument conflicts with the algorithm",
                        "Member \"alg\" of the header must equal the algorithm argument, " +
                            std::string(alg) + ".");
                continue;
            }
            if (m.key == "b64" || m.key == "crit" || m.key == "enc")
                return Status::InvalidArgument(
                    "header member \"" + excerpt(m.key, 32) + "\" is not supported",
                    "Tokens with critical, unencoded-payload or encryption members cannot be "
                    "verified by pg_jwt.");
            if ((m.key == "kid" || m.key == "typ" || m.key == "cty") && !is_string &&
                !(m.key == "typ" && m.value.type() == dom::element_type::NULL_VALUE))
                return Status::InvalidArgument("header member \"" + excerpt(m.key, 32) +
                                               "\" must be a string");
            if (m.key == "typ") {
                typ.clear();
                if (is_string) append_minified(m.text, typ);
                continue;
            }
            if (m.key == "kid") extra_has_kid = true;
            rest.push_back(',');
            json_append_string(m.key, rest);
            rest.push_back(':');
            append_minified(m.text, rest);
        }
    }
    out.clear();
    out += "{\"alg\":";
    json_append_string(alg, out);
    if (!typ.empty()) {
        out += ",\"typ\":";
        out += typ;
    }
    if (!kid.empty() && !extra_has_kid) {
        out += ",\"kid\":";
        json_append_string(kid, out);
    }
    out += rest;
    out.push_back('}');
    return Status::Ok();
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

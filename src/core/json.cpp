#include "json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "json_dom.hpp"
#include "secret.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

namespace dom = simdjson::dom;

// One parser and one padded scratch buffer per backend (a backend is one
// thread). The scratch copy may hold key text: a SecretString.
struct Reader {
    dom::parser parser;
    SecretString scratch;
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
    return Status{Fault::malformed_json, std::string("invalid JSON in ") + what,
                  capitalized(what) + " is not valid JSON: " + reason + "."};
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

// What check_strict found wrong, turned into a Status only on failure (the
// walk runs for every payload signed and every token read).
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

SecretString tame_numbers(std::string_view text) {
    SecretString out;
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

}  // namespace

void json_release_large_buffers() noexcept {
    Reader &r = reader();
    if (r.parser.capacity() > kMaxKeptJsonBytes) {
        r.parser = dom::parser{};  // allocates nothing until the next parse
        r.allocated = false;
    }
    if (r.scratch.capacity() > kMaxKeptJsonBytes) SecretString().swap(r.scratch);
}

Status parse_json_element(JsonInput json, const char *what, dom::element &root) {
    return parse(json, what, root);
}

Status parse_json_object(JsonInput json, const char *what, dom::object &object) {
    dom::element root;
    PGJWT_TRY(parse(json, what, root));
    if (root.type() != dom::element_type::OBJECT)
        return Status::Malformed(std::string(what) + " is not a JSON object");
    object = root.get_object().value_unsafe();
    return Status::Ok();
}

void json_wipe_parser() noexcept {
    Reader &r = reader();
    OPENSSL_cleanse(r.scratch.data(), r.scratch.capacity());
    // The unescaped strings of the last document: simdjson sizes this
    // buffer for 5/3 of the largest document plus padding, and never
    // writes beyond that.
    dom::document &doc = r.parser.doc;
    if (doc.string_buf)
        OPENSSL_cleanse(doc.string_buf.get(), 5 * doc.capacity() / 3 + simdjson::SIMDJSON_PADDING);
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

Status validate_json_object(JsonInput json, const char *what) {
    dom::object object;
    return parse_json_object(json, what, object);
}

}  // namespace pgjwt

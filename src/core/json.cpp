#include "json.hpp"

#include "json_dom.hpp"

#include <algorithm>
#include <cstring>

#include <simdjson.h>

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

Status malformed_json(const char *what, const char *why) {
    return Status::Malformed(std::string("invalid JSON in token ") + what,
                             std::string("The ") + what + " is not valid JSON: " + why + ".");
}

// Walks the whole tree: duplicate member names and U+0000 anywhere are refused.
Status check_strict(dom::element value, const char *what) {
    switch (value.type()) {
        case dom::element_type::STRING: {
            std::string_view s = value.get_string().value_unsafe();
            if (s.find('\0') != std::string_view::npos)
                return Status::Malformed(std::string("invalid JSON in token ") + what,
                                         std::string("The ") + what +
                                             " contains the character U+0000, which is not allowed.");
            return Status::Ok();
        }
        case dom::element_type::ARRAY: {
            dom::array array = value.get_array().value_unsafe();
            for (dom::element item : array) PGJWT_TRY(check_strict(item, what));
            return Status::Ok();
        }
        case dom::element_type::OBJECT: {
            dom::object object = value.get_object().value_unsafe();
            std::vector<std::string_view> names;
            names.reserve(object.size());
            for (dom::key_value_pair field : object) {
                if (field.key.find('\0') != std::string_view::npos)
                    return Status::Malformed(
                        std::string("invalid JSON in token ") + what,
                        std::string("The ") + what +
                            " contains the character U+0000, which is not allowed.");
                names.push_back(field.key);
                PGJWT_TRY(check_strict(field.value, what));
            }
            std::sort(names.begin(), names.end());
            auto dup = std::adjacent_find(names.begin(), names.end());
            if (dup != names.end())
                return Status::Malformed(
                    std::string("duplicate member name in token ") + what,
                    std::string("The member \"") + std::string(*dup).substr(0, 64) +
                        "\" appears more than once.");
            return Status::Ok();
        }
        default:
            return Status::Ok();
    }
}

// Parses `json` into the backend's parser; the element is valid until the next parse.
Status parse(JsonInput json, const char *what, dom::element &root) {
    Reader &r = reader();
    if (!r.allocated) {
        if (r.parser.allocate(4096, kMaxJsonDepth) != simdjson::SUCCESS)
            return Status{Fault::out_of_memory, "out of memory", "Could not allocate the JSON parser."};
        r.allocated = true;
    }
    const char *data = json.data;
    if (json.capacity < json.size + simdjson::SIMDJSON_PADDING) {
        r.scratch.assign(json.data, json.size);
        r.scratch.resize(json.size + simdjson::SIMDJSON_PADDING);
        data = r.scratch.data();
    }
    simdjson::error_code error = r.parser.parse(data, json.size, false).get(root);
    if (error == simdjson::DEPTH_ERROR)
        return Status::Malformed(std::string("invalid JSON in token ") + what,
                                 std::string("The ") + what + " is nested more than " +
                                     std::to_string(kMaxJsonDepth) + " levels deep.");
    if (error == simdjson::MEMALLOC)
        return Status{Fault::out_of_memory, "out of memory", "Could not grow the JSON parser."};
    if (error != simdjson::SUCCESS) return malformed_json(what, simdjson::error_message(error));
    return check_strict(root, what);
}

Status parse_object(JsonInput json, const char *what, dom::object &object) {
    dom::element root;
    PGJWT_TRY(parse(json, what, root));
    if (root.type() != dom::element_type::OBJECT)
        return Status::Malformed(std::string("token ") + what + " is not a JSON object");
    object = root.get_object().value_unsafe();
    return Status::Ok();
}

}  // namespace

Status parse_json_element(JsonInput json, const char *what, dom::element &root) {
    return parse(json, what, root);
}

size_t json_padding() { return simdjson::SIMDJSON_PADDING; }

JsonInput json_input(std::string_view text) { return {text.data(), text.size(), text.size()}; }
JsonInput json_input(const std::string &text) {
    return {text.data(), text.size(), text.capacity()};
}

Status parse_jose_header(JsonInput json, JoseHeader &out) {
    dom::object object;
    PGJWT_TRY(parse_object(json, "header", object));
    out = JoseHeader{};
    for (dom::key_value_pair field : object) {
        if (field.key == "alg") {
            out.has_alg = true;
            if (field.value.type() != dom::element_type::STRING)
                return Status::Malformed("token header member \"alg\" is not a string");
            out.alg = field.value.get_string().value_unsafe();
        } else if (field.key == "typ") {
            if (field.value.type() != dom::element_type::STRING)
                return Status::Malformed("token header member \"typ\" is not a string");
            out.has_typ = true;
            out.typ = field.value.get_string().value_unsafe();
        } else if (field.key == "kid") {
            if (field.value.type() != dom::element_type::STRING)
                return Status::Malformed("token header member \"kid\" is not a string");
            out.has_kid = true;
            out.kid = field.value.get_string().value_unsafe();
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
        }
    }
    if (!out.has_alg) return Status::Malformed("token header has no \"alg\" member");
    return Status::Ok();
}

Status validate_json_object(JsonInput json, const char *what) {
    dom::object object;
    return parse_object(json, what, object);
}

Status minify_json_object(JsonInput json, const char *what, std::string &out) {
    dom::object object;
    PGJWT_TRY(parse_object(json, what, object));
    out = simdjson::minify(object);
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

Status build_jose_header(std::string_view alg, std::string_view extra, std::string_view kid,
                         std::string &out) {
    std::string typ = "\"JWT\"";
    std::string rest;
    bool extra_has_kid = false;
    if (!extra.empty()) {
        dom::object object;
        Status s = parse_object(json_input(extra), "header", object);
        if (!s.ok()) return Status::InvalidArgument("header argument must be a JSON object", s.detail);
        for (dom::key_value_pair field : object) {
            if (field.key == "alg") {
                if (field.value.type() != dom::element_type::STRING ||
                    field.value.get_string().value_unsafe() != alg)
                    return Status::InvalidArgument(
                        "header argument conflicts with the algorithm",
                        "Member \"alg\" of the header must equal the algorithm argument, " +
                            std::string(alg) + ".");
                continue;
            }
            if (field.key == "b64" || field.key == "crit")
                return Status::InvalidArgument(
                    "header member \"" + std::string(field.key) + "\" is not supported",
                    "Tokens with critical or unencoded-payload extensions cannot be verified by "
                    "pg_jwt.");
            if (field.key == "kid") extra_has_kid = true;
            if (field.key == "typ") {
                typ = field.value.type() == dom::element_type::NULL_VALUE
                          ? std::string()
                          : simdjson::minify(field.value);
                continue;
            }
            rest.push_back(',');
            json_append_string(field.key, rest);
            rest.push_back(':');
            rest += simdjson::minify(field.value);
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
    dom::object object;
    PGJWT_TRY(parse_object(json, "payload", object));
    out.clear();
    out.push_back('{');
    bool first = true;
    for (dom::key_value_pair field : object) {
        if (!first) out.push_back(',');
        first = false;
        json_append_string(field.key, out);
        out.push_back(':');
        auto it = std::find_if(replacements.begin(), replacements.end(),
                               [&](const auto &r) { return r.first == field.key; });
        if (it != replacements.end())
            out += it->second;
        else
            out += simdjson::minify(field.value);
    }
    out.push_back('}');
    return Status::Ok();
}

}  // namespace pgjwt

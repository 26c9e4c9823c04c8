#include "jose_header.hpp"

#include "json_dom.hpp"
#include "json_text.hpp"
#include "text.hpp"

namespace pgjwt {

namespace dom = simdjson::dom;

Status parse_jose_header(JsonInput json, JoseHeader &out) {
    dom::object object;
    PGJWT_TRY(parse_json_object(json, "token header", object));
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

}  // namespace pgjwt

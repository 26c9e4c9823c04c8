#include "jwk.hpp"

#include "cancel.hpp"
#include "certificate_map.hpp"
#include "json_dom.hpp"
#include "json_text.hpp"
#include "limits.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

namespace dom = simdjson::dom;

Status bad_jwk(std::string detail) {
    return Status::InvalidArgument("invalid JSON Web Key", std::move(detail));
}

template <typename String>
Status read_string(dom::key_value_pair field, String &out) {
    if (field.value.type() != dom::element_type::STRING)
        return bad_jwk("Member \"" + excerpt(field.key, 32) + "\" must be a string.");
    out.assign(field.value.get_string().value_unsafe());
    return Status::Ok();
}

Status read_jwk(dom::object object, JwkMembers &jwk) {
    for (dom::key_value_pair field : object) {
        std::string_view name = field.key;
        if (name == "kty") {
            PGJWT_TRY(read_string(field, jwk.kty));
        } else if (name == "crv") {
            PGJWT_TRY(read_string(field, jwk.crv));
        } else if (name == "alg") {
            PGJWT_TRY(read_string(field, jwk.alg));
            jwk.has_alg = true;
        } else if (name == "kid") {
            PGJWT_TRY(read_string(field, jwk.kid));
            jwk.has_kid = true;
        } else if (name == "use") {
            PGJWT_TRY(read_string(field, jwk.use));
            jwk.has_use = true;
        } else if (name == "key_ops") {
            jwk.has_key_ops = true;
            if (field.value.type() != dom::element_type::ARRAY)
                return bad_jwk("Member \"key_ops\" must be an array of strings.");
            dom::array ops = field.value.get_array().value_unsafe();
            for (dom::element op : ops) {
                if (op.type() != dom::element_type::STRING)
                    return bad_jwk("Member \"key_ops\" must be an array of strings.");
                jwk.key_ops.emplace_back(op.get_string().value_unsafe());
            }
        } else if (name == "d") {
            jwk.has_d = true;
            PGJWT_TRY(read_string(field, jwk.d));
        } else if (name == "k") {
            jwk.has_k = true;
            PGJWT_TRY(read_string(field, jwk.k));
        } else {
            struct Slot {
                std::string_view name;
                SecretString *value;
            };
            const Slot slots[] = {{"n", &jwk.n},   {"e", &jwk.e},   {"p", &jwk.p},
                                  {"q", &jwk.q},   {"dp", &jwk.dp}, {"dq", &jwk.dq},
                                  {"qi", &jwk.qi}, {"x", &jwk.x},   {"y", &jwk.y}};
            for (const Slot &slot : slots)
                if (slot.name == name) PGJWT_TRY(read_string(field, *slot.value));
        }
    }
    if (jwk.kty.empty()) return bad_jwk("Member \"kty\" is missing.");
    return Status::Ok();
}

Status too_many_keys(size_t count) {
    return Status::TooLarge("JWK set has too many keys",
                            "A JWK set may hold at most " + std::to_string(kMaxKeySetKeys) +
                                " keys; this one has " + std::to_string(count) + ".");
}

// The keys of {"keys":[...]}: a key whose members are wrong keeps its
// problem (RFC 7517 section 5: a consumer ignores keys it cannot use); an
// entry that is not an object makes the set itself malformed.
Status read_set(dom::element set_keys, std::vector<JwkMembers> &keys) {
    if (set_keys.type() != dom::element_type::ARRAY)
        return bad_jwk("Member \"keys\" of a JWK set must be an array.");
    dom::array array = set_keys.get_array().value_unsafe();
    size_t count = array.size();
    if (count > kMaxKeySetKeys) return too_many_keys(count);
    keys.reserve(count);
    for (dom::element item : array) {
        if (cancel_requested()) return cancelled();
        if (item.type() != dom::element_type::OBJECT)
            return bad_jwk("Every member of \"keys\" must be a JWK object.");
        JwkMembers &jwk = keys.emplace_back();
        jwk.index = keys.size() - 1;
        jwk.problem = read_jwk(item.get_object().value_unsafe(), jwk);
    }
    if (keys.empty()) return bad_jwk("The JWK set has no keys.");
    return Status::Ok();
}

Status read_certificate_map(dom::object object, std::vector<JwkMembers> &keys,
                            std::vector<std::string> &certificates) {
    size_t count = object.size();
    if (count > kMaxKeySetKeys) return too_many_keys(count);
    keys.reserve(count);
    certificates.reserve(count);
    for (dom::key_value_pair field : object) {
        JwkMembers &jwk = keys.emplace_back();
        jwk.index = keys.size() - 1;
        jwk.from_certificate = jwk.has_kid = true;
        jwk.kid.assign(field.key);
        certificates.emplace_back(field.value.get_string().value_unsafe());
    }
    return Status::Ok();
}

}  // namespace

bool looks_like_json_object(std::string_view text) {
    return trim_space(text).starts_with("{");
}

Status parse_jwk_text(std::string_view text, std::vector<JwkMembers> &keys, bool &is_set) {
    keys.clear();
    is_set = false;
    PGJWT_TRY(check_key_size(text));
    std::vector<std::string> certificates;  // of a certificate map, by key
    {
        // The parser's copy of the text and its unescaped strings hold the key.
        struct WipeParser {
            ~WipeParser() { json_wipe_parser(); }
        } wipe_parser;
        dom::element root;
        Status parsed = parse_json_element(json_input(text), "key", root);
        if (!parsed.ok()) return bad_jwk(parsed.detail.empty() ? parsed.message : parsed.detail);
        if (root.type() != dom::element_type::OBJECT)
            return bad_jwk("A JWK must be a JSON object.");
        dom::object object = root.get_object().value_unsafe();
        dom::element set_keys;
        if (object.at_key("keys").get(set_keys) == simdjson::SUCCESS) {
            is_set = true;
            PGJWT_TRY(read_set(set_keys, keys));
        } else if (is_certificate_map(object)) {
            is_set = true;
            PGJWT_TRY(read_certificate_map(object, keys, certificates));
        } else {
            keys.emplace_back();
            return read_jwk(object, keys.back());
        }
    }
    // After the parse: reading a certificate is OpenSSL's work, not the parser's.
    for (size_t i = 0; i < certificates.size(); i++) {
        if (cancel_requested()) return cancelled();
        certificate_members(certificates[i], keys[i]);
    }
    return Status::Ok();
}

SecretString jwk_text(const JwkMembers &jwk) {
    SecretString text("{");
    json_append_member("kty", jwk.kty, text);
    if (!jwk.crv.empty()) json_append_member("crv", jwk.crv, text);
    if (jwk.has_alg) json_append_member("alg", jwk.alg, text);
    if (jwk.has_kid) json_append_member("kid", jwk.kid, text);
    if (jwk.has_use) json_append_member("use", jwk.use, text);
    if (jwk.has_key_ops) {
        text.append(",\"key_ops\":[");
        for (size_t i = 0; i < jwk.key_ops.size(); i++) {
            if (i) text.push_back(',');
            json_append_string(jwk.key_ops[i], text);
        }
        text.push_back(']');
    }
    struct Member {
        const char *name;
        const SecretString &value;
        bool present;
    };
    const Member material[] = {{"n", jwk.n, !jwk.n.empty()},    {"e", jwk.e, !jwk.e.empty()},
                               {"d", jwk.d, jwk.has_d},         {"p", jwk.p, !jwk.p.empty()},
                               {"q", jwk.q, !jwk.q.empty()},    {"dp", jwk.dp, !jwk.dp.empty()},
                               {"dq", jwk.dq, !jwk.dq.empty()}, {"qi", jwk.qi, !jwk.qi.empty()},
                               {"x", jwk.x, !jwk.x.empty()},    {"y", jwk.y, !jwk.y.empty()},
                               {"k", jwk.k, jwk.has_k}};
    for (const Member &m : material)
        if (m.present) json_append_member(m.name, m.value, text);
    text.push_back('}');
    return text;
}

}  // namespace pgjwt

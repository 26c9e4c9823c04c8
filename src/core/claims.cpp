#include "claims.hpp"

#include <cmath>
#include <cstdint>

#include "json_dom.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

namespace dom = simdjson::dom;

NumericDate read_date(dom::element value) {
    NumericDate date;
    switch (value.type()) {
        case dom::element_type::INT64:
        case dom::element_type::UINT64:
        case dom::element_type::DOUBLE:
            date.state = NumericDate::State::number;
            date.seconds = value.get_double().value_unsafe();
            break;
        default:
            date.state = NumericDate::State::not_a_number;
    }
    return date;
}

StringClaim read_string(dom::element value) {
    StringClaim claim;
    if (value.type() == dom::element_type::STRING) {
        claim.state = StringClaim::State::string;
        claim.value = value.get_string().value_unsafe();
    } else {
        claim.state = StringClaim::State::not_a_string;
    }
    return claim;
}

void read_audience(dom::element value, RegisteredClaims &out) {
    out.has_aud = true;
    if (value.type() == dom::element_type::STRING) {
        out.aud.emplace_back(value.get_string().value_unsafe());
        return;
    }
    if (value.type() != dom::element_type::ARRAY) {
        out.aud_valid = false;
        return;
    }
    dom::array items = value.get_array().value_unsafe();
    for (dom::element item : items) {
        if (item.type() != dom::element_type::STRING) {
            out.aud_valid = false;
            return;
        }
        out.aud.emplace_back(item.get_string().value_unsafe());
    }
}

}  // namespace

Status check_numeric_date(const NumericDate &date, const char *name) {
    if (date.state == NumericDate::State::not_a_number)
        return Status::Rejected(
            std::string("token claim \"") + name + "\" is not a number",
            "A NumericDate must be a JSON number of seconds since 1970 (RFC 7519 "
            "section 2).");
    if (date.state == NumericDate::State::number &&
        (!std::isfinite(date.seconds) || date.seconds < kMinNumericDate ||
         date.seconds > kMaxNumericDate))
        return Status::Rejected(std::string("token claim \"") + name + "\" is out of range",
                                "A NumericDate must lie between the years 1 and 9999.");
    return Status::Ok();
}

Status parse_registered_claims(JsonInput payload, const std::vector<std::string> &required,
                               RegisteredClaims &out) {
    dom::element root;
    PGJWT_TRY(as_token_fault(parse_json_element(payload, "token payload", root)));
    if (root.type() != dom::element_type::OBJECT)
        return Status::Malformed("token payload is not a JSON object");
    out = RegisteredClaims{};
    out.present.assign(required.size(), false);
    dom::object object = root.get_object().value_unsafe();
    for (dom::key_value_pair field : object) {
        std::string_view name = field.key;
        // Every registered claim has a three-letter name: one comparison of
        // the three bytes per name instead of a string comparison per claim.
        if (name.size() == 3) {
            switch (pack_short_name(name)) {
                case pack_short_name("exp"):
                    out.exp = read_date(field.value);
                    break;
                case pack_short_name("nbf"):
                    out.nbf = read_date(field.value);
                    break;
                case pack_short_name("iat"):
                    out.iat = read_date(field.value);
                    break;
                case pack_short_name("iss"):
                    out.iss = read_string(field.value);
                    break;
                case pack_short_name("jti"):
                    out.jti = read_string(field.value);
                    break;
                case pack_short_name("aud"):
                    read_audience(field.value, out);
                    break;
                default:
                    break;
            }
        }
        for (size_t i = 0; i < required.size(); i++)
            if (required[i] == name) out.present[i] = true;
    }
    return Status::Ok();
}

}  // namespace pgjwt

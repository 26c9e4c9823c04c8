// The selection of pg_jwt.role_claim_key's path (json_path.hpp) in a
// token's claims: the first value of RFC 9535's nodelist, found depth first
// without building the list.
//
// Bounded: every segment but a filter selects at most one child, and a
// filter each child of a node at most once, so a path visits each value of
// the claims at most once per segment (the claims are at most a token's
// 64 KiB, the segments at most 64), and each regular expression runs in time
// linear in the value it reads (iregexp.hpp). The recursion is one level per
// segment. Long loops poll for cancellation.
#include "json_path.hpp"

#include "cancel.hpp"
#include "json_dom.hpp"

namespace pgjwt {
namespace {

namespace dom = simdjson::dom;

// The value a name or index step selects in `node`; false when none.
bool child(dom::element node, const JsonPath::Step &step, dom::element &out) {
    if (step.kind == JsonPath::Step::Kind::name) {
        dom::object object;
        if (node.get_object().get(object) != simdjson::SUCCESS) return false;
        return object.at_key(step.name).get(out) == simdjson::SUCCESS;
    }
    dom::array array;
    if (node.get_array().get(array) != simdjson::SUCCESS) return false;
    // RFC 9535 section 2.3.3.2: a negative index counts from the end.
    auto size = static_cast<int64_t>(array.size());
    int64_t index = step.index < 0 ? size + step.index : step.index;
    if (index < 0 || index >= size) return false;
    return array.at(static_cast<size_t>(index)).get(out) == simdjson::SUCCESS;
}

bool literal_equals(dom::element value, const JsonPath::Literal &literal) {
    switch (literal.type) {
        case JsonPath::Literal::Type::string: {
            std::string_view s;
            return value.get_string().get(s) == simdjson::SUCCESS && s == literal.string;
        }
        case JsonPath::Literal::Type::number: {
            double d;
            return value.is_number() && value.get_double().get(d) == simdjson::SUCCESS &&
                   d == literal.number;
        }
        case JsonPath::Literal::Type::boolean: {
            bool b;
            return value.get_bool().get(b) == simdjson::SUCCESS && b == literal.boolean;
        }
        case JsonPath::Literal::Type::null:
            return value.is_null();
    }
    return false;
}

class Selector {
  public:
    explicit Selector(const JsonPath &path) : path_(path) {}

    // The first value below `node` that the segments from `i` on select.
    Status first(dom::element node, size_t i, bool &found, dom::element &result) {
        found = false;
        if (i == path_.segments.size()) {
            found = true;
            result = node;
            return Status::Ok();
        }
        const JsonPath::Step &step = path_.segments[i];
        if (step.kind != JsonPath::Step::Kind::filter) {
            dom::element next;
            if (!child(node, step, next)) return Status::Ok();
            return first(next, i + 1, found, result);
        }
        const JsonPath::Filter &filter = path_.filters[step.filter];
        auto visit = [&](dom::element candidate) -> Status {
            if (++visited_ % 64 == 0 && cancel_requested()) return cancelled();
            bool selected;
            PGJWT_TRY(test(filter, candidate, selected));
            if (selected) PGJWT_TRY(first(candidate, i + 1, found, result));
            return Status::Ok();
        };
        dom::array array;
        dom::object object;
        if (node.get_array().get(array) == simdjson::SUCCESS) {
            for (dom::element element : array) {
                PGJWT_TRY(visit(element));
                if (found) break;
            }
        } else if (node.get_object().get(object) == simdjson::SUCCESS) {
            for (dom::key_value_pair member : object) {
                PGJWT_TRY(visit(member.value));
                if (found) break;
            }
        }
        return Status::Ok();
    }

  private:
    const JsonPath &path_;
    size_t visited_ = 0;

    Status test(const JsonPath::Filter &filter, dom::element candidate, bool &selected) {
        selected = false;
        dom::element subject = candidate;
        for (const JsonPath::Step &step : filter.subject)
            if (!child(subject, step, subject)) return Status::Ok();  // Nothing: never equal
        if (filter.kind == JsonPath::Filter::Kind::equals) {
            selected = literal_equals(subject, filter.literal);
            return Status::Ok();
        }
        std::string_view text;
        if (subject.get_string().get(text) != simdjson::SUCCESS) return Status::Ok();
        return iregexp_search(filter.regexp, text, selected);
    }
};

}  // namespace

Status select_role_claim(const JsonPath &path, JsonInput claims, RoleClaim &out) {
    out = RoleClaim{};
    dom::element root;
    PGJWT_TRY(parse_json_element(claims, "token payload", root));
    if (!root.is_object()) return Status::InvalidArgument("token payload is not a JSON object");
    bool found = false;
    dom::element value;
    Selector selector(path);
    PGJWT_TRY(selector.first(root, 0, found, value));
    if (!found || value.is_null()) return Status::Ok();
    std::string_view role;
    if (value.get_string().get(role) != simdjson::SUCCESS) {
        out.kind = RoleClaim::Kind::not_a_string;
        return Status::Ok();
    }
    out.kind = RoleClaim::Kind::string;
    out.role.assign(role);
    return Status::Ok();
}

}  // namespace pgjwt

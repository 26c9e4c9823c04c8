// pg_jwt.role_claim_key: where jwt.authenticate finds the role in verified
// claims, as PostgREST 16's jwt-role-claim-key writes it. An RFC 9535
// JSONPath (starting with $) of this subset:
//   name selectors      $.postgrest.roles   $['https://www.example.com/role'].key
//   index selectors     $.roles[1]          $.roles[-1] (negative: from the end,
//                                           as RFC 9535 section 2.3.3.2 says)
//   filter selectors    $.roles[?(@ == 'author')]   $.roles[?@.name == 'x'].role
//                       $.roles[?search(@, '^au')]  (the one function allowed;
//                       its regular expressions: iregexp.hpp)
// One selector per bracket; a filter holds one == comparison (one side a
// literal: a string, a number, true, false or null) or one search() call,
// in parentheses or not. A filter visits an array's elements in order and an
// object's member values in the order the token writes them. Wildcards,
// slices, descendant segments (..), selector lists, other operators and
// functions, and absolute queries inside filters are refused when the
// setting is read, with the character where they start.
//
// The older form that PostgREST 16.2 still reads (and pg_jwt 1.1 read): no
// leading $, .name (any characters up to the next . or [), ."quoted name"
// (up to the next "), and bracket selectors as above: .role,
// .app.roles[0], ."https://x".roles[?(@ == "y")].
//
// The first value the path selects is used.
#pragma once
#include "core_guard.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "iregexp.hpp"
#include "json.hpp"
#include "status.hpp"

namespace pgjwt {

// The most segments a path may have.
constexpr size_t kMaxJsonPathSegments = 64;

struct JsonPath {
    // One step of a singular query (@.a[0]) or one segment of the path.
    struct Step {
        enum class Kind { name, index, filter } kind = Kind::name;
        std::string name;
        int64_t index = 0;
        size_t filter = 0;  // into filters
    };
    struct Literal {
        enum class Type { string, number, boolean, null } type = Type::null;
        std::string string;
        double number = 0;
        bool boolean = false;
    };
    struct Filter {
        enum class Kind { equals, search } kind = Kind::equals;
        std::vector<Step> subject;  // relative to @: names and indexes only
        Literal literal;            // equals
        IRegexp regexp;             // search
    };
    std::vector<Step> segments;
    std::vector<Filter> filters;
};

// Reads the setting's text (or a jwt.issuers.role_claim_key: `source` names
// where the text came from). Fails with Fault::invalid_argument: message
// `invalid <source> "<text>"`, detail what is wrong at which character
// (1-based, counting characters).
Status parse_role_claim_key(std::string_view text, JsonPath &out,
                            std::string_view source = "pg_jwt.role_claim_key");

// What the path selects in a token's claims.
struct RoleClaim {
    enum class Kind { none, string, not_a_string } kind = Kind::none;
    std::string role;  // Kind::string
};

// The first value `path` selects in `claims` (a JSON object): a string is
// the role; nothing selected, or JSON null, is none; anything else is
// not_a_string. Fails only for claims that are not a JSON object, or when
// cancelled.
Status select_role_claim(const JsonPath &path, JsonInput claims, RoleClaim &out);

}  // namespace pgjwt

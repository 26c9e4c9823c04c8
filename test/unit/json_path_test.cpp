// pg_jwt.role_claim_key (src/core/json_path.hpp): PostgREST 16's RFC 9535
// subset and the older form, with the examples of PostgREST's documentation
// (jwt-role-claim-key, "JWT Role Extraction") as vectors, and the exact
// messages for what is refused.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/json_path.hpp"
#include "core/text.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;

// The role `key` selects in `claims`: the role, "(none)" or "(not a string)",
// or "error: <detail>" when the key does not parse.
std::string Role(std::string_view key, std::string_view claims) {
    JsonPath path;
    Status s = parse_role_claim_key(key, path);
    if (!s.ok()) return "error: " + s.detail;
    RoleClaim found;
    s = select_role_claim(path, json_input(claims), found);
    if (!s.ok()) return "select failed: " + s.message;
    switch (found.kind) {
        case RoleClaim::Kind::none:
            return "(none)";
        case RoleClaim::Kind::not_a_string:
            return "(not a string)";
        case RoleClaim::Kind::string:
            return found.role;
    }
    return "?";
}

// The detail of the error for `key` ("ok" when it parses).
std::string Problem(std::string_view key) {
    JsonPath path;
    Status s = parse_role_claim_key(key, path);
    if (s.ok()) return "ok";
    EXPECT_EQ(s.fault, Fault::invalid_argument);
    EXPECT_EQ(s.message, "invalid pg_jwt.role_claim_key \"" + excerpt(key) + "\"");
    return s.detail;
}

constexpr std::string_view kRoles = R"({"postgrest":{"roles":["other","author"]}})";
constexpr std::string_view kUrlRole = R"({"https://www.example.com/role":{"key":"author"}})";

// PostgREST 16's documentation: jwt-role-claim-key and "JWT Role Extraction".
TEST(RoleClaimKey, PostgrestDocumentationExamples) {
    EXPECT_EQ(Role("$.role", R"({"role":"author"})"), "author");
    EXPECT_EQ(Role("$.postgrest.roles[1]", kRoles), "author");
    EXPECT_EQ(Role("$['https://www.example.com/role'].key", kUrlRole), "author");
    EXPECT_EQ(Role("$[\"https://www.example.com/role\"].key", kUrlRole), "author");
    EXPECT_EQ(Role("$.postgrest.roles[?(@ == 'author')]", kRoles), "author");
    EXPECT_EQ(Role("$.postgrest.roles[?@ == 'author']", kRoles), "author");
    EXPECT_EQ(Role("$.postgrest.roles[?search(@, '^au')]", kRoles), "author");
    EXPECT_EQ(Role("$.postgrest.roles[?(search(@, 'thor$'))]", kRoles), "author");
    EXPECT_EQ(Role("$.postgrest.roles[?search(@, 'uth')]", kRoles), "author");
}

// The form before PostgREST 16, which 16.2 still reads (and pg_jwt 1.1 did).
TEST(RoleClaimKey, OlderForm) {
    EXPECT_EQ(Role(".role", R"({"role":"author"})"), "author");
    EXPECT_EQ(Role(".postgrest.roles[1]", kRoles), "author");
    EXPECT_EQ(Role(".\"https://www.example.com/role\".key", kUrlRole), "author");
    EXPECT_EQ(Role(".postgrest.roles[?(@ == \"author\")]", kRoles), "author");
    EXPECT_EQ(Role(".app-x.role", R"({"app-x":{"role":"r"}})"), "r");  // any name up to . or [
    EXPECT_EQ(Role("[0]", R"({"0":"x"})"), "(none)");  // an index selects in arrays only
}

TEST(RoleClaimKey, FirstValueIsUsed) {
    constexpr std::string_view claims = R"({"roles":["reader","author","admin","auditor"]})";
    EXPECT_EQ(Role("$.roles[?search(@, '^a')]", claims), "author");
    EXPECT_EQ(Role("$.roles[?search(@, 'd')]", claims), "reader");
    // A filter over an object visits its member values in the token's order.
    EXPECT_EQ(Role("$.apps[?search(@, '^w')]", R"({"apps":{"b":"writer","a":"web"}})"), "writer");
    // A first value that is not a string is refused, even with a string after it.
    EXPECT_EQ(Role("$.r[?search(@.n, 'a')]", R"({"r":[{"n":"a"},{"n":"ab"}]})"), "(not a string)");
}

TEST(RoleClaimKey, Indexes) {
    constexpr std::string_view claims = R"({"roles":["a","b","c"]})";
    EXPECT_EQ(Role("$.roles[0]", claims), "a");
    EXPECT_EQ(Role("$.roles[2]", claims), "c");
    EXPECT_EQ(Role("$.roles[3]", claims), "(none)");
    // RFC 9535 section 2.3.3.2: negative indexes count from the end.
    EXPECT_EQ(Role("$.roles[-1]", claims), "c");
    EXPECT_EQ(Role("$.roles[-3]", claims), "a");
    EXPECT_EQ(Role("$.roles[-4]", claims), "(none)");
    EXPECT_EQ(Role("$.roles[ 1 ]", claims), "b");
    EXPECT_EQ(Role("$.roles[9007199254740991]", claims), "(none)");
    EXPECT_EQ(Role("$.roles[-9007199254740991]", claims), "(none)");
}

TEST(RoleClaimKey, Filters) {
    constexpr std::string_view objects =
        R"({"grants":[{"app":"crm","role":"crm_user"},{"app":"db","role":"db_user","level":2,"admin":true,"x":null}]})";
    EXPECT_EQ(Role("$.grants[?@.app == 'db'].role", objects), "db_user");
    EXPECT_EQ(Role("$.grants[?@['app'] == \"crm\"].role", objects), "crm_user");
    EXPECT_EQ(Role("$.grants[?'db' == @.app].role", objects), "db_user");
    EXPECT_EQ(Role("$.grants[?@.level == 2].role", objects), "db_user");
    EXPECT_EQ(Role("$.grants[?@.level == 2.0].role", objects), "db_user");
    EXPECT_EQ(Role("$.grants[?@.level == 2e0].role", objects), "db_user");
    EXPECT_EQ(Role("$.grants[?@.admin == true].role", objects), "db_user");
    EXPECT_EQ(Role("$.grants[?@.admin == false].role", objects), "(none)");
    EXPECT_EQ(Role("$.grants[?@.x == null].role", objects), "db_user");
    EXPECT_EQ(Role("$.grants[?@.missing == null].role", objects), "(none)");
    EXPECT_EQ(Role("$.grants[?@.app == 'none'].role", objects), "(none)");
    EXPECT_EQ(Role("$.grants[?search(@.role, '^db')].role", objects), "db_user");
    EXPECT_EQ(Role("$.grants[?(((@.app == 'db')))].role", objects), "db_user");
    EXPECT_EQ(Role("$.grants[?@[0] == 'x']", objects), "(none)");
    // search() reads strings only; a filter on a scalar selects nothing.
    EXPECT_EQ(Role("$.grants[?search(@.level, '2')].role", objects), "(none)");
    EXPECT_EQ(Role("$.grants[0].app[?@ == 'crm']", objects), "(none)");
    // Chained filters.
    EXPECT_EQ(Role("$[?@.k == 1][?search(@, 'x')]", R"({"a":{"k":1,"v":"y"},"b":{"k":1,"v":"x"}})"),
              "x");
}

TEST(RoleClaimKey, NothingSelectedOrNotAString) {
    EXPECT_EQ(Role("$.role", "{}"), "(none)");
    EXPECT_EQ(Role("$.role", R"({"role":null})"), "(none)");
    EXPECT_EQ(Role("$.role", R"({"role":7})"), "(not a string)");
    EXPECT_EQ(Role("$.role", R"({"role":["a"]})"), "(not a string)");
    EXPECT_EQ(Role("$.role", R"({"role":{"a":"b"}})"), "(not a string)");
    EXPECT_EQ(Role("$", R"({"role":"a"})"), "(not a string)");
    EXPECT_EQ(Role("$.a.b", R"({"a":"b"})"), "(none)");
    EXPECT_EQ(Role("$['']", R"({"":"empty-name"})"), "empty-name");
}

TEST(RoleClaimKey, NamesAndEscapes) {
    EXPECT_EQ(Role("$['a\\'b']", R"({"a'b":"q"})"), "q");
    EXPECT_EQ(Role("$[\"a\\\"b\"]", R"({"a\"b":"q"})"), "q");
    EXPECT_EQ(Role("$['\\u00e9t\\u00e9']", R"({"été":"summer"})"), "summer");
    EXPECT_EQ(Role("$['\\ud83d\\ude00']", R"({"😀":"smile"})"), "smile");
    EXPECT_EQ(Role("$.été", R"({"été":"summer"})"), "summer");
    EXPECT_EQ(Role("$._x1", R"({"_x1":"u"})"), "u");
    EXPECT_EQ(Role("$['a\\tb\\/c']", R"({"a\tb/c":"t"})"), "t");
    // White space between segments and inside brackets (RFC 9535 "S").
    EXPECT_EQ(Role("$ .postgrest\n[ 'roles' ] [ 1 ]", kRoles), "author");
}

TEST(RoleClaimKey, ParseErrorsGiveThePosition) {
    EXPECT_EQ(Problem("role"),
              "Expected \"$\" (or, in the older form, \".\" or \"[\") at character 1.");
    EXPECT_EQ(Problem(""), "An empty path at character 1.");
    EXPECT_EQ(Problem("$."), "Expected a member name after \".\" at character 3.");
    EXPECT_EQ(Problem("$.1a"), "Expected a member name after \".\" at character 3.");
    EXPECT_EQ(Problem("$.a-b"), "Expected \".\" or \"[\" at character 4.");
    EXPECT_EQ(Problem("$.a "), "White space at the end at character 4.");
    EXPECT_EQ(Problem("$..a"), "Unsupported descendant segment \"..\" at character 2.");
    EXPECT_EQ(Problem("$.*"), "Unsupported wildcard selector \"*\" at character 3.");
    EXPECT_EQ(Problem("$[*]"), "Unsupported wildcard selector \"*\" at character 3.");
    EXPECT_EQ(Problem("$.a[1:2]"), "Unsupported array slice at character 6.");
    EXPECT_EQ(Problem("$.a[:2]"), "Unsupported array slice at character 5.");
    EXPECT_EQ(Problem("$.a[0,1]"),
              "Unsupported selector list at character 6: write one selector per bracket.");
    EXPECT_EQ(Problem("$.a[01]"), "An index with a leading zero (or -0) at character 5.");
    EXPECT_EQ(Problem("$.a[-0]"), "An index with a leading zero (or -0) at character 5.");
    EXPECT_EQ(Problem("$.a[9007199254740992]"),
              "An index out of range (beyond 2^53 - 1) at character 5.");
    EXPECT_EQ(Problem("$.a[1"), "Unmatched \"[\" at character 4.");
    EXPECT_EQ(Problem("$.a[1 x]"), "Expected \"]\" at character 7.");
    EXPECT_EQ(Problem("$.a[x]"),
              "Expected a quoted member name, an index or a filter at character 5.");
    EXPECT_EQ(Problem("$['a"), "Unterminated string literal at character 3.");
    EXPECT_EQ(Problem("$['a\\x']"), "An invalid escape in a string literal at character 5.");
    EXPECT_EQ(Problem("$['\\ud800']"), "A high surrogate escape without its pair at character 4.");
    EXPECT_EQ(Problem("$['\\udc00']"), "A lone low surrogate escape at character 4.");
    EXPECT_EQ(Problem("$['\\u0000']"), "The character U+0000 at character 4.");
    EXPECT_EQ(Problem("$['a\tb']"),
              "A control character in a string literal (escape it) at character 5.");
    EXPECT_EQ(Problem("$['é\\q']"), "An invalid escape in a string literal at character 5.");
    EXPECT_EQ(Problem(".\"abc"), "Unterminated quoted name at character 2.");
    EXPECT_EQ(Problem(".a..b"), "Expected a member name after \".\" at character 3.");
}

TEST(RoleClaimKey, FilterErrors) {
    EXPECT_EQ(Problem("$.r[?@ != 'a']"),
              "Unsupported comparison operator \"!=\" at character 8: only == is allowed.");
    EXPECT_EQ(Problem("$.r[?@ < 1]"),
              "Unsupported comparison operator \"<\" at character 8: only == is allowed.");
    EXPECT_EQ(Problem(".r[?(@ ^== \"au\")]"),
              "Unsupported comparison operator \"^==\" at character 8: PostgREST 16 replaced it "
              "with search(), e.g. [?search(@, '^au')].");
    EXPECT_EQ(Problem(".r[?(@ *== \"u\")]"),
              "Unsupported comparison operator \"*==\" at character 8: PostgREST 16 replaced it "
              "with search(), e.g. [?search(@, '^au')].");
    EXPECT_EQ(Problem("$.r[?@ == 'a' && @ == 'b']"),
              "Unsupported logical operator \"&&\" at character 15: a filter holds one == "
              "comparison or one search().");
    EXPECT_EQ(Problem("$.r[?(@ == 'a' || @ == 'b')]"),
              "Unsupported logical operator \"||\" at character 16: a filter holds one == "
              "comparison or one search().");
    EXPECT_EQ(Problem("$.r[?!search(@, 'a')]"),
              "Unsupported logical operator \"!\" at character 6: a filter holds one == "
              "comparison or one search().");
    EXPECT_EQ(Problem("$.r[?@.a]"),
              "Unsupported existence test at character 6: compare with == or call search().");
    EXPECT_EQ(Problem("$.r[?match(@, 'a')]"),
              "Unsupported function \"match\" at character 6: only search() is allowed.");
    EXPECT_EQ(Problem("$.r[?length(@) == 1]"),
              "Unsupported function \"length\" at character 6: only search() is allowed.");
    EXPECT_EQ(Problem("$.r[?@ == $.x]"),
              "Unsupported absolute query inside a filter at character 11: compare @ with a "
              "literal.");
    EXPECT_EQ(Problem("$.r[?@ == @.x]"),
              "Expected a literal at character 11: compare @ (or a query below it) with a "
              "literal.");
    EXPECT_EQ(Problem("$.r[?'a' == 'a']"),
              "Expected @ at character 13: compare @ (or a query below it) with a literal.");
    EXPECT_EQ(Problem("$.r[?@ == nope]"), "Expected @, a literal or search() at character 11.");
    EXPECT_EQ(Problem("$.r[?@ == 01]"), "A number with a leading zero at character 11.");
    EXPECT_EQ(Problem("$.r[?@ == 1e999]"), "A number out of range at character 11.");
    EXPECT_EQ(Problem("$.r[?@.* == 'a']"),
              "A query inside a filter selects by name or index only at character 7.");
    EXPECT_EQ(Problem("$.r[?(@ == 'a']"), "Expected \")\" at character 15.");
    EXPECT_EQ(Problem("$.r[?search('a', 'a')]"),
              "The first argument of search() must be @ or a query below it at character 13.");
    EXPECT_EQ(Problem("$.r[?search(@, @.a)]"),
              "The second argument of search() must be a string literal at character 16.");
    EXPECT_EQ(Problem("$.r[?search(@)]"),
              "Expected \",\" and the pattern of search() at character 14.");
    EXPECT_EQ(Problem("$.r[?search(@, 'a(')]"),
              "An invalid regular expression at character 16: unmatched \"(\" at character 2 "
              "of the pattern.");
    EXPECT_EQ(Problem("$.r[?search(@, '\\\\p{L}')]"),
              "An invalid regular expression at character 16: Unicode category escapes (\\p, "
              "\\P) are not supported at character 1 of the pattern.");
}

TEST(RoleClaimKey, Limits) {
    std::string deep = "$";
    for (int i = 0; i < 64; i++) deep += ".a";
    EXPECT_EQ(Problem(deep), "ok");
    EXPECT_EQ(Problem(deep + ".a"), "More than 64 segments at character 130.");
    EXPECT_EQ(Problem("$.r[?search(@, '(a{1000}){2}')]"),
              "An invalid regular expression at character 16: the pattern is too complex (more "
              "than 1000 states) at character 1 of the pattern.");
    // Characters, not bytes, are counted.
    EXPECT_EQ(Problem("$.été.*"), "Unsupported wildcard selector \"*\" at character 7.");
    EXPECT_EQ(Problem("$.a\xff"), "A byte that is not UTF-8 at character 4.");
}

TEST(RoleClaimKey, MessageQuotesTheSettingEscaped) {
    JsonPath path;
    EXPECT_TRUE(IsStatus(parse_role_claim_key("\r\x1b[2J", path), Fault::invalid_argument,
                         "invalid pg_jwt.role_claim_key \"\\r\\u001b[2J\"",
                         "Expected \"$\" (or, in the older form, \".\" or \"[\") at character 1."));
    EXPECT_TRUE(IsOk(parse_role_claim_key("$.role", path)));
}

TEST(RoleClaimKey, ClaimsMustBeAnObject) {
    JsonPath path;
    ASSERT_TRUE(IsOk(parse_role_claim_key("$.role", path)));
    RoleClaim found;
    EXPECT_TRUE(IsStatus(select_role_claim(path, json_input(std::string_view("[1]")), found),
                         Fault::invalid_argument, "token payload is not a JSON object", ""));
}

}  // namespace

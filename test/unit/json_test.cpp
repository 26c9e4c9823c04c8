// Strict JSON for JOSE headers and claims (src/core/json.hpp): full
// validation, duplicate member names and U+0000 refused, depth capped, and
// the header and payload builders used by jwt.sign.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/jose_header.hpp"
#include "core/json.hpp"
#include "core/json_text.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;
using pgjwt_test::IsStatusWithDetailPrefix;
using namespace std::literals;

Status Validate(std::string_view text, const char *what = "token payload") {
    return validate_json_object(json_input(text), what);
}

// `depth` nested containers in total, the outermost an object, alternating
// objects and arrays inside; the innermost holds `inner` ("" or a value).
std::string Nested(size_t depth, std::string_view inner = "") {
    std::string open, close;
    for (size_t level = 1; level <= depth; ++level) {
        bool object = level % 2 == 1;
        open += object ? (level == depth && inner.empty() ? "{" : "{\"a\":") : "[";
        close.insert(0, object ? "}" : "]");
    }
    return open + std::string(inner) + close;
}

// build_jose_header without a key id.
Status BuildHeader(std::string_view alg, std::string_view extra, std::string &out) {
    return build_jose_header(alg, extra, {}, out);
}

std::string NestedObjects(size_t depth) {
    std::string text;
    for (size_t i = 1; i < depth; ++i) text += "{\"k\":";
    text += "{}";
    for (size_t i = 1; i < depth; ++i) text += "}";
    return text;
}

TEST(JsonValidate, AcceptsObjects) {
    EXPECT_TRUE(IsOk(Validate("{}")));
    EXPECT_TRUE(IsOk(Validate(R"({"a":1,"b":[true,false,null,"x",1.5,-2e3],"c":{"d":{}}})")));
    EXPECT_TRUE(IsOk(Validate(" \t\r\n{ \"a\" : 1 }\n")));
    EXPECT_TRUE(IsOk(Validate(R"({"s":"\u0001\u001f\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"})")));
    // The same name in two different objects is not a duplicate.
    EXPECT_TRUE(IsOk(Validate(R"({"a":{"a":1},"b":{"a":2},"c":[{"a":3},{"a":4}]})")));
}

TEST(JsonValidate, NonObjectsAreRefused) {
    for (std::string_view text : {"[]", "[1]", "1", "\"s\"", "null", "true", "false", "-0"}) {
        EXPECT_TRUE(IsStatus(Validate(text), Fault::malformed_token,
                             "token payload is not a JSON object", ""))
            << text;
    }
    EXPECT_TRUE(IsStatus(Validate("[]", "token header"), Fault::malformed_token,
                         "token header is not a JSON object", ""));
}

TEST(JsonValidate, InvalidJsonIsRefused) {
    // The detail ends with simdjson's own description of the error.
    for (std::string_view text : {"",
                                  " ",
                                  "{",
                                  "}",
                                  "{\"a\":1,}",
                                  "{\"a\" 1}",
                                  "{'a':1}",
                                  "{a:1}",
                                  "{} {}",
                                  "{}x",
                                  "{\"a\":01}",
                                  "{\"a\":1.}",
                                  "{\"a\":tru}",
                                  "{\"a\":\"\\x\"}",
                                  "{\"a\":\"unterminated}",
                                  "{\"a\":NaN}",
                                  "{\"a\":Infinity}",
                                  "{\"a\":\"\\ud800\"}",
                                  "{\"a\":[1,]}",
                                  "\xef\xbb\xbf{\"a\":1}" /* a byte order mark */}) {
        EXPECT_TRUE(IsStatusWithDetailPrefix(Validate(text), Fault::malformed_json,
                                             "invalid JSON in token payload",
                                             "Token payload is not valid JSON: "))
            << '"' << text << '"';
    }
    EXPECT_TRUE(IsStatusWithDetailPrefix(Validate("{", "token header"), Fault::malformed_json,
                                         "invalid JSON in token header",
                                         "Token header is not valid JSON: "));
}

TEST(JsonValidate, DuplicateMemberNamesAreRefused) {
    EXPECT_TRUE(IsStatus(Validate(R"({"a":1,"a":2})"), Fault::malformed_token,
                         "duplicate member name in token payload",
                         "The member \"a\" appears more than once."));
    // Even with equal values, and with other members between them.
    EXPECT_TRUE(IsStatus(Validate(R"({"sub":"x","b":0,"sub":"x"})"), Fault::malformed_token,
                         "duplicate member name in token payload",
                         "The member \"sub\" appears more than once."));
    EXPECT_TRUE(IsStatus(Validate(R"({"alg":"HS256","alg":"none"})", "token header"),
                         Fault::malformed_token, "duplicate member name in token header",
                         "The member \"alg\" appears more than once."));
}

TEST(JsonValidate, NestedDuplicateMemberNamesAreRefused) {
    EXPECT_TRUE(IsStatus(Validate(R"({"x":{"y":{"a":1,"a":2}}})"), Fault::malformed_token,
                         "duplicate member name in token payload",
                         "The member \"a\" appears more than once."));
    EXPECT_TRUE(IsStatus(Validate(R"({"x":[1,{"b":1,"c":2,"b":3}]})"), Fault::malformed_token,
                         "duplicate member name in token payload",
                         "The member \"b\" appears more than once."));
}

TEST(JsonValidate, DuplicatesAreFoundAfterUnescaping) {
    EXPECT_TRUE(IsStatus(Validate(R"({"a":1,"\u0061":2})"), Fault::malformed_token,
                         "duplicate member name in token payload",
                         "The member \"a\" appears more than once."));
    EXPECT_TRUE(IsStatus(Validate(R"({"\u00e9":1,"é":2})"), Fault::malformed_token,
                         "duplicate member name in token payload",
                         "The member \"é\" appears more than once."));
}

// The cap counts containers: 64 nested objects and arrays are accepted,
// whatever the innermost one holds; 65 are refused.
TEST(JsonValidate, DepthCap) {
    ASSERT_EQ(kMaxJsonDepth, 64u);
    const char *message = "token payload is nested too deeply";
    const char *detail = "Token payload is nested more than 64 levels deep.";
    EXPECT_TRUE(IsOk(Validate(NestedObjects(63))));
    EXPECT_TRUE(IsOk(Validate(NestedObjects(64))));
    EXPECT_TRUE(IsOk(Validate(Nested(64))));
    EXPECT_TRUE(IsOk(Validate(Nested(64, "1"))));
    EXPECT_TRUE(IsOk(Validate(Nested(64, "\"s\""))));
    EXPECT_TRUE(IsStatus(Validate(NestedObjects(65)), Fault::malformed_token, message, detail));
    EXPECT_TRUE(IsStatus(Validate(Nested(65)), Fault::malformed_token, message, detail));
    EXPECT_TRUE(IsStatus(Validate(Nested(65, "1")), Fault::malformed_token, message, detail));
    EXPECT_TRUE(IsStatus(Validate(NestedObjects(1000)), Fault::malformed_token, message, detail));
    EXPECT_TRUE(IsStatus(Validate(NestedObjects(65), "token header"), Fault::malformed_token,
                         "token header is nested too deeply",
                         "Token header is nested more than 64 levels deep."));
}

TEST(JsonValidate, EscapedNulIsRefusedInStringsAndKeys) {
    const char *detail = "PostgreSQL text cannot hold it, so it is refused.";
    for (std::string_view text :
         {R"({"a":"\u0000"})", R"({"a":"x\u0000y"})", R"({"\u0000":1})", R"({"k\u0000":1})",
          R"({"a":["ok",{"b":"\u0000"}]})", R"({"a":{"b\u0000c":true}})"}) {
        EXPECT_TRUE(IsStatus(Validate(text), Fault::malformed_token,
                             "token payload contains the character U+0000", detail))
            << text;
    }
}

TEST(JsonValidate, RawControlCharactersAreRefused) {
    for (const std::string &text : {"{\"a\":\"\0\"}"s, "{\"a\":\"\x01\"}"s, "{\"a\n\":1}"s}) {
        EXPECT_TRUE(IsStatusWithDetailPrefix(Validate(text), Fault::malformed_json,
                                             "invalid JSON in token payload",
                                             "Token payload is not valid JSON: "));
    }
}

TEST(JsonValidate, InvalidUtf8IsRefused) {
    for (const std::string &text : {
             "{\"a\":\"\xff\"}"s,              // never valid
             "{\"a\":\"\xc3\"}"s,              // truncated sequence
             "{\"a\":\"\xc0\xaf\"}"s,          // overlong "/"
             "{\"a\":\"\xed\xa0\x80\"}"s,      // encoded surrogate
             "{\"a\":\"\xf4\x90\x80\x80\"}"s,  // beyond U+10FFFF
             "{\"\x80\":1}"s,                  // in a member name
             "{\"a\":1}\xff"s,                 // after the document
         }) {
        EXPECT_TRUE(IsStatusWithDetailPrefix(Validate(text), Fault::malformed_json,
                                             "invalid JSON in token payload",
                                             "Token payload is not valid JSON: "))
            << text;
    }
}

// Valid JSON numbers beyond what a double or a 64-bit integer holds are
// accepted (the text is kept as it is).
TEST(JsonValidate, HugeNumbersAreValidJson) {
    for (std::string_view text :
         {R"({"a":1e400})", R"({"a":-1e400})", R"({"a":1e-400})", R"({"a":[1E+999,2]})",
          R"({"a":123456789012345678901234567890})", R"({"a":-123456789012345678901234567890})",
          R"({"a":18446744073709551616,"b":"1e400"})"}) {
        EXPECT_TRUE(IsOk(Validate(text))) << text;
    }
    // The fallback still refuses what was wrong besides the number.
    EXPECT_TRUE(IsStatus(Validate(R"({"a":1e400,"a":1})"), Fault::malformed_token,
                         "duplicate member name in token payload",
                         "The member \"a\" appears more than once."));
    EXPECT_TRUE(IsStatusWithDetailPrefix(Validate(R"({"a":1e400,})"), Fault::malformed_json,
                                         "invalid JSON in token payload",
                                         "Token payload is not valid JSON: "));
}

// Regression: when a number overflows, the parser falls back to a rewritten
// copy of the document; that rewrite once took any run of number characters
// (and, through strchr, NUL bytes) for a number, so a malformed number whose
// prefix overflowed, and raw NUL bytes after it, were accepted.
TEST(JsonValidate, OverflowingNumbersDoNotHideSyntaxErrors) {
    for (const std::string &text : {R"({"a":1e400.5})"s, R"({"a":1e400e5})"s, R"({"a":-1e400--})"s,
                                    "{\"a\":1e400\0}"s, "{\"a\":[1e999\0\0]}"s}) {
        EXPECT_TRUE(IsStatusWithDetailPrefix(Validate(text), Fault::malformed_json,
                                             "invalid JSON in token payload",
                                             "Token payload is not valid JSON: "))
            << text;
    }
}

TEST(JsonInput, ParsesInPlaceOrFromACopy) {
    std::string text = R"({"a":1})";
    text.reserve(text.size() + json_padding());
    JsonInput in = json_input(text);
    EXPECT_EQ(in.data, text.data());
    EXPECT_EQ(in.size, text.size());
    EXPECT_EQ(in.capacity, text.capacity());
    EXPECT_TRUE(IsOk(validate_json_object(in, "payload")));
    EXPECT_EQ(text, R"({"a":1})");  // in-place parsing leaves the text alone

    std::string_view view = R"({"b":2} and more)";
    JsonInput part = json_input(view.substr(0, 7));
    EXPECT_EQ(part.size, 7u);
    EXPECT_EQ(part.capacity, 7u);
    EXPECT_TRUE(IsOk(validate_json_object(part, "payload")));
    EXPECT_GT(json_padding(), 0u);
}

TEST(JoseHeader, ReadsTheMembersJwsNeeds) {
    JoseHeader h;
    ASSERT_TRUE(IsOk(parse_jose_header(
        json_input(
            R"({"alg":"HS256","typ":"JWT","kid":"k-1","crit":["exp","b64"],"b64":false,"x":[1]})"sv),
        h)));
    EXPECT_TRUE(h.has_alg);
    EXPECT_EQ(h.alg, "HS256");
    EXPECT_TRUE(h.has_typ);
    EXPECT_EQ(h.typ, "JWT");
    EXPECT_TRUE(h.has_kid);
    EXPECT_EQ(h.kid, "k-1");
    EXPECT_TRUE(h.has_crit);
    EXPECT_EQ(h.crit, (std::vector<std::string>{"exp", "b64"}));
    EXPECT_TRUE(h.has_b64);
    EXPECT_FALSE(h.b64);
}

TEST(JoseHeader, OnlyAlgIsRequired) {
    JoseHeader h;
    h.has_kid = true;  // overwritten by the parse
    ASSERT_TRUE(IsOk(parse_jose_header(json_input(R"({"alg":"none"})"sv), h)));
    EXPECT_TRUE(h.has_alg);
    EXPECT_EQ(h.alg, "none");
    EXPECT_FALSE(h.has_typ);
    EXPECT_FALSE(h.has_kid);
    EXPECT_FALSE(h.has_crit);
    EXPECT_FALSE(h.has_b64);
    EXPECT_TRUE(h.b64);
    // The name is kept as it is: matching it is the verifier's business.
    ASSERT_TRUE(IsOk(parse_jose_header(json_input(R"({"alg":"hs256","kid":""})"sv), h)));
    EXPECT_EQ(h.alg, "hs256");
    EXPECT_TRUE(h.has_kid);
    EXPECT_EQ(h.kid, "");
}

TEST(JoseHeader, MalformedMembersAreRefused) {
    struct Case {
        std::string_view json, message;
    };
    const Case cases[] = {
        {R"({})", "token header has no \"alg\" member"},
        {R"({"typ":"JWT"})", "token header has no \"alg\" member"},
        {R"({"alg":null})", "token header member \"alg\" is not a string"},
        {R"({"alg":256})", "token header member \"alg\" is not a string"},
        {R"({"alg":["HS256"]})", "token header member \"alg\" is not a string"},
        {R"({"alg":"HS256","typ":1})", "token header member \"typ\" is not a string"},
        {R"({"alg":"HS256","kid":7})", "token header member \"kid\" is not a string"},
        {R"({"alg":"HS256","kid":null})", "token header member \"kid\" is not a string"},
        {R"({"alg":"HS256","crit":"exp"})", "token header member \"crit\" is not an array"},
        {R"({"alg":"HS256","crit":["exp",1]})", "token header member \"crit\" holds a non-string"},
        {R"({"alg":"HS256","b64":"false"})", "token header member \"b64\" is not a boolean"},
        {R"(["alg","HS256"])", "token header is not a JSON object"},
    };
    for (const Case &c : cases) {
        JoseHeader h;
        EXPECT_TRUE(IsStatus(parse_jose_header(json_input(c.json), h), Fault::malformed_token,
                             c.message, ""))
            << c.json;
    }
    JoseHeader h;
    // A JWE's protected header names its content encryption.
    EXPECT_TRUE(IsStatus(parse_jose_header(json_input(R"({"alg":"dir","enc":"A128GCM"})"sv), h),
                         Fault::malformed_token, "token is a JWE, not a JWS",
                         "Its header names a content encryption (\"enc\"); encrypted tokens are "
                         "not supported."));
    EXPECT_TRUE(IsStatus(parse_jose_header(json_input(R"({"alg":"HS256","alg":"HS256"})"sv), h),
                         Fault::malformed_token, "duplicate member name in token header",
                         "The member \"alg\" appears more than once."));
}

TEST(MinifyJsonObject, RemovesWhiteSpaceOnly) {
    std::string out;
    ASSERT_TRUE(IsOk(minify_json_object(
        json_input(" {\n \"sub\" : \"a b\" ,\t\"n\" : [ 1 , 2 ] , \"o\" : { } } "sv), "payload",
        out)));
    EXPECT_EQ(out, R"({"sub":"a b","n":[1,2],"o":{}})");
    // Numbers and strings are kept as written.
    ASSERT_TRUE(IsOk(minify_json_object(
        json_input(R"({ "n" : 1.10 , "m" : -0 , "e" : 1E+300 , "s" : "a \u0041\/" })"sv), "payload",
        out)));
    EXPECT_EQ(out, R"({"n":1.10,"m":-0,"e":1E+300,"s":"a \u0041\/"})");
    EXPECT_TRUE(IsStatus(minify_json_object(json_input(R"({"a":1,"a":1})"sv), "payload", out),
                         Fault::malformed_token, "duplicate member name in payload",
                         "The member \"a\" appears more than once."));
}

TEST(BuildJoseHeader, DefaultIsAlgThenTyp) {
    std::string out = "stale";
    ASSERT_TRUE(IsOk(BuildHeader("HS256", "", out)));
    EXPECT_EQ(out, R"({"alg":"HS256","typ":"JWT"})");
    ASSERT_TRUE(IsOk(BuildHeader("HS512", "{}", out)));
    EXPECT_EQ(out, R"({"alg":"HS512","typ":"JWT"})");
    ASSERT_TRUE(IsOk(BuildHeader("HS384", " { } ", out)));
    EXPECT_EQ(out, R"({"alg":"HS384","typ":"JWT"})");
}

TEST(BuildJoseHeader, ExtraMembersFollowInTheirOrder) {
    std::string out;
    ASSERT_TRUE(IsOk(
        BuildHeader("HS256", R"({ "kid" : "k1", "x5t" : "abc", "n" : [1, {"a": null}] })", out)));
    EXPECT_EQ(out, R"({"alg":"HS256","typ":"JWT","kid":"k1","x5t":"abc","n":[1,{"a":null}]})");
}

TEST(BuildJoseHeader, TypIsReplacedInPlace) {
    std::string out;
    ASSERT_TRUE(IsOk(BuildHeader("HS256", R"({"kid":"k1","typ":"at+jwt"})", out)));
    EXPECT_EQ(out, R"({"alg":"HS256","typ":"at+jwt","kid":"k1"})");
    ASSERT_TRUE(IsOk(BuildHeader("HS256", R"({"typ":"JWT"})", out)));
    EXPECT_EQ(out, R"({"alg":"HS256","typ":"JWT"})");
}

TEST(BuildJoseHeader, TypNullIsRemoved) {
    std::string out;
    ASSERT_TRUE(IsOk(BuildHeader("HS256", R"({"typ":null})", out)));
    EXPECT_EQ(out, R"({"alg":"HS256"})");
    ASSERT_TRUE(IsOk(BuildHeader("HS256", R"({"typ":null,"kid":"k"})", out)));
    EXPECT_EQ(out, R"({"alg":"HS256","kid":"k"})");
}

TEST(BuildJoseHeader, EqualAlgIsAcceptedOnce) {
    std::string out;
    ASSERT_TRUE(IsOk(BuildHeader("HS256", R"({"alg":"HS256","kid":"k"})", out)));
    EXPECT_EQ(out, R"({"alg":"HS256","typ":"JWT","kid":"k"})");
    ASSERT_TRUE(IsOk(BuildHeader("HS384", R"({"kid":"k","alg":"HS384"})", out)));
    EXPECT_EQ(out, R"({"alg":"HS384","typ":"JWT","kid":"k"})");
}

TEST(BuildJoseHeader, KeyIdFollowsTyp) {
    std::string out;
    ASSERT_TRUE(IsOk(build_jose_header("ES256", "", "key-1", out)));
    EXPECT_EQ(out, R"({"alg":"ES256","typ":"JWT","kid":"key-1"})");
    ASSERT_TRUE(IsOk(build_jose_header("HS256", R"({"typ":null,"x":1})", "k\"1", out)));
    EXPECT_EQ(out, R"({"alg":"HS256","kid":"k\"1","x":1})");
    // A kid in the header argument wins, and appears once.
    ASSERT_TRUE(IsOk(build_jose_header("HS256", R"({"x":1,"kid":"mine"})", "key-1", out)));
    EXPECT_EQ(out, R"({"alg":"HS256","typ":"JWT","x":1,"kid":"mine"})");
}

TEST(BuildJoseHeader, DifferentAlgIsTheCallersFault) {
    for (std::string_view extra :
         {R"({"alg":"HS384"})", R"({"alg":"hs256"})", R"({"alg":"none"})", R"({"alg":null})",
          R"({"alg":256})", R"({"alg":"HS256 "})", R"({"alg":["HS256"]})"}) {
        std::string out = "unchanged";
        EXPECT_TRUE(IsStatus(BuildHeader("HS256", extra, out), Fault::invalid_argument,
                             "header argument conflicts with the algorithm",
                             "Member \"alg\" of the header must equal the algorithm argument, "
                             "HS256."))
            << extra;
        EXPECT_EQ(out, "unchanged");
    }
}

TEST(BuildJoseHeader, B64CritAndEncAreRefused) {
    const char *detail =
        "Tokens with critical, unencoded-payload or encryption members cannot be verified by "
        "pg_jwt.";
    std::string out;
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", R"({"b64":false})", out), Fault::invalid_argument,
                         "header member \"b64\" is not supported", detail));
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", R"({"b64":true})", out), Fault::invalid_argument,
                         "header member \"b64\" is not supported", detail));
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", R"({"kid":"k","crit":["exp"]})", out),
                         Fault::invalid_argument, "header member \"crit\" is not supported",
                         detail));
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", R"({"crit":[]})", out), Fault::invalid_argument,
                         "header member \"crit\" is not supported", detail));
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", R"({"enc":"A128GCM"})", out), Fault::invalid_argument,
                         "header member \"enc\" is not supported", detail));
}

// A header that pg_jwt's own verifier would refuse is never built.
TEST(BuildJoseHeader, KidTypAndCtyMustBeStrings) {
    std::string out;
    for (std::string_view member : {"kid", "typ", "cty"}) {
        for (std::string_view value : {"1", "true", "[\"a\"]", "{}"}) {
            std::string extra = "{\"" + std::string(member) + "\":" + std::string(value) + "}";
            EXPECT_TRUE(IsStatus(BuildHeader("HS256", extra, out), Fault::invalid_argument,
                                 "header member \"" + std::string(member) + "\" must be a string",
                                 ""))
                << extra;
        }
    }
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", R"({"kid":null})", out), Fault::invalid_argument,
                         "header member \"kid\" must be a string", ""));
    ASSERT_TRUE(IsOk(BuildHeader("HS256", R"({"cty":"JWT"})", out)));
    EXPECT_EQ(out, R"({"alg":"HS256","typ":"JWT","cty":"JWT"})");
}

TEST(BuildJoseHeader, ExtraMustBeAStrictObject) {
    std::string out;
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", "[1]", out), Fault::invalid_argument,
                         "header argument is not a JSON object", ""));
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", "null", out), Fault::invalid_argument,
                         "header argument is not a JSON object", ""));
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", R"({"kid":"a","kid":"b"})", out),
                         Fault::invalid_argument, "duplicate member name in header argument",
                         "The member \"kid\" appears more than once."));
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", R"({"kid":"\u0000"})", out), Fault::invalid_argument,
                         "header argument contains the character U+0000",
                         "PostgreSQL text cannot hold it, so it is refused."));
    EXPECT_TRUE(IsStatus(BuildHeader("HS256", NestedObjects(65), out), Fault::invalid_argument,
                         "header argument is nested too deeply",
                         "Header argument is nested more than 64 levels deep."));
    EXPECT_TRUE(IsStatusWithDetailPrefix(BuildHeader("HS256", "{", out), Fault::invalid_argument,
                                         "invalid JSON in header argument",
                                         "Header argument is not valid JSON: "));
}

TEST(BuildJoseHeader, ValuesAreCopiedAsWritten) {
    std::string out;
    ASSERT_TRUE(IsOk(BuildHeader(
        "HS256", R"({ "kid" : "a\"b\\c\n\u0001\/\u00e9" , "k\"ey" : 1.50 , "n" : [ -0 , 1E+2 ] })",
        out)));
    // Values keep their text (numbers every digit); member names are re-escaped.
    EXPECT_EQ(
        out,
        R"({"alg":"HS256","typ":"JWT","kid":"a\"b\\c\n\u0001\/\u00e9","k\"ey":1.50,"n":[-0,1E+2]})");
    // The result is itself strict JSON.
    EXPECT_TRUE(IsOk(Validate(out, "token header")));
    // A name given with escapes is written with the shortest ones.
    ASSERT_TRUE(IsOk(BuildHeader("HS256", R"({"\u006bid":"k"})", out)));
    EXPECT_EQ(out, R"({"alg":"HS256","typ":"JWT","kid":"k"})");
}

TEST(ReplaceJsonMembers, ReplacesNamedMembersInPlace) {
    std::string out = "stale";
    std::vector<std::pair<std::string, std::string>> replacements = {
        {"exp", "1577836800"}, {"nbf", "1577836799.5"}, {"absent", "1"}};
    ASSERT_TRUE(IsOk(replace_json_members(
        json_input(
            R"({ "sub" : "a", "exp" : "2020-01-01 00:00:00", "n" : [ 1 , 2 ], "nbf" : null })"sv),
        replacements, out)));
    // Members keep their order; a replacement without a member adds nothing.
    EXPECT_EQ(out, R"({"sub":"a","exp":1577836800,"n":[1,2],"nbf":1577836799.5})");
    // Other values keep their exact text.
    ASSERT_TRUE(IsOk(replace_json_members(
        json_input(R"({"big":123456789012345678901234567890,"d":0.10,"exp":"x"})"sv), replacements,
        out)));
    EXPECT_EQ(out, R"({"big":123456789012345678901234567890,"d":0.10,"exp":1577836800})");

    ASSERT_TRUE(IsOk(replace_json_members(json_input("{}"sv), replacements, out)));
    EXPECT_EQ(out, "{}");
    ASSERT_TRUE(IsOk(replace_json_members(json_input(R"({"a":"x\ny"})"sv), {}, out)));
    EXPECT_EQ(out, R"({"a":"x\ny"})");
}

// Members are found in the text as written: strings holding brackets,
// quotes and backslashes, and white space anywhere, do not confuse the walk.
TEST(ReplaceJsonMembers, RawTextWalkIsExact) {
    std::string out;
    ASSERT_TRUE(IsOk(replace_json_members(
        json_input(
            R"({"a":"}\"],","b":[{"c":"]\\"},"x"],"d":1,"e":{"f":{"g":"\\\\"}},"exp":"t"})"sv),
        {{"exp", "42"}}, out)));
    EXPECT_EQ(out, R"({"a":"}\"],","b":[{"c":"]\\"},"x"],"d":1,"e":{"f":{"g":"\\\\"}},"exp":42})");
    ASSERT_TRUE(IsOk(replace_json_members(
        json_input("{\n\t\"a\"\r\n:\n[ 1 ,\t2 ]\n,\"exp\" :\t\"t\" , \"z\" : true }"sv),
        {{"exp", "42"}}, out)));
    EXPECT_EQ(out, R"({"a":[1,2],"exp":42,"z":true})");
    // A member name written with escapes is matched by its value.
    ASSERT_TRUE(IsOk(replace_json_members(json_input(R"({"\u0065xp":"t","k\"ey":"v"})"sv),
                                          {{"exp", "42"}}, out)));
    EXPECT_EQ(out, R"({"exp":42,"k\"ey":"v"})");
}

TEST(ReplaceJsonMembers, PayloadMustBeAStrictObject) {
    std::string out;
    EXPECT_TRUE(IsStatus(replace_json_members(json_input("[]"sv), {}, out), Fault::malformed_token,
                         "payload is not a JSON object", ""));
    EXPECT_TRUE(
        IsStatus(replace_json_members(json_input(R"({"exp":1,"exp":2})"sv), {{"exp", "3"}}, out),
                 Fault::malformed_token, "duplicate member name in payload",
                 "The member \"exp\" appears more than once."));
}

TEST(JsonAppendString, EscapesWhatJsonRequires) {
    std::string out = "x=";
    json_append_string("a\"b\\c/\n\r\t\b\f\x01\x1f\x7f \xc3\xa9", out);
    EXPECT_EQ(out, "x=\"a\\\"b\\\\c/\\n\\r\\t\\b\\f\\u0001\\u001f\x7f \xc3\xa9\"");
    out.clear();
    json_append_string(std::string_view("\0", 1), out);
    EXPECT_EQ(out, "\"\\u0000\"");
    out.clear();
    json_append_string("", out);
    EXPECT_EQ(out, "\"\"");
}

}  // namespace

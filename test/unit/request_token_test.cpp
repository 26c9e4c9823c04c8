// jwt.request_token()'s reading of PostgREST's request.cookies and
// request.headers (src/core/request_token.hpp).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/request_token.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsStatus;

constexpr std::string_view kToken =
    "eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo";

// The token, "(none)", or "error: message [detail]".
std::string Read(std::string_view json, const char *setting, std::string_view name,
                 TokenPlace place) {
    bool found = true;
    std::string token = "junk";
    Status s = request_token(json_input(json), setting, name, place, found, token);
    if (!s.ok()) {
        EXPECT_EQ(s.fault, Fault::invalid_argument);
        return "error: " + s.message + " [" + s.detail + "]";
    }
    if (!found) {
        EXPECT_EQ(token, "");
        return "(none)";
    }
    return token;
}

std::string Cookie(std::string_view json, std::string_view name) {
    return Read(json, "request.cookies", name, TokenPlace::cookie);
}
std::string Header(std::string_view json, std::string_view name) {
    return Read(json, "request.headers", name, TokenPlace::header);
}
std::string Authorization(std::string_view json) {
    return Read(json, "request.headers", "authorization", TokenPlace::authorization);
}

TEST(RequestToken, Cookie) {
    std::string cookies = R"({"theme":"dark","access_token":")" + std::string(kToken) + R"("})";
    EXPECT_EQ(Cookie(cookies, "access_token"), kToken);
    EXPECT_EQ(Cookie(cookies, "Access_Token"), "(none)");  // cookie names are exact
    EXPECT_EQ(Cookie(cookies, "missing"), "(none)");
    EXPECT_EQ(Cookie("{}", "access_token"), "(none)");
    EXPECT_EQ(Cookie(R"({"access_token":""})", "access_token"), "(none)");
    EXPECT_EQ(Cookie(R"({"access_token":null})", "access_token"), "(none)");
    EXPECT_EQ(Cookie(R"({"t":"abc=="})", "t"), "abc==");
    EXPECT_EQ(Cookie(R"({"t":"Bearer abc"})", "t"),
              "error: malformed token in cookie \"t\" [A token is letters, digits and - . _ ~ + / "
              "with = only at the end (RFC 6750), without white space.]");
    EXPECT_EQ(Cookie(R"({"t":" abc"})", "t").substr(0, 32), "error: malformed token in cookie");
    EXPECT_EQ(Cookie(R"({"t":"a=b"})", "t").substr(0, 32), "error: malformed token in cookie");
    EXPECT_EQ(Cookie(R"({"t":"\"abc\""})", "t").substr(0, 32), "error: malformed token in cookie");
    EXPECT_EQ(Cookie(R"({"t":1})", "t"), "error: request.cookies member \"t\" is not a string []");
}

TEST(RequestToken, Header) {
    std::string headers = R"({"x-access-token":"Bearer )" + std::string(kToken) +
                          R"(","x-plain":")" + std::string(kToken) + R"("})";
    EXPECT_EQ(Header(headers, "X-Access-Token"), kToken);  // names in lower case
    EXPECT_EQ(Header(headers, "x-plain"), kToken);         // the prefix is optional
    EXPECT_EQ(Header(headers, "x-missing"), "(none)");
    EXPECT_EQ(Header(R"({"x-t":"bEaReR   abc  "})", "x-t"), "abc");  // any case, extra spaces
    EXPECT_EQ(Header(R"({"x-t":"\tabc"})", "x-t"), "abc");
    EXPECT_EQ(Header(R"({"x-t":"   "})", "x-t"), "(none)");
    EXPECT_EQ(Header(R"({"x-t":"Bearer"})", "x-t"),
              "error: malformed bearer token in header \"x-t\" [Expected a token of letters, "
              "digits and - . _ ~ + / with = only at the end (RFC 6750), after \"Bearer \" or "
              "alone.]");
    EXPECT_EQ(Header(R"({"x-t":"Bearer a b"})", "x-t").substr(0, 39),
              "error: malformed bearer token in header");
    EXPECT_EQ(Header(R"({"x-t":"Basic dXNlcjpwdw=="})", "x-t").substr(0, 39),
              "error: malformed bearer token in header");
    EXPECT_EQ(Header(R"({"x-t":["a"]})", "x-t"),
              "error: request.headers member \"x-t\" is not a string []");
}

TEST(RequestToken, Authorization) {
    EXPECT_EQ(Authorization(R"({"authorization":"Bearer abc.def.ghi"})"), "abc.def.ghi");
    EXPECT_EQ(Authorization(R"({"authorization":"bearer abc.def.ghi"})"), "abc.def.ghi");
    EXPECT_EQ(Authorization(R"({"authorization":"Basic dXNlcjpwdw=="})"), "(none)");
    EXPECT_EQ(Authorization(R"({"authorization":"abc.def.ghi"})"), "(none)");  // no scheme
    EXPECT_EQ(Authorization(R"({"accept":"*/*"})"), "(none)");
    EXPECT_EQ(Authorization(R"({"authorization":"Bearer a,b"})"),
              "error: malformed bearer token in header \"authorization\" [Expected a token of "
              "letters, digits and - . _ ~ + / with = only at the end (RFC 6750), after "
              "\"Bearer \".]");
}

TEST(RequestToken, SettingNotAnObject) {
    EXPECT_EQ(Cookie("[]", "t"),
              "error: request.cookies is not a JSON object [PostgREST sets it to a JSON object "
              "for each request.]");
    EXPECT_EQ(Header(R"("x")", "t"),
              "error: request.headers is not a JSON object [PostgREST sets it to a JSON object "
              "for each request.]");
    EXPECT_EQ(Cookie("{", "t").substr(0, 43), "error: request.cookies is not a JSON object");
    EXPECT_EQ(Cookie(R"({"t":"a","t":"b"})", "t"),
              "error: request.cookies is not a JSON object [The member \"t\" appears more than "
              "once.]");
}

TEST(RequestToken, NamesAreEscapedInMessages) {
    bool found;
    std::string token;
    EXPECT_TRUE(IsStatus(
        request_token(json_input(std::string_view(R"({"a\r\n":1})")), "request.cookies", "a\r\n",
                      TokenPlace::cookie, found, token),
        Fault::invalid_argument, "request.cookies member \"a\\r\\n\" is not a string", ""));
}

}  // namespace

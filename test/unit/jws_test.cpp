// JWS compact serialization (src/core/jws.hpp): three strict base64url
// parts, a strict protected header, and the verification policy.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/base64url.hpp"
#include "core/jws.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/secret_key.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;

// The jwt.io / flaviocopes tutorial token: {"username":"Flavio"}, HS256, "secretKey".
constexpr std::string_view kFlavioHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
constexpr std::string_view kFlavioPayload = "eyJ1c2VybmFtZSI6IkZsYXZpbyJ9";
constexpr std::string_view kFlavioToken =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9."
    "MQWECYWUT7bayj8miVgsj8KdYI3ZRVS-WRRZjfZrGrw";

using pgjwt_test::SecretKey;

class Jws : public pgjwt_test::OpenSslQueueTest {
  protected:
    // Signs `payload` under `header_json` with an HS* secret.
    static std::string Sign(std::string_view header_json, std::string_view payload,
                            Algorithm alg = Algorithm::HS256, std::string_view secret = "secret") {
        std::string token;
        Status s = OSSL_CALL(jws_sign(header_json, payload, alg, SecretKey(secret, alg), token));
        EXPECT_TRUE(IsOk(s));
        return token;
    }
    // Decodes and verifies a copy of `token`, kept in the fixture with the decoded JWS.
    Status DecodeAndVerify(std::string_view token, Algorithm alg, std::string_view secret) {
        token_ = token;
        PGJWT_TRY(jws_decode(token_, jws_));
        Key key;
        PGJWT_TRY(OSSL_CALL(resolve_key(alg, secret, KeyEncoding::binary, key)));
        return OSSL_CALL(jws_verify(jws_, alg, key));
    }
    std::string token_;
    pgjwt::Jws jws_;
};

// ------------------------------------------------------------------ jws_split

TEST(JwsSplit, ThreeParts) {
    JwsParts p;
    ASSERT_TRUE(IsOk(jws_split("aa.bb.cc", p)));
    EXPECT_EQ(p.header_b64, "aa");
    EXPECT_EQ(p.payload_b64, "bb");
    EXPECT_EQ(p.signature_b64, "cc");
    EXPECT_EQ(p.signing_input, "aa.bb");
    ASSERT_TRUE(IsOk(jws_split(kFlavioToken, p)));
    EXPECT_EQ(p.header_b64, kFlavioHeader);
    EXPECT_EQ(p.payload_b64, kFlavioPayload);
    EXPECT_EQ(p.signature_b64, "MQWECYWUT7bayj8miVgsj8KdYI3ZRVS-WRRZjfZrGrw");
    EXPECT_EQ(p.signing_input, std::string(kFlavioHeader) + "." + std::string(kFlavioPayload));
    // The parts are views into the token.
    EXPECT_EQ(p.header_b64.data(), kFlavioToken.data());
}

TEST(JwsSplit, EmptyPayloadAndSignatureAreParts) {
    JwsParts p;
    ASSERT_TRUE(IsOk(jws_split("h..", p)));
    EXPECT_EQ(p.header_b64, "h");
    EXPECT_EQ(p.payload_b64, "");
    EXPECT_EQ(p.signature_b64, "");
    EXPECT_EQ(p.signing_input, "h.");
}

TEST(JwsSplit, WrongNumberOfParts) {
    auto parts = [](int n) {
        return "A JWS in compact form has three parts separated by dots; this one has " +
               std::to_string(n) + ".";
    };
    JwsParts p;
    EXPECT_TRUE(IsStatus(jws_split("", p), Fault::malformed_token, "invalid token", parts(1)));
    EXPECT_TRUE(IsStatus(jws_split("abc", p), Fault::malformed_token, "invalid token", parts(1)));
    EXPECT_TRUE(IsStatus(jws_split("a.b", p), Fault::malformed_token, "invalid token", parts(2)));
    EXPECT_TRUE(IsStatus(jws_split(".", p), Fault::malformed_token, "invalid token", parts(2)));
    EXPECT_TRUE(IsStatus(jws_split(std::string(kFlavioToken) + ".", p), Fault::malformed_token,
                         "invalid token", parts(4)));
    EXPECT_TRUE(
        IsStatus(jws_split("a.b.c.d", p), Fault::malformed_token, "invalid token", parts(4)));
    EXPECT_TRUE(
        IsStatus(jws_split("a.b.c.d.e.f", p), Fault::malformed_token, "invalid token", parts(6)));
}

TEST(JwsSplit, FivePartsIsAJwe) {
    JwsParts p;
    const char *detail = "Encrypted tokens (five parts) are not supported.";
    EXPECT_TRUE(IsStatus(jws_split("a.b.c.d.e", p), Fault::malformed_token,
                         "token is a JWE, not a JWS", detail));
    EXPECT_TRUE(IsStatus(jws_split("....", p), Fault::malformed_token, "token is a JWE, not a JWS",
                         detail));
}

TEST(JwsSplit, EmptyHeaderIsRefused) {
    JwsParts p;
    EXPECT_TRUE(IsStatus(jws_split(".e30.c2ln", p), Fault::malformed_token, "invalid token",
                         "The token's header part is empty."));
    EXPECT_TRUE(IsStatus(jws_split("..", p), Fault::malformed_token, "invalid token",
                         "The token's header part is empty."));
}

TEST(JwsSplit, SizeCap) {
    ASSERT_EQ(kMaxTokenBytes, 65536u);
    std::string token = "a." + std::string(kMaxTokenBytes - 4, 'b') + ".c";
    ASSERT_EQ(token.size(), kMaxTokenBytes);
    JwsParts p;
    EXPECT_TRUE(IsOk(jws_split(token, p)));
    token.insert(2, "b");
    EXPECT_TRUE(IsStatus(jws_split(token, p), Fault::malformed_token, "token is too long",
                         "The token has 65537 bytes; at most 65536 are accepted."));
    // The cap comes first: a huge string of dots is not counted.
    std::string dots(1 << 20, '.');
    EXPECT_TRUE(IsStatus(jws_split(dots, p), Fault::malformed_token, "token is too long",
                         "The token has 1048576 bytes; at most 65536 are accepted."));
}

// ----------------------------------------------------------------- jws_decode

TEST(JwsDecode, DecodesEveryPart) {
    pgjwt::Jws j;
    ASSERT_TRUE(IsOk(jws_decode(kFlavioToken, j)));
    EXPECT_EQ(j.header_json, R"({"alg":"HS256","typ":"JWT"})");
    EXPECT_EQ(j.payload, R"({"username":"Flavio"})");
    EXPECT_EQ(j.signature.size(), 32u);
    EXPECT_EQ(base64url_encode(j.signature), "MQWECYWUT7bayj8miVgsj8KdYI3ZRVS-WRRZjfZrGrw");
    EXPECT_EQ(j.header.alg, "HS256");
    EXPECT_TRUE(j.header.has_typ);
    EXPECT_EQ(j.header.typ, "JWT");
    EXPECT_FALSE(j.header.has_kid);
    EXPECT_EQ(j.parts.signing_input, kFlavioToken.substr(0, kFlavioToken.rfind('.')));
    // Room for parsing the header and payload in place.
    EXPECT_GE(j.header_json.capacity(), j.header_json.size() + json_padding());
    EXPECT_GE(j.payload.capacity(), j.payload.size() + json_padding());
}

TEST(JwsDecode, PayloadIsAnyBytes) {
    // The JWS layer does not look at the payload (Wycheproof's is "foo").
    pgjwt::Jws j;
    ASSERT_TRUE(IsOk(jws_decode("eyJhbGciOiJIUzI1NiJ9.Zm9v.", j)));
    EXPECT_EQ(j.payload, "foo");
    EXPECT_EQ(j.signature, "");
    ASSERT_TRUE(IsOk(jws_decode("eyJhbGciOiJIUzI1NiJ9..", j)));
    EXPECT_EQ(j.payload, "");
}

TEST(JwsDecode, EveryPartIsStrictBase64Url) {
    const char *detail =
        "Token parts must be unpadded base64url (RFC 7515 section 2) without white space or "
        "non-zero trailing bits.";
    pgjwt::Jws j;
    EXPECT_TRUE(IsStatus(jws_decode("eyJhbGciOiJIUzI1NiJ9=.Zm9v.", j), Fault::malformed_token,
                         "invalid base64url in token header", detail));
    EXPECT_TRUE(IsStatus(jws_decode("eyJhbGciOiJIUzI1NiJ9.Zm9v=.", j), Fault::malformed_token,
                         "invalid base64url in token payload", detail));
    EXPECT_TRUE(IsStatus(jws_decode("eyJhbGciOiJIUzI1NiJ9.Zm 9v.", j), Fault::malformed_token,
                         "invalid base64url in token payload", detail));
    EXPECT_TRUE(IsStatus(jws_decode("eyJhbGciOiJIUzI1NiJ9.AB.", j), Fault::malformed_token,
                         "invalid base64url in token payload", detail));
    EXPECT_TRUE(IsStatus(jws_decode("eyJhbGciOiJIUzI1NiJ9.Zm9v.a+b/", j), Fault::malformed_token,
                         "invalid base64url in token signature", detail));
    EXPECT_TRUE(IsStatus(jws_decode("eyJhbGciOiJIUzI1NiJ9.Zm9v.A", j), Fault::malformed_token,
                         "invalid base64url in token signature", detail));
    // The tutorial's token with its signature in standard, padded base64.
    EXPECT_TRUE(IsStatus(jws_decode("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYX"
                                    "ZpbyJ9.MQWECYWUT7bayj8miVgsj8KdYI3ZRVS+WRRZjfZrGrw=",
                                    j),
                         Fault::malformed_token, "invalid base64url in token signature", detail));
}

TEST(JwsDecode, HeaderIsAStrictJoseHeader) {
    auto token = [](std::string_view header_json) {
        return base64url_encode(header_json) + ".Zm9v.";
    };
    pgjwt::Jws j;
    EXPECT_TRUE(IsStatus(jws_decode(token("[]"), j), Fault::malformed_token,
                         "token header is not a JSON object", ""));
    EXPECT_TRUE(IsStatus(jws_decode(token("{}"), j), Fault::malformed_token,
                         "token header has no \"alg\" member", ""));
    EXPECT_TRUE(IsStatus(jws_decode(token(R"({"alg":"HS256","alg":"none"})"), j),
                         Fault::malformed_token, "duplicate member name in token header",
                         "The member \"alg\" appears more than once."));
    EXPECT_TRUE(IsStatus(jws_decode(token(R"({"alg":"HS256","kid":"\u0000"})"), j),
                         Fault::malformed_token, "token header contains the character U+0000",
                         "PostgreSQL text cannot hold it, so it is refused."));
    EXPECT_TRUE(pgjwt_test::IsStatusWithDetailPrefix(
        jws_decode(token("{\"alg\":\"HS256\"} x"), j), Fault::malformed_token,
        "invalid JSON in token header", "Token header is not valid JSON: "));
    EXPECT_TRUE(pgjwt_test::IsStatusWithDetailPrefix(
        jws_decode(token("{\"alg\":\"\xff\"}"), j), Fault::malformed_token,
        "invalid JSON in token header", "Token header is not valid JSON: "));
    EXPECT_TRUE(IsStatus(jws_decode(token(R"({"alg":"dir","enc":"A256GCM"})"), j),
                         Fault::malformed_token, "token is a JWE, not a JWS",
                         "Its header names a content encryption (\"enc\"); encrypted tokens are "
                         "not supported."));
}

// jws_decode keeps the last header it parsed; whatever the order of headers
// (including one that fails to parse in between), a Jws must always hold
// the header of the token just decoded.
TEST(JwsDecode, ReusedJwsAlwaysHoldsTheCurrentHeader) {
    auto token = [](std::string_view header_json) {
        return base64url_encode(header_json) + ".Zm9v.";
    };
    const std::string a = R"({"alg":"HS256","kid":"a"})";
    const std::string b = R"({"alg":"RS256","kid":"b"})";
    pgjwt::Jws reused, other;
    auto expect_header = [&](pgjwt::Jws &j, const std::string &json, std::string_view alg,
                             std::string_view kid) {
        ASSERT_TRUE(IsOk(jws_decode(token(json), j)));
        EXPECT_EQ(j.header_json, json);
        EXPECT_EQ(j.header.alg, alg);
        EXPECT_EQ(j.header.kid, kid);
    };
    expect_header(reused, a, "HS256", "a");
    expect_header(reused, a, "HS256", "a");  // the kept header
    expect_header(other, b, "RS256", "b");   // another header replaces it
    expect_header(reused, b, "RS256", "b");
    expect_header(reused, a, "HS256", "a");
    // A header that fails leaves nothing kept behind.
    EXPECT_TRUE(IsStatus(jws_decode(token("{}"), other), Fault::malformed_token,
                         "token header has no \"alg\" member", ""));
    EXPECT_TRUE(IsStatus(jws_decode(token("{}"), other), Fault::malformed_token,
                         "token header has no \"alg\" member", ""));
    expect_header(reused, b, "RS256", "b");
    expect_header(other, a, "HS256", "a");
}

// Malformed tokens with a valid header: the first fault found, in the order
// split, then each part's base64url.
TEST(JwsDecode, ErrorsAfterAValidHeader) {
    const std::string header = base64url_encode(R"({"alg":"HS256"})");
    const char *base64_detail =
        "Token parts must be unpadded base64url (RFC 7515 section 2) without white space or "
        "non-zero trailing bits.";
    auto parts = [](int n) {
        return "A JWS in compact form has three parts separated by dots; this one has " +
               std::to_string(n) + ".";
    };
    struct Case {
        std::string rest;  // after the header
        std::string message, detail;
    };
    const std::vector<Case> cases = {
        {".Zm9v", "invalid token", parts(2)},
        {".", "invalid token", parts(2)},
        {".Zm9v.c2ln.x", "invalid token", parts(4)},
        {".Zm9v.c2ln.", "invalid token", parts(4)},
        {".a.b.c.d", "token is a JWE, not a JWS",
         "Encrypted tokens (five parts) are not supported."},
        {".Zm9v=.c2ln", "invalid base64url in token payload", base64_detail},
        {".Zm9.c2ln", "invalid base64url in token payload", base64_detail},
        {".Z.c2ln", "invalid base64url in token payload", base64_detail},
        {".Zm9v.c2l=", "invalid base64url in token signature", base64_detail},
        {".Zm9v.c", "invalid base64url in token signature", base64_detail},
        {".Zm 9v.c2ln", "invalid base64url in token payload", base64_detail},
        // Four parts of which one is not base64url: the count is reported.
        {".Zm=9v.c2ln.x", "invalid token", parts(4)},
    };
    pgjwt::Jws j;
    for (const Case &c : cases)
        EXPECT_TRUE(
            IsStatus(jws_decode(header + c.rest, j), Fault::malformed_token, c.message, c.detail))
            << c.rest;
    std::string huge = header + "." + std::string(kMaxTokenBytes, 'A') + ".c2ln";
    EXPECT_TRUE(IsStatus(
        jws_decode(huge, j), Fault::malformed_token, "token is too long",
        "The token has " + std::to_string(huge.size()) + " bytes; at most 65536 are accepted."));
    // And the good path: the parts (views into the token), decoded.
    const std::string token = header + ".Zm9vYg.c2lnbg";
    ASSERT_TRUE(IsOk(jws_decode(token, j)));
    EXPECT_EQ(j.payload, "foob");
    EXPECT_EQ(j.signature, "sign");
    EXPECT_EQ(j.parts.header_b64, header);
    EXPECT_EQ(j.parts.payload_b64, "Zm9vYg");
    EXPECT_EQ(j.parts.signature_b64, "c2lnbg");
    EXPECT_EQ(j.parts.signing_input, header + ".Zm9vYg");
    EXPECT_EQ(j.header.alg, "HS256");
}

// ----------------------------------------------------------------- jws_verify

TEST_F(Jws, ValidTokenVerifies) {
    EXPECT_TRUE(IsOk(DecodeAndVerify(kFlavioToken, Algorithm::HS256, "secretKey")));
}

TEST_F(Jws, TamperedTokensAreRejected) {
    std::string token(kFlavioToken);
    token.back() = 'A';  // another last character whose two unused bits are zero
    EXPECT_TRUE(IsStatus(DecodeAndVerify(token, Algorithm::HS256, "secretKey"),
                         Fault::token_rejected, "invalid token signature", ""));
    // {"username":"Flavia"}
    std::string payload = std::string(kFlavioHeader) + "." +
                          base64url_encode(R"({"username":"Flavia"})") +
                          std::string(kFlavioToken.substr(kFlavioToken.rfind('.')));
    EXPECT_TRUE(IsStatus(DecodeAndVerify(payload, Algorithm::HS256, "secretKey"),
                         Fault::token_rejected, "invalid token signature", ""));
    EXPECT_TRUE(IsStatus(DecodeAndVerify(kFlavioToken, Algorithm::HS256, "secretkey"),
                         Fault::token_rejected, "invalid token signature", ""));
    std::string no_signature(kFlavioToken.substr(0, kFlavioToken.rfind('.') + 1));
    EXPECT_TRUE(IsStatus(DecodeAndVerify(no_signature, Algorithm::HS256, "secretKey"),
                         Fault::token_rejected, "invalid token signature", ""));
}

TEST_F(Jws, AlgorithmComesFromTheCaller) {
    EXPECT_TRUE(IsStatus(DecodeAndVerify(kFlavioToken, Algorithm::HS384, "secretKey"),
                         Fault::token_rejected, "token algorithm does not match",
                         "The token is signed with \"HS256\" but HS384 was expected."));
    // A token that claims HS512 but carries an HS256 tag of the same input.
    std::string header = R"({"alg":"HS512"})";
    std::string token = Sign(header, "foo", Algorithm::HS256, "secret");
    EXPECT_TRUE(IsStatus(DecodeAndVerify(token, Algorithm::HS256, "secret"), Fault::token_rejected,
                         "token algorithm does not match",
                         "The token is signed with \"HS512\" but HS256 was expected."));
    EXPECT_TRUE(IsStatus(DecodeAndVerify(token, Algorithm::HS512, "secret"), Fault::token_rejected,
                         "invalid token signature", ""));
}

TEST_F(Jws, AlgNoneAndWrongCaseAreRejected) {
    EXPECT_TRUE(IsStatus(DecodeAndVerify(base64url_encode(R"({"alg":"none"})") + ".Zm9v.",
                                         Algorithm::HS256, "secret"),
                         Fault::token_rejected, "token algorithm does not match",
                         "The token is signed with \"none\" but HS256 was expected."));
    std::string token = Sign(R"({"alg":"hs256"})", "foo");
    EXPECT_TRUE(IsStatus(DecodeAndVerify(token, Algorithm::HS256, "secret"), Fault::token_rejected,
                         "token algorithm does not match",
                         "The token is signed with \"hs256\" but HS256 was expected."));
}

TEST_F(Jws, LongAlgIsCutInTheDetailAsValidUtf8) {
    std::string token = Sign(R"({"alg":")" + std::string(100, 'X') + R"("})", "foo");
    EXPECT_TRUE(IsStatus(
        DecodeAndVerify(token, Algorithm::HS256, "secret"), Fault::token_rejected,
        "token algorithm does not match",
        "The token is signed with \"" + std::string(32, 'X') + "...\" but HS256 was expected."));
    // Cut at a character boundary: "a" and 20 two-byte characters become
    // "a" and 15 of them.
    std::string alg = "a", shown = "a";
    for (int i = 0; i < 20; ++i) alg += "\xc3\xa9";
    for (int i = 0; i < 15; ++i) shown += "\xc3\xa9";
    token = Sign(R"({"alg":")" + alg + R"("})", "foo");
    Status s = DecodeAndVerify(token, Algorithm::HS256, "secret");
    EXPECT_TRUE(IsStatus(s, Fault::token_rejected, "token algorithm does not match",
                         "The token is signed with \"" + shown + "...\" but HS256 was expected."));
    EXPECT_TRUE(pgjwt_test::IsValidUtf8(s.detail));
}

TEST_F(Jws, CritIsRejectedEvenWhenSigned) {
    for (std::string_view header :
         {R"({"alg":"HS256","crit":["exp"],"exp":1})", R"({"alg":"HS256","crit":[]})"}) {
        std::string token = Sign(header, "foo");
        EXPECT_TRUE(IsStatus(DecodeAndVerify(token, Algorithm::HS256, "secret"),
                             Fault::token_rejected, "token has critical header extensions",
                             "No extension named in \"crit\" is supported."))
            << header;
    }
}

TEST_F(Jws, B64IsRejectedEvenWhenSigned) {
    for (std::string_view header :
         {R"({"alg":"HS256","b64":false,"crit":[]})", R"({"alg":"HS256","b64":false})",
          R"({"alg":"HS256","b64":true})"}) {
        std::string token = Sign(header, "foo");
        Status s = DecodeAndVerify(token, Algorithm::HS256, "secret");
        EXPECT_EQ(s.fault, Fault::token_rejected) << header;
    }
    std::string token = Sign(R"({"alg":"HS256","b64":false})", "foo");
    EXPECT_TRUE(IsStatus(DecodeAndVerify(token, Algorithm::HS256, "secret"), Fault::token_rejected,
                         "token header member \"b64\" is not supported",
                         "The unencoded-payload option of RFC 7797 is not supported."));
}

TEST_F(Jws, HeaderKeyMembersNeverSelectAKey) {
    // jwk/jku/kid do not change what the signature is checked against.
    std::string header =
        R"({"alg":"HS256","kid":"other","jwk":{"kty":"oct","k":"YXR0YWNrZXI"},"jku":"https://x"})";
    std::string forged = Sign(header, "foo", Algorithm::HS256, "attacker");
    EXPECT_TRUE(IsStatus(DecodeAndVerify(forged, Algorithm::HS256, "secret"), Fault::token_rejected,
                         "invalid token signature", ""));
    std::string genuine = Sign(header, "foo", Algorithm::HS256, "secret");
    EXPECT_TRUE(IsOk(DecodeAndVerify(genuine, Algorithm::HS256, "secret")));
}

TEST_F(Jws, EmptySecretIsTheCallersFault) {
    EXPECT_TRUE(IsStatus(DecodeAndVerify(kFlavioToken, Algorithm::HS256, ""),
                         Fault::invalid_argument, "HMAC secret must not be empty", ""));
}

// ------------------------------------------------------------------- jws_sign

TEST_F(Jws, SignGivesTheTutorialToken) {
    EXPECT_EQ(Sign(R"({"alg":"HS256","typ":"JWT"})", R"({"username":"Flavio"})", Algorithm::HS256,
                   "secretKey"),
              kFlavioToken);
}

TEST_F(Jws, SignKeepsHeaderAndPayloadBytes) {
    std::string token = Sign(R"({ "alg" : "HS256" })", std::string("\0\xff", 2));
    EXPECT_EQ(token.substr(0, token.rfind('.')),
              base64url_encode(R"({ "alg" : "HS256" })") + ".AP8");
    EXPECT_TRUE(IsOk(DecodeAndVerify(token, Algorithm::HS256, "secret")));
    EXPECT_EQ(jws_.payload, std::string("\0\xff", 2));
}

TEST_F(Jws, SignedTokenSizeCap) {
    // {"alg":"HS256","typ":"JWT"} is 36 characters, the HS256 tag 43: a
    // payload of 49091 bytes (65455 characters) makes exactly 65536.
    const std::string header = R"({"alg":"HS256","typ":"JWT"})";
    std::string token;
    ASSERT_TRUE(IsOk(OSSL_CALL(
        jws_sign(header, std::string(49091, 'p'), Algorithm::HS256, SecretKey("secret"), token))));
    EXPECT_EQ(token.size(), kMaxTokenBytes);
    EXPECT_TRUE(IsOk(DecodeAndVerify(token, Algorithm::HS256, "secret")));
    EXPECT_TRUE(IsStatus(OSSL_CALL(jws_sign(header, std::string(49092, 'p'), Algorithm::HS256,
                                            SecretKey("secret"), token)),
                         Fault::invalid_argument, "token would be too long",
                         "The signed token would have 65537 bytes; at most 65536 are accepted."));
}

TEST_F(Jws, EncHeaderIsAJwe) {
    // Signed as if it were a JWS: the "enc" member alone makes it a JWE.
    std::string token = Sign(R"({"alg":"HS256","enc":"A128GCM"})", "foo");
    EXPECT_TRUE(IsStatus(DecodeAndVerify(token, Algorithm::HS256, "secret"), Fault::malformed_token,
                         "token is a JWE, not a JWS",
                         "Its header names a content encryption (\"enc\"); encrypted tokens are "
                         "not supported."));
}

}  // namespace

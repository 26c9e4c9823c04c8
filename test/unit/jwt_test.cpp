// JWT on top of JWS (src/core/jwt.hpp): pgjwt-compatible signing, decoding,
// and verification with exp/nbf.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

#include "core/base64url.hpp"
#include "core/claims.hpp"
#include "core/jwt.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/secret_key.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;

constexpr std::string_view kFlavioClaims = R"({"username":"Flavio"})";
constexpr std::string_view kJohnClaims = R"({"sub":"1234567890","name":"John Doe","admin":true})";

// The two well-known HS256 tokens (flaviocopes.com and jwt.io).
constexpr std::string_view kFlavioHS256 =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9."
    "MQWECYWUT7bayj8miVgsj8KdYI3ZRVS-WRRZjfZrGrw";
constexpr std::string_view kJohnHS256 =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9."
    "TJVA95OrM7E2cBab30RMHrHDcEfxjoYZgeFONFh7HgQ";

// HS384 and HS512 tokens computed independently of pg_jwt, in the shell:
//   b64u() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
//   h=$(printf '{"alg":"HS384","typ":"JWT"}' | b64u)
//   p=$(printf '%s' '<claims>' | b64u)
//   s=$(printf '%s' "$h.$p" | openssl dgst -sha384 -hmac <secret> -binary | b64u)
//   echo "$h.$p.$s"
// (and -sha512 for HS512), with the claims and secrets of the tokens above.
constexpr std::string_view kFlavioHS384 =
    "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9."
    "2rstbTo5XnIUupOZYcPjHi5lgGdZE2bvNxsV1hNxmSliLIwB_b9uxob0iYXeoGYH";
constexpr std::string_view kFlavioHS512 =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9."
    "fhgxa40cNC7NOHIDaULgnquEcZup10OflQqOJ8ZfGYEwtJ9JvJa4Kthfu-_DVaJ37TMlHOnSiAR2MPShmjDS2w";
constexpr std::string_view kJohnHS384 =
    "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9."
    "DtVnCyiYCsCbg8gUP-579IC2GJ7P3CtFw6nfTTPw-0lZUzqgWAo9QIQElyxOpoRm";
constexpr std::string_view kJohnHS512 =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9."
    "YI0rUGDq5XdRw8vW2sDLRNFMN8Waol03iSFH8I4iLzuYK7FKHaQYWzPt0BJFGrAmKJ6SjY0mJIMZqNQJFVpkuw";

constexpr const char *kNotANumber =
    "A NumericDate must be a JSON number of seconds since 1970 (RFC 7519 section 2).";
constexpr const char *kOutOfRange = "A NumericDate must lie between the years 1 and 9999.";

using pgjwt_test::SecretKey;

class Jwt : public pgjwt_test::OpenSslQueueTest {
  protected:
    static Status SignClaims(std::string_view claims, Algorithm alg, std::string_view secret,
                             std::string &token, std::string_view extra_header = {},
                             bool keep_claims_text = true) {
        JwtSignRequest request{};
        request.alg = alg;
        PGJWT_TRY(OSSL_CALL(resolve_signing_key(alg, secret, KeyEncoding::binary, request.key)));
        request.claims_json = claims;
        request.keep_claims_text = keep_claims_text;
        request.extra_header = extra_header;
        return OSSL_CALL(jwt_sign(request, token));
    }
    static std::string Sign(std::string_view claims, Algorithm alg = Algorithm::HS256,
                            std::string_view secret = "secret") {
        std::string token;
        EXPECT_TRUE(IsOk(SignClaims(claims, alg, secret, token)));
        return token;
    }
    // Verifies at `now`; the status of the call itself must be Ok.
    JwtVerification &Verify(std::string_view token, double now = 1e9,
                            Algorithm alg = Algorithm::HS256, std::string_view secret = "secret") {
        token_ = token;
        verification_ = JwtVerification{};
        EXPECT_TRUE(
            IsOk(OSSL_CALL(jwt_verify(token_, alg, SecretKey(secret, alg), now, verification_))))
            << token;
        EXPECT_EQ(verification_.valid, verification_.reason.ok());
        return verification_;
    }
    bool ValidAt(std::string_view claims, double now) { return Verify(Sign(claims), now).valid; }
    std::string token_;
    JwtVerification verification_;
};

// ------------------------------------------------------------------- jwt_sign

TEST_F(Jwt, SignGivesTheWellKnownTokens) {
    EXPECT_EQ(Sign(kFlavioClaims, Algorithm::HS256, "secretKey"), kFlavioHS256);
    EXPECT_EQ(Sign(kJohnClaims, Algorithm::HS256, "secret"), kJohnHS256);
}

TEST_F(Jwt, SignGivesTheOpensslComputedTokens) {
    EXPECT_EQ(Sign(kFlavioClaims, Algorithm::HS384, "secretKey"), kFlavioHS384);
    EXPECT_EQ(Sign(kFlavioClaims, Algorithm::HS512, "secretKey"), kFlavioHS512);
    EXPECT_EQ(Sign(kJohnClaims, Algorithm::HS384, "secret"), kJohnHS384);
    EXPECT_EQ(Sign(kJohnClaims, Algorithm::HS512, "secret"), kJohnHS512);
}

TEST_F(Jwt, SignKeepsOrMinifiesTheClaimsText) {
    const std::string_view spaced = "{ \"username\" : \"Flavio\" }";
    std::string token;
    ASSERT_TRUE(IsOk(SignClaims(spaced, Algorithm::HS256, "secretKey", token, {}, false)));
    EXPECT_EQ(token, kFlavioHS256);
    ASSERT_TRUE(IsOk(SignClaims(spaced, Algorithm::HS256, "secretKey", token, {}, true)));
    EXPECT_NE(token, kFlavioHS256);
    EXPECT_TRUE(Verify(token, 0, Algorithm::HS256, "secretKey").valid);
    EXPECT_EQ(verification_.jws.payload, spaced);
}

TEST_F(Jwt, SignAddsHeaderMembers) {
    std::string token;
    ASSERT_TRUE(IsOk(SignClaims(kFlavioClaims, Algorithm::HS256, "secretKey", token,
                                R"({"kid":"k1","typ":"at+jwt"})")));
    Jws jws;
    ASSERT_TRUE(IsOk(jwt_decode(token, jws)));
    EXPECT_EQ(jws.header_json, R"({"alg":"HS256","typ":"at+jwt","kid":"k1"})");
    EXPECT_EQ(jws.payload, kFlavioClaims);
    // A header that only repeats the default changes nothing.
    ASSERT_TRUE(IsOk(SignClaims(kFlavioClaims, Algorithm::HS256, "secretKey", token,
                                R"({"alg":"HS256","typ":"JWT"})")));
    EXPECT_EQ(token, kFlavioHS256);
}

TEST_F(Jwt, SignRefusesAConflictingHeader) {
    std::string token;
    EXPECT_TRUE(IsStatus(
        SignClaims(kFlavioClaims, Algorithm::HS256, "secretKey", token, R"({"alg":"none"})"),
        Fault::invalid_argument, "header argument conflicts with the algorithm",
        "Member \"alg\" of the header must equal the algorithm argument, HS256."));
    EXPECT_TRUE(IsStatus(
        SignClaims(kFlavioClaims, Algorithm::HS256, "secretKey", token, R"({"crit":["x"]})"),
        Fault::invalid_argument, "header member \"crit\" is not supported",
        "Tokens with critical, unencoded-payload or encryption members cannot be verified by "
        "pg_jwt."));
    // pg_jwt never mints a token its own verifier would refuse as malformed.
    EXPECT_TRUE(
        IsStatus(SignClaims(kFlavioClaims, Algorithm::HS256, "secretKey", token, R"({"kid":1})"),
                 Fault::invalid_argument, "header member \"kid\" must be a string", ""));
    EXPECT_TRUE(
        IsStatus(SignClaims(kFlavioClaims, Algorithm::HS256, "secretKey", token, R"({"typ":5})"),
                 Fault::invalid_argument, "header member \"typ\" must be a string", ""));
}

// The payload is the caller's: JSON that cannot be a claims set is the
// caller's fault (22023), text that is not JSON at all is 22P02, as
// PostgreSQL's own json input says.
TEST_F(Jwt, SignNeedsAStrictObjectPayload) {
    std::string token;
    for (bool keep : {true, false}) {
        EXPECT_TRUE(IsStatus(SignClaims("[1]", Algorithm::HS256, "s", token, {}, keep),
                             Fault::invalid_argument, "payload is not a JSON object", ""));
        EXPECT_TRUE(IsStatus(SignClaims(R"({"a":1,"a":2})", Algorithm::HS256, "s", token, {}, keep),
                             Fault::invalid_argument, "duplicate member name in payload",
                             "The member \"a\" appears more than once."));
        EXPECT_TRUE(
            IsStatus(SignClaims(R"({"a":"\u0000"})", Algorithm::HS256, "s", token, {}, keep),
                     Fault::invalid_argument, "payload contains the character U+0000",
                     "PostgreSQL text cannot hold it, so it is refused."));
        EXPECT_TRUE(pgjwt_test::IsStatusWithDetailPrefix(
            SignClaims("{\"a\":", Algorithm::HS256, "s", token, {}, keep), Fault::malformed_json,
            "invalid JSON in payload", "Payload is not valid JSON: "));
    }
}

TEST_F(Jwt, SignRefusesAnEmptySecret) {
    std::string token;
    EXPECT_TRUE(IsStatus(SignClaims(kFlavioClaims, Algorithm::HS256, "", token),
                         Fault::invalid_argument, "HMAC secret must not be empty", ""));
}

// ----------------------------------------------------------------- jwt_decode

TEST(JwtDecode, PayloadMustBeAnObject) {
    Jws jws;
    ASSERT_TRUE(IsOk(jwt_decode(kJohnHS256, jws)));
    EXPECT_EQ(jws.payload, kJohnClaims);
    // A JWS whose payload is "foo" is not a JWT.
    EXPECT_TRUE(pgjwt_test::IsStatusWithDetailPrefix(
        jwt_decode("eyJhbGciOiJIUzI1NiJ9.Zm9v.", jws), Fault::malformed_token,
        "invalid JSON in token payload", "Token payload is not valid JSON: "));
    EXPECT_TRUE(IsStatus(jwt_decode("eyJhbGciOiJIUzI1NiJ9." + base64url_encode("[]") + ".", jws),
                         Fault::malformed_token, "token payload is not a JSON object", ""));
}

// ----------------------------------------------------------------- jwt_verify

TEST_F(Jwt, ValidTokensVerify) {
    const std::pair<std::string_view, Algorithm> flavio[] = {{kFlavioHS256, Algorithm::HS256},
                                                             {kFlavioHS384, Algorithm::HS384},
                                                             {kFlavioHS512, Algorithm::HS512}};
    for (const auto &[token, alg] : flavio) {
        JwtVerification &v = Verify(token, 1.7e9, alg, "secretKey");
        EXPECT_TRUE(v.valid) << token;
        EXPECT_TRUE(IsOk(v.reason));
        EXPECT_EQ(v.jws.payload, kFlavioClaims);
    }
    JwtVerification &v = Verify(kJohnHS256, 1.7e9, Algorithm::HS256, "secret");
    EXPECT_TRUE(v.valid);
    EXPECT_EQ(v.jws.header_json, R"({"alg":"HS256","typ":"JWT"})");
    EXPECT_EQ(v.jws.payload, kJohnClaims);
}

TEST_F(Jwt, TamperedSignatureIsInvalid) {
    std::string token(kJohnHS256);
    token[token.size() - 2] = token[token.size() - 2] == 'g' ? 'h' : 'g';
    JwtVerification &v = Verify(token, 0, Algorithm::HS256, "secret");
    EXPECT_FALSE(v.valid);
    EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "invalid token signature", ""));
    // The decoded parts are still there for pgjwt's (header, payload, valid) row.
    EXPECT_EQ(v.jws.payload, kJohnClaims);
    EXPECT_FALSE(Verify(kJohnHS256, 0, Algorithm::HS256, "Secret").valid);
}

TEST_F(Jwt, AlgorithmMismatchIsInvalid) {
    JwtVerification &v = Verify(kJohnHS256, 0, Algorithm::HS512, "secret");
    EXPECT_FALSE(v.valid);
    EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "token algorithm does not match",
                         "The token is signed with \"HS256\" but HS512 was expected."));
}

TEST_F(Jwt, ExpBoundary) {
    const std::string claims = R"({"sub":"a","exp":1000})";
    EXPECT_TRUE(ValidAt(claims, 0));
    EXPECT_TRUE(ValidAt(claims, 999));
    EXPECT_TRUE(ValidAt(claims, 999.999));
    JwtVerification &v = Verify(Sign(claims), 1000);  // now == exp: expired
    EXPECT_FALSE(v.valid);
    EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "token has expired", ""));
    EXPECT_FALSE(ValidAt(claims, 1000.001));
    EXPECT_FALSE(ValidAt(claims, 1e9));
}

TEST_F(Jwt, NbfBoundary) {
    const std::string claims = R"({"sub":"a","nbf":1000})";
    JwtVerification &v = Verify(Sign(claims), 999);
    EXPECT_FALSE(v.valid);
    EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "token is not yet valid", ""));
    EXPECT_FALSE(ValidAt(claims, 999.999));
    EXPECT_TRUE(ValidAt(claims, 1000));  // now == nbf: valid
    EXPECT_TRUE(ValidAt(claims, 1e9));
}

TEST_F(Jwt, FractionalTimes) {
    const std::string claims = R"({"nbf":100.25,"exp":100.5})";
    EXPECT_FALSE(ValidAt(claims, 100.2));
    EXPECT_TRUE(ValidAt(claims, 100.25));
    EXPECT_TRUE(ValidAt(claims, 100.4));
    EXPECT_FALSE(ValidAt(claims, 100.5));
    // Exponent notation is a number too.
    EXPECT_TRUE(ValidAt(R"({"exp":1.7e9})", 1.6e9));
    EXPECT_FALSE(ValidAt(R"({"exp":1.7e9})", 1.7e9));
}

TEST_F(Jwt, NonNumericTimesAreInvalid) {
    for (std::string_view claims : {R"({"exp":"2000"})", R"({"exp":null})", R"({"exp":true})",
                                    R"({"exp":[2000]})", R"({"exp":{"t":2000}})"}) {
        JwtVerification &v = Verify(Sign(claims), 0);
        EXPECT_FALSE(v.valid) << claims;
        EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "token claim \"exp\" is not a number",
                             kNotANumber))
            << claims;
    }
    JwtVerification &v = Verify(Sign(R"({"nbf":"0"})"), 1e9);
    EXPECT_FALSE(v.valid);
    EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "token claim \"nbf\" is not a number",
                         kNotANumber));
}

TEST_F(Jwt, OutOfRangeTimesAreInvalid) {
    ASSERT_EQ(kMaxNumericDate, 253402300799.0);  // 9999-12-31T23:59:59Z
    ASSERT_EQ(kMinNumericDate, -62135596800.0);  // 0001-01-01T00:00:00Z
    EXPECT_TRUE(ValidAt(R"({"exp":253402300799})", 0));
    EXPECT_TRUE(ValidAt(R"({"nbf":-62135596800})", 0));
    for (std::string_view claims :
         {R"({"exp":253402300800})", R"({"exp":1e300})", R"({"exp":-1e300})",
          R"({"exp":-62135596801})", R"({"exp":18446744073709551615})",
          R"({"exp":-9223372036854775808})"}) {
        JwtVerification &v = Verify(Sign(claims), 0);
        EXPECT_FALSE(v.valid) << claims;
        EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "token claim \"exp\" is out of range",
                             kOutOfRange))
            << claims;
    }
    for (std::string_view claims : {R"({"nbf":1e20})", R"({"nbf":-62135596800.5})"}) {
        JwtVerification &v = Verify(Sign(claims), 1e9);
        EXPECT_FALSE(v.valid) << claims;
        EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "token claim \"nbf\" is out of range",
                             kOutOfRange))
            << claims;
    }
}

// iat is not compared with the clock by verify, but like exp and nbf it
// must be a number in range.
TEST_F(Jwt, IatMustBeAValidNumericDate) {
    EXPECT_TRUE(ValidAt(R"({"iat":4102444800})", 0));  // 2100: in the future is fine
    JwtVerification &v = Verify(Sign(R"({"iat":"yesterday"})"), 0);
    EXPECT_FALSE(v.valid);
    EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "token claim \"iat\" is not a number",
                         kNotANumber));
    JwtVerification &w = Verify(Sign(R"({"iat":1e300})"), 0);
    EXPECT_FALSE(w.valid);
    EXPECT_TRUE(IsStatus(w.reason, Fault::token_rejected, "token claim \"iat\" is out of range",
                         kOutOfRange));
}

TEST_F(Jwt, HugeTimesAreOutOfRangeNotMalformed) {
    for (std::string_view claims :
         {R"({"exp":1e400})", R"({"exp":-1e400})", R"({"exp":123456789012345678901234567890})"}) {
        JwtVerification &v = Verify(Sign(claims), 0);
        EXPECT_FALSE(v.valid) << claims;
        EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "token claim \"exp\" is out of range",
                             kOutOfRange))
            << claims;
        EXPECT_EQ(v.jws.payload, claims);
    }
    // A huge number elsewhere in the claims does not matter.
    EXPECT_TRUE(ValidAt(R"({"id":123456789012345678901234567890,"exp":1000})", 999));
}

TEST_F(Jwt, SignatureIsCheckedBeforeTime) {
    std::string token = Sign(R"({"exp":1})");
    token[token.size() - 2] = token[token.size() - 2] == 'g' ? 'h' : 'g';
    JwtVerification &v = Verify(token, 1e9);
    EXPECT_FALSE(v.valid);
    EXPECT_EQ(v.reason.message, "invalid token signature");
}

TEST_F(Jwt, CritAndB64AreInvalid) {
    std::string token;
    // Signed at the JWS layer, since jwt_sign refuses these members.
    ASSERT_TRUE(IsOk(OSSL_CALL(jws_sign(R"({"alg":"HS256","crit":["exp"]})", R"({"exp":1e10})",
                                        Algorithm::HS256, SecretKey("secret"), token))));
    JwtVerification &v = Verify(token, 0);
    EXPECT_FALSE(v.valid);
    EXPECT_TRUE(IsStatus(v.reason, Fault::token_rejected, "token has critical header extensions",
                         "No extension named in \"crit\" is supported."));
    ASSERT_TRUE(IsOk(OSSL_CALL(jws_sign(R"({"alg":"HS256","b64":false})", R"({})", Algorithm::HS256,
                                        SecretKey("secret"), token))));
    JwtVerification &w = Verify(token, 0);
    EXPECT_FALSE(w.valid);
    EXPECT_TRUE(IsStatus(w.reason, Fault::token_rejected,
                         "token header member \"b64\" is not supported",
                         "The unencoded-payload option of RFC 7797 is not supported."));
}

TEST_F(Jwt, StandardBase64FormIsMalformed) {
    JwtVerification v;
    EXPECT_TRUE(IsStatus(
        OSSL_CALL(jwt_verify("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9."
                             "MQWECYWUT7bayj8miVgsj8KdYI3ZRVS+WRRZjfZrGrw=",
                             Algorithm::HS256, SecretKey("secretKey"), 0, v)),
        Fault::malformed_token, "invalid base64url in token signature",
        "Token parts must be unpadded base64url (RFC 7515 section 2) without white space or "
        "non-zero trailing bits."));
    EXPECT_FALSE(v.valid);
}

TEST_F(Jwt, MalformedTokensAreErrorsNotInvalid) {
    JwtVerification v;
    EXPECT_TRUE(
        IsStatus(OSSL_CALL(jwt_verify("a.b", Algorithm::HS256, SecretKey("s"), 0, v)),
                 Fault::malformed_token, "invalid token",
                 "A JWS in compact form has three parts separated by dots; this one has 2."));
    EXPECT_FALSE(v.valid);
    std::string not_json;
    ASSERT_TRUE(IsOk(OSSL_CALL(
        jws_sign(R"({"alg":"HS256"})", "foo", Algorithm::HS256, SecretKey("s"), not_json))));
    EXPECT_TRUE(pgjwt_test::IsStatusWithDetailPrefix(
        OSSL_CALL(jwt_verify(not_json, Algorithm::HS256, SecretKey("s"), 0, v)),
        Fault::malformed_token, "invalid JSON in token payload",
        "Token payload is not valid JSON: "));
    EXPECT_FALSE(v.valid);
    std::string dup;
    ASSERT_TRUE(IsOk(OSSL_CALL(jws_sign(R"({"alg":"HS256"})", R"({"exp":1,"exp":1e10})",
                                        Algorithm::HS256, SecretKey("s"), dup))));
    EXPECT_TRUE(IsStatus(OSSL_CALL(jwt_verify(dup, Algorithm::HS256, SecretKey("s"), 0, v)),
                         Fault::malformed_token, "duplicate member name in token payload",
                         "The member \"exp\" appears more than once."));
    EXPECT_FALSE(v.valid);
}

TEST_F(Jwt, BadKeyIsTheCallersFault) {
    Key key;
    EXPECT_TRUE(IsStatus(OSSL_CALL(resolve_key(Algorithm::HS256, "", KeyEncoding::text, key)),
                         Fault::invalid_argument, "HMAC secret must not be empty", ""));
}

TEST_F(Jwt, MaximumSizeTokenVerifies) {
    // {"a":"<49083 x>"} is 49091 bytes: the token is exactly 65536 bytes.
    std::string claims = R"({"a":")" + std::string(49083, 'x') + R"("})";
    std::string token = Sign(claims);
    ASSERT_EQ(token.size(), kMaxTokenBytes);
    EXPECT_TRUE(Verify(token, 0).valid);
    std::string too_long;
    claims.insert(6, "x");
    EXPECT_TRUE(IsStatus(SignClaims(claims, Algorithm::HS256, "secret", too_long),
                         Fault::invalid_argument, "token would be too long",
                         "The signed token would have 65537 bytes; at most 65536 are accepted."));
}

// Regression (see JsonValidate.OverflowingNumbersDoNotHideSyntaxErrors): a
// raw NUL byte after an overflowing number once passed the strict JSON
// check, and jwt_verify returned valid with that payload for a json column.
TEST_F(Jwt, PayloadWithRawNulIsMalformed) {
    using namespace std::literals;
    std::string token;
    ASSERT_TRUE(
        IsOk(OSSL_CALL(jws_sign(R"({"alg":"HS256"})", "{\"sub\":\"admin\",\"n\":1e999\0,\"x\":1}"sv,
                                Algorithm::HS256, SecretKey("secret"), token))));
    JwtVerification v;
    EXPECT_TRUE(pgjwt_test::IsStatusWithDetailPrefix(
        OSSL_CALL(jwt_verify(token, Algorithm::HS256, SecretKey("secret"), 0, v)),
        Fault::malformed_token, "invalid JSON in token payload",
        "Token payload is not valid JSON: "));
    EXPECT_FALSE(v.valid);
}

}  // namespace

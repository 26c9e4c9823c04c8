// The bounds on caller-supplied work (DESIGN.md section 2.8): key sets are
// bounded in keys and bytes, long loops stop on cancel, inputs that cannot
// fit in a token are refused by their size before any work, RSA public
// exponents are bounded, and quoted foreign text is escaped in messages.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/repo_path.hpp"
#include "core/base64url.hpp"
#include "core/cancel.hpp"
#include "core/json.hpp"
#include "core/jwk.hpp"
#include "core/jwk_export.hpp"
#include "core/jws.hpp"
#include "core/jwt.hpp"
#include "core/key.hpp"
#include "core/key_set.hpp"
#include "core/limits.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/secret_key.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;

class Limits : public pgjwt_test::OpenSslQueueTest {
  protected:
    void TearDown() override {
        set_cancel_check(nullptr);
        key_cache_clear();
        OpenSslQueueTest::TearDown();
    }
};

// A JWK set of `n` distinct oct keys of 32 bytes.
std::string OctSet(size_t n) {
    std::string set = "{\"keys\":[";
    for (size_t i = 0; i < n; i++) {
        if (i) set += ",";
        std::string secret(32, 'k');
        secret.replace(0, std::to_string(i).size(), std::to_string(i));
        set += "{\"kty\":\"oct\",\"kid\":\"k" + std::to_string(i) + "\",\"k\":\"" +
               base64url_encode(secret) + "\"}";
    }
    return set + "]}";
}

std::string ReadTestKey(const std::string &name) {
    std::ifstream file(pgjwt_test::RepoPath("test/keys") / name);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// ------------------------------------------------------------ key set bounds

TEST_F(Limits, JwkSetOfAtMost64Keys) {
    std::vector<JwkMembers> keys;
    bool is_set = false;
    EXPECT_TRUE(IsOk(parse_jwk_text(OctSet(kMaxKeySetKeys), keys, is_set)));
    EXPECT_EQ(keys.size(), kMaxKeySetKeys);
    EXPECT_TRUE(IsStatus(parse_jwk_text(OctSet(kMaxKeySetKeys + 1), keys, is_set), Fault::too_large,
                         "JWK set has too many keys",
                         "A JWK set may hold at most 64 keys; this one has 65."));
    // Through every use of a key set: here verification with HS256.
    Key key;
    EXPECT_TRUE(
        IsStatus(OSSL_CALL(resolve_key(Algorithm::HS256, OctSet(500), KeyEncoding::text, key)),
                 Fault::too_large, "JWK set has too many keys",
                 "A JWK set may hold at most 64 keys; this one has 500."));
}

TEST_F(Limits, KeyMaterialOfAtMostOneMebibyte) {
    Key key;
    std::string secret(kMaxKeyBytes, 's');
    EXPECT_TRUE(IsOk(resolve_key(Algorithm::HS256, secret, KeyEncoding::text, key)));
    secret.push_back('s');
    const char *detail =
        "Key material may have at most 1048576 bytes (1 MiB); this one has 1048577.";
    EXPECT_TRUE(IsStatus(resolve_key(Algorithm::HS256, secret, KeyEncoding::binary, key),
                         Fault::too_large, "key is too large", detail));
    EXPECT_TRUE(IsStatus(resolve_signing_key(Algorithm::HS256, secret, KeyEncoding::text, key),
                         Fault::too_large, "key is too large", detail));
    std::string jwk = "{\"kty\":\"oct\",\"k\":\"" + std::string(kMaxKeyBytes, 'A') + "\"}";
    std::vector<JwkMembers> keys;
    bool is_set = false;
    EXPECT_EQ(parse_jwk_text(jwk, keys, is_set).fault, Fault::too_large);
    EXPECT_EQ(resolve_key(Algorithm::ES256, jwk, KeyEncoding::text, key).fault, Fault::too_large);
    ImportedKey imported;
    EXPECT_EQ(import_key_text(Algorithm::HS256, secret, imported).fault, Fault::too_large);
    // A kid given to the keyring is bounded alike.
    ASSERT_TRUE(IsOk(import_key_text(Algorithm::HS256, std::string(32, 's'), imported)));
    KeyringEntry entry;
    EXPECT_TRUE(IsStatus(keyring_entry(imported, Algorithm::HS256, secret, entry), Fault::too_large,
                         "kid is too large", detail));
}

// ------------------------------------------------------------ cancellation

int polls_left = 0;
bool cancel_after_polls() noexcept {
    return --polls_left < 0;
}

TEST_F(Limits, KeySetWorkStopsOnCancel) {
    std::string set = OctSet(40);
    Key key;
    // Cancelled while reading the keys, or while importing them.
    for (int polls : {0, 10, 45}) {
        key_cache_clear();
        polls_left = polls;
        set_cancel_check(&cancel_after_polls);
        EXPECT_EQ(OSSL_CALL(resolve_key(Algorithm::HS256, set, KeyEncoding::text, key)).fault,
                  Fault::cancelled)
            << polls;
    }
    // Not cancelled: the same set resolves (nothing half-built was cached).
    set_cancel_check(nullptr);
    EXPECT_TRUE(IsOk(OSSL_CALL(resolve_key(Algorithm::HS256, set, KeyEncoding::text, key))));
    EXPECT_TRUE(IsStatus(cancelled(), Fault::cancelled, "canceling statement",
                         "pg_jwt stopped its work on request."));
}

TEST_F(Limits, LargeBase64urlStopsOnCancelBetweenChunks) {
    std::string data(30 * 1024 * 1024, '\0');
    for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<char>(i * 7 + i / 251);
    std::string encoded(base64url_encoded_size(data.size()), '\0');
    polls_left = 1;  // the first two chunks, then stop
    set_cancel_check(&cancel_after_polls);
    EXPECT_EQ(base64url_encode_to(data, encoded.data()).fault, Fault::cancelled);
    std::string decoded(base64url_decode_room(encoded.size()), '\0');
    size_t written = 0;
    polls_left = 0;
    EXPECT_EQ(base64url_decode_to(base64url_encode(data), decoded.data(), written).fault,
              Fault::cancelled);
    set_cancel_check(nullptr);
    // Uncancelled, chunk by chunk: the same text as in one piece, and back.
    ASSERT_TRUE(IsOk(base64url_encode_to(data, encoded.data())));
    EXPECT_EQ(encoded, base64url_encode(data));
    ASSERT_TRUE(IsOk(base64url_decode_to(encoded, decoded.data(), written)));
    EXPECT_EQ(written, data.size());
    EXPECT_EQ(std::string_view(decoded.data(), written), data);
    // A character outside the alphabet in a later chunk, and a bad tail.
    encoded[20 * 1024 * 1024] = '+';
    EXPECT_TRUE(IsStatus(base64url_decode_to(encoded, decoded.data(), written),
                         Fault::malformed_token, "invalid base64url",
                         "Input must be unpadded base64url (RFC 4648 section 5) without white "
                         "space or non-zero trailing bits."));
    EXPECT_EQ(base64url_decode_to("abcde", decoded.data(), written).fault, Fault::malformed_token);
    EXPECT_TRUE(IsOk(base64url_decode_to("", decoded.data(), written)));
    EXPECT_EQ(written, 0u);
}

// ------------------------------------------------------------ sign input sizes

TEST_F(Limits, SignRefusesInputsThatCannotFitBeforeWorkingOnThem) {
    JwtSignRequest request{};
    request.alg = Algorithm::HS256;
    request.key = pgjwt_test::SecretKey("secret");
    std::string claims = "{\"a\":\"" + std::string(2 * kMaxTokenBytes, 'x') + "\"}";
    request.claims_json = claims;
    std::string token;
    EXPECT_TRUE(IsStatus(jwt_sign(request, token), Fault::invalid_argument,
                         "token would be too long",
                         "The payload has 131080 bytes; a token has at most 65536."));
    EXPECT_TRUE(token.empty());  // refused before anything was built
    request.claims_json = "{}";
    std::string header = "{\"x\":\"" + std::string(2 * kMaxTokenBytes, 'x') + "\"}";
    request.extra_header = header;
    EXPECT_TRUE(IsStatus(jwt_sign(request, token), Fault::invalid_argument,
                         "token would be too long",
                         "The header argument has 131080 bytes; a token has at most 65536."));
    // Just under the size bound: built, then refused by the token's length.
    claims = "{\"a\":\"" + std::string(2 * kMaxTokenBytes - 8, 'x') + "\"}";
    request.claims_json = claims;
    request.extra_header = {};
    Status s = OSSL_CALL(jwt_sign(request, token));
    EXPECT_EQ(s.message, "token would be too long");
    EXPECT_TRUE(s.detail.starts_with("The signed token would have ")) << s.detail;
}

// ------------------------------------------------------------ RSA exponents

TEST_F(Limits, RsaPublicExponentAbove32BitsIsRefusedForEveryUse) {
    std::string pub = ReadTestKey("rsa3072-big-exponent.pub.pem");
    Key key;
    const char *detail =
        "pg_jwt accepts RSA public exponents below 2^32 (65537 is usual); this one has 3070 bits.";
    EXPECT_TRUE(IsStatus(OSSL_CALL(resolve_key(Algorithm::RS256, pub, KeyEncoding::text, key)),
                         Fault::invalid_argument, "RSA public exponent is too large", detail));
    ImportedKey imported;
    EXPECT_TRUE(IsStatus(OSSL_CALL(import_key_text(Algorithm::PS256, pub, imported)),
                         Fault::invalid_argument, "RSA public exponent is too large", detail));
    EXPECT_TRUE(IsStatus(
        OSSL_CALL(resolve_signing_key(Algorithm::RS256, ReadTestKey("rsa3072-big-exponent.pem"),
                                      KeyEncoding::text, key)),
        Fault::invalid_argument, "RSA public exponent is too large", detail));
    // A modulus above 16384 bits is refused on import, before the private
    // key's self-test (n = 2^20000 - 1, d = 2^19992 - 1: a 4 s signature).
    std::string jwk = "{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"" +
                      base64url_encode(std::string(2500, '\xff')) + "\",\"d\":\"" +
                      base64url_encode(std::string(2499, '\x7f')) + "\"}";
    EXPECT_TRUE(
        IsStatus(OSSL_CALL(resolve_signing_key(Algorithm::RS256, jwk, KeyEncoding::text, key)),
                 Fault::invalid_argument, "RSA key is too large",
                 "RSA keys have at most 16384 bits; this one has 20000."));
    // An ordinary key still verifies.
    EXPECT_TRUE(IsOk(OSSL_CALL(
        resolve_key(Algorithm::RS256, ReadTestKey("rsa3072.pub.pem"), KeyEncoding::text, key))));
}

// ------------------------------------------------------------ escaping

TEST_F(Limits, ForeignTextInMessagesIsEscaped) {
    // A duplicate member name with a carriage return, an escape and a C1 control.
    Status s = validate_json_object(
        json_input(std::string_view(R"({"a\r\u001b[2J\u0085":1,"a\r\u001b[2J\u0085":2})")),
        "token header");
    EXPECT_TRUE(IsStatus(s, Fault::malformed_token, "duplicate member name in token header",
                         R"(The member "a\r\u001b[2J\u0085" appears more than once.)"));
    // The token's alg in the reason verify gives.
    std::string header = R"({"alg":"HS256\r\n\u001b[31m"})";
    std::string token;
    ASSERT_TRUE(IsOk(OSSL_CALL(
        jws_sign(header, "{}", Algorithm::HS256, pgjwt_test::SecretKey("secret"), token))));
    pgjwt::Jws jws;
    ASSERT_TRUE(IsOk(jws_decode(token, jws)));
    EXPECT_TRUE(
        IsStatus(OSSL_CALL(jws_verify(jws, Algorithm::HS256, pgjwt_test::SecretKey("secret"))),
                 Fault::token_rejected, "token algorithm does not match",
                 R"(The token is signed with "HS256\r\n\u001b[31m" but HS256 was expected.)"));
}

}  // namespace

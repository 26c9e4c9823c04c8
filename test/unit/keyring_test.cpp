// The keyring cache (src/core/keyring.hpp) and validation against it: what
// jwt_validate asks the glue to read, kid lookups (also "absent"), the
// newest keys of an algorithm for a token without kid, time windows, bounds.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/base64url.hpp"
#include "core/jwt.hpp"
#include "core/keyring.hpp"
#include "core/validation.hpp"
#include "unit/secret_key.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;

constexpr std::string_view kSecretA = "secret-secret-secret-secret-secA";
constexpr std::string_view kSecretB = "secret-secret-secret-secret-secB";
constexpr double kNow = 1767225600;  // 2026-01-01T00:00:00Z

KeyringRecord Oct(std::string kid, std::string_view secret, double not_before = 0) {
    KeyringRecord r;
    r.kid = kid;
    r.algorithm = "HS256";
    r.jwk = "{\"kty\":\"oct\",\"kid\":\"" + kid + "\",\"k\":\"" + base64url_encode(secret) + "\"}";
    r.not_before = not_before;
    return r;
}

std::string Token(std::string_view secret, std::string_view header) {
    std::string token;
    EXPECT_TRUE(IsOk(jwt_sign(
        {Algorithm::HS256, pgjwt_test::SecretKey(secret), R"({"sub":"a"})", true, header}, token)));
    return token;
}

struct Fixture : ::testing::Test {
    KeyringCache cache;
    ValidationKeys keys;
    ValidationPolicy policy;
    ValidatedToken out;
    void SetUp() override {
        cache.sync(1);
        keys.keyring = &cache;
        policy.now = kNow;
    }
    Status Validate(std::string_view token) { return jwt_validate(token, keys, policy, out); }
};

using KeyringValidation = Fixture;

TEST_F(KeyringValidation, AsksForWhatItLacksThenValidates) {
    std::string token = Token(kSecretA, R"({"kid":"a"})");
    EXPECT_TRUE(IsStatus(Validate(token), Fault::internal, "keyring lookup needed", ""));
    EXPECT_EQ(out.keyring_request.kind, KeyringRequest::Kind::algorithms);
    cache.store_algorithms({"HS256"});
    EXPECT_TRUE(IsStatus(Validate(token), Fault::internal, "keyring lookup needed", ""));
    EXPECT_EQ(out.keyring_request.kind, KeyringRequest::Kind::kid);
    EXPECT_EQ(out.keyring_request.value, "a");
    KeyringRecord a = Oct("a", kSecretA);
    cache.store_kid("a", &a);
    EXPECT_TRUE(IsOk(Validate(token)));
    EXPECT_EQ(out.keyring_request.kind, KeyringRequest::Kind::none);
}

TEST_F(KeyringValidation, UnknownKidIsCachedAsAbsent) {
    cache.store_algorithms({"HS256"});
    cache.store_kid("nope", nullptr);
    EXPECT_TRUE(IsStatus(Validate(Token(kSecretA, R"({"kid":"nope"})")), Fault::token_rejected,
                         "no key matches the token's kid", ""));
}

TEST_F(KeyringValidation, KeyOfAnotherAlgorithmOrOutOfItsWindowDoesNotMatch) {
    cache.store_algorithms({"HS256"});
    KeyringRecord later = Oct("later", kSecretA, kNow + 60);
    cache.store_kid("later", &later);
    EXPECT_TRUE(IsStatus(Validate(Token(kSecretA, R"({"kid":"later"})")), Fault::token_rejected,
                         "no key matches the token's kid", ""));
    policy.now = kNow + 60;  // from not_before on
    EXPECT_TRUE(IsOk(Validate(Token(kSecretA, R"({"kid":"later"})"))));
    KeyringRecord expired = Oct("expired", kSecretA);
    expired.has_expiry = true;
    expired.expires_at = kNow;
    cache.store_kid("expired", &expired);
    policy.now = kNow;
    EXPECT_TRUE(IsStatus(Validate(Token(kSecretA, R"({"kid":"expired"})")), Fault::token_rejected,
                         "no key matches the token's kid", ""));
    KeyringRecord inactive = Oct("inactive", kSecretA);
    inactive.active = false;
    cache.store_kid("inactive", &inactive);
    EXPECT_TRUE(IsStatus(Validate(Token(kSecretA, R"({"kid":"inactive"})")), Fault::token_rejected,
                         "no key matches the token's kid", ""));
    KeyringRecord hs512 = Oct("hs512", kSecretA);
    hs512.algorithm = "HS512";
    cache.store_kid("hs512", &hs512);
    EXPECT_TRUE(IsStatus(Validate(Token(kSecretA, R"({"kid":"hs512"})")), Fault::token_rejected,
                         "no key matches the token's kid", ""));
}

TEST_F(KeyringValidation, WithoutKidTheNewestKeysOfTheAlgorithmAreTried) {
    cache.store_algorithms({"HS256"});
    std::string token = Token(kSecretB, "");
    EXPECT_TRUE(IsStatus(Validate(token), Fault::internal, "keyring lookup needed", ""));
    EXPECT_EQ(out.keyring_request.kind, KeyringRequest::Kind::candidates);
    EXPECT_EQ(out.keyring_request.value, "HS256");
    cache.store_candidates("HS256", {Oct("a", kSecretA), Oct("b", kSecretB)}, kNow - 10, kNow + 10);
    EXPECT_TRUE(IsOk(Validate(token)));
    // Outside the window the answer read is not used: read again.
    policy.now = kNow + 10;
    EXPECT_TRUE(IsStatus(Validate(token), Fault::internal, "keyring lookup needed", ""));
    cache.store_candidates("HS256", {Oct("a", kSecretA)}, kNow + 10, kNow + 20);
    EXPECT_TRUE(IsStatus(Validate(token), Fault::token_rejected, "invalid token signature", ""));
    cache.store_candidates("HS256", {}, kNow + 10, kNow + 20);
    EXPECT_TRUE(IsStatus(Validate(token), Fault::token_rejected, "no key for the token's algorithm",
                         "No configured key is for HS256."));
}

TEST_F(KeyringValidation, TokenAlgorithmMustBeInUse) {
    cache.store_algorithms({"HS512"});
    EXPECT_TRUE(IsStatus(Validate(Token(kSecretA, R"({"kid":"a"})")), Fault::token_rejected,
                         "token algorithm is not allowed",
                         "The token is signed with \"HS256\"; allowed: HS512."));
    cache.store_algorithms({});
    EXPECT_TRUE(IsStatus(Validate(Token(kSecretA, R"({"kid":"a"})")), Fault::invalid_argument,
                         "no key to validate with",
                         "Pass a key, or add keys to jwt.keys or to the pg_jwt.jwks setting."));
}

TEST(KeyringCache, NewGenerationForgetsEverything) {
    KeyringCache cache;
    cache.sync(1);
    KeyringRecord a = Oct("a", kSecretA);
    cache.store_kid("a", &a);
    cache.store_algorithms({"HS256"});
    cache.store_candidates("HS256", {a}, 0, 1);
    cache.sync(1);
    EXPECT_NE(cache.find_kid("a"), nullptr);
    cache.sync(2);
    EXPECT_EQ(cache.find_kid("a"), nullptr);
    EXPECT_EQ(cache.algorithms(), nullptr);
    EXPECT_EQ(cache.find_candidates("HS256", 0), nullptr);
}

TEST(KeyringCache, KidEntriesAreBounded) {
    KeyringCache cache;
    cache.sync(1);
    for (size_t i = 0; i < KeyringCache::kMaxKidEntries * 3; i++)
        cache.store_kid("unknown-" + std::to_string(i), nullptr);
    EXPECT_LE(cache.kid_entries(), KeyringCache::kMaxKidEntries);
    EXPECT_GE(cache.kid_entries(), 1u);
    const KeyringCache::KidEntry *last =
        cache.find_kid("unknown-" + std::to_string(KeyringCache::kMaxKidEntries * 3 - 1));
    ASSERT_NE(last, nullptr);
    EXPECT_FALSE(last->found);
    std::string big(1024 * 1024, 'x');
    KeyringRecord r = Oct("big", kSecretA);
    r.jwk = big;
    for (int i = 0; i < 10; i++) cache.store_kid("big" + std::to_string(i), &r);
    EXPECT_LE(cache.kid_entries(), 4u);
}

}  // namespace

// Key text given with an HS* algorithm (src/core/key.hpp): a secret, never
// public key material (key confusion, DESIGN.md section 3), never empty.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "common/repo_path.hpp"
#include "core/jws.hpp"
#include "core/key.hpp"
#include "core/key_set.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;

constexpr const char *kConfusionDetail =
    "An HS* algorithm needs a shared secret; using public key material as one would let anyone "
    "who knows the public key forge tokens.";

std::string ReadTestKey(const char *name) {
    std::ifstream in(pgjwt_test::RepoPath(std::string("test/keys/") + name));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

constexpr std::string_view kPemPublicKey =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9\n"
    "q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n"
    "-----END PUBLIC KEY-----\n";

TEST(CheckSecretText, OrdinarySecretsAreAccepted) {
    using namespace std::literals;
    for (std::string_view secret :
         {"secret"sv, "secretKey"sv, "s"sv, " "sv, "  \t\n"sv, "correct horse battery staple"sv,
          "-----BEGI"sv, "my -----BEGIN PUBLIC KEY-----"sv, "ssh-rsa"sv, "ssh-rsaAAAA"sv,
          "[1,2,3]"sv, "\"a string\""sv, "a{\"kty\":\"oct\"}"sv, "a\0b"sv, "\xff\xfe"sv,
          "\xc3\xa9t\xc3\xa9"sv}) {
        EXPECT_TRUE(IsOk(check_secret_text(secret))) << '"' << secret << '"';
    }
}

TEST(CheckSecretText, EmptyIsRefused) {
    EXPECT_TRUE(IsStatus(check_secret_text(""), Fault::invalid_argument,
                         "HMAC secret must not be empty", ""));
}

TEST(CheckSecretText, PemBlocksAreRefused) {
    for (std::string pem :
         {std::string(kPemPublicKey), "  \n" + std::string(kPemPublicKey),
          std::string("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
          std::string("-----BEGIN RSA PUBLIC KEY-----"),
          std::string("\t-----BEGIN PRIVATE KEY-----\r\n...")}) {
        EXPECT_TRUE(IsStatus(check_secret_text(pem), Fault::invalid_argument,
                             "key is a PEM block, not an HMAC secret", kConfusionDetail))
            << pem;
    }
}

TEST(CheckSecretText, JwkAndJwksAreRefused) {
    for (
        std::string_view jwk : {
            R"({"kty":"oct","k":"c2VjcmV0"})",
            R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})",
            R"({"keys":[{"kty":"RSA","n":"0vx7","e":"AQAB","kid":"1"}]})",
            "\n  {\"keys\": []}  \n",
            "{}",
        }) {
        EXPECT_TRUE(IsStatus(check_secret_text(jwk), Fault::invalid_argument,
                             "key is a JSON object (a JWK or JWKS), not an HMAC secret",
                             kConfusionDetail))
            << jwk;
    }
}

TEST(CheckSecretText, OpenSshKeysAreRefused) {
    for (std::string_view key : {
             "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC user@host",
             "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq user@host",
             "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
             "ssh-ed448 AAAACXNzaC1lZDQ0OAAAADl",
             "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY",
             "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t",
             "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNh",
             "  ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC\n",
         }) {
        EXPECT_TRUE(IsStatus(check_secret_text(key), Fault::invalid_argument,
                             "key is an OpenSSH key, not an HMAC secret", kConfusionDetail))
            << key;
    }
}

TEST(CheckSecretText, OpenSshPrivateKeyIsRefused) {
    // A PEM-like armour: refused either as PEM or as OpenSSH.
    Status s = check_secret_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
        "-----END OPENSSH PRIVATE KEY-----\n");
    EXPECT_EQ(s.fault, Fault::invalid_argument);
    EXPECT_TRUE(s.message.starts_with("key is ")) << s.message;
    EXPECT_TRUE(s.message.ends_with(", not an HMAC secret")) << s.message;
    EXPECT_EQ(s.detail, kConfusionDetail);
}

TEST(CheckSecretText, JsonObjectsThatAreNotStrictJsonAreStillRefused) {
    // A JWK with a repeated member, too deep, or not quite JSON is still not
    // a secret anyone meant to share.
    for (std::string_view jwk : {R"({"kty":"oct","kty":"oct","k":"c2VjcmV0"})",
                                 R"({"kty":"RSA","n":"0vx7","e":"AQAB",})"}) {
        Status s = check_secret_text(jwk);
        EXPECT_EQ(s.fault, Fault::invalid_argument) << jwk;
        EXPECT_EQ(s.message, "key is a JSON object (a JWK or JWKS), not an HMAC secret") << jwk;
    }
}

TEST(CheckSecretBytes, AnyNonEmptyBytesAreASecret) {
    using namespace std::literals;
    EXPECT_TRUE(IsOk(check_secret_bytes("\0"sv)));
    EXPECT_TRUE(IsOk(check_secret_bytes(kPemPublicKey)));
    EXPECT_TRUE(IsOk(check_secret_bytes(R"({"kty":"oct"})")));
    EXPECT_TRUE(IsStatus(check_secret_bytes(""), Fault::invalid_argument,
                         "HMAC secret must not be empty", ""));
}

// The signature of "x" under `key`, with the header {"alg":"<alg>"}.
std::string SignX(Algorithm alg, const Key &key) {
    std::string token;
    EXPECT_TRUE(IsOk(
        jws_sign("{\"alg\":\"" + std::string(algorithm_name(alg)) + "\"}", "x", alg, key, token)));
    return token;
}

// A Key holds its own copy of a raw secret (not a view of the caller's
// bytes), and keeps it when the key cache lets it go.
TEST(ResolveKey, AKeyOwnsItsSecret) {
    std::string material = "secretKey";
    Key key, fresh;
    ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS256, material, KeyEncoding::text, key)));
    ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS256, "secretKey", KeyEncoding::text, fresh)));
    const std::string expected = SignX(Algorithm::HS256, fresh);
    ASSERT_NE(key.set, nullptr);
    EXPECT_TRUE(key.set->raw_secret);
    EXPECT_EQ(key.set->keys.front()->key.secret.view(), "secretKey");
    EXPECT_NE(key.set->keys.front()->key.secret.data(), material.data());
    material.assign("XXXXXXXXX");
    key_cache_clear();
    EXPECT_EQ(SignX(Algorithm::HS256, key), expected);
}

TEST(ResolveKey, BinarySecretMayLookLikeAnything) {
    std::string material(kPemPublicKey);
    Key key;
    ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS512, material, KeyEncoding::binary, key)));
    EXPECT_TRUE(key.set->raw_secret);
    EXPECT_EQ(key.set->keys.front()->key.secret.view(), material);
    // The same bytes as text are refused: a PEM block is no HMAC secret.
    Key text;
    EXPECT_EQ(resolve_key(Algorithm::HS512, material, KeyEncoding::text, text).fault,
              Fault::invalid_argument);
}

// A Key pins the parsed key it refers to: evicted from the key cache by
// more keys than it holds, the key stays usable for as long as the Key
// lives (before 1.1.0 a Key was valid only until the next key was resolved).
TEST(ResolveKey, AKeyOutlivesItsEvictionFromTheCache) {
    key_cache_clear();
    Key es256;
    ASSERT_TRUE(IsOk(resolve_signing_key(Algorithm::ES256, ReadTestKey("ec_p256.pem"),
                                         KeyEncoding::text, es256)));
    for (int i = 0; i < 300; i++) {
        Key other;
        ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS256, "secret " + std::to_string(i),
                                     KeyEncoding::text, other)));
    }
    EXPECT_LT(key_cache_size(), 300u);
    std::string token = SignX(Algorithm::ES256, es256);
    Key verifier;
    ASSERT_TRUE(IsOk(resolve_key(Algorithm::ES256, ReadTestKey("ec_p256.pub.pem"),
                                 KeyEncoding::text, verifier)));
    pgjwt::Jws jws;
    ASSERT_TRUE(IsOk(jws_decode(token, jws)));
    EXPECT_TRUE(IsOk(jws_verify(jws, Algorithm::ES256, verifier)));
}

TEST(ResolveKey, RefusalsAreTheCallersFault) {
    Key key;
    EXPECT_TRUE(IsStatus(resolve_key(Algorithm::HS256, "", KeyEncoding::text, key),
                         Fault::invalid_argument, "HMAC secret must not be empty", ""));
    EXPECT_TRUE(IsStatus(resolve_key(Algorithm::HS256, "", KeyEncoding::binary, key),
                         Fault::invalid_argument, "HMAC secret must not be empty", ""));
    EXPECT_TRUE(IsStatus(resolve_key(Algorithm::HS384, kPemPublicKey, KeyEncoding::text, key),
                         Fault::invalid_argument, "key is a PEM block, not an HMAC secret",
                         kConfusionDetail));
    EXPECT_TRUE(IsStatus(
        resolve_key(Algorithm::HS256, "ssh-ed25519 AAAAC3Nza", KeyEncoding::text, key),
        Fault::invalid_argument, "key is an OpenSSH key, not an HMAC secret", kConfusionDetail));
}

// The key cache holds raw secrets as it holds parsed keys: one entry per
// (algorithm, purpose, secret), at most 128 of them and 8 MiB.
TEST(KeyCache, IsBoundedInEntries) {
    key_cache_clear();
    Key key;
    ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS256, "secret-0", KeyEncoding::text, key)));
    const std::string first = SignX(Algorithm::HS256, key);
    EXPECT_EQ(key_cache_size(), 1u);
    ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS256, "secret-0", KeyEncoding::text, key)));
    EXPECT_EQ(key_cache_size(), 1u);
    ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS384, "secret-0", KeyEncoding::text, key)));
    EXPECT_EQ(key_cache_size(), 2u) << "one entry per algorithm";
    ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS256, "secret-0", KeyEncoding::binary, key)));
    EXPECT_EQ(key_cache_size(), 3u) << "bytes and text are different keys";
    for (int i = 1; i < 300; ++i)
        ASSERT_TRUE(IsOk(
            resolve_key(Algorithm::HS256, "secret-" + std::to_string(i), KeyEncoding::text, key)));
    EXPECT_EQ(key_cache_size(), 128u);
    // An evicted key is prepared again and gives the same signature.
    ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS256, "secret-0", KeyEncoding::text, key)));
    EXPECT_EQ(SignX(Algorithm::HS256, key), first);
    key_cache_clear();
    EXPECT_EQ(key_cache_size(), 0u);
}

TEST(KeyCache, IsBoundedInBytes) {
    key_cache_clear();
    Key key;
    for (int i = 0; i < 12; ++i)
        ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS512, std::string(1024 * 1024, 'a' + i),
                                     KeyEncoding::binary, key)));
    EXPECT_LE(key_cache_size(), 8u);
    EXPECT_GE(key_cache_size(), 6u);
    key_cache_clear();
}

}  // namespace

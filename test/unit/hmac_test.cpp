// HS256/384/512 through a keyed EVP_MAC_CTX, re-initialised per message
// (src/core/hmac.hpp).
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "core/hmac.hpp"
#include "unit/hex.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::FromHex;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;
using pgjwt_test::ToHex;

class Hmac : public pgjwt_test::OpenSslQueueTest {
  protected:
    static MacCtxPtr Context(Algorithm alg, std::string_view secret) {
        MacCtxPtr ctx;
        EXPECT_TRUE(IsOk(OSSL_CALL(hmac_context(alg, secret, ctx))));
        return ctx;
    }
    // The tag as hex, or a description of the failure.
    static std::string TagHex(EVP_MAC_CTX *ctx, std::string_view message) {
        unsigned char tag[kMaxHmacTagBytes];
        size_t tag_len = 0;
        Status s = OSSL_CALL(hmac_compute(ctx, message, tag, tag_len));
        if (!s.ok()) return "error: " + pgjwt_test::Describe(s);
        return ToHex(std::string_view(reinterpret_cast<const char *>(tag), tag_len));
    }
    static std::string TagHex(Algorithm alg, std::string_view secret, std::string_view message) {
        MacCtxPtr ctx = Context(alg, secret);
        return ctx ? TagHex(ctx.get(), message) : "error: no context";
    }
    static bool Verifies(Algorithm alg, std::string_view secret, std::string_view message,
                         std::string_view tag) {
        MacCtxPtr ctx = Context(alg, secret);
        bool matches = true;
        Status s = OSSL_CALL(hmac_verify(ctx.get(), message, tag, matches));
        EXPECT_TRUE(IsOk(s));
        return matches;
    }
};

struct Rfc4231Case {
    const char *name;
    std::string key_hex;
    std::string message;
    const char *sha256, *sha384, *sha512;
};

// RFC 4231 section 4, test cases 1, 2 and 6 (case 5 truncates the tag, which
// JOSE never does); each value was also checked with
//   openssl dgst -sha256 -mac HMAC -macopt hexkey:<key> -hex
const Rfc4231Case kRfc4231[] = {
    {"case 1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa"
     "9cb6",
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3"
     "f4e4be9d914eeb61f1702e696c203a126854"},
    {"case 2", "4a656665" /* "Jefe" */, "what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab2"
     "1649",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0"
     "e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    {"case 6 (key longer than the block)", std::string(262, 'a'),
     "Test Using Larger Than Block-Size Key - Hash Key First",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
     "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f4"
     "4952",
     "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a"
     "1e5295e64f73f63f0aec8b915a985d786598"},
};

TEST_F(Hmac, Rfc4231Vectors) {
    for (const auto &c : kRfc4231) {
        std::string key = FromHex(c.key_hex);
        EXPECT_EQ(TagHex(Algorithm::HS256, key, c.message), c.sha256) << c.name;
        EXPECT_EQ(TagHex(Algorithm::HS384, key, c.message), c.sha384) << c.name;
        EXPECT_EQ(TagHex(Algorithm::HS512, key, c.message), c.sha512) << c.name;
        EXPECT_TRUE(Verifies(Algorithm::HS256, key, c.message, FromHex(c.sha256))) << c.name;
        EXPECT_TRUE(Verifies(Algorithm::HS384, key, c.message, FromHex(c.sha384))) << c.name;
        EXPECT_TRUE(Verifies(Algorithm::HS512, key, c.message, FromHex(c.sha512))) << c.name;
    }
}

// A context keyed once and re-initialised per message gives the one-shot
// tag (EVP_Q_mac) for every secret length around the block sizes (64 for
// SHA-256, 128 for SHA-384/512: a longer secret is hashed first, RFC 2104
// section 2) and several message lengths, each secret used for several
// messages in a row (the reused-context path).
TEST_F(Hmac, SameTagsAsOpenSslHmac) {
    struct Case {
        Algorithm alg;
        const char *digest;
    };
    std::string secret, message;
    for (int i = 0; i < 300; i++) secret.push_back(static_cast<char>((i * 37 + 11) & 0xff));
    for (int i = 0; i < 300; i++) message.push_back(static_cast<char>((i * 101 + 7) & 0xff));
    int compared = 0;
    for (Case c : {Case{Algorithm::HS256, "SHA256"}, Case{Algorithm::HS384, "SHA384"},
                   Case{Algorithm::HS512, "SHA512"}}) {
        for (size_t key_len : {1, 31, 32, 63, 64, 65, 127, 128, 129, 200, 300}) {
            std::string_view k(secret.data(), key_len);
            MacCtxPtr ctx = Context(c.alg, k);
            ASSERT_TRUE(ctx);
            for (size_t message_len : {0, 1, 55, 56, 64, 111, 112, 128, 300}) {
                std::string_view m(message.data(), message_len);
                unsigned char expected[EVP_MAX_MD_SIZE];
                size_t expected_len = 0;
                ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, c.digest, nullptr, k.data(), k.size(),
                                    reinterpret_cast<const unsigned char *>(m.data()), m.size(),
                                    expected, sizeof expected, &expected_len),
                          nullptr);
                EXPECT_EQ(
                    TagHex(ctx.get(), m),
                    ToHex(std::string_view(reinterpret_cast<const char *>(expected), expected_len)))
                    << c.digest << " key " << key_len << " message " << message_len;
                compared++;
            }
        }
    }
    EXPECT_EQ(compared, 3 * 11 * 9);
}

TEST_F(Hmac, EmptyMessage) {
    // openssl dgst -sha256 -hmac secret -hex </dev/null (and -sha384, -sha512)
    EXPECT_EQ(TagHex(Algorithm::HS256, "secret", ""),
              "f9e66e179b6747ae54108f82f8ade8b3c25d76fd30afde6c395822c530196169");
    EXPECT_EQ(TagHex(Algorithm::HS384, "secret", ""),
              "b818f4664d0826b102b72cf2a687f558368f2152b15b83a7f389e48c335fc455282c61e97335dae370ba"
              "c31a8196772d");
    EXPECT_EQ(TagHex(Algorithm::HS512, "secret", ""),
              "b0e9650c5faf9cd8ae02276671545424104589b3656731ec193b25d01b07561c27637c2d4d68389d6cf5"
              "007a8632c26ec89ba80a01c77a6cdd389ec28db43901");
}

TEST_F(Hmac, TagLengthIsTheDigestSize) {
    for (Algorithm alg : {Algorithm::HS256, Algorithm::HS384, Algorithm::HS512}) {
        unsigned char tag[kMaxHmacTagBytes];
        size_t tag_len = 0;
        MacCtxPtr ctx = Context(alg, "k");
        ASSERT_TRUE(IsOk(OSSL_CALL(hmac_compute(ctx.get(), "m", tag, tag_len))));
        EXPECT_EQ(tag_len, digest_size(algorithm_digest(alg)));
    }
}

TEST_F(Hmac, EmptySecretIsTheCallersFault) {
    MacCtxPtr ctx;
    EXPECT_TRUE(IsStatus(OSSL_CALL(hmac_context(Algorithm::HS256, "", ctx)),
                         Fault::invalid_argument, "HMAC secret must not be empty", ""));
    EXPECT_FALSE(ctx);
}

TEST_F(Hmac, VerifyChecksLengthAndEveryByte) {
    std::string message = "eyJhbGciOiJIUzI1NiJ9.e30";
    std::string tag = FromHex(TagHex(Algorithm::HS256, "secret", message));
    ASSERT_EQ(tag.size(), 32u);
    EXPECT_TRUE(Verifies(Algorithm::HS256, "secret", message, tag));
    for (size_t i = 0; i < tag.size(); ++i) {
        std::string bad = tag;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        EXPECT_FALSE(Verifies(Algorithm::HS256, "secret", message, bad)) << i;
    }
    EXPECT_FALSE(Verifies(Algorithm::HS256, "secret", message, ""));
    EXPECT_FALSE(Verifies(Algorithm::HS256, "secret", message, tag.substr(0, 16)));
    EXPECT_FALSE(Verifies(Algorithm::HS256, "secret", message, tag.substr(0, 31)));
    EXPECT_FALSE(Verifies(Algorithm::HS256, "secret", message, tag + '\0'));
    EXPECT_FALSE(Verifies(Algorithm::HS256, "secret", message, tag + tag));
    EXPECT_FALSE(Verifies(Algorithm::HS256, "secreT", message, tag));
    EXPECT_FALSE(Verifies(Algorithm::HS256, "secret", message + " ", tag));
    // The HS256 tag is not an HS384 or HS512 tag, nor their prefix.
    EXPECT_FALSE(Verifies(Algorithm::HS384, "secret", message, tag));
    EXPECT_FALSE(Verifies(Algorithm::HS512, "secret", message, tag));
}

TEST_F(Hmac, SecretsAreBytes) {
    using namespace std::literals;
    // A NUL byte inside a secret is part of it.
    EXPECT_NE(TagHex(Algorithm::HS256, "a\0b"sv, "m"), TagHex(Algorithm::HS256, "ab"sv, "m"));
    EXPECT_NE(TagHex(Algorithm::HS256, "a\0b"sv, "m"), TagHex(Algorithm::HS256, "a"sv, "m"));
    // RFC 2104 pads a short key with zero bytes, so "a" and "a\0" are the same
    // HMAC key (two entries of the key cache, whose contexts agree).
    EXPECT_EQ(TagHex(Algorithm::HS256, "a\0"sv, "m"), TagHex(Algorithm::HS256, "a"sv, "m"));
    // The same secret under two algorithms gives two different tags.
    EXPECT_NE(TagHex(Algorithm::HS384, "a"sv, "m").substr(0, 64),
              TagHex(Algorithm::HS256, "a"sv, "m"));
}

TEST_F(Hmac, StaleErrorsAreClearedOnEntry) {
    // An error left by someone else must not survive a successful call.
    ERR_raise(ERR_LIB_EVP, EVP_R_INVALID_KEY);
    MacCtxPtr ctx;
    EXPECT_TRUE(IsOk(OSSL_CALL(hmac_context(Algorithm::HS256, "k", ctx))));
    ERR_raise(ERR_LIB_EVP, EVP_R_INVALID_KEY);
    unsigned char tag[kMaxHmacTagBytes];
    size_t tag_len = 0;
    EXPECT_TRUE(IsOk(OSSL_CALL(hmac_compute(ctx.get(), "m", tag, tag_len))));
    ERR_raise(ERR_LIB_EVP, EVP_R_INVALID_KEY);
    bool matches = false;
    EXPECT_TRUE(IsOk(OSSL_CALL(hmac_verify(ctx.get(), "m", std::string_view("", 0), matches))));
}

}  // namespace

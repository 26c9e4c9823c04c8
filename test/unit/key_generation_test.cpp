// Generated keys (src/core/key_generation.hpp): HMAC secrets are printable
// base64url text whose bytes are the secret (issue 16, item 3), long enough
// for the byte rule of RFC 7518 section 3.2 and carrying the hash size's
// entropy.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/base64url.hpp"
#include "core/key.hpp"
#include "core/key_generation.hpp"
#include "core/key_import.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;

bool IsBase64urlText(std::string_view text) {
    for (char c : text)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    return true;
}

TEST(GenerateKey, HmacSecretsArePrintableBase64urlOfTheHashSize) {
    struct Case {
        Algorithm alg;
        size_t characters;
        size_t random_bytes;
    };
    for (const Case &c : {Case{Algorithm::HS256, 43, 32}, Case{Algorithm::HS384, 64, 48},
                          Case{Algorithm::HS512, 86, 64}}) {
        ImportedKey key;
        ASSERT_TRUE(IsOk(generate_key(c.alg, 0, key)));
        EXPECT_EQ(key.type, KeyType::oct);
        EXPECT_TRUE(key.has_private);
        ASSERT_EQ(key.secret.size(), c.characters);
        EXPECT_TRUE(IsBase64urlText(key.secret.view())) << key.secret.view();
        // The text is the strict base64url form of random bytes of the hash
        // size, so it carries that many bits.
        std::string decoded;
        ASSERT_TRUE(base64url_decode(key.secret.view(), decoded));
        EXPECT_EQ(decoded.size(), c.random_bytes);
        EXPECT_EQ(c.random_bytes, digest_size(algorithm_digest(c.alg)));
        // jwt.add_key (the strict API) takes the text as a secret for the
        // algorithm: it is longer than the hash.
        EXPECT_TRUE(IsOk(check_secret_text(key.secret.view())));
        ImportedKey pasted;
        ASSERT_TRUE(IsOk(import_key_text(c.alg, key.secret.view(), pasted)));
        EXPECT_EQ(pasted.secret.view(), key.secret.view());
    }
}

TEST(GenerateKey, HmacSecretsDiffer) {
    std::set<std::string> seen;
    for (int i = 0; i < 64; i++) {
        ImportedKey key;
        ASSERT_TRUE(IsOk(generate_key(Algorithm::HS256, 0, key)));
        seen.emplace(key.secret.view());
    }
    EXPECT_EQ(seen.size(), 64u);
}

}  // namespace

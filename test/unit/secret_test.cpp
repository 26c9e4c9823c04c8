// Key material is wiped before its memory is freed (src/core/secret.hpp and
// every copy the core makes: the key cache, parsed JWK members, the JSON
// parser's buffers, exported private JWKs). The plain test binary looks
// into every block freed through operator delete (freed_memory_probe.hpp);
// OpenSSL's own copies are OpenSSL's (it frees them with OPENSSL_clear_free).
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/repo_path.hpp"
#include "core/base64url.hpp"
#include "core/jwk_export.hpp"
#include "core/key.hpp"
#include "core/key_generation.hpp"
#include "core/key_import.hpp"
#include "core/key_set.hpp"
#include "core/scratch.hpp"
#include "core/secret.hpp"
#include "unit/freed_memory_probe.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::FreedMemoryProbe;
using pgjwt_test::IsOk;

#define SKIP_WITHOUT_PROBE()                         \
    if (!pgjwt_test::freed_memory_probe_available()) \
    GTEST_SKIP() << "freed memory cannot be inspected under AddressSanitizer"

// The probe works: a std::string freed with a secret in it is seen, also a
// short one inside a freed object (the short-string buffer).
TEST(Secret, TheProbeSeesUnwipedCopies) {
    SKIP_WITHOUT_PROBE();
    const std::string needle = "short-secret";  // 12 bytes: inside the object
    FreedMemoryProbe probe(needle);
    auto held = std::make_unique<std::string>(needle);
    held.reset();
    EXPECT_EQ(probe.hits(), 1u);
}

TEST(Secret, ASecretStringLeavesNothingBehind) {
    SKIP_WITHOUT_PROBE();
    const std::string needle = "short-secret";
    FreedMemoryProbe probe(needle);
    {
        // Short, inside a heap object; grown, moved, copied, reassigned.
        auto held = std::make_unique<SecretString>(needle);
        std::vector<SecretString> many;
        for (int i = 0; i < 20; i++) many.emplace_back(needle);
        SecretString grown(needle);
        for (int i = 0; i < 10; i++) grown.append(grown.view().substr(0, 12));
        SecretString moved(std::move(grown));
        SecretString copy = moved;
        copy = "other";
        moved.wipe();
    }
    EXPECT_EQ(probe.hits(), 0u);
}

// A raw secret, an oct JWK and an EC private JWK, resolved, then evicted
// from the key cache: no freed block holds the secret or the private
// member, neither the cache's entries nor the temporary copies of the
// resolution (the cache key, the JWK's members, the parser's buffers).
TEST(Secret, TheKeyCacheLeavesNoKeyBehind) {
    SKIP_WITHOUT_PROBE();
    key_cache_clear();
    const std::string secret = "raw-secret-0123456789abcdef-0123456789";
    const std::string k = base64url_encode("oct-secret-0123456789abcdef-0123456789");
    const std::string oct = R"({"kty":"oct","alg":"HS256","k":")" + k + "\"}";
    ImportedKey ec;
    {
        std::ifstream in(pgjwt_test::RepoPath("test/keys/ec_p256.pem"));
        std::stringstream s;
        s << in.rdbuf();
        ASSERT_TRUE(IsOk(import_pem(s.str(), ec)));
    }
    KeyringEntry entry;
    ASSERT_TRUE(IsOk(keyring_entry(ec, Algorithm::ES256, "ec", entry)));
    std::string ec_jwk(entry.private_jwk);
    size_t d_at = ec_jwk.find("\"d\":\"") + 5;
    const std::string d = ec_jwk.substr(d_at, ec_jwk.find('"', d_at) - d_at);
    for (const std::string *needle : {&secret, &k, &d}) {
        FreedMemoryProbe probe(*needle);
        {
            Key a, b, c;
            ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS256, secret, KeyEncoding::text, a)));
            ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS256, oct, KeyEncoding::text, b)));
            ASSERT_TRUE(IsOk(resolve_signing_key(Algorithm::ES256, ec_jwk, KeyEncoding::text, c)));
        }
        key_cache_clear();
        EXPECT_EQ(probe.hits(), 0u) << "freed blocks holding " << *needle;
    }
    // The caller's own copy, here and in the test: not the core's.
    OPENSSL_cleanse(ec_jwk.data(), ec_jwk.size());
}

// Key text larger than the parser keeps (256 KiB) makes the backend's JSON
// parser release its buffers after the call: they must not hold the key.
TEST(Secret, TheJsonParserLeavesNoKeyBehind) {
    SKIP_WITHOUT_PROBE();
    key_cache_clear();
    const std::string k = base64url_encode("oct-secret-for-the-parser-0123456789abcdef");
    const std::string oct = R"({"kty":"oct","alg":"HS256","x-padding":")" +
                            std::string(300 * 1024, 'p') + R"(","k":")" + k + "\"}";
    FreedMemoryProbe probe(k);
    {
        Key key;
        ASSERT_TRUE(IsOk(resolve_key(Algorithm::HS256, oct, KeyEncoding::text, key)));
    }
    release_large_buffers();
    key_cache_clear();
    EXPECT_EQ(probe.hits(), 0u);
}

// A private JWK written out (jwt.generate_key, jwt.add_key): the string it
// is built in grows as members are appended, and every buffer it leaves is
// wiped, as is the entry when it goes.
TEST(Secret, APrivateJwkLeavesNothingBehind) {
    SKIP_WITHOUT_PROBE();
    ImportedKey key;
    ASSERT_TRUE(IsOk(generate_key(Algorithm::HS512, 0, key)));
    SecretString k;
    base64url_append(key.secret, k);
    FreedMemoryProbe probe(k.view());
    {
        KeyringEntry entry;
        ASSERT_TRUE(IsOk(keyring_entry(key, Algorithm::HS512, "kid", entry)));
        ASSERT_NE(std::string_view(entry.private_jwk).find(k.view()), std::string_view::npos);
    }
    EXPECT_EQ(probe.hits(), 0u);
}

}  // namespace

// Key import (src/core/key_import.hpp) of the fixed test keys in test/keys:
// every PEM form imports, as public or private, and leaves OpenSSL's error
// queue empty (the PEM decoder tries several formats on the way).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/repo_path.hpp"
#include "core/jwk_export.hpp"
#include "core/jwk.hpp"
#include "core/key_import.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;

class KeyImport : public pgjwt_test::OpenSslQueueTest {};

std::string ReadTestKey(const std::string &name) {
    std::ifstream file(pgjwt_test::RepoPath("test/keys") / name);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

TEST_F(KeyImport, EveryTestKeyImportsAndLeavesTheQueueEmpty) {
    const std::filesystem::path dir = pgjwt_test::RepoPath("test/keys");
    ASSERT_FALSE(dir.empty()) << "test/keys not found";
    int imported = 0;
    for (const auto &entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".pem") continue;
        std::ifstream file(entry.path());
        std::stringstream text;
        text << file.rdbuf();
        const std::string name = entry.path().filename().string();
        if (name.starts_with("rsa3072-big-exponent")) continue;  // refused: see below
        ImportedKey key;
        EXPECT_TRUE(IsOk(OSSL_CALL(import_pem(text.str(), key)))) << name;
        const bool public_only =
            name.find(".pub.") != std::string::npos || name.find(".cert.") != std::string::npos;
        EXPECT_EQ(key.has_private, !public_only) << name;
        EXPECT_NE(key.pkey, nullptr) << name;
        imported++;
    }
    EXPECT_EQ(imported, 27);  // every file of test/keys/README.md but the refused ones
}

// RSA public exponents are bounded below 2^32 (a 3070-bit exponent makes
// each verification some 200 times slower): refused on import, public and
// private, PEM and JWK, before the private key's self-test.
TEST_F(KeyImport, HugeRsaPublicExponentIsRefused) {
    const char *detail =
        "pg_jwt accepts RSA public exponents below 2^32 (65537 is usual); this one has 3070 "
        "bits.";
    for (const char *name : {"rsa3072-big-exponent.pub.pem", "rsa3072-big-exponent.pem"}) {
        ImportedKey key;
        EXPECT_TRUE(pgjwt_test::IsStatus(OSSL_CALL(import_pem(ReadTestKey(name), key)),
                                         Fault::invalid_argument,
                                         "RSA public exponent is too large", detail))
            << name;
    }
    // The same key as a JWK: e is 3070 bits of base64url.
    ImportedKey pem_key;
    ASSERT_TRUE(IsOk(import_pem(ReadTestKey("rsa2048.pub.pem"), pem_key)));
    SecretString members_text("{");
    ASSERT_TRUE(IsOk(append_key_members(pem_key, false, members_text)));
    std::string jwk(members_text.view());
    jwk += "}";
    // Replace e (65537, "AQAB") by 2^32 + 1, then by 2^32 - 1 (the largest accepted).
    auto with_e = [&](const std::string &e) {
        std::string text = jwk;
        size_t at = text.find("\"e\":\"AQAB\"");
        text.replace(at, 10, "\"e\":\"" + e + "\"");
        std::vector<JwkMembers> members;
        bool is_set = false;
        EXPECT_TRUE(IsOk(parse_jwk_text(text, members, is_set)));
        ImportedKey key;
        return OSSL_CALL(import_jwk(members.front(), key));
    };
    EXPECT_TRUE(pgjwt_test::IsStatus(
        with_e("AQAAAAE"), Fault::invalid_argument, "RSA public exponent is too large",
        "pg_jwt accepts RSA public exponents below 2^32 (65537 is usual); this one has 33 bits."));
    EXPECT_TRUE(IsOk(with_e("_____w")));
}

}  // namespace

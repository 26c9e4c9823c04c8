// Key import (src/core/key_import.hpp) of the fixed test keys in test/keys:
// every PEM form imports, as public or private, and leaves OpenSSL's error
// queue empty (the PEM decoder tries several formats on the way).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/repo_path.hpp"
#include "core/key_import.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;

class KeyImport : public pgjwt_test::OpenSslQueueTest {};

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
        ImportedKey key;
        EXPECT_TRUE(IsOk(OSSL_CALL(import_pem(text.str(), key)))) << name;
        const bool public_only =
            name.find(".pub.") != std::string::npos || name.find(".cert.") != std::string::npos;
        EXPECT_EQ(key.has_private, !public_only) << name;
        EXPECT_NE(key.pkey, nullptr) << name;
        imported++;
    }
    EXPECT_EQ(imported, 25);  // every file of test/keys/README.md
}

}  // namespace

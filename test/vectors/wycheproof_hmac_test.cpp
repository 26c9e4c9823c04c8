// Project Wycheproof's HMAC-SHA2 vectors (test/vectors/wycheproof) through
// pgjwt::hmac_compute and pgjwt::hmac_verify. JOSE uses the full tag and a
// key of at least the hash size (RFC 7518 section 3.2), so only such groups
// run; truncated-tag and short-key groups are counted as skipped.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "core/hmac.hpp"
#include "unit/openssl_queue.hpp"
#include "vectors/vector_files.hpp"

namespace {

using namespace pgjwt;
namespace dom = simdjson::dom;

struct HmacFile {
    const char *file;
    Algorithm alg;
};

class WycheproofHmac : public ::testing::TestWithParam<HmacFile> {
  protected:
    void SetUp() override { ERR_clear_error(); }
    void TearDown() override { EXPECT_TRUE(pgjwt_test::OpenSslQueueIsEmpty()); }
};

TEST_P(WycheproofHmac, FullTagsWithFullSizeKeys) {
    const HmacFile &param = GetParam();
    const std::string relative = std::string("wycheproof/") + param.file;
    const auto path = pgjwt_test::VectorPath(relative);
    ASSERT_FALSE(path.empty()) << "test/vectors/" << relative
                               << " not found: run from the repository root";
    dom::parser parser;
    dom::element root = parser.load(path.string());

    const size_t hash_bits = 8 * digest_size(algorithm_digest(param.alg));
    size_t valid = 0, invalid = 0, skipped_groups = 0, skipped_cases = 0;
    for (dom::element group : root["testGroups"].get_array()) {
        const uint64_t key_bits = group["keySize"].get_uint64();
        const uint64_t tag_bits = group["tagSize"].get_uint64();
        dom::array tests = group["tests"].get_array();
        if (tag_bits != hash_bits || key_bits < hash_bits) {
            ++skipped_groups;
            skipped_cases += tests.size();
            continue;
        }
        for (dom::element test : tests) {
            const int64_t id = test["tcId"].get_int64();
            const std::string_view result = test["result"].get_string();
            std::string key, msg, tag;
            ASSERT_TRUE(pgjwt_test::HexToBytes(test["key"].get_string(), key)) << "tc" << id;
            ASSERT_TRUE(pgjwt_test::HexToBytes(test["msg"].get_string(), msg)) << "tc" << id;
            ASSERT_TRUE(pgjwt_test::HexToBytes(test["tag"].get_string(), tag)) << "tc" << id;

            MacCtxPtr ctx;
            ASSERT_TRUE(OSSL_CALL(hmac_context(param.alg, key, ctx)).ok()) << "tc" << id;
            bool matches = false;
            Status s = OSSL_CALL(hmac_verify(ctx.get(), msg, tag, matches));
            EXPECT_TRUE(s.ok()) << "tc" << id << ": " << s.message;
            if (result == "valid") {
                ++valid;
                EXPECT_TRUE(matches) << param.file << " tc" << id << " (valid) does not verify";
                unsigned char computed[kMaxHmacTagBytes];
                size_t computed_len = 0;
                s = OSSL_CALL(hmac_compute(ctx.get(), msg, computed, computed_len));
                EXPECT_TRUE(s.ok()) << "tc" << id << ": " << s.message;
                EXPECT_EQ(std::string_view(reinterpret_cast<const char *>(computed), computed_len),
                          tag)
                    << param.file << " tc" << id << ": computed tag differs";
            } else {
                ++invalid;
                EXPECT_EQ(result, "invalid") << "tc" << id;
                EXPECT_FALSE(matches) << param.file << " tc" << id << " (invalid) verifies";
            }
        }
    }
    std::printf(
        "[ vectors  ] %s: %zu cases run (%zu valid, %zu invalid); %zu cases in %zu "
        "groups skipped (truncated tag or key shorter than the hash)\n",
        param.file, valid + invalid, valid, invalid, skipped_cases, skipped_groups);
    RecordProperty("cases_run", static_cast<int>(valid + invalid));
    RecordProperty("cases_skipped", static_cast<int>(skipped_cases));
    EXPECT_GT(valid, 0u) << "no valid case ran";
    EXPECT_GT(invalid, 0u) << "no invalid case ran";
}

INSTANTIATE_TEST_SUITE_P(Files, WycheproofHmac,
                         ::testing::Values(HmacFile{"hmac_sha256_test.json", Algorithm::HS256},
                                           HmacFile{"hmac_sha384_test.json", Algorithm::HS384},
                                           HmacFile{"hmac_sha512_test.json", Algorithm::HS512}),
                         [](const ::testing::TestParamInfo<HmacFile> &info) {
                             return std::string(algorithm_name(info.param.alg));
                         });

}  // namespace

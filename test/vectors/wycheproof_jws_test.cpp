// Project Wycheproof's JSON Web Signature and JSON Web Encryption vectors
// (test/vectors/wycheproof) against the JWS layer: pgjwt::jws_decode then
// pgjwt::jws_verify, with the algorithm taken from the test's key, never
// from the token. Valid cases must verify; invalid ones must be refused,
// either as malformed (decode) or as rejected (verify).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/base64url.hpp"
#include "core/jws.hpp"
#include "core/key.hpp"
#include "unit/openssl_queue.hpp"
#include "vectors/vector_files.hpp"

namespace {

using namespace pgjwt;
namespace dom = simdjson::dom;

// Errata in json_web_signature_test.json: a strict verifier disagrees with
// these cases, and they are the only ones not run (each reason is checked).
enum class Erratum { same_as_valid_tc357, contains_question_mark };
const std::map<int64_t, Erratum> kErrata = {
    // byte-identical to the valid tc357, yet marked invalid
    {367, Erratum::same_as_valid_tc357},
    {370, Erratum::same_as_valid_tc357},
    // contain '?', which is not base64url, yet marked valid
    {372, Erratum::contains_question_mark},
    {373, Erratum::contains_question_mark},
};

dom::element LoadVectors(dom::parser &parser, const char *file) {
    const auto path = pgjwt_test::VectorPath(std::string("wycheproof/") + file);
    if (path.empty())
        throw std::runtime_error(std::string("test/vectors/wycheproof/") + file +
                                 " not found: run from the repository root");
    return parser.load(path.string());
}

// The group's JWK: "private" for oct keys, else the public one.
dom::object GroupKey(dom::element group) {
    dom::object key;
    if (group["public"].get(key) == simdjson::SUCCESS) return key;
    return group["private"].get_object();
}

std::string_view KeyType(dom::object key) {
    std::string_view kty;
    if (key["kty"].get(kty) != simdjson::SUCCESS) return "(none)";
    return kty;
}

class WycheproofJws : public ::testing::Test {
  protected:
    void SetUp() override { ERR_clear_error(); }
    void TearDown() override { EXPECT_TRUE(pgjwt_test::OpenSslQueueIsEmpty()); }
};

// Outcome of one compact JWS: accepted, or refused as malformed or rejected.
// Any other fault (internal, invalid argument) is a failure of its own.
struct Outcome {
    bool accepted = false;
    Status status;
};

Outcome DecodeAndVerify(std::string_view token, Algorithm alg, const Key &key, int64_t id) {
    Outcome out;
    pgjwt::Jws jws;
    out.status = jws_decode(token, jws);
    if (!out.status.ok()) {
        EXPECT_EQ(out.status.fault, Fault::malformed_token)
            << "tc" << id << ": decode failed with " << out.status.message;
        return out;
    }
    out.status = OSSL_CALL(jws_verify(jws, alg, key));
    if (!out.status.ok()) {
        EXPECT_EQ(out.status.fault, Fault::token_rejected)
            << "tc" << id << ": verify failed with " << out.status.message << " ("
            << out.status.detail << ")";
        return out;
    }
    out.accepted = true;
    return out;
}

TEST_F(WycheproofJws, HmacGroups) {
    dom::parser parser;
    dom::element root = LoadVectors(parser, "json_web_signature_test.json");

    // tc357's token, for checking the errata's reason.
    std::string_view tc357;
    for (dom::element group : root["testGroups"].get_array())
        for (dom::element test : group["tests"].get_array())
            if (int64_t(test["tcId"]) == 357) tc357 = test["jws"].get_string();
    ASSERT_FALSE(tc357.empty());

    size_t groups = 0, valid = 0, invalid = 0, errata = 0;
    for (dom::element group : root["testGroups"].get_array()) {
        dom::object jwk = GroupKey(group);
        if (KeyType(jwk) != "oct") continue;
        ++groups;
        std::string_view alg_name;
        if (jwk["alg"].get(alg_name) != simdjson::SUCCESS) alg_name = group["alg"].get_string();
        std::optional<Algorithm> alg = parse_algorithm(alg_name);
        ASSERT_TRUE(alg.has_value()) << "unknown alg " << alg_name;
        std::string secret;
        ASSERT_TRUE(base64url_decode(jwk["k"].get_string(), secret)) << "bad \"k\"";
        Key key;
        ASSERT_TRUE(resolve_key(*alg, secret, KeyEncoding::binary, key).ok());

        for (dom::element test : group["tests"].get_array()) {
            const int64_t id = test["tcId"].get_int64();
            const std::string_view token = test["jws"].get_string();
            const std::string_view result = test["result"].get_string();
            if (auto e = kErrata.find(id); e != kErrata.end()) {
                ++errata;
                if (e->second == Erratum::same_as_valid_tc357) {
                    EXPECT_EQ(result, "invalid") << "tc" << id;
                    EXPECT_EQ(token, tc357) << "tc" << id << " is no longer identical to tc357";
                } else {
                    EXPECT_EQ(result, "valid") << "tc" << id;
                    EXPECT_NE(token.find('?'), std::string_view::npos) << "tc" << id;
                }
                continue;
            }
            Outcome o = DecodeAndVerify(token, *alg, key, id);
            if (result == "valid") {
                ++valid;
                EXPECT_TRUE(o.accepted)
                    << "tc" << id << " (valid, " << test["comment"]
                    << ") refused: " << o.status.message << " (" << o.status.detail << ")";
            } else {
                ++invalid;
                EXPECT_EQ(result, "invalid") << "tc" << id;
                EXPECT_FALSE(o.accepted)
                    << "tc" << id << " (invalid, " << test["comment"] << ") accepted";
            }
        }
    }
    EXPECT_EQ(errata, kErrata.size()) << "an erratum on the skip list is not in the file";
    std::printf(
        "[ vectors  ] json_web_signature_test.json, HMAC (oct) keys: %zu groups, %zu "
        "cases run (%zu valid, %zu invalid), %zu skipped as errata (tc367, tc370, "
        "tc372, tc373)\n",
        groups, valid + invalid, valid, invalid, errata);
    RecordProperty("cases_run", static_cast<int>(valid + invalid));
    RecordProperty("cases_skipped", static_cast<int>(errata));
    EXPECT_GT(valid, 0u);
    EXPECT_GT(invalid, 0u);
}

// Errata for strict verifiers among the asymmetric groups: the RFC 7520
// figures are signed with another algorithm than their JWK's "alg" says, and
// a key is bound to its algorithm (DESIGN.md section 3), so pg_jwt refuses
// them although they are marked valid. Each reason is checked.
enum class AsymmetricErratum { token_alg_differs_from_jwk_alg, jwk_alg_is_not_a_jose_name };
const std::map<int64_t, AsymmetricErratum> kAsymmetricErrata = {
    // RFC 7520 Figure 20: the token is PS384, the JWK says "alg":"PS256"
    {346, AsymmetricErratum::token_alg_differs_from_jwk_alg},
    {350, AsymmetricErratum::token_alg_differs_from_jwk_alg},
    // RFC 7520 Figure 27: the JWK says "alg":"ES521" (the token is ES512)
    {347, AsymmetricErratum::jwk_alg_is_not_a_jose_name},
    {351, AsymmetricErratum::jwk_alg_is_not_a_jose_name},
};

// The algorithm a caller passes with a JWK that names none: by key type, as
// jwt.validate does (DESIGN.md section 5): RSA RS256, EC by curve.
std::string_view DefaultAlgorithm(dom::object jwk) {
    std::string_view kty = KeyType(jwk), crv;
    if (kty == "RSA") return "RS256";
    if (jwk["crv"].get(crv) != simdjson::SUCCESS) return "";
    if (crv == "P-256") return "ES256";
    if (crv == "P-384") return "ES384";
    if (crv == "P-521") return "ES512";
    if (crv == "secp256k1") return "ES256K";
    if (crv == "Ed25519" || crv == "Ed448") return "EdDSA";
    return "";
}

// RSA and EC groups: the group's public JWK, as text, through resolve_key.
TEST_F(WycheproofJws, AsymmetricGroups) {
    dom::parser parser;
    dom::element root = LoadVectors(parser, "json_web_signature_test.json");
    std::map<std::string, size_t> by_kty;
    size_t valid = 0, invalid = 0, refused_keys = 0, errata = 0;
    for (dom::element group : root["testGroups"].get_array()) {
        dom::object jwk = GroupKey(group);
        const std::string kty(KeyType(jwk));
        if (kty == "oct") continue;
        const std::string jwk_text = simdjson::minify(jwk);
        std::string_view alg_name;
        if (jwk["alg"].get(alg_name) != simdjson::SUCCESS) alg_name = DefaultAlgorithm(jwk);
        const std::optional<Algorithm> alg = parse_algorithm(alg_name);
        Key key;
        Status key_status = Status::InvalidArgument("no algorithm");
        if (alg) key_status = OSSL_CALL(resolve_key(*alg, jwk_text, KeyEncoding::text, key));

        for (dom::element test : group["tests"].get_array()) {
            const int64_t id = test["tcId"].get_int64();
            const std::string_view token = test["jws"].get_string();
            const std::string_view result = test["result"].get_string();
            if (auto e = kAsymmetricErrata.find(id); e != kAsymmetricErrata.end()) {
                ++errata;
                EXPECT_EQ(result, "valid") << "tc" << id;
                if (e->second == AsymmetricErratum::jwk_alg_is_not_a_jose_name) {
                    EXPECT_FALSE(alg.has_value()) << "tc" << id << ": " << alg_name;
                } else {
                    pgjwt::Jws jws;
                    ASSERT_TRUE(jws_decode(token, jws).ok()) << "tc" << id;
                    EXPECT_NE(jws.header.alg, alg_name) << "tc" << id;
                }
                continue;
            }
            ++by_kty[kty];
            ASSERT_TRUE(alg.has_value()) << "tc" << id << ": no usable alg for the JWK";
            Outcome o;
            if (key_status.ok()) {
                o = DecodeAndVerify(token, *alg, key, id);
            } else {
                // A key unfit for signatures ("use":"enc", key_ops) is the caller's fault.
                EXPECT_EQ(key_status.fault, Fault::invalid_argument) << "tc" << id;
                o.status = key_status;
                ++refused_keys;
            }
            if (result == "valid") {
                ++valid;
                EXPECT_TRUE(o.accepted)
                    << "tc" << id << " (valid, " << test["comment"]
                    << ") refused: " << o.status.message << " (" << o.status.detail << ")";
            } else {
                ++invalid;
                EXPECT_EQ(result, "invalid") << "tc" << id;
                EXPECT_FALSE(o.accepted)
                    << "tc" << id << " (invalid, " << test["comment"] << ") accepted";
            }
        }
    }
    EXPECT_EQ(errata, kAsymmetricErrata.size()) << "an erratum on the list is not in the file";
    std::string kinds;
    for (const auto &[kty, n] : by_kty) kinds += " " + kty + " " + std::to_string(n);
    std::printf(
        "[ vectors  ] json_web_signature_test.json, asymmetric keys:%s: %zu cases run "
        "(%zu valid, %zu invalid, of which %zu refused at the key), %zu skipped as "
        "errata (tc346, tc347, tc350, tc351)\n",
        kinds.c_str(), valid + invalid, valid, invalid, refused_keys, errata);
    RecordProperty("cases_run", static_cast<int>(valid + invalid));
    RecordProperty("cases_skipped", static_cast<int>(errata));
    EXPECT_GT(valid, 0u);
    EXPECT_GT(invalid, 0u);
}

// Every JWE in Wycheproof's encryption vectors, valid or not as a JWE, must
// be refused by a JWS verifier, at the decoding step.
TEST_F(WycheproofJws, JweIsNeverAJws) {
    dom::parser parser;
    dom::element root = LoadVectors(parser, "json_web_encryption_test.json");
    size_t cases = 0;
    for (dom::element group : root["testGroups"].get_array()) {
        for (dom::element test : group["tests"].get_array()) {
            const int64_t id = test["tcId"].get_int64();
            const std::string_view token = test["jwe"].get_string();
            pgjwt::Jws jws;
            Status s = jws_decode(token, jws);
            EXPECT_EQ(s.fault, Fault::malformed_token) << "tc" << id << ": " << s.message;
            ++cases;
        }
    }
    std::printf("[ vectors  ] json_web_encryption_test.json: %zu cases run, all refused\n", cases);
    RecordProperty("cases_run", static_cast<int>(cases));
    EXPECT_GT(cases, 0u);
}

}  // namespace

// The algorithm allow-list (src/core/algorithm.hpp): names match exactly,
// and each algorithm maps to one family, digest and (ES*, Ed*) curve.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/algorithm.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;

struct Expected {
    Algorithm alg;
    std::string_view name;
    AlgorithmFamily family;
    Digest digest;
    Curve curve;
};

// RFC 7518 section 3.1, RFC 8812 (ES256K), RFC 8037 (EdDSA), RFC 9864 (Ed25519, Ed448).
constexpr Expected kAll[] = {
    {Algorithm::HS256, "HS256", AlgorithmFamily::hmac, Digest::sha256, Curve::none},
    {Algorithm::HS384, "HS384", AlgorithmFamily::hmac, Digest::sha384, Curve::none},
    {Algorithm::HS512, "HS512", AlgorithmFamily::hmac, Digest::sha512, Curve::none},
    {Algorithm::RS256, "RS256", AlgorithmFamily::rsa_pkcs1, Digest::sha256, Curve::none},
    {Algorithm::RS384, "RS384", AlgorithmFamily::rsa_pkcs1, Digest::sha384, Curve::none},
    {Algorithm::RS512, "RS512", AlgorithmFamily::rsa_pkcs1, Digest::sha512, Curve::none},
    {Algorithm::PS256, "PS256", AlgorithmFamily::rsa_pss, Digest::sha256, Curve::none},
    {Algorithm::PS384, "PS384", AlgorithmFamily::rsa_pss, Digest::sha384, Curve::none},
    {Algorithm::PS512, "PS512", AlgorithmFamily::rsa_pss, Digest::sha512, Curve::none},
    {Algorithm::ES256, "ES256", AlgorithmFamily::ecdsa, Digest::sha256, Curve::p256},
    {Algorithm::ES384, "ES384", AlgorithmFamily::ecdsa, Digest::sha384, Curve::p384},
    {Algorithm::ES512, "ES512", AlgorithmFamily::ecdsa, Digest::sha512, Curve::p521},
    {Algorithm::ES256K, "ES256K", AlgorithmFamily::ecdsa, Digest::sha256, Curve::secp256k1},
    {Algorithm::EdDSA, "EdDSA", AlgorithmFamily::eddsa, Digest::none, Curve::none},
    {Algorithm::Ed25519, "Ed25519", AlgorithmFamily::eddsa, Digest::none, Curve::ed25519},
    {Algorithm::Ed448, "Ed448", AlgorithmFamily::eddsa, Digest::none, Curve::ed448},
};

TEST(Algorithm, EveryNameParsesAndMaps) {
    for (const Expected &e : kAll) {
        EXPECT_EQ(parse_algorithm(e.name), e.alg) << e.name;
        EXPECT_EQ(algorithm_name(e.alg), e.name);
        EXPECT_EQ(algorithm_family(e.alg), e.family) << e.name;
        EXPECT_EQ(algorithm_digest(e.alg), e.digest) << e.name;
        EXPECT_EQ(algorithm_curve(e.alg), e.curve) << e.name;
    }
}

TEST(Algorithm, NamesAreExactAndCaseSensitive) {
    using namespace std::literals;
    for (std::string_view name :
         {""sv,        "none"sv,   "None"sv,     "NONE"sv,    "hs256"sv,       "Hs256"sv,
          "hS256"sv,   "HS256 "sv, " HS256"sv,   "HS 256"sv,  "HS-256"sv,      "HS"sv,
          "HS25"sv,    "HS2560"sv, "HS1024"sv,   "HS256\0"sv, "HMAC-SHA256"sv, "sha256"sv,
          "rs256"sv,   "ES521"sv,  "es256k"sv,   "ES256k"sv,  "eddsa"sv,       "EDDSA"sv,
          "ed25519"sv, "X25519"sv, "RSA-OAEP"sv, "A128KW"sv,  "dir"sv}) {
        EXPECT_EQ(parse_algorithm(name), std::nullopt) << '"' << name << '"';
    }
}

TEST(Algorithm, DigestSizesAndNames) {
    EXPECT_EQ(digest_size(Digest::sha256), 32u);
    EXPECT_EQ(digest_size(Digest::sha384), 48u);
    EXPECT_EQ(digest_size(Digest::sha512), 64u);
    EXPECT_EQ(digest_size(Digest::none), 0u);
    EXPECT_STREQ(digest_openssl_name(Digest::sha256), "SHA256");
    EXPECT_STREQ(digest_openssl_name(Digest::sha384), "SHA384");
    EXPECT_STREQ(digest_openssl_name(Digest::sha512), "SHA512");
    EXPECT_STREQ(digest_openssl_name(Digest::none), "");
}

TEST(Algorithm, Curves) {
    struct CurveCase {
        Curve curve;
        std::string_view name;
        size_t field_size;
    };
    const CurveCase curves[] = {
        {Curve::p256, "P-256", 32},      {Curve::p384, "P-384", 48},
        {Curve::p521, "P-521", 66},      {Curve::secp256k1, "secp256k1", 32},
        {Curve::ed25519, "Ed25519", 32}, {Curve::ed448, "Ed448", 57},
    };
    for (const CurveCase &c : curves) {
        EXPECT_EQ(curve_name(c.curve), c.name);
        EXPECT_EQ(parse_curve(c.name), c.curve) << c.name;
        EXPECT_EQ(curve_field_size(c.curve), c.field_size) << c.name;
    }
    EXPECT_EQ(curve_name(Curve::none), "none");
    EXPECT_EQ(curve_field_size(Curve::none), 0u);
    for (std::string_view name : {"", "none", "p-256", "P256", "P-521 ", "X25519", "X448",
                                  "SECP256K1", "secp256r1", "ed25519"})
        EXPECT_EQ(parse_curve(name), std::nullopt) << '"' << name << '"';
}

TEST(AlgorithmFromArgument, KnownNames) {
    Algorithm alg = Algorithm::HS256;
    for (const Expected &e : kAll) {
        ASSERT_TRUE(IsOk(algorithm_from_argument(e.name, alg))) << e.name;
        EXPECT_EQ(alg, e.alg);
    }
}

constexpr std::string_view kSupported =
    "Supported algorithms are HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, "
    "ES256, ES384, ES512, ES256K, EdDSA, Ed25519, Ed448 (names are case-sensitive).";

TEST(AlgorithmFromArgument, UnknownNameIsTheCallersFault) {
    for (std::string_view name : {"hs256", "none", "", "HS256 ", "RSA-OAEP"}) {
        Algorithm alg = Algorithm::HS384;
        EXPECT_TRUE(IsStatus(algorithm_from_argument(name, alg), Fault::invalid_argument,
                             "unsupported algorithm \"" + std::string(name) + "\"", kSupported));
        EXPECT_EQ(alg, Algorithm::HS384) << "the output is left alone on failure";
    }
}

// At most 32 bytes of the caller's name, cut at a character boundary, with
// "..." when cut: the message stays short and valid UTF-8.
TEST(AlgorithmFromArgument, LongNamesAreCutInTheMessage) {
    Algorithm alg;
    EXPECT_TRUE(IsStatus(algorithm_from_argument(std::string(40, 'A'), alg),
                         Fault::invalid_argument,
                         "unsupported algorithm \"" + std::string(32, 'A') + "...\"", kSupported));
    EXPECT_TRUE(IsStatus(algorithm_from_argument(std::string(32, 'B'), alg),
                         Fault::invalid_argument,
                         "unsupported algorithm \"" + std::string(32, 'B') + "\"", kSupported));
    std::string name = "a", shown = "a";
    for (int i = 0; i < 20; ++i) name += "\xc3\xa9";  // 1 + 40 bytes
    for (int i = 0; i < 15; ++i) shown += "\xc3\xa9";
    Status s = algorithm_from_argument(name, alg);
    EXPECT_TRUE(IsStatus(s, Fault::invalid_argument, "unsupported algorithm \"" + shown + "...\"",
                         kSupported));
    EXPECT_TRUE(pgjwt_test::IsValidUtf8(s.message));
}

}  // namespace

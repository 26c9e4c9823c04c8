// The fixed keys and seed tokens of the fuzz_verify_<family> targets, shared
// by the targets (which verify with the public halves) and make_seeds.cpp
// (which signs the seeds with the private halves). Keys come from test/keys.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/algorithm.hpp"
#include "core/base64url.hpp"
#include "core/key_import.hpp"
#include "core/jwk_export.hpp"
#include "fuzz/common.hpp"

namespace fuzz {

// A way the target verifies: an algorithm and key text (PEM, JWK set or secret).
struct Variant {
    pgjwt::Algorithm alg;
    std::string material;
};

// A seed token: signed with `signing_material` (private PEM or secret) under
// `alg`, with `extra_header` (a kid or nothing) and one of the payloads.
struct SeedSpec {
    pgjwt::Algorithm alg;
    std::string signing_material;
    std::string extra_header;
};

struct Family {
    std::string name;
    std::vector<Variant> variants;
    std::vector<SeedSpec> seeds;
};

// Claims of every seed: one valid at the fuzzers' clock (1700000000), one
// with nbf and jti, one expired (its signature still verifies).
inline const std::vector<std::string> &SeedPayloads() {
    static const std::vector<std::string> payloads = {
        R"({"sub":"seed-1","iat":1699990000,"exp":1800000000})",
        R"({"sub":"seed-2","nbf":1600000000,"jti":"j-2","role":"admin"})",
        R"({"sub":"seed-3","exp":1600000000})",
    };
    return payloads;
}

// {"kid":"<kid>", <canonical public JWK members>} for a PEM key file.
inline std::string PublicJwkWithKid(const char *file, const char *kid) {
    pgjwt::ImportedKey key;
    pgjwt::Status s = pgjwt::import_pem(KeyFile(file), key);
    FUZZ_CHECK(s.ok(), file << ": " << Describe(s));
    pgjwt::SecretString canonical;
    s = pgjwt::canonical_public_jwk(key, canonical);
    FUZZ_CHECK(s.ok(), file << ": " << Describe(s));
    return "{\"kid\":\"" + std::string(kid) + "\"," + std::string(canonical.view().substr(1));
}

inline std::string KidHeader(const char *kid) {
    return std::string("{\"kid\":\"") + kid + "\"}";
}

constexpr std::string_view kHmacSecret1 =
    "fuzz-verify-hmac-secret-1-0123456789abcdef0123456789abcdef0123456";
constexpr std::string_view kHmacSecret2 =
    "fuzz-verify-hmac-secret-2-fedcba9876543210fedcba9876543210fedcba9";

inline Family MakeFamily(std::string_view name) {
    using pgjwt::Algorithm;
    Family f;
    f.name = std::string(name);
    if (name == "hmac") {
        std::string jwks = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h1\",\"k\":\"" +
                           pgjwt::base64url_encode(kHmacSecret1) +
                           "\"},{\"kty\":\"oct\",\"kid\":\"h2\",\"k\":\"" +
                           pgjwt::base64url_encode(kHmacSecret2) + "\"}]}";
        for (Algorithm alg : {Algorithm::HS256, Algorithm::HS384, Algorithm::HS512}) {
            f.variants.push_back({alg, std::string(kHmacSecret1)});
            f.variants.push_back({alg, jwks});
            f.seeds.push_back({alg, std::string(kHmacSecret1), ""});
            f.seeds.push_back({alg, std::string(kHmacSecret1), KidHeader("h1")});
            f.seeds.push_back({alg, std::string(kHmacSecret2), KidHeader("h2")});
        }
    } else if (name == "rsa") {
        std::string pub = KeyFile("rsa2048.pub.pem"), priv = KeyFile("rsa2048.pem");
        std::string priv3072 = KeyFile("rsa3072.pem");
        std::string jwks = "{\"keys\":[" + PublicJwkWithKid("rsa2048.pub.pem", "r1") + "," +
                           PublicJwkWithKid("rsa3072.pub.pem", "r2") + "]}";
        for (Algorithm alg : {Algorithm::RS256, Algorithm::RS384, Algorithm::RS512,
                              Algorithm::PS256, Algorithm::PS384, Algorithm::PS512}) {
            f.variants.push_back({alg, pub});
            f.variants.push_back({alg, jwks});
            f.seeds.push_back({alg, priv, ""});
            f.seeds.push_back({alg, priv, KidHeader("r1")});
            f.seeds.push_back({alg, priv3072, KidHeader("r2")});
        }
    } else if (name == "ecdsa") {
        struct Curve {
            Algorithm alg;
            const char *priv, *pub, *kid;
        };
        const Curve curves[] = {
            {Algorithm::ES256, "ec_p256.pem", "ec_p256.pub.pem", "e1"},
            {Algorithm::ES384, "ec_p384.pem", "ec_p384.pub.pem", "e2"},
            {Algorithm::ES512, "ec_p521.pem", "ec_p521.pub.pem", "e3"},
            {Algorithm::ES256K, "ec_secp256k1.pem", "ec_secp256k1.pub.pem", "e4"},
        };
        std::string jwks = "{\"keys\":[";
        for (const Curve &c : curves) {
            if (jwks.back() != '[') jwks += ",";
            jwks += PublicJwkWithKid(c.pub, c.kid);
        }
        jwks += "]}";
        for (const Curve &c : curves) {
            f.variants.push_back({c.alg, KeyFile(c.pub)});
            f.variants.push_back({c.alg, jwks});
            f.seeds.push_back({c.alg, KeyFile(c.priv), ""});
            f.seeds.push_back({c.alg, KeyFile(c.priv), KidHeader(c.kid)});
        }
    } else if (name == "eddsa") {
        std::string pub25519 = KeyFile("ed25519.pub.pem"), pub448 = KeyFile("ed448.pub.pem");
        std::string priv25519 = KeyFile("ed25519.pem"), priv448 = KeyFile("ed448.pem");
        std::string jwks = "{\"keys\":[" + PublicJwkWithKid("ed25519.pub.pem", "d1") + "," +
                           PublicJwkWithKid("ed448.pub.pem", "d2") + "]}";
        f.variants = {{Algorithm::EdDSA, pub25519}, {Algorithm::EdDSA, pub448},
                      {Algorithm::EdDSA, jwks},     {Algorithm::Ed25519, pub25519},
                      {Algorithm::Ed25519, jwks},   {Algorithm::Ed448, pub448},
                      {Algorithm::Ed448, jwks}};
        f.seeds = {{Algorithm::EdDSA, priv25519, ""},
                   {Algorithm::EdDSA, priv448, ""},
                   {Algorithm::EdDSA, priv25519, KidHeader("d1")},
                   {Algorithm::EdDSA, priv448, KidHeader("d2")},
                   {Algorithm::Ed25519, priv25519, KidHeader("d1")},
                   {Algorithm::Ed448, priv448, ""}};
    } else {
        Fail(__FILE__, __LINE__, "unknown family " + f.name);
    }
    return f;
}

// The other valid ECDSA signature of the same message: (r, n - s). Empty
// when `token` is not an ES* token of the expected shape.
inline std::string EcdsaTwin(std::string_view token, pgjwt::Algorithm alg) {
    int nid = alg == pgjwt::Algorithm::ES256    ? NID_X9_62_prime256v1
              : alg == pgjwt::Algorithm::ES384  ? NID_secp384r1
              : alg == pgjwt::Algorithm::ES512  ? NID_secp521r1
              : alg == pgjwt::Algorithm::ES256K ? NID_secp256k1
                                                : NID_undef;
    size_t dot = token.rfind('.');
    std::string sig;
    if (nid == NID_undef || dot == std::string_view::npos ||
        !pgjwt::base64url_decode(token.substr(dot + 1), sig) || sig.size() % 2)
        return {};
    size_t half = sig.size() / 2;
    EC_GROUP *group = EC_GROUP_new_by_curve_name(nid);
    BIGNUM *s = BN_bin2bn(reinterpret_cast<const unsigned char *>(sig.data()) + half,
                          static_cast<int>(half), nullptr);
    BIGNUM *twin = BN_new();
    FUZZ_CHECK(group && s && twin && BN_sub(twin, EC_GROUP_get0_order(group), s) == 1,
               "ECDSA twin");
    std::string twin_sig = sig.substr(0, half) + std::string(half, '\0');
    FUZZ_CHECK(BN_bn2binpad(twin, reinterpret_cast<unsigned char *>(twin_sig.data()) + half,
                            static_cast<int>(half)) == static_cast<int>(half),
               "ECDSA twin width");
    BN_free(twin);
    BN_free(s);
    EC_GROUP_free(group);
    return std::string(token.substr(0, dot + 1)) + pgjwt::base64url_encode(twin_sig);
}

}  // namespace fuzz

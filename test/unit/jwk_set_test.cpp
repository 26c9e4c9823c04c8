// Key sets as identity providers publish them (src/core/jwk_set.hpp, issue
// 16 item 1): keys pg_jwt does not understand are skipped (RFC 7517 section
// 5), in a key argument, in the pg_jwt.jwks setting and in jwt.add_key; a
// set with no usable key is refused with the reason for each key, named by
// its position and kid; duplicate kids count among the kept keys of one
// type only; a set whose keys name different algorithms works without an
// algorithm; Firebase's certificate map is a set. Keys are the fixed ones
// of test/keys; rsa2048.cert.pem is a self-signed certificate of rsa2048.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/repo_path.hpp"
#include "core/jwk.hpp"
#include "core/jwk_export.hpp"
#include "core/jwk_set.hpp"
#include "core/jwt.hpp"
#include "core/key_algorithms.hpp"
#include "core/key_import.hpp"
#include "core/key_set.hpp"
#include "core/keyring_import.hpp"
#include "core/validation.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;

constexpr double kNow = 1767225600;  // 2026-01-01T00:00:00Z

std::string ReadTestKey(const std::string &name) {
    std::ifstream in(pgjwt_test::RepoPath("test/keys/" + name));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The public JWK of a test key (its required members) with `extra` members.
std::string Jwk(const std::string &stem, const std::string &extra) {
    ImportedKey key;
    EXPECT_TRUE(IsOk(import_pem(ReadTestKey(stem + ".pub.pem"), key)));
    SecretString members("{");
    EXPECT_TRUE(IsOk(append_key_members(key, false, members)));
    return std::string(members.view()) + "," + extra + "}";
}

// An oct key of the 32-byte secret "secret-secret-secret-secret-secr".
constexpr std::string_view kSecret = "secret-secret-secret-secret-secr";
constexpr const char *kOct = R"({"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I")";

// Keycloak's realm keys: an RSA-OAEP encryption key first, then the RS256
// signing key.
std::string KeycloakSet() {
    return "{\"keys\":[" + Jwk("rsa3072", R"("kid":"enc-1","use":"enc","alg":"RSA-OAEP")") + "," +
           Jwk("rsa2048", R"("kid":"sig-1","use":"sig","alg":"RS256")") + "]}";
}

// Keys no JOSE signature algorithm uses, with an alg pg_jwt does not implement.
const std::string kX25519 =
    R"({"kty":"OKP","crv":"X25519","kid":"x","x":"DWuXweJA5DDY3RSvBkle09LOhOmPPaQRrr68z05FDU4"})";
const std::string kAkp = R"({"kty":"AKP","alg":"ML-DSA-44","kid":"pq","pub":"AAAA"})";

std::string Sign(Algorithm alg, const std::string &private_pem, std::string_view header) {
    Key key;
    EXPECT_TRUE(IsOk(OSSL_CALL(resolve_signing_key(alg, private_pem, KeyEncoding::text, key))));
    std::string token;
    EXPECT_TRUE(IsOk(OSSL_CALL(jwt_sign({alg, key, R"({"sub":"a"})", true, header}, token))));
    return token;
}

std::string SignHs256(std::string_view header) {
    Key key;
    EXPECT_TRUE(IsOk(resolve_signing_key(Algorithm::HS256, kSecret, KeyEncoding::text, key)));
    std::string token;
    EXPECT_TRUE(IsOk(jwt_sign({Algorithm::HS256, key, R"({"sub":"a"})", true, header}, token)));
    return token;
}

// jwt.verify's answer for `token` with `set` and `alg`: Ok when valid, else
// the reason (or the error).
Status Verify(const std::string &token, Algorithm alg, const std::string &set) {
    Key key;
    PGJWT_TRY(OSSL_CALL(resolve_key(alg, set, KeyEncoding::text, key)));
    JwtVerification v;
    PGJWT_TRY(OSSL_CALL(jwt_verify(token, alg, key, kNow, v)));
    return v.valid ? Status::Ok() : v.reason;
}

class KeySets : public pgjwt_test::OpenSslQueueTest {};

TEST_F(KeySets, KeycloakEncryptionKeyIsSkipped) {
    const std::string rs256 =
        Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), R"({"kid":"sig-1"})");
    EXPECT_TRUE(IsOk(Verify(rs256, Algorithm::RS256, KeycloakSet())));
    // A token naming the encryption key: the token's fault, and the key named.
    const std::string enc =
        Sign(Algorithm::RS256, ReadTestKey("rsa3072.pem"), R"({"kid":"enc-1"})");
    EXPECT_TRUE(
        IsStatus(Verify(enc, Algorithm::RS256, KeycloakSet()), Fault::token_rejected,
                 "the key named by the token's kid does not fit",
                 "keys[0] (kid \"enc-1\") is skipped: its \"use\" is \"enc\", not \"sig\"."));
    // Without algorithms: the set is for RS256 (the encryption key names none pg_jwt knows).
    std::vector<Algorithm> algs;
    ASSERT_TRUE(IsOk(OSSL_CALL(default_algorithms(KeycloakSet(), KeyEncoding::text, algs))));
    EXPECT_EQ(algs, std::vector<Algorithm>{Algorithm::RS256});
    ASSERT_TRUE(IsOk(OSSL_CALL(algorithms_for_key("", false, KeycloakSet(), algs))));
    EXPECT_EQ(algs, std::vector<Algorithm>{Algorithm::RS256});
}

TEST_F(KeySets, EveryKindOfUnknownKeyIsSkippedAndNamed) {
    const std::string set = "{\"keys\":[" +
                            Jwk("rsa3072", R"("kid":"enc-1","use":"enc","alg":"RSA-OAEP")") + "," +
                            kX25519 + "," + kAkp + "," + Jwk("rsa2048", R"("alg":"RSA-OAEP-256")") +
                            "," + Jwk("ec_p256", R"("kid":"ops","key_ops":["encrypt"])") + "," +
                            Jwk("ec_p256", R"("kid":"p256","alg":"ES384")") + "," +
                            Jwk("rsa2048", R"("kid":"rsa","alg":"ES256")") + "," +
                            R"({"kty":"RSA","kid":"broken","n":"!","e":"AQAB"})" + "," +
                            R"({"kid":7,"kty":"RSA"})" + "]}";
    const std::string detail =
        "keys[0] (kid \"enc-1\") is skipped: its \"use\" is \"enc\", not \"sig\". "
        "keys[1] (kid \"x\") is skipped: unsupported curve \"X25519\" for kty OKP. "
        "keys[2] (kid \"pq\") is skipped: unsupported key type \"AKP\". "
        "keys[3] is skipped: its \"alg\" \"RSA-OAEP-256\" is not a signature algorithm pg_jwt "
        "implements. "
        "keys[4] (kid \"ops\") is skipped: its \"key_ops\" allow neither \"sign\" nor "
        "\"verify\". "
        "keys[5] (kid \"p256\") is skipped: its \"alg\" \"ES384\" is not for curve P-256. "
        "keys[6] (kid \"rsa\") is skipped: its \"alg\" \"ES256\" is not for kty RSA. "
        "keys[7] (kid \"broken\") is skipped: invalid JSON Web Key. Member \"n\" must be "
        "non-empty base64url. "
        "1 more key is not usable.";
    const std::string token = Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), "");
    EXPECT_TRUE(IsStatus(Verify(token, Algorithm::RS256, set), Fault::invalid_argument,
                         "no key in the JWK set fits algorithm RS256", detail));
    std::vector<Algorithm> algs;
    EXPECT_TRUE(IsStatus(OSSL_CALL(default_algorithms(set, KeyEncoding::text, algs)),
                         Fault::invalid_argument, "no usable key in the JWK set", detail));
    // The ninth: a member of the wrong type.
    std::vector<JwkMembers> members;
    bool is_set = false;
    ASSERT_TRUE(IsOk(parse_jwk_text(set, members, is_set)));
    EXPECT_TRUE(IsStatus(check_understood(members[8]), Fault::invalid_argument,
                         "invalid JSON Web Key", "Member \"kid\" must be a string."));
    EXPECT_EQ(key_label(members[8]), "keys[8]");
}

TEST_F(KeySets, AKeyThatDoesNotFitIsNamedWithItsReason) {
    const std::string set = "{\"keys\":[" + Jwk("rsa1024", R"("kid":"small")") + "," +
                            Jwk("ec_p256", R"("kid":"ec")") + "]}";
    const std::string token = Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), "");
    EXPECT_TRUE(IsStatus(Verify(token, Algorithm::RS256, set), Fault::invalid_argument,
                         "no key in the JWK set fits algorithm RS256",
                         "keys[0] (kid \"small\") does not fit RS256. RSA keys must have 2048 to "
                         "16384 bits; this one has 1024. keys[1] (kid \"ec\") does not fit RS256. "
                         "The key is of type EC, not RSA."));
}

// A key skipped because OpenSSL refused it could have been refused for want
// of memory: such a set is used, never kept in the key cache (the next call
// imports it again); a set whose keys are skipped by their members is kept.
TEST_F(KeySets, ASetWithAKeyOpenSslRefusedIsNotCached) {
    key_cache_clear();
    const std::string token = Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), "");
    const size_t signer_only = key_cache_size();
    EXPECT_TRUE(IsOk(Verify(token, Algorithm::RS256, KeycloakSet())));
    EXPECT_EQ(key_cache_size(), signer_only + 1);
    const std::string broken = "{\"keys\":[" + Jwk("rsa2048", R"("kid":"ok")") + "," +
                               R"({"kty":"EC","crv":"P-256","kid":"off","x":"AA","y":"AA"})" + "]}";
    EXPECT_TRUE(IsOk(Verify(token, Algorithm::RS256, broken)));
    EXPECT_TRUE(IsOk(Verify(token, Algorithm::RS256, broken)));
    EXPECT_EQ(key_cache_size(), signer_only + 1);
    std::vector<Algorithm> algs;
    ASSERT_TRUE(IsOk(OSSL_CALL(default_algorithms(broken, KeyEncoding::text, algs))));
    EXPECT_EQ(algs, std::vector<Algorithm>{Algorithm::RS256});
    key_cache_clear();
}

TEST_F(KeySets, DuplicateKidsCountAmongKeptKeysOfOneType) {
    const std::string token = Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), R"({"kid":"a"})");
    // The encryption key shares the kid: it is skipped, so no duplicate.
    const std::string enc_and_sig = "{\"keys\":[" + Jwk("rsa3072", R"("kid":"a","use":"enc")") +
                                    "," + Jwk("rsa2048", R"("kid":"a")") + "]}";
    EXPECT_TRUE(IsOk(Verify(token, Algorithm::RS256, enc_and_sig)));
    // Two RSA keys of one kid: refused.
    const std::string two_rsa = "{\"keys\":[" + Jwk("rsa3072", R"("kid":"a")") + "," +
                                Jwk("rsa2048", R"("kid":"a")") + "]}";
    EXPECT_TRUE(IsStatus(Verify(token, Algorithm::RS256, two_rsa), Fault::invalid_argument,
                         "JWK set has duplicate kid \"a\"",
                         "keys[0] and keys[1] (kid \"a\") are both RSA keys; only keys of "
                         "different types may share a kid."));
    // An EC key and an RSA key of one kid (RFC 7517 section 4.5): the token's
    // algorithm picks the key of its family.
    const std::string rsa_and_ec = "{\"keys\":[" + Jwk("ec_p256", R"("kid":"a")") + "," +
                                   Jwk("rsa2048", R"("kid":"a")") + "]}";
    EXPECT_TRUE(IsOk(Verify(token, Algorithm::RS256, rsa_and_ec)));
    const std::string es256 = Sign(Algorithm::ES256, ReadTestKey("ec_p256.pem"), R"({"kid":"a"})");
    EXPECT_TRUE(IsOk(Verify(es256, Algorithm::ES256, rsa_and_ec)));
}

TEST_F(KeySets, KeysNamingDifferentAlgorithmsWorkWithoutAnAlgorithm) {
    // Supabase's self-hosted set: its EC key and its HS256 oct key (no kid).
    const std::string supabase =
        "{\"keys\":[" +
        Jwk("ec_p256",
            R"("kid":"ec-1","use":"sig","key_ops":["verify"],"alg":"ES256","ext":true)") +
        "," + kOct + R"(,"alg":"HS256"}]})";
    std::vector<Algorithm> algs;
    ASSERT_TRUE(IsOk(OSSL_CALL(algorithms_for_key("", false, supabase, algs))));
    EXPECT_EQ(algs, (std::vector<Algorithm>{Algorithm::ES256, Algorithm::HS256}));
    const std::string es256 =
        Sign(Algorithm::ES256, ReadTestKey("ec_p256.pem"), R"({"kid":"ec-1"})");
    const std::string hs256 = SignHs256("");
    Algorithm alg;
    ASSERT_TRUE(IsOk(token_algorithm(es256, algs, alg)));
    EXPECT_EQ(alg, Algorithm::ES256);
    EXPECT_TRUE(IsOk(Verify(es256, alg, supabase)));
    ASSERT_TRUE(IsOk(token_algorithm(hs256, algs, alg)));
    EXPECT_EQ(alg, Algorithm::HS256);
    EXPECT_TRUE(IsOk(Verify(hs256, alg, supabase)));
    // Each key bound to its family: an HS256 token naming the EC key's kid
    // is never checked with the EC key as a secret (with or without its alg).
    EXPECT_TRUE(IsStatus(Verify(SignHs256(R"({"kid":"ec-1"})"), Algorithm::HS256, supabase),
                         Fault::token_rejected, "the key named by the token's kid does not fit",
                         "keys[0] (kid \"ec-1\") does not fit HS256. The JWK is for algorithm "
                         "\"ES256\"."));
    const std::string no_algs =
        "{\"keys\":[" + Jwk("ec_p256", R"("kid":"ec-1")") + "," + kOct + "}]}";
    EXPECT_TRUE(IsStatus(Verify(SignHs256(R"({"kid":"ec-1"})"), Algorithm::HS256, no_algs),
                         Fault::token_rejected, "the key named by the token's kid does not fit",
                         "keys[0] (kid \"ec-1\") does not fit HS256. An HS* algorithm needs an "
                         "oct key; using a public key as an HMAC secret would let anyone forge "
                         "tokens."));
    EXPECT_TRUE(IsOk(Verify(SignHs256(""), Algorithm::HS256, no_algs)));
    // A token of an algorithm no key names: the first, which it then fails.
    const std::string rs256 = Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), "");
    ASSERT_TRUE(IsOk(token_algorithm(rs256, algs, alg)));
    EXPECT_EQ(alg, Algorithm::ES256);
    // Keys that name no alg: the algorithm must be given.
    const std::string unnamed = "{\"keys\":[" + Jwk("ec_p256", R"("kid":"e")") + "]}";
    EXPECT_TRUE(IsStatus(OSSL_CALL(algorithms_for_key("", false, unnamed, algs)),
                         Fault::invalid_argument, "algorithm must be given",
                         "No usable key of the JWK set names an \"alg\"."));
}

std::string CertificateMap(const std::string &second) {
    // JSON-escaped PEM: its line feeds as \n.
    std::string pem = ReadTestKey("rsa2048.cert.pem"), escaped;
    for (char c : pem) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
    return "{\"3f1a\":\"" + escaped + "\"" + second + "}";
}

TEST_F(KeySets, FirebaseCertificateMapIsASet) {
    const std::string map = CertificateMap("");
    std::vector<JwkMembers> members;
    bool is_set = false;
    ASSERT_TRUE(IsOk(OSSL_CALL(parse_jwk_text(map, members, is_set))));
    EXPECT_TRUE(is_set);
    ASSERT_EQ(members.size(), 1u);
    EXPECT_EQ(members[0].kty, "RSA");
    EXPECT_EQ(members[0].kid, "3f1a");
    EXPECT_EQ(key_label(members[0]), "certificate 0 (kid \"3f1a\")");
    // The certificate's key is rsa2048's.
    ImportedKey from_map, from_pem;
    ASSERT_TRUE(IsOk(OSSL_CALL(import_jwk(members[0], from_map))));
    ASSERT_TRUE(IsOk(OSSL_CALL(import_pem(ReadTestKey("rsa2048.pub.pem"), from_pem))));
    SecretString a, b;
    ASSERT_TRUE(IsOk(OSSL_CALL(canonical_public_jwk(from_map, a))));
    ASSERT_TRUE(IsOk(OSSL_CALL(canonical_public_jwk(from_pem, b))));
    EXPECT_EQ(a.view(), b.view());
    const std::string token =
        Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), R"({"kid":"3f1a"})");
    EXPECT_TRUE(IsOk(Verify(token, Algorithm::RS256, map)));
    std::vector<Algorithm> algs;
    ASSERT_TRUE(IsOk(OSSL_CALL(default_algorithms(map, KeyEncoding::text, algs))));
    EXPECT_EQ(algs, std::vector<Algorithm>{Algorithm::RS256});
    // A certificate OpenSSL cannot read is skipped, named by its kid.
    const std::string broken = CertificateMap(
        R"(,"9b2c":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")");
    EXPECT_TRUE(IsOk(Verify(token, Algorithm::RS256, broken)));
    EXPECT_TRUE(IsStatus(
        Verify(Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), R"({"kid":"9b2c"})"),
               Algorithm::RS256, broken),
        Fault::token_rejected, "the key named by the token's kid does not fit",
        "certificate 1 (kid \"9b2c\") is skipped: invalid X.509 certificate. OpenSSL could not "
        "decode the certificate."));
    // An object whose members are not all certificates is a JWK without kty.
    EXPECT_TRUE(IsStatus(parse_jwk_text(CertificateMap(R"(,"x":"y")"), members, is_set),
                         Fault::invalid_argument, "invalid JSON Web Key",
                         "Member \"kty\" is missing."));
}

TEST_F(KeySets, AddKeyImportsEachUsableKeyAsItsOwnRow) {
    const std::string supabase = "{\"keys\":[" +
                                 Jwk("ec_p256", R"("kid":"ec-1","use":"sig","alg":"ES256")") + "," +
                                 kOct + R"(,"alg":"HS256"}]})";
    KeyringImport made;
    ASSERT_TRUE(IsOk(OSSL_CALL(import_keyring_entries(supabase, false, "", "", made))));
    ASSERT_EQ(made.rows.size(), 2u);
    EXPECT_EQ(made.rows[0].alg, Algorithm::ES256);
    EXPECT_EQ(made.rows[0].entry.kid, "ec-1");
    EXPECT_FALSE(made.rows[0].entry.public_jwk.empty());
    EXPECT_TRUE(made.rows[0].entry.private_jwk.empty());
    EXPECT_EQ(made.rows[1].alg, Algorithm::HS256);
    EXPECT_EQ(made.rows[1].entry.kid.size(), 22u) << "a random kid for the oct key";
    EXPECT_TRUE(made.rows[1].entry.public_jwk.empty());
    EXPECT_FALSE(made.rows[1].entry.private_jwk.empty());
    EXPECT_TRUE(made.skipped.empty());
    // With an algorithm: the keys that fit it; the others are reported.
    ASSERT_TRUE(IsOk(OSSL_CALL(import_keyring_entries(supabase, true, "HS256", "", made))));
    ASSERT_EQ(made.rows.size(), 1u);
    EXPECT_EQ(made.rows[0].alg, Algorithm::HS256);
    ASSERT_EQ(made.skipped.size(), 1u);
    EXPECT_EQ(made.skipped[0].first, "keys[0] (kid \"ec-1\")");
    EXPECT_EQ(made.skipped[0].second,
              "keys[0] (kid \"ec-1\") does not fit HS256. The JWK is for algorithm \"ES256\".");
    // Keycloak's: the signing key only.
    ASSERT_TRUE(IsOk(OSSL_CALL(import_keyring_entries(KeycloakSet(), false, "", "", made))));
    ASSERT_EQ(made.rows.size(), 1u);
    EXPECT_EQ(made.rows[0].entry.kid, "sig-1");
    ASSERT_EQ(made.skipped.size(), 1u);
    EXPECT_EQ(made.skipped[0].second,
              "keys[0] (kid \"enc-1\") is skipped: its \"use\" is \"enc\", not \"sig\".");
    // A kid for a whole set, a set of nothing usable, two keys for one row.
    EXPECT_TRUE(IsStatus(import_keyring_entries(supabase, false, "", "k", made),
                         Fault::invalid_argument, "kid cannot be given for a JWK set",
                         "Each key of the set is stored with its own kid (or its thumbprint)."));
    EXPECT_TRUE(
        IsStatus(import_keyring_entries("{\"keys\":[" + kX25519 + "]}", false, "", "", made),
                 Fault::invalid_argument, "no usable key in the JWK set",
                 "keys[0] (kid \"x\") is skipped: unsupported curve \"X25519\" for kty "
                 "OKP."));
    const std::string shared = "{\"keys\":[" + Jwk("ec_p256", R"("kid":"a")") + "," +
                               Jwk("rsa2048", R"("kid":"a")") + "]}";
    EXPECT_TRUE(IsStatus(OSSL_CALL(import_keyring_entries(shared, false, "", "", made)),
                         Fault::invalid_argument, "JWK set has two keys for kid \"a\"",
                         "keys[0] and keys[1] would both be stored under it; jwt.keys holds one "
                         "key per kid. Add them one at a time, each with a kid of its own."));
    // A PEM key or a secret does not name its algorithm.
    EXPECT_TRUE(IsStatus(import_keyring_entries(kSecret, false, "", "", made),
                         Fault::invalid_argument, "algorithm must not be NULL",
                         "Only a JWK or a JWK set names its algorithm; pass the one a PEM key or "
                         "a secret is for."));
}

struct SettingFixture : pgjwt_test::OpenSslQueueTest {
    ValidationKeys keys;
    ValidationPolicy policy;
    ValidatedToken out;
    void SetUp() override {
        OpenSslQueueTest::SetUp();
        policy.now = kNow;
    }
    Status Validate(const std::string &setting, const std::string &token) {
        keys.configured_jwks = setting;
        return OSSL_CALL(jwt_validate(token, keys, policy, out));
    }
};

TEST_F(SettingFixture, SettingSkipsWhatItDoesNotUnderstand) {
    const std::string token =
        Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), R"({"kid":"sig-1"})");
    EXPECT_TRUE(IsOk(Validate(KeycloakSet(), token)));
    EXPECT_TRUE(
        IsOk(Validate(KeycloakSet(), Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), ""))));
    EXPECT_TRUE(
        IsStatus(Validate(KeycloakSet(),
                          Sign(Algorithm::RS256, ReadTestKey("rsa3072.pem"), R"({"kid":"enc-1"})")),
                 Fault::token_rejected, "the key named by the token's kid does not fit",
                 "keys[0] (kid \"enc-1\") is skipped: its \"use\" is \"enc\", not \"sig\"."));
    EXPECT_TRUE(IsOk(Validate(CertificateMap(""), Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"),
                                                       R"({"kid":"3f1a"})"))));
    // Nothing usable, a secret, two RSA keys of one kid.
    EXPECT_TRUE(IsStatus(
        Validate("{\"keys\":[" + Jwk("rsa3072", R"("kid":"enc-1","use":"enc")") + "," + kAkp + "]}",
                 token),
        Fault::invalid_argument, "invalid pg_jwt.jwks setting",
        "No key in it is usable. keys[0] (kid \"enc-1\") is skipped: its \"use\" is \"enc\", not "
        "\"sig\". keys[1] (kid \"pq\") is skipped: unsupported key type \"AKP\"."));
    EXPECT_TRUE(IsStatus(
        Validate(
            "{\"keys\":[" + Jwk("rsa2048", R"("kid":"sig-1")") + "," + kOct + R"(,"kid":"hs"}]})",
            token),
        Fault::invalid_argument, "pg_jwt.jwks must hold public keys only",
        "keys[1] (kid \"hs\") is an oct key (an HMAC secret). Settings are readable by every "
        "role; keep HMAC secrets in jwt.keys."));
    EXPECT_TRUE(IsStatus(
        Validate("{\"keys\":[" + Jwk("rsa3072", R"("kid":"a")") + "," +
                     Jwk("rsa2048", R"("kid":"a")") + "]}",
                 token),
        Fault::invalid_argument, "invalid pg_jwt.jwks setting",
        "keys[0] and keys[1] (kid \"a\") are both RSA keys; only keys of different types may "
        "share a kid."));
    // One JWK rather than a set: used, or refused with its reason.
    EXPECT_TRUE(IsOk(Validate(Jwk("rsa2048", R"("kid":"sig-1")"), token)));
    EXPECT_TRUE(IsStatus(Validate(Jwk("rsa2048", R"("kid":"sig-1","use":"enc")"), token),
                         Fault::invalid_argument, "invalid pg_jwt.jwks setting",
                         "Its key cannot be used: its \"use\" is \"enc\", not \"sig\"."));
    // A kid shared by an EC and an RSA key: the token's algorithm picks.
    const std::string shared = "{\"keys\":[" + Jwk("ec_p256", R"("kid":"a")") + "," +
                               Jwk("rsa2048", R"("kid":"a")") + "]}";
    EXPECT_TRUE(IsOk(
        Validate(shared, Sign(Algorithm::RS256, ReadTestKey("rsa2048.pem"), R"({"kid":"a"})"))));
    EXPECT_TRUE(IsOk(
        Validate(shared, Sign(Algorithm::ES256, ReadTestKey("ec_p256.pem"), R"({"kid":"a"})"))));
}

}  // namespace

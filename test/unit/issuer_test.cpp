// Identity providers' documents and keys without the network: the HTTP
// headers pg_jwt reads (http_headers.hpp), discovery documents and JWK sets
// as fetched (issuer_document.hpp), the refresh interval, URL hosts, and
// validation of a configured issuer's tokens through the issuer cache
// (issuer_cache.hpp, issuer_validation.hpp). Fetching over HTTPS is
// test/issuers/run's.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "common/repo_path.hpp"
#include "core/http_fetch.hpp"
#include "core/http_headers.hpp"
#include "core/issuer_cache.hpp"
#include "core/issuer_document.hpp"
#include "core/issuer_refresh.hpp"
#include "core/jwk_export.hpp"
#include "core/jwt.hpp"
#include "core/key_import.hpp"
#include "core/validation.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;

constexpr double kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::string_view kIss = "https://idp.example/";

std::string ReadTestKey(const char *name) {
    std::ifstream in(pgjwt_test::RepoPath(std::string("test/keys/") + name));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The public JWK of a test key, with alg and kid.
std::string PublicJwk(const char *pem_file, Algorithm alg, std::string_view kid) {
    ImportedKey key;
    EXPECT_TRUE(IsOk(import_pem(ReadTestKey(pem_file), key)));
    std::string jwk;
    EXPECT_TRUE(IsOk(public_jwk(key, alg, kid, jwk)));
    return jwk;
}

std::string Sign(const char *pem_file, Algorithm alg, std::string_view claims,
                 std::string_view header) {
    JwtSignRequest request{alg, {}, claims, true, header, {}};
    EXPECT_TRUE(
        IsOk(resolve_signing_key(alg, ReadTestKey(pem_file), KeyEncoding::text, request.key)));
    std::string token;
    EXPECT_TRUE(IsOk(jwt_sign(request, token)));
    return token;
}

// ---------------------------------------------------------------- headers

TEST(HttpHeaders, JsonMediaTypes) {
    EXPECT_TRUE(is_json_media_type("application/json"));
    EXPECT_TRUE(is_json_media_type("Application/JSON; charset=utf-8"));
    EXPECT_TRUE(is_json_media_type("application/jwk-set+json"));
    EXPECT_TRUE(is_json_media_type(" application/json "));
    EXPECT_FALSE(is_json_media_type(""));
    EXPECT_FALSE(is_json_media_type("text/html"));
    EXPECT_FALSE(is_json_media_type("text/plain; charset=utf-8"));
    EXPECT_FALSE(is_json_media_type("application/+json"));
    EXPECT_FALSE(is_json_media_type("application/x/y+json"));
    EXPECT_FALSE(is_json_media_type("application/jsonp"));
}

TEST(HttpHeaders, CacheControlMaxAge) {
    EXPECT_EQ(cache_control_max_age("public, max-age=3600"), 3600.0);
    EXPECT_EQ(cache_control_max_age("max-age=\"60\", must-revalidate"), 60.0);
    EXPECT_EQ(cache_control_max_age("MAX-AGE=15, stale-while-revalidate=15"), 15.0);
    EXPECT_EQ(cache_control_max_age("no-cache"), 0.0);
    EXPECT_EQ(cache_control_max_age("max-age=600, no-store"), 0.0);
    EXPECT_EQ(cache_control_max_age("max-age=99999999999999999999"), 365.0 * 24 * 3600);
    EXPECT_EQ(cache_control_max_age("s-maxage=60"), std::nullopt);
    EXPECT_EQ(cache_control_max_age(""), std::nullopt);
    EXPECT_EQ(cache_control_max_age("max-age=-1"), std::nullopt);
    EXPECT_EQ(cache_control_max_age("max-age=1e3"), std::nullopt);
    EXPECT_EQ(cache_control_max_age("max-age="), std::nullopt);
    EXPECT_EQ(cache_control_max_age("max-age=5, max-age=6"), std::nullopt);
}

TEST(IssuerRefresh, IntervalWithinBounds) {
    EXPECT_EQ(refresh_interval(true, 3600, 300, 7200), 3600);
    EXPECT_EQ(refresh_interval(true, 15, 300, 7200), 300);
    EXPECT_EQ(refresh_interval(true, 86400, 300, 7200), 7200);
    EXPECT_EQ(refresh_interval(false, 0, 300, 7200), 7200);
    EXPECT_EQ(refresh_interval(true, 0, 300, 7200), 300);
}

TEST(HttpFetch, UrlHosts) {
    std::string host;
    EXPECT_TRUE(
        IsOk(https_url_host("https://Login.Example.COM:8443/x/.well-known/jwks.json", host)));
    EXPECT_EQ(host, "login.example.com");
    EXPECT_TRUE(IsOk(https_url_host("HTTPS://[::1]/jwks", host)));
    EXPECT_EQ(host, "[::1]");
    EXPECT_TRUE(IsStatus(https_url_host("http://idp.example/jwks", host), Fault::invalid_argument,
                         "URL \"http://idp.example/jwks\" is not https",
                         "Keys are fetched over HTTPS only."));
    EXPECT_TRUE(IsStatus(https_url_host("file:///etc/passwd", host), Fault::invalid_argument,
                         "URL \"file:///etc/passwd\" is not https",
                         "Keys are fetched over HTTPS only."));
    EXPECT_EQ(https_url_host("https://u:p@idp.example/jwks", host).message,
              "URL must not contain user information");
    EXPECT_EQ(https_url_host("idp.example/jwks", host).message, "invalid URL \"idp.example/jwks\"");
    EXPECT_EQ(https_url_host("https://idp.example/a b", host).message,
              "invalid URL \"https://idp.example/a b\"");
    EXPECT_EQ(https_url_host(std::string_view("https://a\0b/", 12), host).message,
              "URL contains a NUL byte");
}

TEST(HttpFetch, RefusesBeforeConnecting) {
    HttpRequest request;
    HttpResponse response;
    request.url = "http://127.0.0.1:1/jwks";
    EXPECT_EQ(https_get(request, response).fault, Fault::invalid_argument);
    request.url = "https://127.0.0.1:1/jwks";
    request.if_none_match = "\"x\"\r\nX-Evil: 1";
    EXPECT_TRUE(
        IsStatus(https_get(request, response), Fault::invalid_argument, "invalid ETag", ""));
}

// ---------------------------------------------------------------- documents

TEST(IssuerDocument, ToldApartByContent) {
    DocumentKind kind;
    DiscoveryDocument d;
    EXPECT_TRUE(IsOk(classify_document(R"({"keys":[]})", kind, d)));
    EXPECT_EQ(kind, DocumentKind::key_set);
    EXPECT_TRUE(IsOk(classify_document(
        R"({"issuer":"https://idp.example/","jwks_uri":"https://idp.example/jwks","x":[1]})", kind,
        d)));
    EXPECT_EQ(kind, DocumentKind::discovery);
    EXPECT_EQ(d.issuer, "https://idp.example/");
    EXPECT_EQ(d.jwks_uri, "https://idp.example/jwks");
    EXPECT_TRUE(IsStatus(classify_document(R"({"issuer":"x"})", kind, d), Fault::invalid_argument,
                         "document is neither a JWK set nor an OpenID Connect discovery document",
                         "It has neither a member \"keys\" nor a member \"jwks_uri\", and it is "
                         "not a map of kids to X.509 certificates."));
    // Firebase's map of kids to certificates is a key set; a map with one
    // value that is not a certificate is not.
    EXPECT_TRUE(IsOk(classify_document(
        R"({"k1":"-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n"})", kind, d)));
    EXPECT_EQ(kind, DocumentKind::key_set);
    EXPECT_EQ(
        classify_document(R"({"k1":"-----BEGIN CERTIFICATE-----\n","k2":"x"})", kind, d).message,
        "document is neither a JWK set nor an OpenID Connect discovery document");
    EXPECT_TRUE(IsStatus(classify_document(R"({"jwks_uri":"https://x/"})", kind, d),
                         Fault::invalid_argument, "discovery document has no \"issuer\"", ""));
    EXPECT_TRUE(IsStatus(classify_document(R"({"jwks_uri":1,"issuer":"x"})", kind, d),
                         Fault::invalid_argument,
                         "discovery document's \"jwks_uri\" is not a string", ""));
    EXPECT_EQ(classify_document("<html>", kind, d).message, "document is not a JSON object");
    EXPECT_EQ(classify_document("[1]", kind, d).message, "document is not a JSON object");
    EXPECT_EQ(classify_document(R"({"keys":[],"keys":[]})", kind, d).message,
              "document is not a JSON object");
}

TEST(IssuerDocument, DiscoveryIssuerMustBeTheConfiguredOne) {
    DiscoveryDocument d{"https://idp.example", "https://idp.example/jwks"};
    EXPECT_TRUE(IsOk(check_discovery_issuer(d, "https://idp.example")));
    EXPECT_TRUE(IsStatus(check_discovery_issuer(d, "https://idp.example/"), Fault::invalid_argument,
                         "discovery document is for another issuer",
                         "It names issuer \"https://idp.example\", not \"https://idp.example/\" "
                         "(OpenID Connect Discovery section 4.3)."));
}

struct PublishedSets : ::testing::Test {
    std::string a = PublicJwk("ec_p256.pub.pem", Algorithm::ES256, "a");
    std::string b = PublicJwk("rsa2048.pub.pem", Algorithm::RS256, "b");
    PublishedKeySet set;
    Status Check(const std::string &body) { return OSSL_CALL(check_published_key_set(body, set)); }
};

TEST_F(PublishedSets, KeepsTheUsableKeysNormalised) {
    ASSERT_TRUE(IsOk(Check(R"({"keys":[)" + a + "," + b + R"(],"extra":true})")));
    ASSERT_EQ(set.keys.size(), 2u);
    EXPECT_EQ(set.keys[0].kid, "a");
    EXPECT_EQ(set.keys[0].algorithm, "ES256");
    EXPECT_EQ(set.keys[1].kid, "b");
    EXPECT_EQ(set.keys[1].algorithm, "RS256");
    EXPECT_TRUE(set.skipped.empty());
    EXPECT_EQ(set.jwks, "{\"keys\":[" + set.keys[0].jwk + "," + set.keys[1].jwk + "]}");
    // Without "alg": the default for the type.
    std::string no_alg = a;
    no_alg.replace(no_alg.find("\"alg\":\"ES256\","), 14, "");
    ASSERT_TRUE(IsOk(Check(R"({"keys":[)" + no_alg + "]}")));
    EXPECT_EQ(set.keys[0].algorithm, "ES256");
}

TEST_F(PublishedSets, FirebaseCertificateMap) {
    // {"<kid>": "<PEM certificate>"}: rsa2048.cert.pem is a self-signed
    // certificate of rsa2048's key; its public key is kept as a JWK.
    std::string pem = ReadTestKey("rsa2048.cert.pem"), escaped;
    for (char c : pem) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
    ASSERT_TRUE(IsOk(Check("{\"fb-1\":\"" + escaped + "\"}")));
    ASSERT_EQ(set.keys.size(), 1u);
    EXPECT_TRUE(set.keys[0].has_kid);
    EXPECT_EQ(set.keys[0].kid, "fb-1");
    EXPECT_EQ(set.keys[0].algorithm, "RS256");
    const std::string b_modulus = b.substr(b.find("\"n\":"), 40);
    EXPECT_NE(set.keys[0].jwk.find(b_modulus), std::string::npos) << set.keys[0].jwk;
    // The stored set is a JWK set, checked again as such when it is read.
    PublishedKeySet again;
    ASSERT_TRUE(IsOk(OSSL_CALL(check_published_key_set(set.jwks, again))));
    EXPECT_EQ(again.jwks, set.jwks);
}

TEST_F(PublishedSets, PrivateOrSymmetricMaterialRefusesTheWholeSet) {
    ImportedKey key;
    ASSERT_TRUE(IsOk(import_pem(ReadTestKey("ec_p256.pem"), key)));
    SecretString priv;
    ASSERT_TRUE(IsOk(private_jwk(key, Algorithm::ES256, "p", priv)));
    EXPECT_TRUE(IsStatus(Check(R"({"keys":[)" + a + "," + std::string(priv.view()) + "]}"),
                         Fault::invalid_argument, "JWK set holds private or symmetric key material",
                         "The key 2 (kid \"p\") has member \"d\"; an identity provider publishes "
                         "public keys only. Nothing of this set was kept."));
    EXPECT_TRUE(set.keys.empty());
    EXPECT_EQ(Check(R"({"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0"}]})").detail,
              "The key 1 (kid \"s\") has member \"k\"; an identity provider publishes public keys "
              "only. Nothing of this set was kept.");
    EXPECT_EQ(Check(R"({"keys":[{"kty":"oct"}]})").detail,
              "The key 1 has kty \"oct\"; an identity provider publishes public keys only. "
              "Nothing of this set was kept.");
    std::string with_p = b;
    with_p.insert(with_p.size() - 1, R"(,"p":"AQAB")");
    EXPECT_EQ(Check(R"({"keys":[)" + with_p + "]}").message,
              "JWK set holds private or symmetric key material");
}

TEST_F(PublishedSets, DuplicateKidsAndContradictionsRefuseTheSet) {
    EXPECT_TRUE(IsStatus(Check(R"({"keys":[)" + a + "," + a + "]}"), Fault::invalid_argument,
                         "JWK set has duplicate kid \"a\"", "A kid must name one key."));
    std::string wrong = a;
    wrong.replace(wrong.find("ES256"), 5, "RS256");
    EXPECT_TRUE(IsStatus(Check(R"({"keys":[)" + wrong + "]}"), Fault::invalid_argument,
                         "JWK set has a key whose \"alg\" contradicts its type",
                         "The key 1 (kid \"a\") is of type \"EC P-256\" but names algorithm "
                         "\"RS256\"."));
    wrong = a;
    wrong.replace(wrong.find("ES256"), 5, "ES384");
    EXPECT_EQ(Check(R"({"keys":[)" + wrong + "]}").message,
              "JWK set has a key whose \"alg\" contradicts its type");
    wrong = b;
    wrong.replace(wrong.find("RS256"), 5, "HS256");
    EXPECT_EQ(Check(R"({"keys":[)" + wrong + "]}").message,
              "JWK set has a key whose \"alg\" contradicts its type");
}

TEST_F(PublishedSets, KeysValidationCannotUseAreLeftOut) {
    std::string enc = b;
    enc.replace(enc.find("\"use\":\"sig\""), 11, "\"use\":\"enc\"");
    enc.replace(enc.find("\"kid\":\"b\""), 9, "\"kid\":\"e\"");
    std::string oaep = R"({"kty":"RSA","kid":"o","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"})";
    std::string unknown = R"({"kty":"XYZ","kid":"u"})";
    std::string ops = a;
    ops.replace(ops.find("\"kid\":\"a\""), 9, "\"kid\":\"s\",\"key_ops\":[\"sign\"]");
    std::string small = PublicJwk("rsa1024.pub.pem", Algorithm::RS256, "small");
    ASSERT_TRUE(IsOk(Check(R"({"keys":[)" + enc + "," + oaep + "," + unknown + "," + ops + "," +
                           small + "," + a + "]}")));
    ASSERT_EQ(set.keys.size(), 1u);
    EXPECT_EQ(set.keys[0].kid, "a");
    ASSERT_EQ(set.skipped.size(), 5u);
    EXPECT_EQ(set.skipped[0], "key 1 (kid \"e\"): \"use\" is \"enc\"");
    EXPECT_EQ(set.skipped[1], "key 2 (kid \"o\"): unknown \"alg\" \"RSA-OAEP\"");
    EXPECT_EQ(set.skipped[2], "key 3 (kid \"u\"): unknown \"kty\" \"XYZ\"");
    EXPECT_EQ(set.skipped[3], "key 4 (kid \"s\"): \"key_ops\" does not allow \"verify\"");
    EXPECT_EQ(set.skipped[4],
              "key 5 (kid \"small\"): RSA keys must have 2048 to 16384 bits; this one has 1024.");
    EXPECT_TRUE(IsStatus(Check(R"({"keys":[)" + enc + "]}"), Fault::invalid_argument,
                         "JWK set has no usable key",
                         "Left out: key 1 (kid \"e\"): \"use\" is \"enc\"."));
}

TEST_F(PublishedSets, ShapeAndBounds) {
    EXPECT_TRUE(IsStatus(Check(a), Fault::invalid_argument, "document is not a JWK set",
                         "It has no member \"keys\" and is not a map of kids to X.509 "
                         "certificates."));
    EXPECT_EQ(Check(R"({"keys":{}})").message, "document is not a valid JWK set");
    EXPECT_EQ(Check(R"({"keys":[]})").detail, "The JWK set has no keys.");
    std::string many = R"({"keys":[)";
    for (int i = 0; i < 65; i++) many += std::string(i ? "," : "") + R"({"kty":"EC"})";
    EXPECT_EQ(Check(many + "]}").fault, Fault::too_large);
}

// ---------------------------------------------------------------- validation

struct IssuerValidation : ::testing::Test {
    KeyringCache keyring;
    IssuerCache issuers;
    ValidationKeys keys;
    ValidationPolicy policy;
    ValidatedToken out;
    std::string a = PublicJwk("ec_p256.pub.pem", Algorithm::ES256, "a");
    std::string b = PublicJwk("rsa2048.pub.pem", Algorithm::RS256, "b");
    std::string token_a =
        Sign("ec_p256.pem", Algorithm::ES256,
             R"({"iss":"https://idp.example/","sub":"alice","aud":"api"})", R"({"kid":"a"})");

    void SetUp() override {
        keyring.sync(1);
        issuers.sync(1);
        keys.keyring = &keyring;
        keys.issuers = &issuers;
        keys.wall_now = kNow;
        policy.now = kNow;
        issuers.store_any(true);
    }
    IssuerRecord Record(bool with_keys = true) {
        IssuerRecord r;
        r.has_audiences = true;
        r.audiences = {"api"};
        r.has_keys = with_keys;
        r.fetched_at = kNow - 60;
        r.jwks = R"({"keys":[)" + a + "," + b + "]}";
        return r;
    }
    Status Validate(std::string_view token) {
        return OSSL_CALL(jwt_validate(token, keys, policy, out));
    }
};

TEST_F(IssuerValidation, AsksWhetherAnyIssuerIsConfiguredThenForTheIssuer) {
    IssuerCache fresh;
    fresh.sync(1);
    keys.issuers = &fresh;
    EXPECT_TRUE(IsStatus(Validate(token_a), Fault::internal, "keyring lookup needed", ""));
    EXPECT_EQ(out.keyring_request.kind, KeyringRequest::Kind::issuers_any);
    fresh.store_any(true);
    EXPECT_TRUE(IsStatus(Validate(token_a), Fault::internal, "keyring lookup needed", ""));
    EXPECT_EQ(out.keyring_request.kind, KeyringRequest::Kind::issuer);
    EXPECT_EQ(out.keyring_request.value, kIss);
    IssuerRecord r = Record();
    fresh.store(kIss, &r);
    EXPECT_TRUE(IsOk(Validate(token_a)));
    // A new generation forgets it all.
    fresh.sync(2);
    EXPECT_FALSE(fresh.any_known());
    EXPECT_EQ(fresh.find(kIss), nullptr);
}

TEST_F(IssuerValidation, OnlyTheIssuersKeysAndAudiences) {
    IssuerRecord r = Record();
    issuers.store(kIss, &r);
    EXPECT_TRUE(IsOk(Validate(token_a)));
    EXPECT_TRUE(IsOk(Validate(Sign("rsa2048.pem", Algorithm::RS256,
                                   R"({"iss":"https://idp.example/","aud":["x","api"]})", ""))));
    EXPECT_TRUE(IsStatus(
        Validate(Sign("ec_p256.pem", Algorithm::ES256,
                      R"({"iss":"https://idp.example/","aud":"api"})", R"({"kid":"z"})")),
        Fault::token_rejected, "no key of issuer \"https://idp.example/\" matches the token's kid",
        "Its keys were last fetched at 2025-12-31T23:59:00Z; a key it published since then is "
        "known after its next fetch."));
    EXPECT_TRUE(IsStatus(Validate(Sign("ec_p256.pem", Algorithm::ES256,
                                       R"({"iss":"https://idp.example/"})", R"({"kid":"a"})")),
                         Fault::token_rejected, "token lacks required claim \"aud\"", ""));
    r.audience_required = false;
    issuers.store(kIss, &r);
    EXPECT_TRUE(IsOk(Validate(Sign("ec_p256.pem", Algorithm::ES256,
                                   R"({"iss":"https://idp.example/"})", R"({"kid":"a"})"))));
    // Another issuer is not configured: the keyring (here: nothing) is used.
    issuers.store("https://other.example/", nullptr);
    keyring.store_algorithms({});
    EXPECT_TRUE(IsStatus(Validate(Sign("ec_p256.pem", Algorithm::ES256,
                                       R"({"iss":"https://other.example/"})", R"({"kid":"a"})")),
                         Fault::invalid_argument, "no key to validate with",
                         "Pass a key, or add keys to jwt.keys or to the pg_jwt.jwks setting."));
    keys.known_issuers_only = true;
    EXPECT_TRUE(
        IsStatus(Validate(Sign("ec_p256.pem", Algorithm::ES256,
                               R"({"iss":"https://other.example/"})", R"({"kid":"a"})")),
                 Fault::token_rejected, "token issuer is not configured",
                 "pg_jwt.known_issuers_only is on: tokens are accepted from the issuers of "
                 "jwt.issuers, and from the keyring's issuer when pg_jwt.issuer names it."));
    EXPECT_TRUE(IsOk(Validate(token_a)));
}

TEST_F(IssuerValidation, MissingStaleOrUnreadableKeysFailClosed) {
    IssuerRecord r = Record(false);
    issuers.store(kIss, &r);
    EXPECT_TRUE(IsStatus(Validate(token_a), Fault::unavailable,
                         "keys of issuer \"https://idp.example/\" have not been fetched",
                         "jwt.refresh_issuers() or the background worker fetches them; until then "
                         "the issuer's tokens "
                         "are refused."));
    r = Record();
    r.fetched_at = kNow - r.max_stale;
    issuers.store(kIss, &r);
    EXPECT_TRUE(IsStatus(Validate(token_a), Fault::unavailable,
                         "keys of issuer \"https://idp.example/\" are stale",
                         "They were last fetched at 2025-12-31T00:00:00Z and were usable until "
                         "2026-01-01T00:00:00Z (max_stale in jwt.issuers); jwt.issuer_status shows "
                         "why fetching fails."));
    // The caller's now does not count.
    policy.now = kNow - 3600;
    EXPECT_EQ(Validate(token_a).fault, Fault::unavailable);
    policy.now = kNow;
    r = Record();
    r.jwks =
        R"({"keys":[{"kty":"oct","kid":"a","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]})";
    issuers.store(kIss, &r);
    EXPECT_TRUE(IsStatus(Validate(token_a), Fault::unavailable,
                         "keys of issuer \"https://idp.example/\" cannot be used",
                         "The key 1 (kid \"a\") has member \"k\"; an identity provider publishes "
                         "public keys only. Nothing of this set was kept."));
}

TEST_F(IssuerValidation, AlgorithmsOfTheIssuerNarrowedByTheCaller) {
    IssuerRecord r = Record();
    r.has_algorithms = true;
    r.algorithms = {"RS256"};
    issuers.store(kIss, &r);
    EXPECT_TRUE(IsStatus(Validate(token_a), Fault::token_rejected, "token algorithm is not allowed",
                         "The token is signed with \"ES256\"; allowed: RS256."));
    r.algorithms = {"HS256"};
    issuers.store(kIss, &r);
    EXPECT_TRUE(
        IsStatus(Validate(token_a), Fault::invalid_argument,
                 "jwt.issuers names algorithm \"HS256\" for issuer \"https://idp.example/\"",
                 "An issuer's keys are public keys: RS*, PS*, ES* or EdDSA."));
    r.has_algorithms = false;
    issuers.store(kIss, &r);
    policy.algorithms = {Algorithm::PS256};
    EXPECT_TRUE(IsStatus(Validate(token_a), Fault::token_rejected, "token algorithm is not allowed",
                         "The issuer's algorithms and the algorithms asked for have none in "
                         "common."));
}

TEST_F(IssuerValidation, SettingsGiveWayToTheIssuerArgumentsDoNot) {
    IssuerRecord r = Record();
    issuers.store(kIss, &r);
    policy.has_audience = true;
    policy.audience = "database";
    policy.audience_is_default = true;
    policy.has_issuer = true;
    policy.issuer = "https://db.example/";
    policy.issuer_is_default = true;
    EXPECT_TRUE(IsOk(Validate(token_a)));
    policy.issuer_is_default = false;
    EXPECT_TRUE(
        IsStatus(Validate(token_a), Fault::token_rejected, "token issuer does not match", ""));
    policy.has_issuer = false;
    policy.audience_is_default = false;
    EXPECT_TRUE(
        IsStatus(Validate(token_a), Fault::token_rejected, "token audience does not match", ""));
}

TEST_F(IssuerValidation, TellsWhenAFetchMayHelpAndWhichKeyVerified) {
    IssuerRecord r = Record();
    issuers.store(kIss, &r);
    EXPECT_TRUE(IsOk(Validate(token_a)));
    EXPECT_FALSE(out.wants_issuer_refresh);
    EXPECT_TRUE(out.issuer_verified);
    EXPECT_EQ(out.issuer_kid, "a");
    EXPECT_FALSE(out.has_issuer_role_claim_key);
    // The row's role claim key travels with the verified token.
    r.has_role_claim_key = true;
    r.role_claim_key = "$.realm_access.roles[0]";
    issuers.store(kIss, &r);
    EXPECT_TRUE(IsOk(Validate(token_a)));
    EXPECT_TRUE(out.has_issuer_role_claim_key);
    EXPECT_EQ(out.issuer_role_claim_key, "$.realm_access.roles[0]");
    r.has_role_claim_key = false;
    r.role_claim_key.clear();
    issuers.store(kIss, &r);
    // An unknown kid, a token of an algorithm none of the keys has.
    EXPECT_EQ(Validate(Sign("ec_p256.pem", Algorithm::ES256,
                            R"({"iss":"https://idp.example/","aud":"api"})", R"({"kid":"new"})"))
                  .fault,
              Fault::token_rejected);
    EXPECT_TRUE(out.wants_issuer_refresh);
    EXPECT_FALSE(out.issuer_verified);
    EXPECT_EQ(Validate(Sign("ec_p384.pem", Algorithm::ES384,
                            R"({"iss":"https://idp.example/","aud":"api"})", R"({"kid":"new"})"))
                  .fault,
              Fault::token_rejected);
    EXPECT_TRUE(out.wants_issuer_refresh);
    // ... unless jwt.issuers fixes the algorithms.
    r.has_algorithms = true;
    r.algorithms = {"ES256", "RS256"};
    issuers.store(kIss, &r);
    EXPECT_EQ(Validate(Sign("ec_p384.pem", Algorithm::ES384,
                            R"({"iss":"https://idp.example/","aud":"api"})", R"({"kid":"new"})"))
                  .fault,
              Fault::token_rejected);
    EXPECT_FALSE(out.wants_issuer_refresh);
    // A bad signature or claim: a fetch would not help.
    EXPECT_EQ(Validate(Sign("ec_p256.pem", Algorithm::ES256,
                            R"({"iss":"https://idp.example/","aud":"other"})", R"({"kid":"a"})"))
                  .fault,
              Fault::token_rejected);
    EXPECT_FALSE(out.wants_issuer_refresh);
    EXPECT_FALSE(out.issuer_verified);
    // Keys missing or stale.
    r = Record(false);
    issuers.store(kIss, &r);
    EXPECT_EQ(Validate(token_a).fault, Fault::unavailable);
    EXPECT_TRUE(out.wants_issuer_refresh);
}

TEST(IssuerCacheBounds, EntriesAreBounded) {
    IssuerCache cache;
    cache.sync(1);
    for (size_t i = 0; i <= IssuerCache::kMaxEntries; i++)
        cache.store("https://unknown/" + std::to_string(i), nullptr);
    EXPECT_LE(cache.entries(), IssuerCache::kMaxEntries);
    EXPECT_NE(cache.find("https://unknown/" + std::to_string(IssuerCache::kMaxEntries)), nullptr);
}

}  // namespace

// JWS compact parsing and the header policy (src/core/jws.hpp, jwt.hpp) on
// arbitrary tokens. Properties:
//   - jws_decode, jwt_decode and jwt_verify never fail other than as a
//     malformed token; the verification policy (jws_verify) only ever
//     accepts or rejects, and accepts only a header whose alg is the
//     caller's, without crit or b64;
//   - a decoded token is exactly its three parts, each the strict base64url
//     of what was decoded, and within the size cap;
//   - decoding the same token again (through the last-header cache) gives
//     the same result as decoding it fresh;
//   - jwt_decode and jwt_verify succeed only where jws_decode does, and
//     jwt_verify only where jwt_decode does; a verification's `valid` agrees
//     with its reason.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base64url.hpp"
#include "core/jws.hpp"
#include "core/jwt.hpp"
#include "core/key.hpp"
#include "core/key_set.hpp"
#include "fuzz/common.hpp"

namespace {

using namespace pgjwt;
using fuzz::F;

constexpr double kNow = 1700000000;
constexpr std::string_view kSecret = "fuzz-jws-secret-0123456789abcdef0123456789abcdef";

// kSecret as an HS256 key, as jwt.verify resolves a bytea secret.
const Key &SecretKey() {
    static const Key key = [] {
        Key k;
        Status s = resolve_key(Algorithm::HS256, kSecret, KeyEncoding::binary, k);
        FUZZ_CHECK(s.ok(), fuzz::Describe(s));
        return k;
    }();
    return key;
}

// Two tokens with different headers: decoding one of them empties the
// last-header cache of whatever the input left there.
constexpr std::string_view kResetA =
    "eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo";
constexpr std::string_view kResetB =
    "eyJhbGciOiJIUzM4NCJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo";

struct PolicyKey {
    Algorithm alg;
    std::string material;  // empty: the HMAC secret
};

const std::vector<PolicyKey> &PolicyKeys() {
    static const std::vector<PolicyKey> keys = {
        {Algorithm::HS256, ""},
        {Algorithm::RS256, fuzz::KeyFile("rsa2048.pub.pem")},
        {Algorithm::PS384, fuzz::KeyFile("rsa2048.pub.pem")},
        {Algorithm::ES256, fuzz::KeyFile("ec_p256.pub.pem")},
        {Algorithm::EdDSA, fuzz::KeyFile("ed25519.pub.pem")},
    };
    return keys;
}

bool SameHeader(const JoseHeader &a, const JoseHeader &b) {
    return a.has_alg == b.has_alg && a.alg == b.alg && a.has_typ == b.has_typ && a.typ == b.typ &&
           a.has_kid == b.has_kid && a.kid == b.kid && a.has_crit == b.has_crit &&
           a.crit == b.crit && a.has_b64 == b.has_b64 && a.b64 == b.b64;
}

void CheckParts(std::string_view token, const Jws &jws) {
    const JwsParts &p = jws.parts;
    FUZZ_CHECK(token.size() <= kMaxTokenBytes, "accepted a token of " << token.size() << " bytes");
    std::string joined = std::string(p.header_b64) + "." + std::string(p.payload_b64) + "." +
                         std::string(p.signature_b64);
    FUZZ_CHECK(joined == token, "the parts do not make up the token");
    FUZZ_CHECK(p.signing_input == token.substr(0, p.header_b64.size() + 1 + p.payload_b64.size()),
               "signing input is not header.payload");
    FUZZ_CHECK(base64url_encode(jws.header_json) == p.header_b64, "header is not canonical");
    FUZZ_CHECK(base64url_encode(jws.payload) == p.payload_b64, "payload is not canonical");
    FUZZ_CHECK(base64url_encode(jws.signature) == p.signature_b64, "signature is not canonical");
    FUZZ_CHECK(jws.header.has_alg, "decoded header without alg");
}

void CheckToken(std::string_view token) {
    // Fresh decode (the cache holds another header), then a cached one.
    {
        Jws reset;
        Status r = jws_decode(kResetA, reset);
        FUZZ_CHECK(r.ok(), fuzz::Describe(r));
        if (token.starts_with(kResetA.substr(0, kResetA.find('.') + 1))) {
            r = jws_decode(kResetB, reset);
            FUZZ_CHECK(r.ok(), fuzz::Describe(r));
        }
    }
    Jws jws;
    Status s = jws_decode(token, jws);
    fuzz::CheckStatus(s, {F::none, F::malformed_token}, token, "jws_decode");
    Jws again;
    Status s2 = jws_decode(token, again);
    fuzz::CheckStatus(s2, {F::none, F::malformed_token}, token, "jws_decode (again)");
    FUZZ_CHECK(s.fault == s2.fault && s.message == s2.message && s.detail == s2.detail,
               "second decode differs: " << fuzz::Describe(s) << " then " << fuzz::Describe(s2));

    Jws jwt;
    Status d = jwt_decode(token, jwt);
    fuzz::CheckStatus(d, {F::none, F::malformed_token}, token, "jwt_decode");
    JwtVerification verification;
    Status v = jwt_verify(token, Algorithm::HS256, SecretKey(), kNow, verification);
    fuzz::CheckStatus(v, {F::none, F::malformed_token}, token, "jwt_verify");
    if (!s.ok()) {
        FUZZ_CHECK(!d.ok() && !v.ok(), "jws_decode failed but jwt_decode or jwt_verify did not");
        return;
    }

    CheckParts(token, jws);
    CheckParts(token, again);
    FUZZ_CHECK(SameHeader(jws.header, again.header), "cached header differs");
    FUZZ_CHECK(jws.header_json == again.header_json, "cached header JSON differs");
    FUZZ_CHECK(jws.payload == again.payload && jws.signature == again.signature,
               "second decode gives other bytes");
    if (d.ok()) {
        FUZZ_CHECK(jwt.payload == jws.payload, "jwt_decode gives another payload");
        // A JSON object payload parses for jwt_verify as well (a non-object or
        // invalid payload is malformed for both).
    }
    if (v.ok()) {
        FUZZ_CHECK(d.ok(), "jwt_verify accepted a payload jwt_decode refuses");
        FUZZ_CHECK(verification.valid == verification.reason.ok(), "valid disagrees with reason");
        fuzz::CheckStatus(verification.reason, {F::none, F::token_rejected}, token,
                          "jwt_verify reason");
    }

    for (const PolicyKey &pk : PolicyKeys()) {
        Key key;
        Status k = pk.material.empty() ? resolve_key(pk.alg, kSecret, KeyEncoding::binary, key)
                                       : resolve_key(pk.alg, pk.material, KeyEncoding::text, key);
        FUZZ_CHECK(k.ok(), fuzz::Describe(k));
        Status p = jws_verify(jws, pk.alg, key);
        fuzz::CheckStatus(p, {F::none, F::token_rejected}, token, "jws_verify");
        if (p.ok()) {
            const JoseHeader &h = jws.header;
            FUZZ_CHECK(h.alg == algorithm_name(pk.alg) && !h.has_crit && !h.has_b64,
                       "policy accepted header " << jws.header_json);
        }
    }
}

}  // namespace

// The input as a token, then as the JSON of a header in a token.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view input(reinterpret_cast<const char *>(data), size);
    CheckToken(input);
    if (size <= 4096) CheckToken(base64url_encode(input) + ".e30.c2ln");
    return 0;
}

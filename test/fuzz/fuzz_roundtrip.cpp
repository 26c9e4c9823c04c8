// Sign, then verify (src/core/jwt.hpp, jws.hpp) with the fixed keys of
// test/keys, for every algorithm. Input:
//   [algorithm][flags][bit position A: 2 bytes][bit position B: 2 bytes][claims...]
// flags: bit 0 keys as JWKs (else PEM or raw secret), bit 1 Ed448 for EdDSA,
// bit 2 minify the claims, bit 3 extra header members. The claims are the
// rest of the input when it is a JSON object jwt_sign accepts, else a small
// object holding it. Properties:
//   - signing succeeds, and the token verifies (jws_verify), decodes to the
//     claims, and jwt_verify refuses it only for its time claims;
//   - flipping any one bit of the decoded header or payload (position A) and
//     re-encoding, or any one bit of the token text (position B), gives a
//     token that is refused (malformed or rejected), never accepted.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base64url.hpp"
#include "core/jwk_export.hpp"
#include "core/jws.hpp"
#include "core/jwt.hpp"
#include "core/key.hpp"
#include "core/key_import.hpp"
#include "fuzz/common.hpp"

namespace {

using namespace pgjwt;
using fuzz::F;

constexpr double kNow = 1700000000;
constexpr std::string_view kSecret =
    "fuzz-roundtrip-secret-0123456789abcdef0123456789abcdef0123456789";

struct KeyPair {
    Algorithm alg;
    std::string sign_pem, verify_pem, sign_jwk, verify_jwk;
};

KeyPair Asymmetric(Algorithm alg, const char *priv_file, const char *pub_file) {
    KeyPair k{alg, fuzz::KeyFile(priv_file), fuzz::KeyFile(pub_file), {}, {}};
    ImportedKey key;
    Status s = import_pem(k.sign_pem, key);
    FUZZ_CHECK(s.ok(), priv_file << ": " << fuzz::Describe(s));
    SecretString sign_jwk;
    s = private_jwk(key, alg, "rt-kid", sign_jwk);
    FUZZ_CHECK(s.ok(), fuzz::Describe(s));
    k.sign_jwk.assign(sign_jwk.view());
    s = public_jwk(key, alg, "rt-kid", k.verify_jwk);
    FUZZ_CHECK(s.ok(), fuzz::Describe(s));
    return k;
}

const std::vector<KeyPair> &Keys() {
    static const std::vector<KeyPair> keys = [] {
        std::vector<KeyPair> v;
        std::string oct =
            "{\"kty\":\"oct\",\"kid\":\"rt-kid\",\"k\":\"" + base64url_encode(kSecret) + "\"}";
        for (Algorithm alg : {Algorithm::HS256, Algorithm::HS384, Algorithm::HS512})
            v.push_back({alg, std::string(kSecret), std::string(kSecret), oct, oct});
        for (Algorithm alg : {Algorithm::RS256, Algorithm::RS384, Algorithm::RS512,
                              Algorithm::PS256, Algorithm::PS384, Algorithm::PS512})
            v.push_back(Asymmetric(alg, "rsa2048.pem", "rsa2048.pub.pem"));
        v.push_back(Asymmetric(Algorithm::ES256, "ec_p256.pem", "ec_p256.pub.pem"));
        v.push_back(Asymmetric(Algorithm::ES384, "ec_p384.pem", "ec_p384.pub.pem"));
        v.push_back(Asymmetric(Algorithm::ES512, "ec_p521.pem", "ec_p521.pub.pem"));
        v.push_back(Asymmetric(Algorithm::ES256K, "ec_secp256k1.pem", "ec_secp256k1.pub.pem"));
        v.push_back(Asymmetric(Algorithm::EdDSA, "ed25519.pem", "ed25519.pub.pem"));
        v.push_back(Asymmetric(Algorithm::Ed25519, "ed25519.pem", "ed25519.pub.pem"));
        v.push_back(Asymmetric(Algorithm::Ed448, "ed448.pem", "ed448.pub.pem"));
        v.push_back(Asymmetric(Algorithm::EdDSA, "ed448.pem", "ed448.pub.pem"));  // last
        return v;
    }();
    return keys;
}

Key Resolve(Algorithm alg, const std::string &material, KeyPurpose purpose) {
    Key key;
    Status s = purpose == KeyPurpose::sign
                   ? resolve_signing_key(alg, material, KeyEncoding::text, key)
                   : resolve_key(alg, material, KeyEncoding::text, key);
    FUZZ_CHECK(s.ok(), "fixed key: " << fuzz::Describe(s));
    return key;
}

// A token that must be refused: malformed, or verified and rejected.
void MustRefuse(std::string_view token, const KeyPair &k, const std::string &verify_material,
                const char *how) {
    Jws jws;
    Status d = jws_decode(token, jws);
    fuzz::CheckStatus(d, {F::none, F::malformed_token}, token, "jws_decode");
    if (d.ok()) {
        Status v = jws_verify(jws, k.alg, Resolve(k.alg, verify_material, KeyPurpose::verify));
        fuzz::CheckStatus(v, {F::none, F::token_rejected}, token, "jws_verify");
        FUZZ_CHECK(!v.ok(), how << ": a modified token verifies: " << token);
    }
    JwtVerification out;
    Status s =
        jwt_verify(token, k.alg, Resolve(k.alg, verify_material, KeyPurpose::verify), kNow, out);
    fuzz::CheckStatus(s, {F::none, F::malformed_token}, token, "jwt_verify");
    FUZZ_CHECK(!(s.ok() && out.valid), how << ": a modified token is valid: " << token);
}

bool IsTimeReason(const Status &reason) {
    return reason.message == "token has expired" || reason.message == "token is not yet valid" ||
           reason.message.rfind("token claim \"", 0) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    Keys();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 6) return 0;
    const std::vector<KeyPair> &keys = Keys();
    const uint8_t flags = data[1];
    size_t index = data[0] % (keys.size() - 1);
    if (keys[index].alg == Algorithm::EdDSA && (flags & 2)) index = keys.size() - 1;
    const KeyPair &k = keys[index];
    const bool jwk = flags & 1;
    const std::string &sign_material = jwk ? k.sign_jwk : k.sign_pem;
    const std::string &verify_material = jwk ? k.verify_jwk : k.verify_pem;
    const size_t pos_a = (size_t{data[2]} << 8) | data[3];
    const size_t pos_b = (size_t{data[4]} << 8) | data[5];
    std::string_view rest(reinterpret_cast<const char *>(data + 6), size - 6);

    JwtSignRequest request{k.alg, Resolve(k.alg, sign_material, KeyPurpose::sign), rest,
                           !(flags & 4), (flags & 8) ? R"({"typ":"at+jwt","cty":"fuzz"})" : ""};
    std::string token;
    Status s = jwt_sign(request, token);
    fuzz::CheckStatus(s, {F::none, F::invalid_argument, F::malformed_json}, rest, "jwt_sign");
    std::string claims(rest);
    if (!s.ok()) {
        claims = "{\"sub\":\"" + base64url_encode(rest) + "\",\"iat\":1700000000}";
        request.claims_json = claims;
        request.key = Resolve(k.alg, sign_material, KeyPurpose::sign);
        s = jwt_sign(request, token);
        fuzz::CheckStatus(s, {F::none, F::invalid_argument}, claims, "jwt_sign (wrapped)");
        if (!s.ok()) {
            FUZZ_CHECK(s.message == "token would be too long", fuzz::Describe(s));
            return 0;
        }
    }

    Jws jws;
    Status d = jwt_decode(token, jws);
    FUZZ_CHECK(d.ok(), "a signed token does not decode: " << fuzz::Describe(d));
    if (request.keep_claims_text)
        FUZZ_CHECK(jws.payload == claims, "the payload is not the claims text");
    Status v = jws_verify(jws, k.alg, Resolve(k.alg, verify_material, KeyPurpose::verify));
    fuzz::CheckStatus(v, {F::none}, token, "jws_verify of a fresh token");
    JwtVerification out;
    Status jv =
        jwt_verify(token, k.alg, Resolve(k.alg, verify_material, KeyPurpose::verify), kNow, out);
    fuzz::CheckStatus(jv, {F::none}, token, "jwt_verify of a fresh token");
    FUZZ_CHECK(out.valid || IsTimeReason(out.reason),
               "a fresh token is invalid: " << fuzz::Describe(out.reason));

    // Position A: one bit of the decoded header or payload.
    std::string header = jws.header_json, payload = jws.payload;
    size_t bits = (header.size() + payload.size()) * 8;
    size_t a = pos_a % bits;
    std::string &target = a / 8 < header.size() ? header : payload;
    size_t byte = a / 8 < header.size() ? a / 8 : a / 8 - header.size();
    target[byte] = static_cast<char>(target[byte] ^ (1 << (a % 8)));
    std::string flipped = base64url_encode(header) + "." + base64url_encode(payload) + "." +
                          std::string(jws.parts.signature_b64);
    MustRefuse(flipped, k, verify_material, "bit flip in the decoded header or payload");

    // Position B: one bit of the token text.
    std::string text = token;
    size_t b = pos_b % (text.size() * 8);
    text[b / 8] = static_cast<char>(text[b / 8] ^ (1 << (b % 8)));
    MustRefuse(text, k, verify_material, "bit flip in the token text");
    return 0;
}

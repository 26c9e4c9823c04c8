// Key material as callers paste it (src/core/key.hpp, key_import.hpp,
// key_set.hpp, jwk.hpp, jwk_export.hpp): PEM, JWK, JWK sets and raw
// secrets. Input: [algorithm byte][flags byte][key text...]; flags bit 0
// passes the text as bytea instead of text. Properties:
//   - every function fails only as the caller's fault (invalid_argument),
//     never internal, and leaves the OpenSSL queue empty;
//   - a resolved key set holds at least one usable key, and every usable key
//     fits the algorithm;
//   - no key accepts a fixed signature made without any private key (for
//     EdDSA: the identity point R with S = 0, which verifies every message
//     under a small-order public key);
//   - a key accepted for signing signs, and the token verifies with the same
//     text resolved for verification (a private key whose halves do not
//     match fails this: DESIGN.md wants "consistency of a private half"
//     checked on import);
//   - an imported key exports; its canonical public JWK imports again to the
//     same canonical JWK, and so does its private JWK.
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base64url.hpp"
#include "core/jwk.hpp"
#include "core/jwk_export.hpp"
#include "core/jws.hpp"
#include "core/jwt.hpp"
#include "core/key.hpp"
#include "core/key_algorithms.hpp"
#include "core/key_import.hpp"
#include "core/key_set.hpp"
#include "core/validation.hpp"
#include "fuzz/common.hpp"

namespace {

using namespace pgjwt;
using fuzz::F;

constexpr double kNow = 1700000000;
constexpr Algorithm kAlgorithms[] = {
    Algorithm::HS256,  Algorithm::HS384, Algorithm::HS512,   Algorithm::RS256,
    Algorithm::RS384,  Algorithm::RS512, Algorithm::PS256,   Algorithm::PS384,
    Algorithm::PS512,  Algorithm::ES256, Algorithm::ES384,   Algorithm::ES512,
    Algorithm::ES256K, Algorithm::EdDSA, Algorithm::Ed25519, Algorithm::Ed448,
};

// Whether a private key is consistent: OpenSSL's pairwise check (RSA: n = pq,
// de = 1 mod lambda(n), the CRT values; EC: dG = Q), or for an RSA key
// without its factors, which that check cannot judge ("value missing"),
// whether (2^e)^d = 2 mod n. Public keys and secrets pass.
bool Consistent(const ImportedKey &key) {
    if (!key.has_private || !key.pkey) return true;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey.get(), nullptr);
    int consistent = ctx != nullptr ? EVP_PKEY_pairwise_check(ctx) : 0;
    EVP_PKEY_CTX_free(ctx);
    BIGNUM *n = nullptr, *e = nullptr, *d = nullptr, *p = nullptr;
    if (consistent != 1 && key.type == KeyType::rsa &&
        EVP_PKEY_get_bn_param(key.pkey.get(), "rsa-factor1", &p) != 1 &&
        EVP_PKEY_get_bn_param(key.pkey.get(), "n", &n) == 1 &&
        EVP_PKEY_get_bn_param(key.pkey.get(), "e", &e) == 1 &&
        EVP_PKEY_get_bn_param(key.pkey.get(), "d", &d) == 1) {
        BN_CTX *bn = BN_CTX_new();
        BIGNUM *two = BN_new(), *x = BN_new();
        consistent = bn && two && x && BN_set_word(two, 2) && BN_mod_exp(x, two, e, n, bn) &&
                     BN_mod_exp(x, x, d, n, bn) && BN_cmp(x, two) == 0;
        BN_free(x);
        BN_free(two);
        BN_CTX_free(bn);
    }
    BN_free(n);
    BN_free(e);
    BN_clear_free(d);
    BN_clear_free(p);
    ERR_clear_error();
    return consistent == 1;
}

// A token for `alg` whose signature nobody made with a private key.
std::string UnsignedToken(Algorithm alg) {
    std::string header = "{\"alg\":\"" + std::string(algorithm_name(alg)) + "\",\"kid\":\"k1\"}";
    std::string signature;
    switch (algorithm_family(alg)) {
        case AlgorithmFamily::eddsa:
            // R = the identity point (y = 1), S = 0.
            signature.assign(alg == Algorithm::Ed448 ? 114 : 64, '\0');
            signature[0] = 1;
            break;
        case AlgorithmFamily::ecdsa: {
            size_t half = alg == Algorithm::ES384 ? 48 : alg == Algorithm::ES512 ? 66 : 32;
            signature.assign(2 * half, '\0');
            signature[half - 1] = 1;      // r = 1
            signature[2 * half - 1] = 1;  // s = 1
            break;
        }
        case AlgorithmFamily::rsa_pkcs1:
        case AlgorithmFamily::rsa_pss:
            signature.assign(256, '\0');
            signature[255] = 1;
            break;
        case AlgorithmFamily::hmac:
            signature.assign(digest_size(algorithm_digest(alg)), '\x5a');
            break;
    }
    return base64url_encode(header) + "." + base64url_encode(R"({"sub":"fuzz"})") + "." +
           base64url_encode(signature);
}

void CheckExports(const ImportedKey &key, Algorithm alg, std::string_view input) {
    SecretString canonical;
    std::string thumbprint;
    Status s = canonical_public_jwk(key, canonical);
    fuzz::CheckStatus(s, {F::none}, input, "canonical_public_jwk");
    s = jwk_thumbprint(key, thumbprint);
    fuzz::CheckStatus(s, {F::none}, input, "jwk_thumbprint");
    FUZZ_CHECK(thumbprint.size() == 43, "thumbprint " << thumbprint);

    auto reimport = [&](std::string_view json, bool expect_private, const char *what) {
        if (expect_private && fuzz::Known("private-key-not-checked") && !Consistent(key)) return;
        std::vector<JwkMembers> members;
        bool is_set = true;
        Status p = parse_jwk_text(json, members, is_set);
        fuzz::CheckStatus(p, {F::none}, input, what);
        FUZZ_CHECK(members.size() == 1 && !is_set, what << ": " << json);
        ImportedKey again;
        Status i = import_jwk(members[0], again);
        fuzz::CheckStatus(i, {F::none}, input, what);
        FUZZ_CHECK(again.type == key.type && again.curve == key.curve &&
                       again.has_private == expect_private,
                   what << " imports as another kind of key");
        SecretString canonical_again;
        Status c = canonical_public_jwk(again, canonical_again);
        fuzz::CheckStatus(c, {F::none}, input, what);
        FUZZ_CHECK(canonical_again == canonical,
                   what << ": " << canonical.view() << " became " << canonical_again.view());
    };
    if (key.type != KeyType::oct) reimport(canonical, false, "re-import of the canonical JWK");

    std::string pub;
    SecretString priv;
    s = public_jwk(key, alg, "kid-1", pub);
    fuzz::CheckStatus(s, {F::none}, input, "public_jwk");
    if (key.type != KeyType::oct) reimport(pub, false, "re-import of the public JWK");
    if (key.has_private) {
        s = private_jwk(key, alg, "kid-1", priv);
        fuzz::CheckStatus(s, {F::none}, input, "private_jwk");
        reimport(priv, true, "re-import of the private JWK");
    }
    KeyringEntry entry;
    s = keyring_entry(key, alg, "", entry);
    fuzz::CheckStatus(s, {F::none, F::invalid_argument}, input, "keyring_entry");
    s = check_key_binding(alg, key, KeyPurpose::verify);
    fuzz::CheckStatus(s, {F::none, F::invalid_argument}, input, "check_key_binding");
}

void CheckResolvedSet(const Key &key, Algorithm alg, std::string_view input) {
    FUZZ_CHECK(key.set != nullptr, "a key resolved to nothing");
    FUZZ_CHECK(!key.set->keys.empty(), "empty key set accepted");
    if (key.set->raw_secret) {
        FUZZ_CHECK(algorithm_family(alg) == AlgorithmFamily::hmac, "a raw secret for " << int(alg));
        FUZZ_CHECK(!key.set->keys.front()->key.secret.empty(), "empty secret accepted");
        return;
    }
    bool any = false;
    for (const auto &k : key.set->keys) {
        if (!k->usable) continue;
        any = true;
        Status b = check_key_binding(alg, k->key, KeyPurpose::verify);
        FUZZ_CHECK(b.ok(), "a usable key does not fit: " << fuzz::Describe(b));
    }
    FUZZ_CHECK(any, "key set without a usable key accepted");
}

// The private key the text resolves to for signing is inconsistent.
bool InconsistentPrivateKey(Algorithm alg, std::string_view text, KeyEncoding encoding) {
    Key key;
    if (!resolve_signing_key(alg, text, encoding, key).ok() || key.set == nullptr) return false;
    return !Consistent(key.set->keys.front()->key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const Algorithm alg = kAlgorithms[data[0] % std::size(kAlgorithms)];
    const KeyEncoding encoding = (data[1] & 1) ? KeyEncoding::binary : KeyEncoding::text;
    std::string_view text(reinterpret_cast<const char *>(data + 2), size - 2);
    // Each input starts from empty caches, so that a failure replays alone.
    key_cache_clear();

    Key key;
    Status r = resolve_key(alg, text, encoding, key);
    fuzz::CheckStatus(r, {F::none, F::invalid_argument}, text, "resolve_key");
    if (r.ok()) {
        CheckResolvedSet(key, alg, text);
        std::string token = UnsignedToken(alg);
        Jws jws;
        Status d = jws_decode(token, jws);
        FUZZ_CHECK(d.ok(), fuzz::Describe(d));
        Status v = jws_verify(jws, alg, key);
        fuzz::CheckStatus(v, {F::none, F::token_rejected}, text, "jws_verify");
        bool known =
            algorithm_family(alg) == AlgorithmFamily::eddsa && fuzz::Known("eddsa-small-order-key");
        FUZZ_CHECK(!v.ok() || known,
                   "a signature made without any private key verifies under this key ("
                       << algorithm_name(alg) << "): " << token);
    }

    Key signer;
    Status rs = resolve_signing_key(alg, text, encoding, signer);
    fuzz::CheckStatus(rs, {F::none, F::invalid_argument}, text, "resolve_signing_key");
    if (rs.ok()) {
        JwtSignRequest request{alg, signer, R"({"sub":"fuzz","iat":1700000000})", true, {}};
        std::string token;
        Status sg = jwt_sign(request, token);
        if (sg.fault == F::internal && fuzz::Known("private-key-not-checked") &&
            InconsistentPrivateKey(alg, text, encoding))
            return 0;  // e.g. "could not sign: no inverse": the same unchecked key
        fuzz::CheckStatus(sg, {F::none, F::invalid_argument}, text, "jwt_sign");
        if (sg.ok()) {
            Key verifier;
            Status rv = resolve_key(alg, text, encoding, verifier);
            fuzz::CheckStatus(rv, {F::none, F::invalid_argument}, text, "resolve_key (verify)");
            if (rv.ok()) {
                JwtVerification out;
                Status vv = jwt_verify(token, alg, verifier, kNow, out);
                fuzz::CheckStatus(vv, {F::none}, text, "jwt_verify");
                bool known = fuzz::Known("private-key-not-checked") &&
                             InconsistentPrivateKey(alg, text, encoding);
                FUZZ_CHECK(out.valid || known,
                           "a token signed with this key does not verify with it: "
                               << fuzz::Describe(out.reason) << "\ntoken " << token);
            }
        } else {
            FUZZ_CHECK(signer.set != nullptr && signer.set->is_set, fuzz::Describe(sg));
        }
    }

    if (encoding == KeyEncoding::text && looks_like_pem(text)) {
        ImportedKey imported;
        Status i = import_pem(text, imported);
        fuzz::CheckStatus(i, {F::none, F::invalid_argument}, text, "import_pem");
        if (i.ok()) CheckExports(imported, alg, text);
    }
    if (encoding == KeyEncoding::text && looks_like_json_object(text)) {
        std::vector<JwkMembers> members;
        bool is_set = false;
        Status p = parse_jwk_text(text, members, is_set);
        fuzz::CheckStatus(p, {F::none, F::invalid_argument}, text, "parse_jwk_text");
        for (const JwkMembers &m : members) {
            ImportedKey imported;
            Status i = import_jwk(m, imported);
            fuzz::CheckStatus(i, {F::none, F::invalid_argument}, text, "import_jwk");
            if (i.ok()) CheckExports(imported, alg, text);
        }
    }

    std::vector<Algorithm> defaults;
    Status da = default_algorithms(text, encoding, defaults);
    fuzz::CheckStatus(da, {F::none, F::invalid_argument}, text, "default_algorithms");
    if (da.ok()) FUZZ_CHECK(!defaults.empty(), "no default algorithm");
    std::vector<Algorithm> named;
    Status ak = algorithms_for_key("", false, text, named);
    fuzz::CheckStatus(ak, {F::none, F::invalid_argument}, text, "algorithms_for_key");
    if (ak.ok()) FUZZ_CHECK(!named.empty(), "no named algorithm");
    Status cs = check_secret_text(text);
    fuzz::CheckStatus(cs, {F::none, F::invalid_argument}, text, "check_secret_text");
    return 0;
}

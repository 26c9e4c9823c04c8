#include "key_checks.hpp"

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "openssl_error.hpp"

namespace pgjwt {
namespace {

Status bad_key(std::string message, std::string detail = {}) {
    return Status::InvalidArgument(std::move(message), std::move(detail));
}

// Small-order EdDSA public keys (RFC 8032 does not forbid them, OpenSSL
// accepts them): under such a key a signature made without any private key
// verifies, e.g. R = identity, S = 0 under the identity point. Refused by
// their y coordinate (sign bit cleared), including the encodings with y >= p.
// Ed25519: y of the 8 points of order 1, 2, 4 and 8; Ed448: order 1, 2, 4.
bool small_order_point(Curve curve, const unsigned char *x, size_t len) {
    static const char *const kEd25519[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    };
    static const char *const kEd448[] = {
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000",
        "010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000",
        "fefffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffffffffffffffffffffffffffff"
        "ffffffffffffffffffffff",
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffffffffffffffffffffffffffff"
        "ffffffffffffffffffffff",
        "00000000000000000000000000000000000000000000000000000000ffffffffffffffffffffffffffffffffff"
        "ffffffffffffffffffffff",
    };
    auto hex_byte = [](const char *h) {
        auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
        return static_cast<unsigned char>(nibble(h[0]) * 16 + nibble(h[1]));
    };
    // y without the sign bit: Ed25519 keeps it in the top bit of the last
    // byte; Ed448 in a 57th byte of its own.
    size_t ylen = curve == Curve::ed448 ? 56 : 32;
    if (len != (curve == Curve::ed448 ? 57 : 32)) return false;
    auto matches = [&](const char *hex) {
        for (size_t i = 0; i < ylen; i++) {
            unsigned char b = x[i];
            if (curve == Curve::ed25519 && i == 31) b &= 0x7f;
            if (b != hex_byte(hex + 2 * i)) return false;
        }
        return true;
    };
    if (curve == Curve::ed448) {
        for (const char *h : kEd448)
            if (matches(h)) return true;
        return false;
    }
    for (const char *h : kEd25519)
        if (matches(h)) return true;
    return false;
}

Status mismatched_private_key() {
    return bad_key("invalid private key", "The private key does not match the public key.");
}

Status rsa_ctx(EVP_PKEY *pkey, bool sign, PkeyCtxPtr &ctx) {
    ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (!ctx || (sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get())) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1)
        return openssl_failure("check the key");
    return Status::Ok();
}

Status self_test_rsa(ImportedKey &out) {
    const unsigned char digest[32] = {1};
    PkeyCtxPtr signer, verifier;
    PGJWT_TRY(rsa_ctx(out.pkey.get(), true, signer));
    PGJWT_TRY(rsa_ctx(out.pkey.get(), false, verifier));
    std::string sig(static_cast<size_t>(EVP_PKEY_get_size(out.pkey.get())), '\0');
    size_t len = sig.size();
    bool ok = EVP_PKEY_sign(signer.get(), reinterpret_cast<unsigned char *>(sig.data()), &len,
                            digest, sizeof digest) == 1 &&
              EVP_PKEY_verify(verifier.get(), reinterpret_cast<const unsigned char *>(sig.data()),
                              len, digest, sizeof digest) == 1;
    openssl_clear_errors();
    if (!ok) return mismatched_private_key();
    return Status::Ok();
}

// An RSA private key's CRT members, when it has them, must agree with n and
// d: n = p q, dp = d mod (p-1), dq = d mod (q-1), qi q = 1 mod p. Cheap
// arithmetic, unlike a primality proof of p and q.
Status check_rsa_factors(const ImportedKey &out, bool &consistent) {
    consistent = true;
    EVP_PKEY *pkey = out.pkey.get();
    const char *names[] = {OSSL_PKEY_PARAM_RSA_N,           OSSL_PKEY_PARAM_RSA_D,
                           OSSL_PKEY_PARAM_RSA_FACTOR1,     OSSL_PKEY_PARAM_RSA_FACTOR2,
                           OSSL_PKEY_PARAM_RSA_EXPONENT1,   OSSL_PKEY_PARAM_RSA_EXPONENT2,
                           OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    BnClearPtr v[7];
    for (size_t i = 0; i < 7; i++) {
        BIGNUM *raw = nullptr;
        if (EVP_PKEY_get_bn_param(pkey, names[i], &raw) != 1) {
            openssl_clear_errors();
            if (i < 2) return openssl_failure("read the RSA key");
            return Status::Ok();  // no CRT members: nothing to compare
        }
        v[i].reset(raw);
    }
    const BIGNUM *n = v[0].get(), *d = v[1].get(), *p = v[2].get(), *q = v[3].get(),
                 *dp = v[4].get(), *dq = v[5].get(), *qi = v[6].get();
    OpenSslPtr<BN_CTX, BN_CTX_free> bn_ctx(BN_CTX_secure_new());
    BnClearPtr t(BN_new()), p1(BN_dup(p)), q1(BN_dup(q));
    if (!bn_ctx || !t || !p1 || !q1 || !BN_sub_word(p1.get(), 1) || !BN_sub_word(q1.get(), 1))
        return openssl_failure("check the RSA key");
    auto equal_after = [&](int ok, const BIGNUM *expected) {
        return ok == 1 && BN_cmp(t.get(), expected) == 0;
    };
    if (BN_is_zero(p1.get()) || BN_is_zero(q1.get()) ||
        !equal_after(BN_mul(t.get(), p, q, bn_ctx.get()), n) ||
        !equal_after(BN_mod(t.get(), d, p1.get(), bn_ctx.get()), dp) ||
        !equal_after(BN_mod(t.get(), d, q1.get(), bn_ctx.get()), dq) ||
        !equal_after(BN_mod_mul(t.get(), qi, q, p, bn_ctx.get()), BN_value_one()))
        consistent = false;
    openssl_clear_errors();
    return Status::Ok();
}

}  // namespace

Status check_eddsa_public_key(const ImportedKey &key) {
    unsigned char pub[64];
    size_t len = sizeof pub;
    if (EVP_PKEY_get_raw_public_key(key.pkey.get(), pub, &len) != 1)
        return openssl_failure("read the public key");
    if (small_order_point(key.curve, pub, len))
        return bad_key("invalid public key",
                       "The EdDSA public key is a point of small order, under which signatures "
                       "can be forged.");
    return Status::Ok();
}

// A private key is checked against its public half: one whose members do
// not match would sign tokens that its own public key refuses, or fail to
// sign at all. For RSA that is one signature that must verify: OpenSSL's
// pairwise check also proves p and q prime, far more work than a signature
// (once per key and backend, but on the first jwt.sign or jwt.issue of
// every connection); here the CRT members are compared with n and d by
// arithmetic, and a signature that verifies proves d.
Status check_key(ImportedKey &out, bool pairwise) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, out.pkey.get(), nullptr));
    if (!ctx) return openssl_failure("check the key");
    // EC points must lie on the curve; RSA public keys are judged by the
    // binding rules (size, exponent) with their own messages.
    if (out.type == KeyType::ec && EVP_PKEY_public_check(ctx.get()) != 1) {
        openssl_clear_errors();
        return bad_key("invalid public key", "The EC point is not on the curve.");
    }
    if (!pairwise) return Status::Ok();
    if (out.type == KeyType::rsa) {
        bool consistent = false;
        PGJWT_TRY(check_rsa_factors(out, consistent));
        if (!consistent) return mismatched_private_key();
        return self_test_rsa(out);
    }
    if (EVP_PKEY_pairwise_check(ctx.get()) != 1) {
        openssl_clear_errors();
        return mismatched_private_key();
    }
    return Status::Ok();
}

Status check_rsa_costs(const ImportedKey &key) {
    size_t bits = rsa_modulus_bits(key);
    if (bits > kMaxRsaModulusBits)
        return bad_key("RSA key is too large",
                       "RSA keys have at most " + std::to_string(kMaxRsaModulusBits) +
                           " bits; this one has " + std::to_string(bits) + ".");
    return check_rsa_public_exponent(key);
}

Status check_rsa_public_exponent(const ImportedKey &key) {
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(key.pkey.get(), OSSL_PKEY_PARAM_RSA_E, &raw) != 1)
        return openssl_failure("read the RSA exponent");
    BnPtr e(raw);
    auto bits = static_cast<size_t>(BN_num_bits(e.get()));
    if (bits <= kMaxRsaPublicExponentBits) return Status::Ok();
    return bad_key("RSA public exponent is too large",
                   "pg_jwt accepts RSA public exponents below 2^" +
                       std::to_string(kMaxRsaPublicExponentBits) +
                       " (65537 is usual); this one has " + std::to_string(bits) + " bits.");
}

size_t rsa_modulus_bits(const ImportedKey &key) {
    if (key.type != KeyType::rsa) return 0;
    return static_cast<size_t>(EVP_PKEY_get_bits(key.pkey.get()));
}

}  // namespace pgjwt

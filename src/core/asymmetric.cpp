#include "asymmetric.hpp"

#include <array>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "key_set.hpp"
#include "message_digest.hpp"
#include "openssl_error.hpp"

namespace pgjwt {
namespace {

struct Hash {
    unsigned char bytes[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
};

Status hash(Algorithm alg, std::string_view input, Hash &out) {
    if (!message_digest_compute(algorithm_digest(alg), input, out.bytes, out.size))
        return openssl_failure("hash the signing input");
    return Status::Ok();
}

int curve_nid(Curve curve) {
    switch (curve) {
        case Curve::p256:
            return NID_X9_62_prime256v1;
        case Curve::p384:
            return NID_secp384r1;
        case Curve::p521:
            return NID_secp521r1;
        case Curve::secp256k1:
            return NID_secp256k1;
        default:
            return NID_undef;
    }
}

Status set_rsa_padding(Algorithm alg, EVP_PKEY_CTX *ctx) {
    const EVP_MD *md = message_digest(algorithm_digest(alg));
    if (md == nullptr || EVP_PKEY_CTX_set_signature_md(ctx, md) != 1)
        return openssl_failure("set the signature digest");
    if (algorithm_family(alg) == AlgorithmFamily::rsa_pss) {
        // JOSE: salt length = hash length, MGF1 with the same hash (RFC 7518 3.5).
        if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) != 1)
            return openssl_failure("set RSA-PSS parameters");
    } else if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1) {
        return openssl_failure("set RSA padding");
    }
    return Status::Ok();
}

Status ecdsa_to_der(const PreparedKey &key, std::string_view raw, std::string &der,
                    bool &in_range) {
    in_range = false;
    size_t half = raw.size() / 2;
    const auto *bytes = reinterpret_cast<const unsigned char *>(raw.data());
    BnPtr r(BN_bin2bn(bytes, static_cast<int>(half), nullptr));
    BnPtr s(BN_bin2bn(bytes + half, static_cast<int>(half), nullptr));
    if (!r || !s) return openssl_failure("read the ECDSA signature");
    const BIGNUM *n = key.ec_order.get();
    // r = s = 0 would verify against any message in some implementations
    // (CVE-2022-21449); values >= n are not canonical. Refuse both here.
    if (BN_is_zero(r.get()) || BN_is_zero(s.get()) || BN_cmp(r.get(), n) >= 0 ||
        BN_cmp(s.get(), n) >= 0)
        return Status::Ok();
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return openssl_failure("build the ECDSA signature");
    r.release();
    s.release();
    int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (len <= 0) return openssl_failure("encode the ECDSA signature");
    der.resize(static_cast<size_t>(len));
    auto *p = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &p) != len) return openssl_failure("encode the ECDSA signature");
    in_range = true;
    return Status::Ok();
}

// OpenSSL writes an ECDSA signature as DER (SEQUENCE { r, s }); JOSE's is
// r || s, each left-padded to the field size (RFC 7518 section 3.4).
// Under an allocation failure OpenSSL 3.0 can report success with a
// signature that is not DER, its error left queued (found by the
// fault-injection test): it is refused here, and the queued error becomes
// the reason.
Status ecdsa_from_der(const unsigned char *der, size_t len, size_t field_size, std::string &out) {
    const unsigned char *p = der;
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
    if (!sig || p != der + len) return openssl_failure("decode the ECDSA signature");
    const BIGNUM *r = nullptr, *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    size_t start = out.size();
    out.resize(start + 2 * field_size);
    auto *o = reinterpret_cast<unsigned char *>(out.data() + start);
    int width = static_cast<int>(field_size);
    if (BN_is_negative(r) || BN_is_negative(s) || BN_bn2binpad(r, o, width) != width ||
        BN_bn2binpad(s, o + field_size, width) != width) {
        out.resize(start);
        return openssl_failure("decode the ECDSA signature");
    }
    return Status::Ok();
}

size_t eddsa_signature_size(Curve curve) {
    return curve == Curve::ed448 ? 114 : 64;
}

}  // namespace

Status prepare_asymmetric(Algorithm alg, KeyPurpose purpose, PreparedKey &key) {
    AlgorithmFamily family = algorithm_family(alg);
    if (family == AlgorithmFamily::hmac) return Status::Ok();
    if (family == AlgorithmFamily::eddsa) {
        // Initialised with the key once; each operation re-initialises it
        // with a NULL key, which keeps the key (OpenSSL 3.0.1 and later).
        MdCtxPtr md(EVP_MD_CTX_new());
        if (!md) return openssl_failure("allocate an EdDSA context");
        EVP_PKEY *pkey = key.key.pkey.get();
        int init =
            purpose == KeyPurpose::sign
                ? EVP_DigestSignInit_ex(md.get(), nullptr, nullptr, nullptr, nullptr, pkey, nullptr)
                : EVP_DigestVerifyInit_ex(md.get(), nullptr, nullptr, nullptr, nullptr, pkey,
                                          nullptr);
        if (init != 1) return openssl_failure("initialise EdDSA");
        key.md_ctx = std::move(md);
        return Status::Ok();
    }
    key.max_signature = static_cast<size_t>(EVP_PKEY_get_size(key.key.pkey.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.key.pkey.get(), nullptr));
    if (!ctx) return openssl_failure("allocate a key context");
    int init = purpose == KeyPurpose::sign ? EVP_PKEY_sign_init(ctx.get())
                                           : EVP_PKEY_verify_init(ctx.get());
    if (init != 1) return openssl_failure("initialise the key context");
    if (family == AlgorithmFamily::ecdsa) {
        const EVP_MD *md = message_digest(algorithm_digest(alg));
        if (md == nullptr || EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1)
            return openssl_failure("set the signature digest");
        OpenSslPtr<EC_GROUP, EC_GROUP_free> group(
            EC_GROUP_new_by_curve_name(curve_nid(key.key.curve)));
        if (!group) return openssl_failure("load the curve");
        key.ec_order.reset(BN_dup(EC_GROUP_get0_order(group.get())));
        if (!key.ec_order) return openssl_failure("load the curve order");
    } else {
        PGJWT_TRY(set_rsa_padding(alg, ctx.get()));
    }
    key.ctx = std::move(ctx);
    return Status::Ok();
}

Status asymmetric_sign(Algorithm alg, PreparedKey &key, std::string_view input, std::string &out) {
    openssl_clear_errors();
    AlgorithmFamily family = algorithm_family(alg);
    if (family == AlgorithmFamily::eddsa) {
        size_t len = eddsa_signature_size(key.key.curve);
        size_t start = out.size();
        out.resize(start + len);
        if (EVP_DigestSignInit_ex(key.md_ctx.get(), nullptr, nullptr, nullptr, nullptr, nullptr,
                                  nullptr) != 1 ||
            EVP_DigestSign(key.md_ctx.get(), reinterpret_cast<unsigned char *>(out.data() + start),
                           &len, reinterpret_cast<const unsigned char *>(input.data()),
                           input.size()) != 1)
            return openssl_failure("sign with EdDSA");
        out.resize(start + len);
        return Status::Ok();
    }
    Hash digest;
    PGJWT_TRY(hash(alg, input, digest));
    // Sized once when the key was prepared: asking OpenSSL for the size makes
    // it compute a dummy signature.
    static std::string sig;
    size_t len = key.max_signature;
    sig.resize(len);
    if (EVP_PKEY_sign(key.ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &len,
                      digest.bytes, digest.size) != 1)
        return openssl_failure("sign");
    if (family == AlgorithmFamily::ecdsa)
        return ecdsa_from_der(reinterpret_cast<const unsigned char *>(sig.data()), len,
                              curve_field_size(key.key.curve), out);
    out.append(sig.data(), len);
    return Status::Ok();
}

Status asymmetric_verify(Algorithm alg, PreparedKey &key, std::string_view input,
                         std::string_view signature, bool &valid) {
    openssl_clear_errors();
    valid = false;
    const auto *sig = reinterpret_cast<const unsigned char *>(signature.data());
    switch (algorithm_family(alg)) {
        case AlgorithmFamily::eddsa: {
            if (signature.size() != eddsa_signature_size(key.key.curve)) return Status::Ok();
            if (EVP_DigestVerifyInit_ex(key.md_ctx.get(), nullptr, nullptr, nullptr, nullptr,
                                        nullptr, nullptr) != 1)
                return openssl_failure("initialise EdDSA verification");
            valid = EVP_DigestVerify(key.md_ctx.get(), sig, signature.size(),
                                     reinterpret_cast<const unsigned char *>(input.data()),
                                     input.size()) == 1;
            openssl_clear_errors();
            return Status::Ok();
        }
        case AlgorithmFamily::ecdsa: {
            if (signature.size() != 2 * curve_field_size(key.key.curve)) return Status::Ok();
            std::string der;
            bool in_range = false;
            PGJWT_TRY(ecdsa_to_der(key, signature, der, in_range));
            if (!in_range) return Status::Ok();
            Hash digest;
            PGJWT_TRY(hash(alg, input, digest));
            valid =
                EVP_PKEY_verify(key.ctx.get(), reinterpret_cast<const unsigned char *>(der.data()),
                                der.size(), digest.bytes, digest.size) == 1;
            openssl_clear_errors();
            return Status::Ok();
        }
        case AlgorithmFamily::rsa_pkcs1:
        case AlgorithmFamily::rsa_pss: {
            if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.key.pkey.get())))
                return Status::Ok();
            Hash digest;
            PGJWT_TRY(hash(alg, input, digest));
            valid = EVP_PKEY_verify(key.ctx.get(), sig, signature.size(), digest.bytes,
                                    digest.size) == 1;
            openssl_clear_errors();
            return Status::Ok();
        }
        case AlgorithmFamily::hmac:
            break;
    }
    return Status::Internal("asymmetric_verify called with an HMAC algorithm");
}

}  // namespace pgjwt

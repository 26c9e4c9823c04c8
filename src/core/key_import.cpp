#include "key_import.hpp"

#include <array>
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "base64url.hpp"
#include "key.hpp"
#include "key_checks.hpp"
#include "limits.hpp"
#include "openssl_error.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

Status bad_key(std::string message, std::string detail = {}) {
    return Status::InvalidArgument(std::move(message), std::move(detail));
}

struct CurveNames {
    Curve curve;
    const char *openssl_group;  // EC group name, or the OKP key type name
};
constexpr std::array kCurveNames = {
    CurveNames{Curve::p256, "prime256v1"}, CurveNames{Curve::p384, "secp384r1"},
    CurveNames{Curve::p521, "secp521r1"},  CurveNames{Curve::secp256k1, "secp256k1"},
    CurveNames{Curve::ed25519, "ED25519"}, CurveNames{Curve::ed448, "ED448"},
};

const char *openssl_name(Curve curve) {
    for (const auto &c : kCurveNames)
        if (c.curve == curve) return c.openssl_group;
    return "";
}

// Fills type and curve from an OpenSSL key; refuses what JOSE cannot use.
Status classify(ImportedKey &key) {
    EVP_PKEY *pkey = key.pkey.get();
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        key.type = KeyType::rsa;
        return check_rsa_costs(key);
    }
    if (EVP_PKEY_is_a(pkey, "ED25519") || EVP_PKEY_is_a(pkey, "ED448")) {
        key.type = KeyType::okp;
        key.curve = EVP_PKEY_is_a(pkey, "ED25519") ? Curve::ed25519 : Curve::ed448;
        return check_eddsa_public_key(key);
    }
    if (EVP_PKEY_is_a(pkey, "EC")) {
        key.type = KeyType::ec;
        char group[64] = {0};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &len) != 1) {
            openssl_clear_errors();
            return bad_key("unsupported elliptic curve",
                           "Keys with explicit curve parameters are not accepted; use a named "
                           "curve (P-256, P-384, P-521 or secp256k1).");
        }
        for (const auto &c : kCurveNames)
            if (std::strcmp(c.openssl_group, group) == 0) key.curve = c.curve;
        if (key.curve == Curve::none || key.curve == Curve::ed25519 || key.curve == Curve::ed448)
            return bad_key("unsupported elliptic curve",
                           std::string("Curve ") + group +
                               " has no JOSE algorithm; use P-256, P-384, P-521 or secp256k1.");
        return Status::Ok();
    }
    return bad_key("unsupported key type",
                   "Only RSA, EC (P-256, P-384, P-521, secp256k1) and Ed25519/Ed448 keys can "
                   "sign JWTs; RSA-PSS-restricted keys are not supported either.");
}

// The first PEM block of the text whose label is a key or a certificate.
struct PemBlock {
    std::string_view label;
    std::string_view text;  // from -----BEGIN to the end of -----END ...-----
};

bool find_pem_block(std::string_view text, PemBlock &block) {
    constexpr std::string_view kBegin = "-----BEGIN ";
    size_t pos = 0;
    while ((pos = text.find(kBegin, pos)) != std::string_view::npos) {
        size_t label_start = pos + kBegin.size();
        size_t label_end = text.find("-----", label_start);
        if (label_end == std::string_view::npos) return false;
        std::string_view label = text.substr(label_start, label_end - label_start);
        std::string end_marker = "-----END " + std::string(label) + "-----";
        size_t end = text.find(end_marker, label_end);
        if (end == std::string_view::npos) return false;
        if (label != "EC PARAMETERS") {
            block.label = label;
            block.text = text.substr(pos, end + end_marker.size() - pos);
            return true;
        }
        pos = end + end_marker.size();
    }
    return false;
}

Status decode_pem_key(std::string_view pem, int selection, ImportedKey &out) {
    EVP_PKEY *raw = nullptr;
    DecoderCtxPtr decoder(
        OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, nullptr, selection, nullptr, nullptr));
    if (!decoder) return openssl_failure("create a PEM decoder");
    const auto *data = reinterpret_cast<const unsigned char *>(pem.data());
    size_t len = pem.size();
    if (OSSL_DECODER_from_data(decoder.get(), &data, &len) != 1 || raw == nullptr) {
        openssl_clear_errors();
        EVP_PKEY_free(raw);
        return bad_key("invalid PEM key", "OpenSSL could not decode the PEM block.");
    }
    out.pkey.reset(raw);
    return Status::Ok();
}

Status decode_certificate(std::string_view pem, ImportedKey &out) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return openssl_failure("allocate a buffer");
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        openssl_clear_errors();
        return bad_key("invalid X.509 certificate", "OpenSSL could not decode the certificate.");
    }
    EVP_PKEY *pkey = X509_get_pubkey(cert.get());
    if (pkey == nullptr) {
        openssl_clear_errors();
        return bad_key("invalid X.509 certificate", "The certificate's public key is unusable.");
    }
    out.pkey.reset(pkey);
    return Status::Ok();
}

// --- JWK members to OpenSSL ---------------------------------------------------

Status decode_member(std::string_view text, const char *name, SecretString &bytes) {
    bytes.clear();
    if (text.empty() || !base64url_decode(text, bytes))
        return bad_key("invalid JSON Web Key",
                       std::string("Member \"") + name + "\" must be non-empty base64url.");
    return Status::Ok();
}

Status push_bn(OSSL_PARAM_BLD *bld, const char *param, std::string_view b64, const char *name,
               std::vector<BnClearPtr> &keep) {
    SecretString bytes;
    PGJWT_TRY(decode_member(b64, name, bytes));
    BnClearPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char *>(bytes.data()),
                            static_cast<int>(bytes.size()), nullptr));
    if (!bn || OSSL_PARAM_BLD_push_BN(bld, param, bn.get()) != 1)
        return openssl_failure("build key parameters");
    keep.push_back(std::move(bn));
    return Status::Ok();
}

Status from_params(const char *type, OSSL_PARAM_BLD *bld, int selection, ImportedKey &out) {
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1)
        return openssl_failure("prepare key import");
    EVP_PKEY *raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1 || raw == nullptr) {
        openssl_clear_errors();
        return bad_key("invalid JSON Web Key", "OpenSSL refused the key parameters.");
    }
    out.pkey.reset(raw);
    return Status::Ok();
}

Status import_rsa_jwk(const JwkMembers &jwk, ImportedKey &out) {
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld) return openssl_failure("build key parameters");
    std::vector<BnClearPtr> keep;
    PGJWT_TRY(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_N, jwk.n, "n", keep));
    PGJWT_TRY(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_E, jwk.e, "e", keep));
    int selection = EVP_PKEY_PUBLIC_KEY;
    if (jwk.has_d) {
        selection = EVP_PKEY_KEYPAIR;
        PGJWT_TRY(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_D, jwk.d, "d", keep));
        bool crt = !jwk.p.empty() || !jwk.q.empty() || !jwk.dp.empty() || !jwk.dq.empty() ||
                   !jwk.qi.empty();
        if (crt) {
            PGJWT_TRY(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, jwk.p, "p", keep));
            PGJWT_TRY(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, jwk.q, "q", keep));
            PGJWT_TRY(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, jwk.dp, "dp", keep));
            PGJWT_TRY(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, jwk.dq, "dq", keep));
            PGJWT_TRY(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, jwk.qi, "qi", keep));
        }
    }
    PGJWT_TRY(from_params("RSA", bld.get(), selection, out));
    out.type = KeyType::rsa;
    out.has_private = jwk.has_d;
    // Before the private key's self-test, which a large modulus or exponent
    // would make slow.
    PGJWT_TRY(check_rsa_costs(out));
    return check_key(out, jwk.has_d);
}

Status import_ec_jwk(const JwkMembers &jwk, Curve curve, ImportedKey &out) {
    size_t size = curve_field_size(curve);
    SecretString x, y;
    PGJWT_TRY(decode_member(jwk.x, "x", x));
    PGJWT_TRY(decode_member(jwk.y, "y", y));
    if (x.size() != size || y.size() != size)
        return bad_key("invalid JSON Web Key",
                       "Members \"x\" and \"y\" of a " + std::string(curve_name(curve)) +
                           " key must be " + std::to_string(size) + " bytes long.");
    std::string point = "\x04";
    point.append(x);
    point.append(y);
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld) return openssl_failure("build key parameters");
    std::vector<BnClearPtr> keep;
    if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, openssl_name(curve),
                                        0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1)
        return openssl_failure("build key parameters");
    int selection = EVP_PKEY_PUBLIC_KEY;
    if (jwk.has_d) {
        SecretString d;
        PGJWT_TRY(decode_member(jwk.d, "d", d));
        if (d.size() != size)
            return bad_key("invalid JSON Web Key",
                           "Member \"d\" of a " + std::string(curve_name(curve)) + " key must be " +
                               std::to_string(size) + " bytes long.");
        selection = EVP_PKEY_KEYPAIR;
        PGJWT_TRY(push_bn(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, jwk.d, "d", keep));
    }
    PGJWT_TRY(from_params("EC", bld.get(), selection, out));
    out.type = KeyType::ec;
    out.curve = curve;
    out.has_private = jwk.has_d;
    return check_key(out, jwk.has_d);
}

Status import_okp_jwk(const JwkMembers &jwk, Curve curve, ImportedKey &out) {
    const char *type = openssl_name(curve);
    size_t size = curve_field_size(curve);
    SecretString x;
    PGJWT_TRY(decode_member(jwk.x, "x", x));
    if (x.size() != size)
        return bad_key("invalid JSON Web Key",
                       "Member \"x\" of an " + std::string(curve_name(curve)) + " key must be " +
                           std::to_string(size) + " bytes long.");
    EVP_PKEY *raw = nullptr;
    if (jwk.has_d) {
        SecretString d;
        PGJWT_TRY(decode_member(jwk.d, "d", d));
        if (d.size() != size)
            return bad_key("invalid JSON Web Key", "Member \"d\" has the wrong length.");
        raw = EVP_PKEY_new_raw_private_key_ex(
            nullptr, type, nullptr, reinterpret_cast<const unsigned char *>(d.data()), d.size());
    } else {
        raw = EVP_PKEY_new_raw_public_key_ex(
            nullptr, type, nullptr, reinterpret_cast<const unsigned char *>(x.data()), x.size());
    }
    if (raw == nullptr) {
        openssl_clear_errors();
        return bad_key("invalid JSON Web Key", "OpenSSL refused the key.");
    }
    out.pkey.reset(raw);
    out.type = KeyType::okp;
    out.curve = curve;
    out.has_private = jwk.has_d;
    PGJWT_TRY(check_eddsa_public_key(out));
    if (jwk.has_d) {
        unsigned char pub[64];
        size_t pub_len = sizeof pub;
        if (EVP_PKEY_get_raw_public_key(raw, pub, &pub_len) != 1)
            return openssl_failure("derive the public key");
        if (pub_len != x.size() || std::memcmp(pub, x.data(), pub_len) != 0)
            return bad_key("invalid private key",
                           "The private key does not match the public key \"x\".");
    }
    return Status::Ok();
}

}  // namespace

std::string_view key_type_name(KeyType type) {
    switch (type) {
        case KeyType::oct:
            return "oct";
        case KeyType::rsa:
            return "RSA";
        case KeyType::ec:
            return "EC";
        case KeyType::okp:
            return "OKP";
    }
    return "";
}

bool looks_like_pem(std::string_view text) {
    return trim_space(text).starts_with("-----BEGIN");
}

Status import_pem(std::string_view text, ImportedKey &out) {
    PemBlock block;
    if (!find_pem_block(text, block))
        return bad_key("invalid PEM key", "No complete PEM block was found.");
    if (block.label == "ENCRYPTED PRIVATE KEY")
        return bad_key("encrypted private keys are not supported",
                       "Decrypt the key first (openssl pkcs8 -nocrypt).");
    if (block.label == "CERTIFICATE") {
        PGJWT_TRY(decode_certificate(block.text, out));
        out.has_private = false;
    } else if (block.label == "PUBLIC KEY" || block.label == "RSA PUBLIC KEY") {
        PGJWT_TRY(decode_pem_key(block.text, EVP_PKEY_PUBLIC_KEY, out));
        out.has_private = false;
    } else if (block.label == "PRIVATE KEY" || block.label == "RSA PRIVATE KEY" ||
               block.label == "EC PRIVATE KEY") {
        PGJWT_TRY(decode_pem_key(block.text, EVP_PKEY_KEYPAIR, out));
        out.has_private = true;
        PGJWT_TRY(classify(out));
        return check_key(out, true);
    } else {
        return bad_key("unsupported PEM block \"" + excerpt(block.label, 40) + "\"",
                       "Expected a public key, a private key or a certificate.");
    }
    return classify(out);
}

Status import_jwk(const JwkMembers &jwk, ImportedKey &out) {
    if (!jwk.problem.ok()) return jwk.problem;  // a key of a set that did not read
    out.has_alg = jwk.has_alg;
    out.alg = jwk.alg;
    out.has_kid = jwk.has_kid;
    out.kid = jwk.kid;
    out.has_use = jwk.has_use;
    out.use = jwk.use;
    out.has_key_ops = jwk.has_key_ops;
    out.key_ops = jwk.key_ops;
    if (jwk.kty == "oct") {
        if (!jwk.has_k) return bad_key("invalid JSON Web Key", "Member \"k\" is missing.");
        out.type = KeyType::oct;
        out.secret.clear();
        if (!base64url_decode(jwk.k, out.secret))
            return bad_key("invalid JSON Web Key", "Member \"k\" must be base64url.");
        if (out.secret.empty())
            return bad_key("HMAC secret must not be empty", "Member \"k\" of the JWK is empty.");
        out.has_private = true;
        return Status::Ok();
    }
    if (jwk.kty == "RSA") return import_rsa_jwk(jwk, out);
    if (jwk.kty == "EC" || jwk.kty == "OKP") {
        auto curve = parse_curve(jwk.crv);
        bool okp_curve = curve && (*curve == Curve::ed25519 || *curve == Curve::ed448);
        if (!curve || okp_curve != (jwk.kty == "OKP"))
            return bad_key("unsupported curve \"" + excerpt(jwk.crv, 32) + "\" for kty " +
                               excerpt(jwk.kty, 32),
                           "EC keys use P-256, P-384, P-521 or secp256k1; OKP keys use Ed25519 "
                           "or Ed448.");
        return okp_curve ? import_okp_jwk(jwk, *curve, out) : import_ec_jwk(jwk, *curve, out);
    }
    return bad_key("unsupported key type \"" + excerpt(jwk.kty, 32) + "\"",
                   "Supported JWK types are oct, RSA, EC and OKP.");
}

Status import_secret(std::string_view bytes, ImportedKey &out) {
    if (bytes.empty()) return bad_key("HMAC secret must not be empty");
    out.type = KeyType::oct;
    out.secret.assign(bytes);
    out.has_private = true;
    return Status::Ok();
}

Status import_key_text(Algorithm alg, std::string_view text, ImportedKey &out) {
    PGJWT_TRY(check_key_size(text));
    if (looks_like_json_object(text)) {
        std::vector<JwkMembers> members;
        bool is_set = false;
        PGJWT_TRY(parse_jwk_text(text, members, is_set));
        if (is_set) return bad_key("one key is needed, not a JWK set");
        return import_jwk(members.front(), out);
    }
    if (looks_like_pem(text)) return import_pem(text, out);
    if (algorithm_family(alg) == AlgorithmFamily::hmac) {
        PGJWT_TRY(check_secret_text(text));
        return import_secret(text, out);
    }
    return bad_key("key is neither PEM nor a JSON Web Key");
}

}  // namespace pgjwt

#include "jwk_export.hpp"

#include <openssl/core_names.h>
#include <openssl/rand.h>

#include "base64url.hpp"
#include "json.hpp"
#include "key_set.hpp"
#include "openssl_error.hpp"

namespace pgjwt {
namespace {

// Appends a string member to an object under construction ("{" so far, or more).
void add(std::string &json, std::string_view name, std::string_view value) {
    if (json.size() > 1) json.push_back(',');
    json_append_string(name, json);
    json.push_back(':');
    json_append_string(value, json);
}

// Appends base64url(param) where the key has it; `pad` fixes the width.
Status add_bignum(std::string &json, const ImportedKey &key, const char *param,
                  std::string_view name, size_t pad) {
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(key.pkey.get(), param, &raw) != 1) {
        openssl_clear_errors();
        return Status::Ok();  // absent (e.g. an RSA key without CRT factors)
    }
    BnClearPtr bn(raw);
    size_t len = pad ? pad : static_cast<size_t>(BN_num_bytes(bn.get()));
    std::string bytes(len, '\0');
    if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char *>(bytes.data()),
                     static_cast<int>(len)) < 0)
        return openssl_failure("export the key");
    add(json, name, base64url_encode(bytes));
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return Status::Ok();
}

Status key_members(const ImportedKey &key, bool with_private, std::string &json) {
    json = "{";
    add(json, "kty", key_type_name(key.type));
    switch (key.type) {
        case KeyType::oct:
            if (with_private) add(json, "k", base64url_encode(key.secret));
            return Status::Ok();
        case KeyType::rsa:
            PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_RSA_N, "n", 0));
            PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_RSA_E, "e", 0));
            if (with_private) {
                PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_RSA_D, "d", 0));
                PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_RSA_FACTOR1, "p", 0));
                PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_RSA_FACTOR2, "q", 0));
                PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_RSA_EXPONENT1, "dp", 0));
                PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_RSA_EXPONENT2, "dq", 0));
                PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, "qi", 0));
            }
            return Status::Ok();
        case KeyType::ec: {
            size_t size = curve_field_size(key.curve);
            add(json, "crv", curve_name(key.curve));
            PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_EC_PUB_X, "x", size));
            PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_EC_PUB_Y, "y", size));
            if (with_private) PGJWT_TRY(add_bignum(json, key, OSSL_PKEY_PARAM_PRIV_KEY, "d", size));
            return Status::Ok();
        }
        case KeyType::okp: {
            add(json, "crv", curve_name(key.curve));
            unsigned char buf[64];
            size_t len = sizeof buf;
            if (EVP_PKEY_get_raw_public_key(key.pkey.get(), buf, &len) != 1)
                return openssl_failure("export the key");
            add(json, "x", base64url_encode({reinterpret_cast<char *>(buf), len}));
            if (with_private) {
                len = sizeof buf;
                if (EVP_PKEY_get_raw_private_key(key.pkey.get(), buf, &len) != 1)
                    return openssl_failure("export the key");
                add(json, "d", base64url_encode({reinterpret_cast<char *>(buf), len}));
                OPENSSL_cleanse(buf, sizeof buf);
            }
            return Status::Ok();
        }
    }
    return Status::Internal("unknown key type");
}

Status annotated(const ImportedKey &key, bool with_private, Algorithm alg, std::string_view kid,
                 std::string &json) {
    PGJWT_TRY(key_members(key, with_private, json));
    add(json, "alg", algorithm_name(alg));
    if (!kid.empty()) add(json, "kid", kid);
    add(json, "use", "sig");
    json.push_back('}');
    return Status::Ok();
}

Status random_kid(std::string &kid) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return openssl_failure("generate a kid");
    kid = base64url_encode({reinterpret_cast<char *>(bytes), sizeof bytes});
    return Status::Ok();
}

}  // namespace

Status public_jwk(const ImportedKey &key, Algorithm alg, std::string_view kid, std::string &json) {
    json.clear();
    if (key.type == KeyType::oct) return Status::Ok();
    return annotated(key, false, alg, kid, json);
}

Status private_jwk(const ImportedKey &key, Algorithm alg, std::string_view kid, std::string &json) {
    return annotated(key, true, alg, kid, json);
}

Status generate_key(Algorithm alg, size_t rsa_bits, ImportedKey &out) {
    openssl_clear_errors();
    out.has_private = true;
    EVP_PKEY *raw = nullptr;
    switch (algorithm_family(alg)) {
        case AlgorithmFamily::hmac: {
            out.type = KeyType::oct;
            out.secret.assign(digest_size(algorithm_digest(alg)), '\0');
            if (RAND_bytes(reinterpret_cast<unsigned char *>(out.secret.data()),
                           static_cast<int>(out.secret.size())) != 1)
                return openssl_failure("generate a secret");
            return Status::Ok();
        }
        case AlgorithmFamily::rsa_pkcs1:
        case AlgorithmFamily::rsa_pss:
            if (rsa_bits != 2048 && rsa_bits != 3072 && rsa_bits != 4096)
                return Status::InvalidArgument("unsupported RSA key size",
                                               "Generated RSA keys have 2048, 3072 or 4096 bits.");
            out.type = KeyType::rsa;
            raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", rsa_bits);
            break;
        case AlgorithmFamily::ecdsa: {
            out.type = KeyType::ec;
            out.curve = algorithm_curve(alg);
            const char *group = out.curve == Curve::p256   ? "P-256"
                                : out.curve == Curve::p384 ? "P-384"
                                : out.curve == Curve::p521 ? "P-521"
                                                           : "secp256k1";
            raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group);
            break;
        }
        case AlgorithmFamily::eddsa:
            out.type = KeyType::okp;
            out.curve = alg == Algorithm::Ed448 ? Curve::ed448 : Curve::ed25519;
            raw = EVP_PKEY_Q_keygen(nullptr, nullptr,
                                    out.curve == Curve::ed448 ? "ED448" : "ED25519");
            break;
    }
    if (raw == nullptr) return openssl_failure("generate a key");
    out.pkey.reset(raw);
    return Status::Ok();
}

Status keyring_entry(const ImportedKey &key, Algorithm alg, std::string_view kid,
                     KeyringEntry &out) {
    openssl_clear_errors();
    PGJWT_TRY(check_key_binding(alg, key, key.has_private ? KeyPurpose::sign : KeyPurpose::verify));
    if (!kid.empty())
        out.kid = kid;
    else if (key.type == KeyType::oct)
        PGJWT_TRY(random_kid(out.kid));
    else
        PGJWT_TRY(jwk_thumbprint(key, out.kid));
    PGJWT_TRY(public_jwk(key, alg, out.kid, out.public_jwk));
    out.private_jwk.clear();
    if (key.has_private) PGJWT_TRY(private_jwk(key, alg, out.kid, out.private_jwk));
    return Status::Ok();
}

}  // namespace pgjwt

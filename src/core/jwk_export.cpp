#include "jwk_export.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base64url.hpp"
#include "json_text.hpp"
#include "key_set.hpp"
#include "message_digest.hpp"
#include "limits.hpp"
#include "openssl_error.hpp"

namespace pgjwt {
namespace {

// Appends "name":"base64url(bytes)".
void append_base64_member(SecretString &json, const char *name, std::string_view bytes) {
    SecretString encoded;
    base64url_append(bytes, encoded);
    json_append_member(name, encoded, json);
}

// base64url(param) in `out`; `pad` fixes the width.
Status bignum_base64(EVP_PKEY *pkey, const char *param, size_t pad, SecretString &out) {
    BIGNUM *raw = nullptr;
    // A failure must not silently drop a member: that would be another key.
    if (EVP_PKEY_get_bn_param(pkey, param, &raw) != 1) return openssl_failure("export the key");
    BnClearPtr bn(raw);
    size_t len = pad ? pad : static_cast<size_t>(BN_num_bytes(bn.get()));
    SecretString bytes;
    bytes.resize(len);
    if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char *>(bytes.data()),
                     static_cast<int>(len)) < 0)
        return openssl_failure("export the key");
    out.clear();
    base64url_append(bytes, out);
    return Status::Ok();
}

// Appends "name":"base64url(param)"; `pad` fixes the width.
Status append_bignum(SecretString &json, EVP_PKEY *pkey, const char *param, const char *name,
                     size_t pad) {
    SecretString encoded;
    PGJWT_TRY(bignum_base64(pkey, param, pad, encoded));
    json_append_member(name, encoded, json);
    return Status::Ok();
}

void append_raw(SecretString &json, const char *name, const unsigned char *bytes, size_t len) {
    append_base64_member(json, name, {reinterpret_cast<const char *>(bytes), len});
}

Status annotated(const ImportedKey &key, bool with_private, Algorithm alg, std::string_view kid,
                 SecretString &json) {
    json = "{";
    PGJWT_TRY(append_key_members(key, with_private, json));
    json_append_member("alg", algorithm_name(alg), json);
    if (!kid.empty()) json_append_member("kid", kid, json);
    json_append_member("use", "sig", json);
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

Status append_key_members(const ImportedKey &key, bool with_private, SecretString &json) {
    EVP_PKEY *pkey = key.pkey.get();
    switch (key.type) {
        case KeyType::oct:
            if (with_private) append_base64_member(json, "k", key.secret);
            json_append_member("kty", "oct", json);
            break;
        case KeyType::rsa:
            PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_RSA_E, "e", 0));
            json_append_member("kty", "RSA", json);
            PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_RSA_N, "n", 0));
            if (with_private) {
                PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_RSA_D, "d", 0));
                // The CRT members come all together or not at all (a key
                // imported from n, e, d alone has none).
                BIGNUM *probe = nullptr;
                bool crt = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, &probe) == 1;
                BN_clear_free(probe);
                openssl_clear_errors();
                if (crt) {
                    PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, "p", 0));
                    PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, "q", 0));
                    PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, "dp", 0));
                    PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, "dq", 0));
                    PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, "qi", 0));
                }
            }
            break;
        case KeyType::ec: {
            size_t size = curve_field_size(key.curve);
            json_append_member("crv", curve_name(key.curve), json);
            json_append_member("kty", "EC", json);
            PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_EC_PUB_X, "x", size));
            PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_EC_PUB_Y, "y", size));
            if (with_private)
                PGJWT_TRY(append_bignum(json, pkey, OSSL_PKEY_PARAM_PRIV_KEY, "d", size));
            break;
        }
        case KeyType::okp: {
            unsigned char buf[64];
            size_t len = sizeof buf;
            json_append_member("crv", curve_name(key.curve), json);
            json_append_member("kty", "OKP", json);
            if (EVP_PKEY_get_raw_public_key(pkey, buf, &len) != 1)
                return openssl_failure("read the public key");
            append_raw(json, "x", buf, len);
            if (with_private) {
                len = sizeof buf;
                if (EVP_PKEY_get_raw_private_key(pkey, buf, &len) != 1)
                    return openssl_failure("read the private key");
                append_raw(json, "d", buf, len);
                OPENSSL_cleanse(buf, sizeof buf);
            }
            break;
        }
    }
    // OpenSSL may queue an error on a path it recovers from; none is ours to report.
    openssl_clear_errors();
    return Status::Ok();
}

Status public_members(const ImportedKey &key, JwkMembers &jwk) {
    openssl_clear_errors();
    EVP_PKEY *pkey = key.pkey.get();
    jwk.kty = key_type_name(key.type);
    switch (key.type) {
        case KeyType::oct:
            return Status::Internal("an oct key has no public members");
        case KeyType::rsa:
            PGJWT_TRY(bignum_base64(pkey, OSSL_PKEY_PARAM_RSA_N, 0, jwk.n));
            PGJWT_TRY(bignum_base64(pkey, OSSL_PKEY_PARAM_RSA_E, 0, jwk.e));
            break;
        case KeyType::ec: {
            size_t size = curve_field_size(key.curve);
            jwk.crv = curve_name(key.curve);
            PGJWT_TRY(bignum_base64(pkey, OSSL_PKEY_PARAM_EC_PUB_X, size, jwk.x));
            PGJWT_TRY(bignum_base64(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, size, jwk.y));
            break;
        }
        case KeyType::okp: {
            unsigned char buf[64];
            size_t len = sizeof buf;
            jwk.crv = curve_name(key.curve);
            if (EVP_PKEY_get_raw_public_key(pkey, buf, &len) != 1)
                return openssl_failure("read the public key");
            jwk.x.clear();
            base64url_append({reinterpret_cast<const char *>(buf), len}, jwk.x);
            break;
        }
    }
    openssl_clear_errors();
    return Status::Ok();
}

Status canonical_public_jwk(const ImportedKey &key, SecretString &json) {
    openssl_clear_errors();
    json = "{";
    // An oct key has no public half: its thumbprint is over "k" (RFC 7638 3.2).
    PGJWT_TRY(append_key_members(key, key.type == KeyType::oct, json));
    json.push_back('}');
    return Status::Ok();
}

Status jwk_thumbprint(const ImportedKey &key, std::string &thumbprint) {
    SecretString json;
    PGJWT_TRY(canonical_public_jwk(key, json));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!message_digest_compute(Digest::sha256, json, digest, len))
        return openssl_failure("hash the key");
    thumbprint = base64url_encode({reinterpret_cast<char *>(digest), len});
    return Status::Ok();
}

Status public_jwk(const ImportedKey &key, Algorithm alg, std::string_view kid, std::string &json) {
    json.clear();
    if (key.type == KeyType::oct) return Status::Ok();
    SecretString built;
    PGJWT_TRY(annotated(key, false, alg, kid, built));
    json.assign(built);
    return Status::Ok();
}

Status private_jwk(const ImportedKey &key, Algorithm alg, std::string_view kid,
                   SecretString &json) {
    return annotated(key, true, alg, kid, json);
}

Status keyring_entry(const ImportedKey &key, Algorithm alg, std::string_view kid,
                     KeyringEntry &out) {
    openssl_clear_errors();
    PGJWT_TRY(check_key_size(kid, "kid"));
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

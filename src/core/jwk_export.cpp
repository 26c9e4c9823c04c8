#include "jwk_export.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base64url.hpp"
#include "json.hpp"
#include "key_set.hpp"
#include "limits.hpp"
#include "openssl_error.hpp"

namespace pgjwt {
namespace {

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

#include "key_generation.hpp"

#include <openssl/rand.h>

#include "openssl_error.hpp"

namespace pgjwt {

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

}  // namespace pgjwt

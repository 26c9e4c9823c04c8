#include "key_generation.hpp"

#include <openssl/rand.h>

#include "base64url.hpp"
#include "openssl_error.hpp"

namespace pgjwt {

Status generate_key(Algorithm alg, size_t rsa_bits, ImportedKey &out) {
    openssl_clear_errors();
    out.has_private = true;
    EVP_PKEY *raw = nullptr;
    switch (algorithm_family(alg)) {
        case AlgorithmFamily::hmac: {
            // Random bytes of the hash size (the entropy RFC 7518 section 3.2
            // asks for), written as base64url text: the text's bytes are the
            // secret, so it can be pasted where other software wants a
            // printable secret (PostgREST's jwt-secret, PostGraphile's
            // --jwt-secret, Supabase's JWT_SECRET). Longer than the hash in
            // bytes: 43, 64 or 86 characters.
            out.type = KeyType::oct;
            SecretString random;
            random.append(digest_size(algorithm_digest(alg)), '\0');
            if (RAND_bytes(reinterpret_cast<unsigned char *>(random.data()),
                           static_cast<int>(random.size())) != 1)
                return openssl_failure("generate a secret");
            out.secret.wipe();
            base64url_append(random.view(), out.secret);
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

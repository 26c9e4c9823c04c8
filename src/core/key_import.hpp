// Key material in the forms people paste in, turned into OpenSSL keys:
// PEM (SPKI, PKCS#8, PKCS#1 RSA public/private, SEC1 EC private, X.509
// certificates, whose public key is used), JWKs, and raw HMAC secrets.
// Importing checks the key itself (key_checks.hpp); whether it fits an
// algorithm is check_key_binding's question (key_set.hpp).
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "algorithm.hpp"
#include "jwk.hpp"
#include "openssl_ptr.hpp"
#include "secret.hpp"
#include "status.hpp"

namespace pgjwt {

enum class KeyType { oct, rsa, ec, okp };

std::string_view key_type_name(KeyType type);  // the JWK kty: "oct", "RSA", "EC", "OKP"

struct ImportedKey {
    KeyType type = KeyType::oct;
    Curve curve = Curve::none;  // EC and OKP
    PkeyPtr pkey;               // RSA, EC, OKP (OpenSSL wipes private keys it frees)
    SecretString secret;        // oct
    bool has_private = false;
    // JWK metadata; absent for PEM and raw secrets.
    bool has_alg = false, has_kid = false, has_use = false, has_key_ops = false;
    std::string alg, kid, use;
    std::vector<std::string> key_ops;
};

// True when the text (after white space) starts a PEM block.
bool looks_like_pem(std::string_view text);

Status import_pem(std::string_view text, ImportedKey &out);
Status import_jwk(const JwkMembers &jwk, ImportedKey &out);
Status import_secret(std::string_view bytes, ImportedKey &out);
// One key given as text for `alg`: a JWK (not a set), a PEM block, or for an
// HS* algorithm a raw secret.
Status import_key_text(Algorithm alg, std::string_view text, ImportedKey &out);

}  // namespace pgjwt

// Key material in the forms people paste in, turned into OpenSSL keys:
// PEM (SPKI, PKCS#8, PKCS#1 RSA public/private, SEC1 EC private, X.509
// certificates, whose public key is used), JWKs, and raw HMAC secrets.
// Importing checks the key itself (curve point, consistency of a private
// half); whether it fits an algorithm is key_binding's question.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "algorithm.hpp"
#include "jwk.hpp"
#include "openssl_ptr.hpp"
#include "status.hpp"

namespace pgjwt {

enum class KeyType { oct, rsa, ec, okp };

std::string_view key_type_name(KeyType type);  // the JWK kty: "oct", "RSA", "EC", "OKP"

struct ImportedKey {
    KeyType type = KeyType::oct;
    Curve curve = Curve::none;  // EC and OKP
    PkeyPtr pkey;               // RSA, EC, OKP
    std::string secret;         // oct
    bool has_private = false;
    // JWK metadata; absent for PEM and raw secrets.
    bool has_alg = false, has_kid = false, has_use = false, has_key_ops = false;
    std::string alg, kid, use;
    std::vector<std::string> key_ops;

    ~ImportedKey();  // wipes the secret
};

// True when the text (after white space) starts a PEM block.
bool looks_like_pem(std::string_view text);

Status import_pem(std::string_view text, ImportedKey &out);
Status import_jwk(const JwkMembers &jwk, ImportedKey &out);
Status import_secret(std::string_view bytes, ImportedKey &out);
// One key given as text for `alg`: a JWK (not a set), a PEM block, or for an
// HS* algorithm a raw secret.
Status import_key_text(Algorithm alg, std::string_view text, ImportedKey &out);

// Appends the key's JWK members to an object under construction: the
// required public members in lexicographic order (RFC 7638), then, with
// `with_private`, the private ones.
Status append_key_members(const ImportedKey &key, bool with_private, std::string &json);

// The RFC 7638 canonical public JWK: only the required public members, in
// lexicographic order, no white space. Input of a thumbprint, and the core
// of every published JWK.
Status canonical_public_jwk(const ImportedKey &key, std::string &json);
// base64url(SHA-256(canonical_public_jwk)): the RFC 7638 thumbprint.
Status jwk_thumbprint(const ImportedKey &key, std::string &thumbprint);

// RSA modulus size in bits (0 for other key types).
size_t rsa_modulus_bits(const ImportedKey &key);

}  // namespace pgjwt

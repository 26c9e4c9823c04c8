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

// Appends the key's JWK members to an object under construction: the
// required public members in lexicographic order (RFC 7638), then, with
// `with_private`, the private ones.
Status append_key_members(const ImportedKey &key, bool with_private, SecretString &json);

// The RFC 7638 canonical public JWK: only the required public members, in
// lexicographic order, no white space. Input of a thumbprint, and the core
// of every published JWK.
Status canonical_public_jwk(const ImportedKey &key, SecretString &json);
// base64url(SHA-256(canonical_public_jwk)): the RFC 7638 thumbprint.
Status jwk_thumbprint(const ImportedKey &key, std::string &thumbprint);

// RSA public exponents must be below 2^32. A verification costs about one
// modular multiplication per bit of the exponent: 65537 (17 bits) is what
// every key generator uses, while a key with an exponent as long as its
// modulus (which nothing forbids, and NIST SP 800-56B allows up to
// 2^256 - 1) makes each verification some 200 times slower, 15-18 ms for
// 3072 bits. Checked when an RSA key is imported (PEM, certificate or JWK,
// for every function and for jwt.add_key), before a private key's
// self-test, and again by the key/algorithm binding.
constexpr size_t kMaxRsaPublicExponentBits = 32;
// invalid_argument (22023) for an RSA key whose public exponent is too large.
Status check_rsa_public_exponent(const ImportedKey &key);
// The largest RSA modulus, checked on import too (the binding also refuses
// fewer than 2048 bits): a private key's self-test signature with a modulus
// of the 1 MiB that key text may hold would run for hours, inside OpenSSL,
// where no cancel reaches it.
constexpr size_t kMaxRsaModulusBits = 16384;
// invalid_argument (22023) for an RSA key too costly to use: a modulus above
// kMaxRsaModulusBits, or a public exponent of kMaxRsaPublicExponentBits or more.
Status check_rsa_costs(const ImportedKey &key);

// RSA modulus size in bits (0 for other key types).
size_t rsa_modulus_bits(const ImportedKey &key);

}  // namespace pgjwt

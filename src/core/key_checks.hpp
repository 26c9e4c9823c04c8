// What makes an imported key acceptable by itself, whatever it will be used
// for: an EC point on its curve, no small-order EdDSA point, an RSA key
// whose modulus and public exponent keep each operation affordable, and a
// private key that matches its public half. Whether a key fits an
// algorithm and a purpose is check_key_binding's question (key_set.hpp).
#pragma once
#include "core_guard.hpp"

#include <cstddef>

#include "key_import.hpp"
#include "status.hpp"

namespace pgjwt {

// RSA public exponents must be below 2^32. A verification costs about one
// modular multiplication per bit of the exponent: 65537 (17 bits) is what
// every key generator uses, while a key with an exponent as long as its
// modulus (which nothing forbids, and NIST SP 800-56B allows up to
// 2^256 - 1) makes each verification many times slower. Checked
// when an RSA key is imported (PEM, certificate or JWK, for every function
// and for jwt.add_key), before a private key's self-test, and again by the
// key/algorithm binding.
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

// Refuses an EdDSA public key of small order (a signature made without any
// private key verifies under it).
Status check_eddsa_public_key(const ImportedKey &key);

// An EC public point must lie on its curve; with `pairwise`, a private key
// must match its public half (RSA: the CRT members agree with n and d, and
// one signature verifies; EC and OKP: OpenSSL's pairwise check).
Status check_key(ImportedKey &key, bool pairwise);

}  // namespace pgjwt

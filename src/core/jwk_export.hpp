// Keys written out as JWKs: the RFC 7638 canonical form and thumbprint,
// public JWKs for publication (jwt.jwks()), private JWKs and the rows of
// the keyring table. Everything that may hold a private member is built in
// a SecretString.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>

#include "algorithm.hpp"
#include "key_import.hpp"
#include "status.hpp"

namespace pgjwt {

// Appends the key's JWK members to an object under construction: the
// required public members in lexicographic order (RFC 7638), then, with
// `with_private`, the private ones.
Status append_key_members(const ImportedKey &key, bool with_private, SecretString &json);

// The public members of an RSA, EC or OKP key (kty, n and e, or crv, x and
// y) written into `jwk`, whose other members are left as they are.
Status public_members(const ImportedKey &key, JwkMembers &jwk);

// The RFC 7638 canonical public JWK: only the required public members, in
// lexicographic order, no white space (an oct key's is its "k"). Input of a
// thumbprint, and the core of every published JWK.
Status canonical_public_jwk(const ImportedKey &key, SecretString &json);
// base64url(SHA-256(canonical_public_jwk)): the RFC 7638 thumbprint.
Status jwk_thumbprint(const ImportedKey &key, std::string &thumbprint);

// The public JWK of `key` with "alg", "kid" and "use":"sig". Empty for oct
// keys, which have no public half and are never published.
Status public_jwk(const ImportedKey &key, Algorithm alg, std::string_view kid, std::string &json);
// The full private JWK, likewise annotated.
Status private_jwk(const ImportedKey &key, Algorithm alg, std::string_view kid, SecretString &json);

// What a keyring row holds for a key: its kid (given, else the RFC 7638
// thumbprint; for oct keys a random one, since a thumbprint of a secret
// would allow guessing it offline) and both JWKs.
struct KeyringEntry {
    std::string kid;
    std::string public_jwk;    // empty for oct keys
    SecretString private_jwk;  // empty for public-only keys
};
Status keyring_entry(const ImportedKey &key, Algorithm alg, std::string_view kid,
                     KeyringEntry &out);

}  // namespace pgjwt

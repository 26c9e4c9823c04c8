// Key material as the signature layer sees it, and how the caller's key
// argument becomes one: a raw HMAC secret, PEM, a JWK or a JWK set, parsed
// and prepared once per backend in the key cache (key_set.hpp).
#pragma once
#include "core_guard.hpp"

#include <memory>
#include <string_view>

#include "algorithm.hpp"
#include "status.hpp"

namespace pgjwt {

struct KeySet;

struct Key {
    // The prepared key(s), shared with the key cache: a set the cache
    // evicts stays alive, with its secret and contexts, as long as a Key
    // holds it.
    std::shared_ptr<const KeySet> set;
};

// Key text given with an HS* algorithm must be a secret, not a public key:
// PEM blocks, JWK/JWKS objects and OpenSSH keys are refused (key confusion,
// DESIGN.md section 3), and so is an empty secret.
Status check_secret_text(std::string_view text);
// Any non-empty byte string is a usable binary secret.
Status check_secret_bytes(std::string_view bytes);

// How the caller handed over key material: SQL text, or SQL bytea.
enum class KeyEncoding { text, binary };

enum class KeyPurpose { verify, sign };

// Turns the caller's key argument into a Key usable with `alg`, or says why
// it cannot be (always the caller's fault: Fault::invalid_argument). With
// an HS* algorithm, text that is a JSON object is read as a JWK or JWK set
// of `oct` keys; other text and bytea are the secret itself. With any other
// algorithm, the text is PEM or a JWK / JWK set. `out` holds its own copy
// of whatever it needs.
Status resolve_key(Algorithm alg, std::string_view material, KeyEncoding encoding, Key &out);
Status resolve_signing_key(Algorithm alg, std::string_view material, KeyEncoding encoding,
                           Key &out);

}  // namespace pgjwt

// Key material as the signature layer sees it, and how the caller's key
// argument becomes one. A Key refers either to a raw HMAC secret (the bytes
// the caller passed, the fast path of pgjwt's API) or to a parsed key set
// held in the backend's key cache (PEM, JWK, JWK set).
#pragma once
#include "core_guard.hpp"

#include <string_view>

#include "algorithm.hpp"
#include "status.hpp"

namespace pgjwt {

struct KeySet;

struct Key {
    // HS*: the raw secret bytes, when the caller passed a plain secret.
    std::string_view secret;
    // Otherwise: the parsed key(s), owned by the key cache, valid until the
    // next key is resolved.
    const KeySet *set = nullptr;
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
// algorithm, the text is PEM or a JWK / JWK set. `out` may refer to
// `material`, which must outlive it.
Status resolve_key(Algorithm alg, std::string_view material, KeyEncoding encoding, Key &out);
Status resolve_signing_key(Algorithm alg, std::string_view material, KeyEncoding encoding,
                           Key &out);

// The algorithm for a call: `requested` when given (has_requested), else the
// one a JWK names in "alg" (for a JWK set: the one alg every key names).
// Never the token's: the caller decides (DESIGN.md section 3).
Status algorithm_for_key(std::string_view requested, bool has_requested, std::string_view jwk_text,
                         Algorithm &out);

}  // namespace pgjwt

// Key material as the signature layer sees it. The caller (the glue, or a
// test) owns the bytes; a Key only refers to them for the length of a call.
#pragma once
#include "core_guard.hpp"

#include <string_view>

#include "algorithm.hpp"
#include "status.hpp"

namespace pgjwt {

struct Key {
    // HS*: the raw secret bytes.
    std::string_view secret;
};

// Key text given with an HS* algorithm must be a secret, not a public key:
// PEM blocks, JWK/JWKS objects and OpenSSH keys are refused (key confusion,
// DESIGN.md section 3), and so is an empty secret.
Status check_secret_text(std::string_view text);
// Any non-empty byte string is a usable binary secret.
Status check_secret_bytes(std::string_view bytes);

// How the caller handed over key material: SQL text, or SQL bytea.
enum class KeyEncoding { text, binary };

// Turns the caller's key argument into a Key usable with `alg`, or says why
// it cannot be (always the caller's fault: Fault::invalid_argument). `out`
// refers to `material`, which must outlive it.
Status resolve_key(Algorithm alg, std::string_view material, KeyEncoding encoding, Key &out);

}  // namespace pgjwt

// Bounds on key material, whatever its source (a function argument, the
// keyring, the pg_jwt.jwks setting): parsing a key set and importing its
// keys is the core's longest work on caller-supplied data, so one call's
// time and memory are bounded by these (DESIGN.md sections 2.8 and 3).
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <string>
#include <string_view>

#include "status.hpp"

namespace pgjwt {

// The most keys in one JWK set. Published sets hold a few keys (two or
// three for most identity providers, a few dozen for the largest); 64
// leaves room for rotation overlap while bounding the imports of one call
// (each import checks the key: an EC point, an RSA private key's signature).
constexpr size_t kMaxKeySetKeys = 64;

// The most bytes of key material: a secret, a PEM block, a JWK or a JWK
// set, and a kid given to the keyring. 1 MiB holds 64 of the largest
// private JWKs accepted (RSA-16384, about 12 KiB each) and bounds what the
// key caches copy.
constexpr size_t kMaxKeyBytes = 1024 * 1024;

// Fault::too_large (54000) when key material exceeds kMaxKeyBytes.
inline Status check_key_size(std::string_view material, const char *what = "key") {
    if (material.size() <= kMaxKeyBytes) return Status::Ok();
    return Status::TooLarge(std::string(what) + " is too large",
                            "Key material may have at most " + std::to_string(kMaxKeyBytes) +
                                " bytes (1 MiB); this one has " + std::to_string(material.size()) +
                                ".");
}

}  // namespace pgjwt

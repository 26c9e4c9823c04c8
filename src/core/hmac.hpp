// HS256/384/512 (RFC 7518 section 3.2) through OpenSSL 3's EVP_MAC. A
// context is keyed once per secret and algorithm (the key cache keeps it
// with the secret, key_set.hpp) and re-initialised with a NULL key for each
// message, which keeps the key schedule instead of redoing it as the
// one-shot HMAC() does (DESIGN.md section 4).
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <memory>
#include <string_view>

#include <openssl/evp.h>

#include "algorithm.hpp"
#include "status.hpp"

namespace pgjwt {

constexpr size_t kMaxHmacTagBytes = 64;

struct MacCtxFree {
    void operator()(EVP_MAC_CTX *ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// A context for `alg` keyed with `secret` (not empty). OpenSSL keeps its
// own copy of the key and wipes it when the context is freed.
Status hmac_context(Algorithm alg, std::string_view secret, MacCtxPtr &out);

// Computes the tag of `message` into `tag` (at least kMaxHmacTagBytes) and
// sets `tag_len`.
Status hmac_compute(EVP_MAC_CTX *ctx, std::string_view message, unsigned char *tag,
                    size_t &tag_len);

// Sets `matches` when `tag` is the tag of `message`: length first, then a
// constant-time comparison (CRYPTO_memcmp).
Status hmac_verify(EVP_MAC_CTX *ctx, std::string_view message, std::string_view tag, bool &matches);

}  // namespace pgjwt

// HS256/384/512 (RFC 7518 section 3.2): HMAC (RFC 2104) on OpenSSL 3's EVP
// digests. The digest states after the key's inner and outer blocks are kept
// per (algorithm, secret) in a bounded per-backend cache and copied for each
// message, so the key is never hashed again. (The one-shot HMAC() redoes the
// key and is 2.6x slower; an EVP_MAC_CTX re-initialised with a NULL key does
// not, but its re-initialisation costs another 80-130 ns per message in
// OpenSSL 3.0: test/bench/hmac_paths.cpp.)
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <string>
#include <string_view>

#include "algorithm.hpp"
#include "status.hpp"

namespace pgjwt {

constexpr size_t kMaxHmacTagBytes = 64;

// Computes the tag of `message` into `tag` (at least kMaxHmacTagBytes) and
// sets `tag_len`.
Status hmac_compute(Algorithm alg, std::string_view secret, std::string_view message,
                    unsigned char *tag, size_t &tag_len);

// Sets `matches` when `tag` is the tag of `message`: length first, then a
// constant-time comparison (CRYPTO_memcmp).
Status hmac_verify(Algorithm alg, std::string_view secret, std::string_view message,
                   std::string_view tag, bool &matches);

// Drops every cached context (tests, and memory pressure).
void hmac_cache_clear();
size_t hmac_cache_size();

}  // namespace pgjwt

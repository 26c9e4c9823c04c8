// HS256/384/512 (RFC 7518 section 3.2) through OpenSSL 3's EVP_MAC. A keyed
// EVP_MAC_CTX is kept per (algorithm, secret) in a bounded per-backend cache
// and re-initialised with a NULL key for each message, which skips the key
// schedule (the one-shot HMAC() redoes it and is 2.6x slower). The
// re-initialisation copies OpenSSL 3.0's digest states with an allocation
// each: test/bench/hmac_paths.cpp times it against copying digest states
// directly, which was tried and given up for OpenSSL's own HMAC.
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

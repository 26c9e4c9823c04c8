// The hash functions of the JOSE algorithms, fetched from OpenSSL's default
// provider once per backend.
#pragma once
#include "core_guard.hpp"

#include <string_view>

#include <openssl/evp.h>

#include "algorithm.hpp"

namespace pgjwt {

// The fetched implementation of `digest`, or nullptr when OpenSSL cannot
// provide it (its error is left on OpenSSL's queue). A failed fetch is tried
// again on the next call rather than remembered.
const EVP_MD *message_digest(Digest digest);

// Hashes `input` with `digest` into `out` (EVP_MAX_MD_SIZE bytes), setting
// `size`. One EVP_MD_CTX per digest is kept for the life of the backend and
// re-initialised for each message (EVP_Digest would allocate and free a
// context and the provider's state on every call). False on failure, its
// error left on OpenSSL's queue; a context that failed is freed, not reused.
bool message_digest_compute(Digest digest, std::string_view input, unsigned char *out,
                            unsigned int &size);

}  // namespace pgjwt

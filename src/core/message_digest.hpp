// The hash functions of the JOSE algorithms, fetched from OpenSSL's default
// provider once per backend.
#pragma once
#include "core_guard.hpp"

#include <openssl/evp.h>

#include "algorithm.hpp"

namespace pgjwt {

// The fetched implementation of `digest`, or nullptr when OpenSSL cannot
// provide it (its error is left on OpenSSL's queue). A failed fetch is tried
// again on the next call rather than remembered.
const EVP_MD *message_digest(Digest digest);

}  // namespace pgjwt

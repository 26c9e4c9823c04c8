// The signature of a JWS signing input under a Key, whatever the algorithm
// family: the dispatch between HMAC and the asymmetric primitives, and the
// choice of key within a JWK set.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>

#include "algorithm.hpp"
#include "jose_header.hpp"
#include "key.hpp"
#include "status.hpp"

namespace pgjwt {

// Appends the signature of `input` to `out`.
Status signature_create(Algorithm alg, const Key &key, std::string_view input, std::string &out);

// Sets `valid` when `signature` verifies under `key` (for a JWK set: the key
// the header's kid names, else any of the first 16 usable keys). A kid that
// names no usable key is Fault::token_rejected.
Status signature_check(Algorithm alg, const Key &key, const JoseHeader &header,
                       std::string_view input, std::string_view signature, bool &valid);

}  // namespace pgjwt

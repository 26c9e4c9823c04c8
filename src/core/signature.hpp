// The signature primitive of each algorithm family, over raw bytes.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>

#include "algorithm.hpp"
#include "key.hpp"
#include "status.hpp"

namespace pgjwt {

// Appends the signature of `input` to `out`.
Status signature_create(Algorithm alg, const Key &key, std::string_view input, std::string &out);
// Sets `valid` when `signature` is a valid signature of `input`.
Status signature_check(Algorithm alg, const Key &key, std::string_view input,
                       std::string_view signature, bool &valid);

}  // namespace pgjwt

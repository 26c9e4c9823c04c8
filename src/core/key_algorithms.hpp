// The algorithms a key is for when the caller names none. The caller
// decides, never the token (DESIGN.md section 3): with a key that names its
// algorithms, "none named" means the ones its keys name, each key bound to
// its own. A JWK set whose keys name different algorithms (a provider's set
// mixing RS256 and ES256 keys, Supabase's ES256 and HS256 keys) is for all
// of them; the token's "alg" then picks one of those, and only the keys for
// that one verify it. Keys a set's consumer does not understand are left
// out (jwk_set.hpp), as are keys that do not fit their own algorithm.
#pragma once
#include "core_guard.hpp"

#include <string_view>
#include <vector>

#include "algorithm.hpp"
#include "key.hpp"
#include "key_import.hpp"
#include "status.hpp"

namespace pgjwt {

// Appends alg to algs unless it is already there.
void add_unique(std::vector<Algorithm> &algs, Algorithm alg);

// The algorithm of a key's type: oct HS256, RSA RS256, EC by curve (ES256,
// ES384, ES512, ES256K), OKP EdDSA.
Algorithm algorithm_for_type(const ImportedKey &key);

// For jwt.validate without `algorithms`: each usable key's "alg", else the
// algorithm of its type (oct HS256, RSA RS256, EC by curve, OKP EdDSA), in
// the key's order without repeats; a raw secret (bytea, or text that is
// neither PEM nor JSON) is HS256. A set none of whose keys is usable is
// refused, with the reason for each key.
Status default_algorithms(std::string_view material, KeyEncoding encoding,
                          std::vector<Algorithm> &out);

// For jwt.verify and jwt.sign: `requested` when given (has_requested);
// else the "alg" of the JWK, or of each usable key of a set that names one
// (keys without "alg" are then tried with those of the algorithms that fit
// their type).
Status algorithms_for_key(std::string_view requested, bool has_requested, std::string_view jwk_text,
                          std::vector<Algorithm> &out);

// Of `allowed`, the one the token's header names, else the first (which the
// token then fails as a token of another algorithm). Reads the token only
// when `allowed` has several: a malformed token is then Fault::malformed_token.
Status token_algorithm(std::string_view token, const std::vector<Algorithm> &allowed,
                       Algorithm &out);

}  // namespace pgjwt

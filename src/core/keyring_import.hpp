// What jwt.add_key stores: the keyring rows (kid, algorithm, public and
// private JWK) of the key it is given. One row for a PEM key, a JWK or an
// HMAC secret; for a JWK set or a certificate map, one row for each usable
// key, each with its own kid (its "kid", else its RFC 7638 thumbprint, or a
// random kid for an oct key) and its own algorithm (the one given, or its
// "alg", else the algorithm of its type). A set that mixes an oct key with
// public keys (Supabase's) thus becomes separate rows, each bound to its
// family. The keys of a set that are not used are reported, not fatal
// (RFC 7517 section 5); a set with no usable key is refused.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "algorithm.hpp"
#include "jwk_export.hpp"
#include "status.hpp"

namespace pgjwt {

struct KeyringImport {
    struct Row {
        Algorithm alg;
        KeyringEntry entry;
    };
    std::vector<Row> rows;
    // A set's keys that were not imported: "<label>" and a sentence why.
    std::vector<std::pair<std::string, std::string>> skipped;
};

// `has_algorithm` false: the algorithm comes from the key (a JWK or a set;
// a PEM key or a secret needs one). `kid` (empty: none) names a single key;
// a set's keys keep their own.
Status import_keyring_entries(std::string_view material, bool has_algorithm,
                              std::string_view algorithm, std::string_view kid, KeyringImport &out);

}  // namespace pgjwt

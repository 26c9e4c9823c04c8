// The (key, algorithm) argument pair of jwt.sign and jwt.verify, in each of
// its SQL forms: key text (secret, PEM, JWK, JWK set), key bytea (a binary
// HMAC secret) and key jsonb (a JWK or JWK set, whose alg is the default).
#pragma once

#include "pg/postgres_headers.hpp"

#include <string_view>
#include <type_traits>

#include "core/key.hpp"

namespace pgjwt::pg {

enum class KeyArgType { text, bytea, jsonb };

struct KeyArgument {
    std::string_view material;
    KeyEncoding encoding = KeyEncoding::text;
    bool is_jwk = false;  // given as jsonb: must be a JWK or JWK set object
    bool has_algorithm = false;
    std::string_view algorithm;
};
// Read before the core runs and held across PostgreSQL calls: plain data.
static_assert(std::is_trivially_destructible_v<KeyArgument>);

// Reads arguments `key_arg` and `alg_arg` (PostgreSQL calls only). The
// caller has already returned NULL for a NULL key.
void read_key_argument(FunctionCallInfo fcinfo, int key_arg, int alg_arg, KeyArgType type,
                       KeyArgument &out);

// A JWK (or JWK set) as jsonb and an algorithm (nullptr: the JWK's alg), as
// jwt.sign(payload, key jsonb, algorithm) reads them (PostgreSQL calls only).
void jsonb_key_argument(const Jsonb *key, const text *algorithm, KeyArgument &out);

// Inside run_core(): the algorithm (given, or the JWK's) and the key. When
// the keys of a set name several algorithms (and none is given), the one
// `token` names, if it is one of them (verify; sign passes no token).
Status resolve_key_argument(const KeyArgument &arg, KeyPurpose purpose, std::string_view token,
                            Algorithm &alg, Key &key);

}  // namespace pgjwt::pg

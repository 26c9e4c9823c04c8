// What pg_jwt's query rewrites (claims_initplan.cpp, row_functions_in_from.cpp)
// share: recognising pg_jwt's own functions and fixed arguments, and the
// callback casts PostgreSQL 15's tree walkers need.
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "nodes/primnodes.h"
}

namespace pgjwt::pg {

// PostgreSQL 15 declares the walker and mutator callbacks without
// parameters (Node *(*)()); going through void (*)() makes the cast of a
// properly typed callback explicit rather than a warning.
template <typename To, typename From>
To callback_cast(From function) {
    return reinterpret_cast<To>(reinterpret_cast<void (*)()>(function));
}

// Is `function` a C function of pg_jwt's module whose entry point (prosrc)
// is one of `symbols`, not a set and of one of the `volatilities` (pg_proc
// letters: "s" for STABLE, "is" for IMMUTABLE or STABLE)? Matching
// the C symbol rather than the name keeps the answer right whatever schema
// the extension was installed in.
bool is_own_function(Oid function, const char *const *symbols, size_t count,
                     const char *volatilities);

// An argument whose value is fixed for a whole execution: a constant, an
// ARRAY[...] of constants (jwt.claim(ARRAY['app', 'role'])), or a parameter
// of the statement or of the calling SQL or PL/pgSQL function.
bool is_fixed_argument(const Node *arg);

}  // namespace pgjwt::pg

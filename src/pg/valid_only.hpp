// (jwt.verify(...)).valid without building the row (see valid_only.cpp).
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "nodes/parsenodes.h"
#include "nodes/primnodes.h"
}

namespace pgjwt::pg {

// verify's OUT header, payload, valid.
constexpr AttrNumber kValidColumn = 3;

// jwt._verify_valid(...) standing for `verify`'s valid column when `verify`
// is a call of pg_jwt's verify and the installed SQL objects have the
// substitute; else nullptr.
FuncExpr *valid_only_call(const FuncExpr *verify);

// Replaces (jwt.verify(...)).valid in this query's own expressions (not
// those of its sub-queries) with jwt._verify_valid(...).
void valid_only_verify(Query *query);

}  // namespace pgjwt::pg

// jwt.verify and jwt.decode in FROM without a tuplestore per row (see
// row_functions_in_from.cpp).
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

namespace pgjwt::pg {

// Rewrites this query's own range table entries (not those of its
// sub-queries) that call jwt.verify or jwt.decode on values that change from
// row to row.
void row_functions_as_subqueries(Query *query);

}  // namespace pgjwt::pg

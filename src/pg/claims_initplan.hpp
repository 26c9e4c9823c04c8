// Once-per-query evaluation of the claim accessors in row filters (see
// claims_initplan.cpp).
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

namespace pgjwt::pg {

// Wraps the accessor calls in this query's own conditions (not those of its
// sub-queries) into scalar sub-selects.
void wrap_claim_accessors(Query *query);

}  // namespace pgjwt::pg

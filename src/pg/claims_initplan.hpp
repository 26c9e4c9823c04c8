// Once-per-query evaluation of the claim accessors in row filters (see
// claims_initplan.cpp).
#pragma once

namespace pgjwt::pg {

// Installs the planner hook; called once from _PG_init.
void install_claims_planner_hook();

}  // namespace pgjwt::pg

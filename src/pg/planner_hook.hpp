// The planner hook through which pg_jwt rewrites queries before they are
// planned (see planner_hook.cpp).
#pragma once

namespace pgjwt::pg {

// Installs the planner hook; called once from _PG_init.
void install_planner_hook();

}  // namespace pgjwt::pg

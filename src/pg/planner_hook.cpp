// pg_jwt's planner hook: before the standard planner sees a query, every
// level of it (sub-selects in FROM, WITH and expressions included) gets the
// rewrites that its settings leave on:
//   - pg_jwt.row_function_rewrites: jwt.verify and jwt.decode in FROM
//     as sub-selects (row_functions_in_from.cpp), and
//     (jwt.verify(...)).valid without the row (valid_only.cpp);
//   - pg_jwt.claims_once_per_query: claim accessors in row filters as
//     InitPlans (claims_initplan.cpp).
// Both change the plan only, never a result. They apply from the moment
// pg_jwt is loaded in a backend (its first call, or
// session_preload_libraries).
//
// Plain PostgreSQL code, no C++ core: nothing here can throw.
#include "pg/planner_hook.hpp"

#include "pg/claims_initplan.hpp"
#include "pg/rewrite_support.hpp"
#include "pg/row_functions_in_from.hpp"
#include "pg/settings.hpp"
#include "pg/valid_only.hpp"

extern "C" {
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
}

namespace pgjwt::pg {
namespace {

planner_hook_type previous_planner_hook = nullptr;

void rewrite_query(Query *query);

bool visit_subqueries(Node *node, void *context) {
    if (node == nullptr) return false;
    if (IsA(node, Query)) {
        rewrite_query(reinterpret_cast<Query *>(node));
        return false;
    }
    return expression_tree_walker(node, callback_cast<bool (*)()>(visit_subqueries), context);
}

void rewrite_query(Query *query) {
    if (setting_row_function_rewrites) {
        row_functions_as_subqueries(query);
        valid_only_verify(query);
    }
    if (setting_claims_once_per_query) wrap_claim_accessors(query);
    // Sub-selects anywhere in the query, including those just made.
    query_tree_walker(query, callback_cast<bool (*)()>(visit_subqueries), nullptr, 0);
}

PlannedStmt *pg_jwt_planner(Query *parse, const char *query_string, int cursor_options,
                            ParamListInfo bound_params) {
    rewrite_query(parse);
    if (previous_planner_hook != nullptr)
        return previous_planner_hook(parse, query_string, cursor_options, bound_params);
    return standard_planner(parse, query_string, cursor_options, bound_params);
}

}  // namespace

void install_planner_hook() {
    previous_planner_hook = planner_hook;
    planner_hook = pg_jwt_planner;
}

}  // namespace pgjwt::pg

// Row filters call jwt.claim('sub') once per query, not once per row.
//
// A policy such as USING (owner = jwt.claim('sub')) would otherwise call the
// function for every row scanned: cheap (the claims are parsed once, see
// claims_functions.cpp) but still a function call, some 10 ns a row. Before
// planning, this hook wraps each call of the claim accessors (jwt.claims,
// jwt.claim, jwt.claim_uuid) whose arguments are constants and which sits in
// a WHERE or JOIN condition, a row-level security policy or a WITH CHECK
// option into a scalar sub-select, (SELECT jwt.claim('sub')): the form
// Supabase's documentation asks users to write by hand. The planner turns it
// into an InitPlan, evaluated once per execution of the statement, and each
// row compares against its result. The accessors are STABLE, so within a
// statement they return the same value either way; a prepared statement
// still evaluates them anew on every execution.
//
// Why a planner hook rather than a planner support function: the support
// function runs inside eval_const_expressions, which the planner also calls
// on one query's expressions with another query's planner state (for
// example while turning an EXISTS sub-select into a hashed ANY), so it
// cannot know which query a new sub-select belongs to. Here every rewrite is
// made with the Query that owns it, whose hasSubLinks is set accordingly.
//
// pg_jwt.claims_once_per_query (on by default) turns the rewrite off
// (planner_hook.cpp). It applies from the moment pg_jwt is loaded in a
// backend (its first call, or session_preload_libraries): a plan made
// before that keeps per-row calls.
//
// Plain PostgreSQL code, no C++ core: nothing here can throw.
#include "pg/postgres_headers.hpp"

#include "pg/claims_initplan.hpp"
#include "pg/rewrite_support.hpp"

extern "C" {
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
}

namespace pgjwt::pg {
namespace {

// The C entry points of the accessors (claims_functions.cpp), as pg_proc
// names them in prosrc.
constexpr const char *kAccessors[] = {"pg_jwt_claims", "pg_jwt_claim_name", "pg_jwt_claim_path",
                                      "pg_jwt_claim_uuid"};

// A call worth evaluating once: fixed arguments only (a call on a column's
// value differs from row to row), and one of ours, still STABLE. The result
// types are checked first, which rules out almost every other call without
// a catalog lookup.
bool is_once_per_query_call(const FuncExpr *call) {
    if (call->funcretset) return false;
    if (call->funcresulttype != TEXTOID && call->funcresulttype != JSONBOID &&
        call->funcresulttype != UUIDOID)
        return false;
    const ListCell *cell;
    foreach (cell, call->args)
        if (!is_fixed_argument(static_cast<const Node *>(lfirst(cell)))) return false;
    return is_own_function(call->funcid, kAccessors, sizeof kAccessors / sizeof kAccessors[0], "s");
}

// (SELECT <call>), a sub-select of `owner`, exactly as the parser builds it.
Node *scalar_subselect(Query *owner, FuncExpr *call) {
    Query *select = makeNode(Query);
    select->commandType = CMD_SELECT;
    select->querySource = QSRC_ORIGINAL;
    select->canSetTag = true;
    select->jointree = makeFromExpr(NIL, nullptr);
    select->targetList =
        list_make1(makeTargetEntry(reinterpret_cast<Expr *>(call), 1, pstrdup("claim"), false));
    SubLink *link = makeNode(SubLink);
    link->subLinkType = EXPR_SUBLINK;
    link->subLinkId = 0;
    link->testexpr = nullptr;
    link->operName = NIL;
    link->subselect = reinterpret_cast<Node *>(select);
    link->location = call->location;
    owner->hasSubLinks = true;
    return reinterpret_cast<Node *>(link);
}

Node *wrap_calls(Node *node, void *context) {
    if (node == nullptr) return nullptr;
    // A sub-select's own conditions are rewritten with that sub-select
    // (planner_hook.cpp reaches it through query_tree_walker).
    if (IsA(node, Query)) return node;
    if (IsA(node, FuncExpr) && is_once_per_query_call(reinterpret_cast<FuncExpr *>(node)))
        return scalar_subselect(static_cast<Query *>(context), reinterpret_cast<FuncExpr *>(node));
    return expression_tree_mutator(node, callback_cast<Node *(*)()>(wrap_calls), context);
}

template <typename T>
T *wrap_in(T *expression, Query *owner) {
    return reinterpret_cast<T *>(wrap_calls(reinterpret_cast<Node *>(expression), owner));
}

}  // namespace

void wrap_claim_accessors(Query *query) {
    // Without a range table a call runs once anyway (and the sub-selects
    // made here have none, which ends the recursion of planner_hook.cpp).
    if (query->rtable == NIL) return;
    query->jointree = wrap_in(query->jointree, query);
    ListCell *cell;
    foreach (cell, query->rtable) {
        auto *rte = static_cast<RangeTblEntry *>(lfirst(cell));
        rte->securityQuals = wrap_in(rte->securityQuals, query);
    }
    foreach (cell, query->withCheckOptions) {
        auto *option = static_cast<WithCheckOption *>(lfirst(cell));
        option->qual = wrap_in(option->qual, query);
    }
}

}  // namespace pgjwt::pg

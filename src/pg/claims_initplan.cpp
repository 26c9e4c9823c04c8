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
// pg_jwt.claims_once_per_query (on by default) turns the rewrite off. It
// applies from the moment pg_jwt is loaded in a backend (its first call, or
// session_preload_libraries): a plan made before that keeps per-row calls.
//
// Plain PostgreSQL code, no C++ core: nothing here can throw.
#include "pg/postgres_headers.hpp"

#include <cstring>

#include "pg/claims_initplan.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "utils/syscache.h"
}

namespace pgjwt::pg {
namespace {

planner_hook_type previous_planner_hook = nullptr;

// PostgreSQL 15 declares the walker and mutator callbacks without
// parameters (Node *(*)()); going through void (*)() makes the cast of a
// properly typed callback explicit rather than a warning.
template <typename To, typename From>
To callback_cast(From function) {
    return reinterpret_cast<To>(reinterpret_cast<void (*)()>(function));
}

// The C entry points of the accessors (claims_functions.cpp), as pg_proc
// names them in prosrc, in the module pg_jwt's install script names.
constexpr const char *kModule = "$libdir/pg_jwt";
constexpr const char *kAccessors[] = {"pg_jwt_claims", "pg_jwt_claim_name", "pg_jwt_claim_path",
                                      "pg_jwt_claim_uuid"};

bool text_attribute_is(HeapTuple tuple, AttrNumber attribute, const char *const *values,
                       size_t count) {
    bool is_null = false;
    Datum datum = SysCacheGetAttr(PROCOID, tuple, attribute, &is_null);
    if (is_null) return false;
    text *t = DatumGetTextPP(datum);
    const char *data = VARDATA_ANY(t);
    size_t len = VARSIZE_ANY_EXHDR(t);
    for (size_t i = 0; i < count; i++)
        if (strlen(values[i]) == len && memcmp(values[i], data, len) == 0) return true;
    return false;
}

// Is `function` one of pg_jwt's claim accessors (by its C symbol, so that
// the schema it lives in does not matter), still STABLE and not a set?
bool is_claim_accessor(Oid function) {
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
    if (!HeapTupleIsValid(tuple)) return false;
    auto *proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
    bool ours = proc->prolang == ClanguageId && proc->provolatile == PROVOLATILE_STABLE &&
                !proc->proretset &&
                text_attribute_is(tuple, Anum_pg_proc_prosrc, kAccessors,
                                  sizeof kAccessors / sizeof kAccessors[0]) &&
                text_attribute_is(tuple, Anum_pg_proc_probin, &kModule, 1);
    ReleaseSysCache(tuple);
    return ours;
}

// An argument whose value is fixed for a whole execution: a constant, an
// ARRAY[...] of constants (jwt.claim(ARRAY['app', 'role'])), or a parameter
// of the statement or of the calling SQL or PL/pgSQL function.
bool is_fixed_argument(const Node *arg) {
    if (IsA(arg, Const)) return true;
    if (IsA(arg, Param)) return reinterpret_cast<const Param *>(arg)->paramkind == PARAM_EXTERN;
    if (IsA(arg, ArrayExpr)) {
        const ListCell *cell;
        foreach (cell, reinterpret_cast<const ArrayExpr *>(arg)->elements)
            if (!IsA(lfirst(cell), Const)) return false;
        return true;
    }
    return false;
}

// A call worth evaluating once: fixed arguments only (a call on a column's
// value differs from row to row), and one of ours. The result types are
// checked first, which rules out almost every other call without a catalog
// lookup.
bool is_once_per_query_call(const FuncExpr *call) {
    if (call->funcretset) return false;
    if (call->funcresulttype != TEXTOID && call->funcresulttype != JSONBOID &&
        call->funcresulttype != UUIDOID)
        return false;
    const ListCell *cell;
    foreach (cell, call->args)
        if (!is_fixed_argument(static_cast<const Node *>(lfirst(cell)))) return false;
    return is_claim_accessor(call->funcid);
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
    // (rewrite_query reaches it through query_tree_walker).
    if (IsA(node, Query)) return node;
    if (IsA(node, FuncExpr) && is_once_per_query_call(reinterpret_cast<FuncExpr *>(node)))
        return scalar_subselect(static_cast<Query *>(context), reinterpret_cast<FuncExpr *>(node));
    return expression_tree_mutator(node, callback_cast<Node *(*)()>(wrap_calls), context);
}

void rewrite_query(Query *query);

bool visit_subqueries(Node *node, void *context) {
    if (node == nullptr) return false;
    if (IsA(node, Query)) {
        rewrite_query(reinterpret_cast<Query *>(node));
        return false;
    }
    return expression_tree_walker(node, callback_cast<bool (*)()>(visit_subqueries), context);
}

template <typename T>
T *wrap_in(T *expression, Query *owner) {
    return reinterpret_cast<T *>(wrap_calls(reinterpret_cast<Node *>(expression), owner));
}

void rewrite_query(Query *query) {
    // Without a range table a call runs once anyway (and the sub-selects
    // made here have none, which ends the recursion).
    if (query->rtable != NIL) {
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
    // Sub-selects anywhere in the query (FROM, WITH, expressions), including
    // those just made, which this reaches with an empty range table.
    query_tree_walker(query, callback_cast<bool (*)()>(visit_subqueries), nullptr, 0);
}

PlannedStmt *claims_planner(Query *parse, const char *query_string, int cursor_options,
                            ParamListInfo bound_params) {
    if (setting_claims_once_per_query) rewrite_query(parse);
    if (previous_planner_hook != nullptr)
        return previous_planner_hook(parse, query_string, cursor_options, bound_params);
    return standard_planner(parse, query_string, cursor_options, bound_params);
}

}  // namespace

void install_claims_planner_hook() {
    previous_planner_hook = planner_hook;
    planner_hook = claims_planner;
}

}  // namespace pgjwt::pg

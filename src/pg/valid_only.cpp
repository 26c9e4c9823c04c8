// (jwt.verify(...)).valid without building the row.
//
// pgjwt's idiom, (jwt.verify(token, key)).valid in a WHERE clause, a select
// list or a policy, has verify build its whole row (header and payload
// copied into a composite datum) only for the boolean to be taken back out
// of it: about 0.2 us, a sixth of an HS256 verify (two builds timed in
// turn over the bench's tokens). Before planning, this rewrite replaces
// that field selection with
//
//     jwt._verify_valid(token, key, algorithm, 'jwt.verify(...)'::regprocedure)
//
// which runs the same verification and returns the boolean alone. Answers
// and errors are those of the expression it replaces: the same code runs,
// the strictness is the same (NULL arguments give NULL), and the substitute
// checks EXECUTE on the verify it names, so that revoking verify still
// denies the expression. An installation whose SQL objects predate
// _verify_valid (ALTER EXTENSION pending) is left alone.
// pg_jwt.row_function_rewrites (on by default) turns this off.
//
// Plain PostgreSQL code, no C++ core: nothing here can throw.
#include "pg/valid_only.hpp"

#include "pg/rewrite_support.hpp"

extern "C" {
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgjwt::pg {
namespace {

// verify_function.cpp, as pg_proc names them.
constexpr const char *kVerifySymbols[] = {"pg_jwt_verify_text_key", "pg_jwt_verify_bytea_key",
                                          "pg_jwt_verify_jsonb_key"};

bool is_verify_call(const FuncExpr *call) {
    return !call->funcretset && call->funcresulttype == RECORDOID &&
           is_own_function(call->funcid, kVerifySymbols,
                           sizeof kVerifySymbols / sizeof kVerifySymbols[0], "s");
}

// jwt._verify_valid for `verify`'s argument types, in verify's schema, or
// InvalidOid when the installed SQL objects have none.
Oid valid_only_function(Oid verify) {
    Oid *types = nullptr;
    int count = 0;
    get_func_signature(verify, &types, &count);
    if (count != 3) return InvalidOid;
    Oid arguments[4] = {types[0], types[1], types[2], REGPROCEDUREOID};
    char *schema = get_namespace_name(get_func_namespace(verify));
    if (schema == nullptr) return InvalidOid;
    List *name = list_make2(makeString(schema), makeString(pstrdup("_verify_valid")));
    return LookupFuncName(name, 4, arguments, true);
}

// The call's arguments with the defaults it omits filled in (the parser
// leaves them out; the planner would add them later).
List *all_arguments(const FuncExpr *call) {
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(call->funcid));
    if (!HeapTupleIsValid(tuple)) return NIL;
    List *args =
        expand_function_arguments(list_copy(call->args), false, call->funcresulttype, tuple);
    ReleaseSysCache(tuple);
    return args;
}

// A field selection of the valid column from a call returning a record:
// worth the catalog lookups of replace_valid.
bool is_candidate(const FieldSelect *select) {
    return select->fieldnum == kValidColumn && select->resulttype == BOOLOID &&
           IsA(select->arg, FuncExpr) &&
           reinterpret_cast<const FuncExpr *>(select->arg)->funcresulttype == RECORDOID;
}

bool has_candidate(Node *node, void *context) {
    if (node == nullptr || IsA(node, Query)) return false;
    if (IsA(node, FieldSelect) && is_candidate(reinterpret_cast<FieldSelect *>(node))) return true;
    return expression_tree_walker(node, callback_cast<bool (*)()>(has_candidate), context);
}

Node *replace_valid(Node *node, void *context) {
    if (node == nullptr) return nullptr;
    // A sub-select is rewritten with its own query (planner_hook.cpp).
    if (IsA(node, Query)) return node;
    Node *mutated =
        expression_tree_mutator(node, callback_cast<Node *(*)()>(replace_valid), context);
    if (!IsA(mutated, FieldSelect)) return mutated;
    auto *select = reinterpret_cast<FieldSelect *>(mutated);
    if (!is_candidate(select)) return mutated;
    FuncExpr *call = valid_only_call(reinterpret_cast<FuncExpr *>(select->arg));
    return call != nullptr ? reinterpret_cast<Node *>(call) : mutated;
}

}  // namespace

FuncExpr *valid_only_call(const FuncExpr *verify) {
    if (!is_verify_call(verify)) return nullptr;
    Oid substitute = valid_only_function(verify->funcid);
    if (!OidIsValid(substitute)) return nullptr;
    List *args = all_arguments(verify);
    if (list_length(args) != 3) return nullptr;
    Const *named = makeConst(REGPROCEDUREOID, -1, InvalidOid, sizeof(Oid),
                             ObjectIdGetDatum(verify->funcid), false, true);
    FuncExpr *call = makeFuncExpr(substitute, BOOLOID, lappend(args, named), InvalidOid,
                                  verify->inputcollid, COERCE_EXPLICIT_CALL);
    call->location = verify->location;
    return call;
}

void valid_only_verify(Query *query) {
    // Most queries have no field selection from a record-returning call: a
    // walk that neither copies nor looks anything up tells, before the
    // mutator copies the expressions it passes through.
    if (!query_tree_walker(query, callback_cast<bool (*)()>(has_candidate), nullptr,
                           QTW_IGNORE_RT_SUBQUERIES))
        return;
    // Sub-selects are returned as they are by replace_valid (each is
    // rewritten with its own query), so the range table's are only
    // flat-copied.
    query_tree_mutator(query, callback_cast<Node *(*)()>(replace_valid), nullptr,
                       QTW_DONT_COPY_QUERY);
}

}  // namespace pgjwt::pg

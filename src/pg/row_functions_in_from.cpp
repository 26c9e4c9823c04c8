// jwt.verify and jwt.decode in FROM, run without a tuplestore per row.
//
// Users write FROM tokens t, LATERAL jwt.verify(t.tok, key) v WHERE v.valid.
// PostgreSQL runs a function in FROM as a Function Scan, which puts even a
// single composite row into a new tuplestore (with a 16 KiB array) and
// rescans it for every outer row: 0.3-0.45 us a row (test/bench,
// lateral_builtin), a third of an HS256 verify. Before planning, this
// rewrite turns such an entry into the sub-select
//
//     LATERAL (SELECT (s.r).header, (s.r).payload, (s.r).valid
//              FROM (SELECT jwt.verify(t.tok, key) AS r OFFSET 0) s) v
//
// keeping the entry's alias and column names. The planner pulls the outer
// level up into the query; OFFSET 0 keeps the inner one a sub-select of its
// own, so that the function is still called once per outer row however many
// of its columns the query reads (a sub-select without it would be inlined
// and the call repeated for each column read). Per row this runs a Result
// node instead of filling and reading a tuplestore. When valid is the only
// column of verify read, the sub-select calls jwt._verify_valid instead
// (valid_only.cpp) and the other columns are NULL.
//
// One shape needs no sub-select at all (read_once_in_filter): the call is
// joined to one table, reads only its columns, and its entry is read once,
// in an always-evaluated condition of the WHERE clause, as in
//     FROM tokens t, LATERAL jwt.verify(t.tok, key) v WHERE v.valid
// There the entry becomes SELECT <the call's column> without FROM, which
// the planner inlines: the condition filters the table's scan, exactly as
// (jwt.verify(t.tok, key)).valid written there would, once per row that
// reaches it, and the nested loop with its per-row rescan goes away.
//
// Results are the same: one row per outer row, all columns NULL when a
// STRICT call has a NULL argument (a Function Scan's all-NULL row; here each
// column of a NULL record), the same column names and types, and the same
// row for a whole-row reference to the entry.
//
// Only our row functions are rewritten (matched by C symbol), only when
// called once without WITH ORDINALITY, only when an argument can change
// from row to row (a call on constants runs once either way), and only when
// the query reads a column of the entry: the planner drops an unread output
// of a sub-select, which would skip the call and with it the error a
// malformed token raises.
// pg_jwt.row_function_rewrites (on by default) turns this off.
//
// Plain PostgreSQL code, no C++ core: nothing here can throw.
#include "pg/row_functions_in_from.hpp"

#include "pg/rewrite_support.hpp"
#include "pg/valid_only.hpp"

extern "C" {
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/lsyscache.h"
}

namespace pgjwt::pg {
namespace {

// verify_function.cpp and decode_function.cpp, as pg_proc names them.
constexpr const char *kRowFunctions[] = {"pg_jwt_verify_text_key", "pg_jwt_verify_bytea_key",
                                         "pg_jwt_verify_jsonb_key", "pg_jwt_decode"};

// The call of a function entry worth rewriting, or nullptr.
FuncExpr *rewritable_call(const RangeTblEntry *rte) {
    if (rte->rtekind != RTE_FUNCTION || rte->funcordinality || list_length(rte->functions) != 1)
        return nullptr;
    auto *function = static_cast<RangeTblFunction *>(linitial(rte->functions));
    // A column definition list belongs to functions returning plain record.
    if (function->funccolnames != NIL || !IsA(function->funcexpr, FuncExpr)) return nullptr;
    auto *call = reinterpret_cast<FuncExpr *>(function->funcexpr);
    if (call->funcretset) return nullptr;
    bool varies = false;
    const ListCell *cell;
    foreach (cell, call->args)
        if (!is_fixed_argument(static_cast<const Node *>(lfirst(cell)))) varies = true;
    if (!varies) return nullptr;
    if (!is_own_function(call->funcid, kRowFunctions,
                         sizeof kRowFunctions / sizeof kRowFunctions[0], "is"))
        return nullptr;
    return call;
}

struct EntryReference {
    int rtindex;
    int levels_up;   // of the query being walked, from the entry's query
    uint64 columns;  // bit n: column n is read (0: the whole row)
    int reads;       // how many times
};

bool collect_reads(Node *node, EntryReference *entry) {
    if (node == nullptr) return false;
    if (IsA(node, Var)) {
        const Var *var = reinterpret_cast<const Var *>(node);
        if (var->varno == entry->rtindex &&
            var->varlevelsup == static_cast<Index>(entry->levels_up)) {
            entry->columns |= var->varattno >= 0 && var->varattno < 64
                                  ? uint64{1} << var->varattno
                                  : uint64{1};  // anything else: as the whole row
            entry->reads++;
        }
        return false;
    }
    if (IsA(node, Query)) {
        entry->levels_up++;
        query_tree_walker(reinterpret_cast<Query *>(node), callback_cast<bool (*)()>(collect_reads),
                          entry, QTW_IGNORE_JOINALIASES);
        entry->levels_up--;
        return false;
    }
    return expression_tree_walker(node, callback_cast<bool (*)()>(collect_reads), entry);
}

// What `query` reads of its range table entry `rtindex`. A join's list of
// its columns is skipped: it names every column of every joined entry, read
// or not. (A column read through a join's alias is a Var of the joined entry
// itself since PostgreSQL 13, so it is counted.)
EntryReference reads_of(Query *query, int rtindex) {
    EntryReference entry{rtindex, 0, 0, 0};
    query_tree_walker(query, callback_cast<bool (*)()>(collect_reads), &entry,
                      QTW_IGNORE_JOINALIASES);
    return entry;
}

// Nodes that evaluate some of their arguments only sometimes.
bool evaluates_conditionally(Node *node, void *context) {
    if (node == nullptr) return false;
    if ((IsA(node, BoolExpr) && reinterpret_cast<BoolExpr *>(node)->boolop == OR_EXPR) ||
        IsA(node, CaseExpr) || IsA(node, CoalesceExpr) || IsA(node, MinMaxExpr) ||
        IsA(node, NullIfExpr) || IsA(node, SubLink))
        return true;
    return expression_tree_walker(node, callback_cast<bool (*)()>(evaluates_conditionally),
                                  context);
}

// Do the call's arguments read no column but those of entry `table` of this
// query level (outer queries' columns are constants here), and no sub-select?
bool reads_only(const FuncExpr *call, int table) {
    // (No planner state: before planning there are no placeholders.)
    Bitmapset *entries = pull_varnos(nullptr, reinterpret_cast<Node *>(call->args));
    bool only = bms_is_empty(entries) || (bms_membership(entries) == BMS_SINGLETON &&
                                          bms_singleton_member(entries) == table);
    return only && !checkExprHasSubLink(reinterpret_cast<Node *>(call->args));
}

// The shape in which the call can simply be evaluated where its one read
// is, as (jwt.verify(...)).valid written there would be: the query joins
// the entry to one table (FROM t, LATERAL jwt.verify(t.tok, ...) v), the
// call reads only that table's columns, and the entry is read once, in a
// condition of the WHERE clause that is always evaluated (a conjunct
// without OR, CASE and the like). The condition then filters the table's
// scan, and the call runs once for each row that reaches it, as in the
// nested loop over the Function Scan.
bool read_once_in_filter(Query *query, int rtindex, const FuncExpr *call,
                         const EntryReference &reads) {
    if (reads.reads != 1 || (reads.columns & 1) != 0) return false;
    const FromExpr *from = query->jointree;
    if (from == nullptr || list_length(from->fromlist) != 2) return false;
    int table = 0;
    const ListCell *cell;
    foreach (cell, from->fromlist) {
        auto *item = static_cast<Node *>(lfirst(cell));
        if (!IsA(item, RangeTblRef)) return false;
        int index = reinterpret_cast<RangeTblRef *>(item)->rtindex;
        if (index != rtindex) table = index;
    }
    if (table == 0 || rt_fetch(table, query->rtable)->rtekind != RTE_RELATION ||
        !reads_only(call, table))
        return false;
    List *conjuncts = make_ands_implicit(reinterpret_cast<Expr *>(from->quals));
    foreach (cell, conjuncts) {
        auto *conjunct = static_cast<Node *>(lfirst(cell));
        EntryReference in_conjunct{rtindex, 0, 0, 0};
        collect_reads(conjunct, &in_conjunct);
        if (in_conjunct.reads == 1) return !evaluates_conditionally(conjunct, nullptr);
    }
    return false;
}

Query *empty_select() {
    Query *select = makeNode(Query);
    select->commandType = CMD_SELECT;
    select->querySource = QSRC_ORIGINAL;
    select->canSetTag = true;
    return select;
}

// SELECT <call> AS r OFFSET 0, two query levels below the entry's query.
Query *call_select(Expr *call) {
    auto *moved = static_cast<Expr *>(copyObjectImpl(call));
    // The arguments' column references (and those of any sub-select in
    // them) now point two levels further out.
    IncrementVarSublevelsUp(reinterpret_cast<Node *>(moved), 2, 0);
    Query *select = empty_select();
    select->jointree = makeFromExpr(NIL, nullptr);
    select->targetList = list_make1(makeTargetEntry(moved, 1, pstrdup("r"), false));
    select->hasSubLinks = checkExprHasSubLink(reinterpret_cast<Node *>(moved));
    select->limitOffset = reinterpret_cast<Node *>(makeConst(
        INT8OID, -1, InvalidOid, sizeof(int64), Int64GetDatum(0), false, FLOAT8PASSBYVAL));
    return select;
}

// SELECT <columns> FROM (<call_select(call)>) s, with the entry's column
// names; `column(i, r)` is column i given s.r.
template <typename Column>
Query *columns_select(const RangeTblEntry *rte, Expr *call, TupleDesc row, Column column) {
    RangeTblEntry *inner = makeNode(RangeTblEntry);
    inner->rtekind = RTE_SUBQUERY;
    inner->subquery = call_select(call);
    inner->eref = makeAlias("s", list_make1(makeString(pstrdup("r"))));
    inner->inFromCl = true;

    RangeTblRef *reference = makeNode(RangeTblRef);
    reference->rtindex = 1;

    Query *select = empty_select();
    select->rtable = list_make1(inner);
    select->jointree = makeFromExpr(list_make1(reference), nullptr);
    Var *r = makeVar(1, 1, exprType(reinterpret_cast<Node *>(call)),
                     exprTypmod(reinterpret_cast<Node *>(call)), InvalidOid, 0);
    const ListCell *name = list_head(rte->eref->colnames);
    for (int i = 0; i < row->natts; i++, name = lnext(rte->eref->colnames, name))
        select->targetList =
            lappend(select->targetList, makeTargetEntry(column(i, TupleDescAttr(row, i), r),
                                                        static_cast<AttrNumber>(i + 1),
                                                        pstrdup(strVal(lfirst(name))), false));
    return select;
}

// (<a copy of record>).<column i>.
Expr *field_of(const void *record, int i, Form_pg_attribute column) {
    FieldSelect *field = makeNode(FieldSelect);
    field->arg = static_cast<Expr *>(copyObjectImpl(record));
    field->fieldnum = static_cast<AttrNumber>(i + 1);
    field->resulttype = column->atttypid;
    field->resulttypmod = column->atttypmod;
    field->resultcollid = column->attcollation;
    return reinterpret_cast<Expr *>(field);
}

// Every column as (s.r).<column>.
Query *fields_select(const RangeTblEntry *rte, FuncExpr *call, TupleDesc row) {
    return columns_select(
        rte, reinterpret_cast<Expr *>(call), row,
        [](int i, Form_pg_attribute column, Var *r) { return field_of(r, i, column); });
}

// Only verify's valid column is read: s.r is jwt._verify_valid(...), the
// columns nobody reads are NULLs of their types.
Query *valid_select(const RangeTblEntry *rte, FuncExpr *valid_only, TupleDesc row) {
    return columns_select(rte, reinterpret_cast<Expr *>(valid_only), row,
                          [](int i, Form_pg_attribute column, Var *r) {
                              if (i + 1 == kValidColumn)
                                  return static_cast<Expr *>(copyObjectImpl(r));
                              return reinterpret_cast<Expr *>(makeNullConst(
                                  column->atttypid, column->atttypmod, column->attcollation));
                          });
}

// SELECT <column read>, NULL, ... without FROM: pulled up by the planner,
// the one read becomes the call itself (the valid-only call for verify's
// valid column).
Query *inline_select(const RangeTblEntry *rte, FuncExpr *call, TupleDesc row, uint64 columns) {
    Query *select = empty_select();
    select->jointree = makeFromExpr(NIL, nullptr);
    const ListCell *name = list_head(rte->eref->colnames);
    for (int i = 0; i < row->natts; i++, name = lnext(rte->eref->colnames, name)) {
        Form_pg_attribute column = TupleDescAttr(row, i);
        Expr *value = nullptr;
        if ((columns & (uint64{1} << (i + 1))) == 0) {
            value = reinterpret_cast<Expr *>(
                makeNullConst(column->atttypid, column->atttypmod, column->attcollation));
        } else if (FuncExpr *valid_only = i + 1 == kValidColumn ? valid_only_call(call) : nullptr) {
            value = reinterpret_cast<Expr *>(valid_only);
        } else {
            value = field_of(call, i, column);
        }
        if (!IsA(value, Const)) IncrementVarSublevelsUp(reinterpret_cast<Node *>(value), 1, 0);
        select->targetList =
            lappend(select->targetList, makeTargetEntry(value, static_cast<AttrNumber>(i + 1),
                                                        pstrdup(strVal(lfirst(name))), false));
    }
    return select;
}

void rewrite_entry(Query *query, int rtindex, RangeTblEntry *rte) {
    FuncExpr *call = rewritable_call(rte);
    if (call == nullptr) return;
    EntryReference reads = reads_of(query, rtindex);
    uint64 columns = reads.columns;
    if (columns == 0) return;
    TupleDesc row = nullptr;
    Oid type = InvalidOid;
    if (get_expr_result_type(reinterpret_cast<Node *>(call), &type, &row) != TYPEFUNC_COMPOSITE ||
        row == nullptr || row->natts != list_length(rte->eref->colnames))
        return;
    for (int i = 0; i < row->natts; i++)
        if (TupleDescAttr(row, i)->attisdropped) return;
    Query *select = nullptr;
    if (read_once_in_filter(query, rtindex, call, reads)) {
        select = inline_select(rte, call, row, columns);
    } else {
        FuncExpr *valid_only =
            columns == uint64{1} << kValidColumn ? valid_only_call(call) : nullptr;
        select = valid_only != nullptr ? valid_select(rte, valid_only, row)
                                       : fields_select(rte, call, row);
    }
    rte->rtekind = RTE_SUBQUERY;
    rte->subquery = select;
    rte->security_barrier = false;
    rte->functions = NIL;
    rte->funcordinality = false;
}

}  // namespace

void row_functions_as_subqueries(Query *query) {
    int rtindex = 0;
    ListCell *cell;
    foreach (cell, query->rtable)
        rewrite_entry(query, ++rtindex, static_cast<RangeTblEntry *>(lfirst(cell)));
}

}  // namespace pgjwt::pg

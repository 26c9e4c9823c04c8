// The request claims of PostgREST, and of PostGraphile v4, read from
// settings pg_jwt does not own.
//
// pg_jwt never defines request.jwt.claims or request.jwt.claim.<name>:
// defined, `current_setting('request.jwt.claims', true)` would read '' rather
// than NULL in every session that loaded pg_jwt (so `...::jsonb` raises), and
// no other module defining the name could load next to pg_jwt. So there is
// no assign hook to say the value changed: the claim accessors compare the
// current value with their cached copy instead (claims_functions.cpp).
//
// PostGraphile v4 sets one jwt.claims.<name> setting per verified claim
// (values as text), also with set_config(..., true): trusted the same way
// when pg_jwt.trust_postgraphile_claims is on.
//
// A value is trusted only when pg_jwt.trust_request_claims is on, it is not
// empty, and it was set in the current transaction. PostgREST always sets it
// with set_config(..., true); a session-level value is what one client left
// on a pooled connection (PgBouncer) for the next ones, or what a login
// default (ALTER ROLE ... SET) gave every request. Such a value is refused
// as if it were absent: the accessors give NULL, as for a request without
// claims. Not an error: an error would let one client's leftover break
// every later client of that pooled connection, also the requests that
// need no claims (a policy's anonymous branch), while NULL fails closed
// exactly as a request without a token does.
//
// "Set in the current transaction" is the setting's GUC record: its stack is
// non-NULL exactly when the value was changed in the current transaction (by
// SET, SET LOCAL, set_config or a function's SET clause) and is emptied at
// transaction end. The record is looked up on every call (a bounded
// bsearch, or a hash lookup from PostgreSQL 16), never kept: when a module
// defines the name later, PostgreSQL frees the placeholder record.
//
// Parallel workers cannot see their leader's stack (PostgreSQL 15 restores
// the leader's settings in a transaction of their own that it then commits,
// so every stack is empty there). So, before a query enters parallel mode,
// an ExecutorRun hook writes the leader's verdict into the internal setting
// pg_jwt.fresh_request_claims, which reaches the workers with the other
// settings; in parallel mode the leader and every worker go by it alone, so
// they all give the same answer. pg_jwt is loaded by then whenever the
// query calls one of its functions directly (at executor start, which comes
// before ExecutorRun). Loaded only later, inside the parallel query (through
// a PL/pgSQL wrapper), pg_jwt cannot take over its settings' placeholders
// there (PostgreSQL changes no setting in parallel mode and warns), so trust
// is off and the claims are NULL: session_preload_libraries avoids that. If
// trust was turned on only inside the query (a function's SET clause), no
// verdict was recorded: a trusted value is refused with an error rather
// than guessed.
//
// Plain PostgreSQL code, no C++ core: nothing here can throw.
#include "pg/request_claims.hpp"

#include <cstring>

#include "pg/settings.hpp"

extern "C" {
#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
}

namespace pgjwt::pg {
namespace {

constexpr char claims_name[] = "request.jwt.claims";
constexpr char legacy_prefix[] = "request.jwt.claim.";
constexpr int legacy_prefix_len = sizeof(legacy_prefix) - 1;
constexpr char postgraphile_prefix[] = "jwt.claims.";
constexpr int postgraphile_prefix_len = sizeof(postgraphile_prefix) - 1;
// The verdict's first token: present once the hook has looked.
constexpr char checked_token[] = "checked";

// pg_jwt.fresh_request_claims, parsed by its assign hook.
bool verdict_recorded = false;      // the hook looked (in this transaction)
bool verdict_claims_fresh = false;  // request.jwt.claims was set in it

ExecutorRun_hook_type previous_executor_run = nullptr;

char fold(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// PostgreSQL's order of setting names: ASCII letters folded to lower case.
int compare_names(const char *a, const char *b) {
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char ca = fold(*a);
        char cb = fold(*b);
        if (ca != cb) return static_cast<unsigned char>(ca) - static_cast<unsigned char>(cb);
    }
    if (*a != '\0') return 1;
    if (*b != '\0') return -1;
    return 0;
}

// The index of the first record whose name sorts at or after name (the
// records sorted by name, as PostgreSQL keeps them).
int lower_bound(config_generic **records, int count, const char *name) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (compare_names(records[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

// The setting's record, defined or placeholder; nullptr when no session
// code has set or defined it. Never creates a placeholder.
config_generic *find_record(const char *name) {
#if PG_VERSION_NUM >= 160000
    return find_option(name, false, true, ERROR);
#else
    config_generic **records = get_guc_variables();
    int count = GetNumConfigOptions();
    int at = lower_bound(records, count, name);
    if (at < count && compare_names(records[at]->name, name) == 0) return records[at];
    return nullptr;
#endif
}

// request.jwt.claims' record, looked up on every call of an accessor. On
// PostgreSQL 15 the slot where it was last found is tried first: the slot
// is read only after the array and its length are fetched anew, and it is
// taken only if the record there has that name, so a record freed or moved
// meanwhile is never used.
config_generic *find_claims_record() {
#if PG_VERSION_NUM >= 160000
    return find_record(claims_name);
#else
    static int last_slot = -1;
    config_generic **records = get_guc_variables();
    int count = GetNumConfigOptions();
    if (last_slot >= 0 && last_slot < count &&
        compare_names(records[last_slot]->name, claims_name) == 0)
        return records[last_slot];
    int at = lower_bound(records, count, claims_name);
    if (at < count && compare_names(records[at]->name, claims_name) == 0) {
        last_slot = at;
        return records[at];
    }
    return nullptr;
#endif
}

// The current value; "" for none.
const char *current_value(config_generic *record) {
    if (record->vartype == PGC_STRING) {
#if PG_VERSION_NUM >= 190000
        const char *value = *record->_string.variable;  // 19: one struct with a union
#else
        const char *value = *reinterpret_cast<config_string *>(record)->variable;
#endif
        return value != nullptr ? value : "";
    }
    // Another module's non-string setting of that name: its text.
    const char *value = GetConfigOption(record->name, true, false);
    return value != nullptr ? value : "";
}

bool set_in_this_transaction(const config_generic *record) {
    return record->stack != nullptr;
}

// Whether the verdict lists name (folded to lower case, as the hook writes
// it). Names of settings never contain a comma.
bool verdict_lists(const char *verdict, const char *name) {
    size_t len = strlen(name);
    const char *p = verdict;
    while (p != nullptr && *p != '\0') {
        const char *end = strchr(p, ',');
        size_t token = end != nullptr ? static_cast<size_t>(end - p) : strlen(p);
        if (token == len) {
            size_t i = 0;
            while (i < len && p[i] == fold(name[i])) i++;
            if (i == len) return true;
        }
        p = end != nullptr ? end + 1 : nullptr;
    }
    return false;
}

// `trust` names the setting that turned the source on.
[[noreturn]] void refuse_unrecorded(const char *trust) {
    ereport(ERROR,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("cannot tell whether the request claims were set in this transaction"),
             errdetail("%s was off or pg_jwt was not loaded when this parallel query started, so "
                       "its parallel workers were not told.",
                       trust),
             errhint("Turn %s on for the session (ALTER ROLE ... SET), not in a function's SET "
                     "clause.",
                     trust)));
    pg_unreachable();
}

// The trust rule for one record: value when trusted, else nullptr. `trust`
// names the setting that trusts its source, for the error above.
const char *trusted_value(config_generic *record, const char *name, bool is_claims,
                          const char *trust) {
    if (record == nullptr) return nullptr;
    const char *value = current_value(record);
    if (value[0] == '\0') return nullptr;  // empty counts as absent
    if (!IsInParallelMode()) return set_in_this_transaction(record) ? value : nullptr;
    // Leader and workers alike: the verdict recorded before parallel mode.
    if (!verdict_recorded) refuse_unrecorded(trust);
    if (is_claims) return verdict_claims_fresh ? value : nullptr;
    return verdict_lists(setting_fresh_request_claims, name) ? value : nullptr;
}

bool fresh_and_nonempty(config_generic *record) {
    return record != nullptr && set_in_this_transaction(record) && current_value(record)[0] != '\0';
}

void append_folded(StringInfo out, const char *name) {
    appendStringInfoChar(out, ',');
    for (const char *p = name; *p != '\0'; p++) appendStringInfoChar(out, fold(*p));
}

// The records whose names start with `prefix` (in lower case), in
// PostgreSQL's order: they sort together, so only they are visited.
// PostgreSQL 16 keeps its settings in a hash table, so there each call
// copies and sorts the list of settings (a few hundred); 15 keeps them
// sorted.
template <typename Visit>
void for_each_record_with_prefix(const char *prefix, int prefix_len, Visit &&visit) {
#if PG_VERSION_NUM >= 160000
    int count = 0;
    config_generic **records = get_guc_variables(&count);  // palloc'd, sorted
#else
    config_generic **records = get_guc_variables();
    int count = GetNumConfigOptions();
#endif
    for (int at = lower_bound(records, count, prefix); at < count; at++) {
        const char *name = records[at]->name;
        int i = 0;
        while (i < prefix_len && fold(name[i]) == prefix[i]) i++;
        if (i < prefix_len) break;
        if (!visit(records[at])) break;
    }
#if PG_VERSION_NUM >= 160000
    pfree(records);
#endif
}

// Appends every setting named prefix<name> set in this transaction and not
// empty.
void append_fresh_with_prefix(StringInfo out, const char *prefix, int prefix_len) {
    for_each_record_with_prefix(prefix, prefix_len, [&](config_generic *record) {
        if (fresh_and_nonempty(record)) append_folded(out, record->name);
        return true;
    });
}

// Records, for the parallel workers of the query about to run, which
// request claim settings are set in this transaction.
void record_verdict() {
    StringInfoData verdict;
    initStringInfo(&verdict);
    appendStringInfoString(&verdict, checked_token);
    config_generic *claims = find_claims_record();
    if (setting_trust_request_claims && fresh_and_nonempty(claims)) {
        append_folded(&verdict, claims_name);
    } else if (nonempty_setting(setting_claims) == nullptr) {
        // Read only when neither jwt.authenticate's claims nor
        // request.jwt.claims are there.
        if (setting_trust_request_claims)
            append_fresh_with_prefix(&verdict, legacy_prefix, legacy_prefix_len);
        if (setting_trust_postgraphile_claims)
            append_fresh_with_prefix(&verdict, postgraphile_prefix, postgraphile_prefix_len);
    }
    const char *current =
        setting_fresh_request_claims != nullptr ? setting_fresh_request_claims : "";
    if (strcmp(current, verdict.data) != 0)
        (void)set_config_option("pg_jwt.fresh_request_claims", verdict.data, PGC_SUSET,
                                PGC_S_SESSION, GUC_ACTION_LOCAL, true, ERROR, false);
    pfree(verdict.data);
}

#if PG_VERSION_NUM >= 180000
void executor_run(QueryDesc *query, ScanDirection direction, uint64 count) {
#else
void executor_run(QueryDesc *query, ScanDirection direction, uint64 count, bool execute_once) {
#endif
    // ExecutePlan enters parallel mode when the plan needs it; settings can
    // be changed only before that.
    if ((setting_trust_request_claims || setting_trust_postgraphile_claims) &&
        query->plannedstmt->parallelModeNeeded && !IsInParallelMode())
        record_verdict();
#if PG_VERSION_NUM >= 180000
    if (previous_executor_run != nullptr)
        previous_executor_run(query, direction, count);
    else
        standard_ExecutorRun(query, direction, count);
#else
    if (previous_executor_run != nullptr)
        previous_executor_run(query, direction, count, execute_once);
    else
        standard_ExecutorRun(query, direction, count, execute_once);
#endif
}

}  // namespace

const char *trusted_request_claims() {
    if (!setting_trust_request_claims) return nullptr;
    return trusted_value(find_claims_record(), claims_name, true, "pg_jwt.trust_request_claims");
}

namespace {
// prefix<name>'s value when trusted.
const char *trusted_prefixed(const char *prefix, const char *name, int len, const char *trust) {
    char *setting = psprintf("%s%.*s", prefix, len, name);
    const char *value = trusted_value(find_record(setting), setting, false, trust);
    pfree(setting);
    return value;
}
}  // namespace

const char *trusted_legacy_claim(const char *name, int len) {
    if (!setting_trust_request_claims) return nullptr;
    return trusted_prefixed(legacy_prefix, name, len, "pg_jwt.trust_request_claims");
}

const char *trusted_postgraphile_claim(const char *name, int len) {
    if (!setting_trust_postgraphile_claims) return nullptr;
    return trusted_prefixed(postgraphile_prefix, name, len, "pg_jwt.trust_postgraphile_claims");
}

void for_each_trusted_postgraphile_claim(ClaimVisitor visit, void *arg) {
    if (!setting_trust_postgraphile_claims) return;
    for_each_record_with_prefix(
        postgraphile_prefix, postgraphile_prefix_len, [&](config_generic *record) {
            const char *value =
                trusted_value(record, record->name, false, "pg_jwt.trust_postgraphile_claims");
            return value == nullptr || visit(record->name + postgraphile_prefix_len, value, arg);
        });
}

const char *fresh_request_setting(const char *name) {
    config_generic *record = find_record(name);
    return fresh_and_nonempty(record) ? current_value(record) : nullptr;
}

void assign_fresh_request_claims(const char *newval, void *) {
    verdict_recorded =
        newval != nullptr && strncmp(newval, checked_token, strlen(checked_token)) == 0;
    verdict_claims_fresh = verdict_recorded && verdict_lists(newval, claims_name);
}

void install_request_claims_hook() {
    previous_executor_run = ExecutorRun_hook;
    ExecutorRun_hook = executor_run;
}

}  // namespace pgjwt::pg

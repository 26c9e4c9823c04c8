#include "pg/table_access.hpp"

#include "pg/cache_invalidation.hpp"

extern "C" {
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/procarray.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

namespace pgjwt::pg {

void begin_as_extension_owner(OwnerScope *scope) {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(keys_relation()));
    if (!HeapTupleIsValid(tuple))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("table jwt.keys does not exist"),
                        errhint("Is the extension pg_jwt installed in this database?")));
    Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);

    GetUserIdAndSecContext(&scope->saved_user, &scope->saved_security_context);
    // As fmgr_security_definer does for a function's SET clause: a nest
    // level that AtEOXact_GUC pops, also on error (transaction abort).
    // GUC_ACTION_SAVE is allowed in parallel mode (the worker pops it too).
    scope->guc_nest_level = NewGUCNestLevel();
    (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                            GUC_ACTION_SAVE, true, 0, false);
    SetUserIdAndSecContext(owner, scope->saved_security_context | SECURITY_LOCAL_USERID_CHANGE |
                                      SECURITY_RESTRICTED_OPERATION);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
}

void end_as_extension_owner(OwnerScope *scope) {
    SPI_finish();
    AtEOXact_GUC(true, scope->guc_nest_level);
    SetUserIdAndSecContext(scope->saved_user, scope->saved_security_context);
}

void run_as_extension_owner(void (*work)(void *arg), void *arg) {
    OwnerScope scope;
    begin_as_extension_owner(&scope);
    work(arg);
    end_as_extension_owner(&scope);
}

Snapshot fresh_snapshot() {
    if (!IsInParallelMode()) return GetLatestSnapshot();
    // GetLatestSnapshot() refuses parallel mode (the leader's SecondarySnapshot
    // is shared state); a private snapshot serves a read-only probe as well.
    // The transaction's older xmin (MyProc->xmin) already keeps everything it
    // can see from being pruned. SPI copies it when it pushes it.
    static SnapshotData own = {SNAPSHOT_MVCC};
    Snapshot snapshot = GetSnapshotData(&own);
    snapshot->curcid = GetCurrentCommandId(false);
    return snapshot;
}

namespace {

KeyringSnapshot snapshot = {0, nullptr};
uint64 snapshot_generation = 0;
SPIPlanPtr keyring_read = nullptr;

bool revoked_empty = false;
uint64 revoked_generation_seen = 0;
SPIPlanPtr revoked_any = nullptr;
SPIPlanPtr revoked_probe = nullptr;

// Prepares (once per backend) a statement run as the extension owner. The
// kept plan is re-analysed after an invalidation with the search_path in
// force then, which is again the pinned one: it only ever runs inside
// begin/end_as_extension_owner.
SPIPlanPtr prepared(SPIPlanPtr &plan, const char *sql, int nargs, Oid *types) {
    if (plan == nullptr) {
        SPIPlanPtr p = SPI_prepare(sql, nargs, types);
        if (p == nullptr)
            elog(ERROR, "could not prepare a read of pg_jwt's tables: %s",
                 SPI_result_code_string(SPI_result));
        if (SPI_keepplan(p) != 0) elog(ERROR, "SPI_keepplan failed");
        plan = p;
    }
    return plan;
}

int run_fresh(SPIPlanPtr plan, Datum *values, long limit) {
    int rc = SPI_execute_snapshot(plan, values, nullptr, fresh_snapshot(), InvalidSnapshot, true,
                                  false, limit);
    if (rc != SPI_OK_SELECT)
        elog(ERROR, "could not read pg_jwt's tables: %s", SPI_result_code_string(rc));
    return rc;
}

char *copy_column(HeapTuple tuple, TupleDesc desc, int column) {
    char *value = SPI_getvalue(tuple, desc, column);
    return value ? MemoryContextStrdup(TopMemoryContext, value) : nullptr;
}

void free_snapshot() {
    for (int i = 0; i < snapshot.count; i++) {
        pfree(snapshot.rows[i].kid);
        pfree(snapshot.rows[i].algorithm);
        pfree(snapshot.rows[i].jwk);
    }
    if (snapshot.rows) pfree(snapshot.rows);
    snapshot = {0, nullptr};
}

}  // namespace

const KeyringSnapshot &keyring_snapshot() {
    accept_invalidations();
    uint64 generation = keyring_generation;
    if (snapshot_generation == generation && OidIsValid(keys_relation())) return snapshot;
    OwnerScope owner;
    begin_as_extension_owner(&owner);
    SPIPlanPtr plan =
        prepared(keyring_read,
                 "SELECT k.kid, k.algorithm, "
                 "COALESCE(k.public_jwk, k.private_jwk)::pg_catalog.text, k.expires_at "
                 "FROM jwt.keys k WHERE k.active ORDER BY k.created_at DESC, k.kid",
                 0, nullptr);
    run_fresh(plan, nullptr, 0);
    free_snapshot();
    uint64 n = SPI_processed;
    snapshot.rows = static_cast<KeyringRow *>(
        MemoryContextAllocZero(TopMemoryContext, sizeof(KeyringRow) * (n ? n : 1)));
    for (uint64 i = 0; i < n; i++) {
        HeapTuple tuple = SPI_tuptable->vals[i];
        TupleDesc desc = SPI_tuptable->tupdesc;
        KeyringRow &row = snapshot.rows[snapshot.count++];
        row.kid = copy_column(tuple, desc, 1);
        row.algorithm = copy_column(tuple, desc, 2);
        row.jwk = copy_column(tuple, desc, 3);
        bool isnull = false;
        Datum expires = SPI_getbinval(tuple, desc, 4, &isnull);
        row.has_expiry = !isnull;
        row.expires_at = isnull ? 0 : DatumGetTimestampTz(expires);
    }
    end_as_extension_owner(&owner);
    // The generation recorded before the read: a change committed meanwhile
    // has bumped the counter past it, and the next call reads again.
    snapshot_generation = generation;
    return snapshot;
}

bool jti_revoked(const char *jti, TimestampTz now) {
    if (!OidIsValid(revoked_relation())) return false;
    accept_invalidations();
    uint64 generation = revoked_generation;
    if (revoked_generation_seen == generation && revoked_empty) return false;
    OwnerScope owner;
    begin_as_extension_owner(&owner);
    if (revoked_generation_seen != generation) {
        run_fresh(prepared(revoked_any, "SELECT 1 FROM jwt.revoked LIMIT 1", 0, nullptr), nullptr,
                  1);
        revoked_empty = SPI_processed == 0;
    }
    bool revoked = false;
    if (!revoked_empty) {
        Oid types[2] = {TEXTOID, TIMESTAMPTZOID};
        SPIPlanPtr plan = prepared(revoked_probe,
                                   "SELECT 1 FROM jwt.revoked r "
                                   "WHERE r.jti OPERATOR(pg_catalog.=) $1 "
                                   "AND r.until OPERATOR(pg_catalog.>) $2",
                                   2, types);
        Datum values[2] = {CStringGetTextDatum(jti), TimestampTzGetDatum(now)};
        run_fresh(plan, values, 1);
        revoked = SPI_processed > 0;
    }
    end_as_extension_owner(&owner);
    revoked_generation_seen = generation;
    return revoked;
}

}  // namespace pgjwt::pg

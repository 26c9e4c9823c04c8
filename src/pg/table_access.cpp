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

#include "core/key_set.hpp"

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
    // PostgreSQL's GetLatestSnapshot() refuses parallel mode (leader and
    // workers alike); a snapshot of our own, as GetCatalogSnapshot() takes
    // one there, serves a read-only query as well. The transaction's older
    // xmin (MyProc->xmin) keeps everything it can see from being pruned;
    // SPI copies it when it makes it the active snapshot.
    static SnapshotData own = {SNAPSHOT_MVCC};
    Snapshot snapshot = GetSnapshotData(&own);
    snapshot->curcid = GetCurrentCommandId(false);
    return snapshot;
}

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

void run_fresh(SPIPlanPtr plan, Datum *values, long limit) {
    int rc = SPI_execute_snapshot(plan, values, nullptr, fresh_snapshot(), InvalidSnapshot, true,
                                  false, limit);
    if (rc != SPI_OK_SELECT)
        elog(ERROR, "could not read pg_jwt's tables: %s", SPI_result_code_string(rc));
}

char *copy_text(MemoryContext context, HeapTuple tuple, TupleDesc desc, int column) {
    char *value = SPI_getvalue(tuple, desc, column);
    return value ? MemoryContextStrdup(context, value) : nullptr;
}

namespace {

SPIPlanPtr keyring_algorithms = nullptr;
SPIPlanPtr keyring_by_kid = nullptr;
SPIPlanPtr keyring_newest = nullptr;
SPIPlanPtr keyring_window = nullptr;

bool revoked_empty = false;
uint64 revoked_generation_seen = 0;
SPIPlanPtr revoked_any = nullptr;
SPIPlanPtr revoked_probe = nullptr;

// The columns of kKeyColumns, row by row, into `out`.
constexpr const char *kKeyColumns =
    "k.kid, k.algorithm, COALESCE(k.public_jwk, k.private_jwk)::pg_catalog.text, k.active, "
    "k.not_before, k.expires_at";

void copy_key_rows(MemoryContext context, KeyringRows *out) {
    uint64 n = SPI_processed;
    out->rows = static_cast<KeyringRow *>(
        MemoryContextAllocZero(context, sizeof(KeyringRow) * (n ? n : 1)));
    TupleDesc desc = SPI_tuptable->tupdesc;
    for (uint64 i = 0; i < n; i++) {
        HeapTuple tuple = SPI_tuptable->vals[i];
        KeyringRow &row = out->rows[out->count++];
        row.kid = copy_text(context, tuple, desc, 1);
        row.algorithm = copy_text(context, tuple, desc, 2);
        row.jwk = copy_text(context, tuple, desc, 3);
        bool isnull = false;
        row.active = DatumGetBool(SPI_getbinval(tuple, desc, 4, &isnull)) && !isnull;
        row.not_before = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 5, &isnull));
        Datum expires = SPI_getbinval(tuple, desc, 6, &isnull);
        row.has_expiry = !isnull;
        row.expires_at = isnull ? 0 : DatumGetTimestampTz(expires);
        if (row.kid == nullptr || row.algorithm == nullptr || row.jwk == nullptr)
            row.active = false;  // the table's constraints rule this out
    }
}

}  // namespace

uint64 keyring_generation_now() {
    accept_invalidations();
    return keyring_generation;
}

void read_keyring_algorithms(KeyringRows *out) {
    *out = {};
    MemoryContext caller = CurrentMemoryContext;
    OwnerScope owner;
    begin_as_extension_owner(&owner);
    // Distinct algorithms by a skip scan of keys_by_algorithm (one index
    // probe per algorithm, not a pass over the keyring), each ordered by its
    // newest key.
    run_fresh(prepared(keyring_algorithms,
                       "WITH RECURSIVE a(alg) AS ("
                       " SELECT (SELECT k.algorithm FROM jwt.keys k WHERE k.active"
                       "         ORDER BY k.algorithm LIMIT 1)"
                       " UNION ALL"
                       " SELECT (SELECT k.algorithm FROM jwt.keys k"
                       "         WHERE k.active AND k.algorithm OPERATOR(pg_catalog.>) a.alg"
                       "         ORDER BY k.algorithm LIMIT 1)"
                       " FROM a WHERE a.alg IS NOT NULL) "
                       "SELECT a.alg FROM a WHERE a.alg IS NOT NULL "
                       "ORDER BY (SELECT k.created_at FROM jwt.keys k"
                       "          WHERE k.active AND k.algorithm OPERATOR(pg_catalog.=) a.alg"
                       "          ORDER BY k.created_at DESC LIMIT 1) DESC, a.alg",
                       0, nullptr),
              nullptr, 0);
    uint64 n = SPI_processed;
    out->rows =
        static_cast<KeyringRow *>(MemoryContextAllocZero(caller, sizeof(KeyringRow) * (n ? n : 1)));
    for (uint64 i = 0; i < n; i++) {
        char *algorithm = copy_text(caller, SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
        if (algorithm != nullptr) out->rows[out->count++].algorithm = algorithm;
    }
    end_as_extension_owner(&owner);
}

void read_keyring_kid(const char *kid, KeyringRows *out) {
    *out = {};
    MemoryContext caller = CurrentMemoryContext;
    OwnerScope owner;
    begin_as_extension_owner(&owner);
    Oid types[1] = {TEXTOID};
    SPIPlanPtr plan = prepared(keyring_by_kid,
                               psprintf("SELECT %s FROM jwt.keys k "
                                        "WHERE k.kid OPERATOR(pg_catalog.=) $1",
                                        kKeyColumns),
                               1, types);
    Datum values[1] = {CStringGetTextDatum(kid)};
    run_fresh(plan, values, 1);
    copy_key_rows(caller, out);
    end_as_extension_owner(&owner);
}

void read_keyring_candidates(const char *algorithm, TimestampTz now, KeyringRows *out) {
    *out = {};
    MemoryContext caller = CurrentMemoryContext;
    OwnerScope owner;
    begin_as_extension_owner(&owner);
    Oid types[3] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
    Datum values[3] = {CStringGetTextDatum(algorithm), TimestampTzGetDatum(now),
                       TimestampTzGetDatum(DT_NOBEGIN)};
    SPIPlanPtr newest =
        prepared(keyring_newest,
                 psprintf("SELECT %s, k.created_at FROM jwt.keys k "
                          "WHERE k.active AND k.algorithm OPERATOR(pg_catalog.=) $1 "
                          "AND k.not_before OPERATOR(pg_catalog.<=) $2 "
                          "AND (k.expires_at IS NULL OR k.expires_at OPERATOR(pg_catalog.>) $2) "
                          "ORDER BY k.created_at DESC, k.kid LIMIT %d",
                          kKeyColumns, static_cast<int>(kMaxCandidateKeys)),
                 2, types);
    run_fresh(newest, values, 0);
    copy_key_rows(caller, out);
    // The answer changes only when `now` crosses a not_before or an
    // expires_at of a key that is, or could become, one of the newest: one
    // created no earlier than the last of a full list (an older key can
    // never displace it), or any key of the algorithm when the list is
    // shorter. The nearest such times either side of `now`: an index range
    // of keys_by_algorithm, not a pass over the algorithm's keys.
    if (out->count == static_cast<int>(kMaxCandidateKeys)) {
        bool isnull = false;
        values[2] =
            SPI_getbinval(SPI_tuptable->vals[out->count - 1], SPI_tuptable->tupdesc, 7, &isnull);
    }
    SPIPlanPtr window = prepared(
        keyring_window,
        "SELECT pg_catalog.max(v.t) FILTER (WHERE v.t OPERATOR(pg_catalog.<=) $2), "
        "pg_catalog.min(v.t) FILTER (WHERE v.t OPERATOR(pg_catalog.>) $2) "
        "FROM jwt.keys k CROSS JOIN LATERAL (VALUES (k.not_before), (k.expires_at)) AS v(t) "
        "WHERE k.active AND k.algorithm OPERATOR(pg_catalog.=) $1 "
        "AND k.created_at OPERATOR(pg_catalog.>=) $3",
        3, types);
    run_fresh(window, values, 0);
    if (SPI_processed == 1) {
        bool isnull = false;
        Datum from = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        out->has_valid_from = !isnull;
        if (!isnull) out->valid_from = DatumGetTimestampTz(from);
        Datum until = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
        out->has_valid_until = !isnull;
        if (!isnull) out->valid_until = DatumGetTimestampTz(until);
    }
    end_as_extension_owner(&owner);
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

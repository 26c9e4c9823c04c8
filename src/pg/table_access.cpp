#include "pg/table_access.hpp"

#include "pg/cache_invalidation.hpp"

extern "C" {
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
}

namespace pgjwt::pg {
namespace {

KeyringSnapshot snapshot = {0, nullptr};
uint64 snapshot_generation = 0;
bool revoked_empty = false;
SPIPlanPtr revoked_probe = nullptr;

// Runs the caller's SPI work as the owner of jwt.keys (the extension owner).
class AsOwner {
  public:
    AsOwner() {
        GetUserIdAndSecContext(&saved_user_, &saved_context_);
        HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(keys_relation()));
        if (!HeapTupleIsValid(tuple))
            ereport(ERROR,
                    (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("table jwt.keys does not exist"),
                     errhint("Is the extension pg_jwt installed in this database?")));
        Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
        ReleaseSysCache(tuple);
        SetUserIdAndSecContext(
            owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    }
    void restore() { SetUserIdAndSecContext(saved_user_, saved_context_); }

  private:
    Oid saved_user_;
    int saved_context_;
};

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
    if (snapshot_generation == keyring_generation && OidIsValid(keys_relation())) return snapshot;
    AsOwner owner;
    SPI_connect();
    int rc = SPI_execute(
        "SELECT kid, algorithm, coalesce(public_jwk, private_jwk)::text, expires_at "
        "FROM jwt.keys WHERE active ORDER BY created_at DESC, kid",
        true, 0);
    if (rc != SPI_OK_SELECT) elog(ERROR, "could not read jwt.keys: %s", SPI_result_code_string(rc));
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
    SPI_finish();
    owner.restore();
    snapshot_generation = keyring_generation;
    return snapshot;
}

bool jti_revoked(const char *jti, TimestampTz now) {
    if (!OidIsValid(revoked_relation())) return false;
    if (!revoked_stale && revoked_empty) return false;
    AsOwner owner;
    SPI_connect();
    if (revoked_stale) {
        int rc = SPI_execute("SELECT 1 FROM jwt.revoked LIMIT 1", true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "could not read jwt.revoked");
        revoked_empty = SPI_processed == 0;
        revoked_stale = false;
    }
    bool revoked = false;
    if (!revoked_empty) {
        if (revoked_probe == nullptr) {
            Oid types[2] = {TEXTOID, TIMESTAMPTZOID};
            SPIPlanPtr plan =
                SPI_prepare("SELECT 1 FROM jwt.revoked WHERE jti = $1 AND until > $2", 2, types);
            if (plan == nullptr) elog(ERROR, "could not prepare the revocation probe");
            SPI_keepplan(plan);
            revoked_probe = plan;
        }
        Datum values[2] = {CStringGetTextDatum(jti), TimestampTzGetDatum(now)};
        int rc = SPI_execute_plan(revoked_probe, values, nullptr, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "could not read jwt.revoked");
        revoked = SPI_processed > 0;
    }
    SPI_finish();
    owner.restore();
    return revoked;
}

}  // namespace pgjwt::pg

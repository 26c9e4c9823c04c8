#include "pg/issuer_access.hpp"

#include "pg/cache_invalidation.hpp"
#include "pg/table_access.hpp"
#include "pg/time.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace pgjwt::pg {
namespace {

SPIPlanPtr issuers_any_plan = nullptr;
SPIPlanPtr issuer_plan = nullptr;
SPIPlanPtr refresh_rows_plan = nullptr;
SPIPlanPtr store_updated_plan = nullptr;
SPIPlanPtr store_unchanged_plan = nullptr;
SPIPlanPtr store_failed_plan = nullptr;

// The text elements of an array column, copied into `context`.
CStringList text_elements(MemoryContext context, Datum value) {
    CStringList list;
    MemoryContext old = MemoryContextSwitchTo(context);
    ArrayType *array = DatumGetArrayTypeP(value);
    Datum *elems;
    bool *nulls;
    int n;
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
    list.items = static_cast<char **>(palloc(sizeof(char *) * (n ? n : 1)));
    for (int i = 0; i < n; i++)
        if (!nulls[i]) list.items[list.count++] = TextDatumGetCString(elems[i]);
    MemoryContextSwitchTo(old);
    return list;
}

// A text[] of the list; nullptr items are NULL elements.
Datum text_array(const CStringList &list) {
    int n = list.count;
    Datum *elems = static_cast<Datum *>(palloc0(sizeof(Datum) * (n ? n : 1)));
    bool *nulls = static_cast<bool *>(palloc0(sizeof(bool) * (n ? n : 1)));
    for (int i = 0; i < n; i++) {
        nulls[i] = list.items[i] == nullptr;
        if (!nulls[i]) elems[i] = CStringGetTextDatum(list.items[i]);
    }
    int dims[1] = {n}, lbs[1] = {1};
    return PointerGetDatum(
        construct_md_array(elems, nulls, n ? 1 : 0, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}

Datum text_or_null(const char *value, char &null) {
    null = value ? ' ' : 'n';
    return value ? CStringGetTextDatum(value) : Datum(0);
}

void run_write(SPIPlanPtr plan, Datum *values, const char *nulls) {
    int rc = SPI_execute_plan(plan, values, nulls, false, 0);
    if (rc != SPI_OK_INSERT && rc != SPI_OK_UPDATE)
        elog(ERROR, "could not store an issuer's keys: %s", SPI_result_code_string(rc));
}

}  // namespace

uint64 issuers_generation_now() {
    accept_invalidations();
    // Known OIDs are what the relcache callback recognises changes by: look
    // both tables up before the generation is recorded.
    (void)issuers_relation();
    (void)issuer_keys_relation();
    return issuers_generation;
}

bool read_issuers_any() {
    if (!OidIsValid(issuers_relation())) return false;
    OwnerScope owner;
    begin_as_extension_owner(&owner);
    run_fresh(prepared(issuers_any_plan, "SELECT 1 FROM jwt.issuers LIMIT 1", 0, nullptr), nullptr,
              1);
    bool any = SPI_processed > 0;
    end_as_extension_owner(&owner);
    return any;
}

void read_issuer(const char *issuer, IssuerRow *out) {
    *out = IssuerRow{};
    if (!OidIsValid(issuers_relation())) return;
    MemoryContext caller = CurrentMemoryContext;
    OwnerScope owner;
    begin_as_extension_owner(&owner);
    Oid types[1] = {TEXTOID};
    SPIPlanPtr plan = prepared(
        issuer_plan,
        "SELECT i.audiences, i.algorithms, i.audience_required, i.max_stale, "
        "k.jwks::pg_catalog.text, k.fetched_at, i.role_claim_key "
        "FROM jwt.issuers i LEFT JOIN jwt.issuer_keys k "
        "ON k.issuer OPERATOR(pg_catalog.=) i.issuer AND k.url OPERATOR(pg_catalog.=) i.url "
        "AND k.jwks IS NOT NULL "
        "WHERE i.issuer OPERATOR(pg_catalog.=) $1",
        1, types);
    Datum values[1] = {CStringGetTextDatum(issuer)};
    run_fresh(plan, values, 1);
    if (SPI_processed == 1) {
        HeapTuple tuple = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool isnull = false;
        out->found = true;
        Datum v = SPI_getbinval(tuple, desc, 1, &isnull);
        out->has_audiences = !isnull;
        if (!isnull) out->audiences = text_elements(caller, v);
        v = SPI_getbinval(tuple, desc, 2, &isnull);
        out->has_algorithms = !isnull;
        if (!isnull) out->algorithms = text_elements(caller, v);
        v = SPI_getbinval(tuple, desc, 3, &isnull);
        out->audience_required = isnull || DatumGetBool(v);
        v = SPI_getbinval(tuple, desc, 4, &isnull);
        out->max_stale_seconds = isnull ? 0 : interval_seconds(DatumGetIntervalP(v));
        out->jwks = copy_text(caller, tuple, desc, 5);
        v = SPI_getbinval(tuple, desc, 6, &isnull);
        out->has_keys = out->jwks != nullptr && !isnull;
        if (!isnull) out->fetched_at = DatumGetTimestampTz(v);
        out->role_claim_key = copy_text(caller, tuple, desc, 7);
    }
    end_as_extension_owner(&owner);
}

void read_refresh_rows(RefreshRows *out) {
    *out = RefreshRows{};
    if (!OidIsValid(issuers_relation()))
        ereport(ERROR,
                (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("table jwt.issuers does not exist"),
                 errhint("Update pg_jwt: ALTER EXTENSION pg_jwt UPDATE.")));
    MemoryContext caller = CurrentMemoryContext;
    OwnerScope owner;
    begin_as_extension_owner(&owner);
    run_fresh(prepared(refresh_rows_plan,
                       "SELECT i.issuer, i.url, i.min_refresh, i.max_refresh, "
                       "k.issuer IS NOT NULL, k.url OPERATOR(pg_catalog.=) i.url, "
                       "k.jwks IS NOT NULL, k.jwks_uri, k.etag, k.next_refresh, "
                       "pg_catalog.cardinality(k.key_algorithms), k.attempted_at "
                       "FROM jwt.issuers i LEFT JOIN jwt.issuer_keys k "
                       "ON k.issuer OPERATOR(pg_catalog.=) i.issuer "
                       "ORDER BY i.issuer",
                       0, nullptr),
              nullptr, 0);
    uint64 n = SPI_processed;
    out->rows =
        static_cast<RefreshRow *>(MemoryContextAllocZero(caller, sizeof(RefreshRow) * (n ? n : 1)));
    TupleDesc desc = SPI_tuptable->tupdesc;
    for (uint64 i = 0; i < n; i++) {
        HeapTuple tuple = SPI_tuptable->vals[i];
        RefreshRow &row = out->rows[out->count++];
        bool isnull = false;
        row.issuer = copy_text(caller, tuple, desc, 1);
        row.url = copy_text(caller, tuple, desc, 2);
        row.min_refresh_seconds =
            interval_seconds(DatumGetIntervalP(SPI_getbinval(tuple, desc, 3, &isnull)));
        row.max_refresh_seconds =
            interval_seconds(DatumGetIntervalP(SPI_getbinval(tuple, desc, 4, &isnull)));
        row.has_state = DatumGetBool(SPI_getbinval(tuple, desc, 5, &isnull));
        Datum v = SPI_getbinval(tuple, desc, 6, &isnull);
        row.same_url = !isnull && DatumGetBool(v);
        v = SPI_getbinval(tuple, desc, 7, &isnull);
        row.has_keys = row.same_url && DatumGetBool(v);
        row.jwks_uri = copy_text(caller, tuple, desc, 8);
        row.etag = copy_text(caller, tuple, desc, 9);
        v = SPI_getbinval(tuple, desc, 10, &isnull);
        row.next_refresh = isnull ? DT_NOBEGIN : DatumGetTimestampTz(v);
        v = SPI_getbinval(tuple, desc, 11, &isnull);
        row.key_count = isnull ? 0 : DatumGetInt32(v);
        v = SPI_getbinval(tuple, desc, 12, &isnull);
        row.has_attempt = !isnull;
        row.attempted_at = isnull ? 0 : DatumGetTimestampTz(v);
    }
    end_as_extension_owner(&owner);
}

void write_fetch_record(const RefreshRow &row, const FetchRecord &record) {
    OwnerScope owner;
    begin_as_extension_owner(&owner);
    char status_null = record.http_status ? ' ' : 'n';
    Datum status = Int32GetDatum(record.http_status);
    if (record.kind == FetchRecord::updated) {
        Oid types[10] = {TEXTOID,      TEXTOID, TEXTOID,        TEXTOID, TEXTARRAYOID,
                         TEXTARRAYOID, TEXTOID, TIMESTAMPTZOID, INT4OID, TIMESTAMPTZOID};
        SPIPlanPtr plan = prepared(
            store_updated_plan,
            "INSERT INTO jwt.issuer_keys AS k (issuer, url, jwks_uri, jwks, kids, key_algorithms, "
            "etag, fetched_at, attempted_at, http_status, last_error, next_refresh) "
            "VALUES ($1, $2, $3, $4::pg_catalog.jsonb, $5, $6, $7, $8, $8, $9, NULL, $10) "
            "ON CONFLICT (issuer) DO UPDATE SET url = EXCLUDED.url, jwks_uri = EXCLUDED.jwks_uri, "
            "jwks = EXCLUDED.jwks, kids = EXCLUDED.kids, key_algorithms = EXCLUDED.key_algorithms, "
            "etag = EXCLUDED.etag, fetched_at = EXCLUDED.fetched_at, "
            "attempted_at = EXCLUDED.attempted_at, http_status = EXCLUDED.http_status, "
            "last_error = NULL, next_refresh = EXCLUDED.next_refresh",
            10, types);
        char nulls[11] = "          ";
        Datum values[10] = {CStringGetTextDatum(row.issuer),
                            CStringGetTextDatum(row.url),
                            text_or_null(record.jwks_uri, nulls[2]),
                            CStringGetTextDatum(record.jwks),
                            text_array(record.kids),
                            text_array(record.algorithms),
                            text_or_null(record.etag, nulls[6]),
                            TimestampTzGetDatum(record.attempted_at),
                            status,
                            TimestampTzGetDatum(record.next_refresh)};
        nulls[8] = status_null;
        run_write(plan, values, nulls);
    } else if (record.kind == FetchRecord::unchanged) {
        Oid types[6] = {TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, INT4OID, TIMESTAMPTZOID};
        SPIPlanPtr plan =
            prepared(store_unchanged_plan,
                     "UPDATE jwt.issuer_keys AS k SET jwks_uri = $2, etag = $3, fetched_at = $4, "
                     "attempted_at = $4, http_status = $5, last_error = NULL, next_refresh = $6 "
                     "WHERE k.issuer OPERATOR(pg_catalog.=) $1",
                     6, types);
        char nulls[7] = "      ";
        Datum values[6] = {CStringGetTextDatum(row.issuer),
                           text_or_null(record.jwks_uri, nulls[1]),
                           text_or_null(record.etag, nulls[2]),
                           TimestampTzGetDatum(record.attempted_at),
                           status,
                           TimestampTzGetDatum(record.next_refresh)};
        nulls[4] = status_null;
        run_write(plan, values, nulls);
    } else {
        Oid types[6] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, INT4OID, TEXTOID, TIMESTAMPTZOID};
        SPIPlanPtr plan =
            prepared(store_failed_plan,
                     "INSERT INTO jwt.issuer_keys AS k (issuer, url, attempted_at, http_status, "
                     "last_error, next_refresh) VALUES ($1, $2, $3, $4, $5, $6) "
                     "ON CONFLICT (issuer) DO UPDATE SET attempted_at = EXCLUDED.attempted_at, "
                     "http_status = EXCLUDED.http_status, last_error = EXCLUDED.last_error, "
                     "next_refresh = EXCLUDED.next_refresh",
                     6, types);
        char nulls[7] = "      ";
        Datum values[6] = {
            CStringGetTextDatum(row.issuer),          CStringGetTextDatum(row.url),
            TimestampTzGetDatum(record.attempted_at), status,
            text_or_null(record.message, nulls[4]),   TimestampTzGetDatum(record.next_refresh)};
        nulls[3] = status_null;
        run_write(plan, values, nulls);
    }
    end_as_extension_owner(&owner);
}

}  // namespace pgjwt::pg

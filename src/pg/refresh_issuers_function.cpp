// jwt.refresh_issuers(force) -> one row per configured issuer: fetches the
// keys of every issuer that is due (all of them with force) and stores them
// in jwt.issuer_keys. The only place pg_jwt touches the network: queries
// never fetch (an unknown kid is refused with the keys at hand).
//
// Each fetch runs in the core (issuer_refresh.hpp) through the boundary,
// as the caller (no database access while it waits), with libcurl stopping
// when a cancel or statement_timeout is pending; the tables are read and
// written as the extension owner before and after it.
#include "pg/boundary.hpp"

#include <string>
#include <vector>

#include "core/http_fetch.hpp"
#include "core/issuer_refresh.hpp"
#include "core/limits.hpp"
#include "pg/issuer_access.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "access/xlog.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_refresh_issuers);
}

namespace {

enum Column { ISSUER, OUTCOME, HTTP_STATUS, KEYS, NEXT_REFRESH, MESSAGE, COLUMNS };

// The hosts of every configured URL (a discovery document may send pg_jwt
// to any of them), in palloc'd memory; nullptr for a URL that does not parse.
char **configured_hosts(const RefreshRows &rows) {
    char **hosts = static_cast<char **>(palloc0(sizeof(char *) * (rows.count ? rows.count : 1)));
    run_core_or_raise([&]() -> Status {
        for (int i = 0; i < rows.count; i++) {
            std::string host;
            if (!https_url_host(rows.rows[i].url, host).ok()) continue;
            hosts[i] = copy_to_cstring(host);
            if (!hosts[i]) return copy_failure_status();
        }
        return Status::Ok();
    });
    return hosts;
}

Status copy_list(const std::vector<std::string> &from, CStringList &to) {
    for (const std::string &s : from) {
        char *copy = copy_to_cstring(s);
        if (!copy) return copy_failure_status();
        to.items[to.count++] = copy;
    }
    return Status::Ok();
}

// Fetches `row`'s keys (the core's work, through the boundary).
FetchRecord fetch(const RefreshRow &row, const RefreshRows &rows, char **hosts) {
    FetchRecord record;
    // Sized before the C++ work: a stored set has at most kMaxKeySetKeys keys.
    record.kids.items = static_cast<char **>(palloc(sizeof(char *) * kMaxKeySetKeys));
    record.algorithms.items = static_cast<char **>(palloc(sizeof(char *) * kMaxKeySetKeys));
    double refresh_after = 0;
    const char *ca_file = nonempty_setting(setting_ca_file);
    const long timeout_ms = setting_fetch_timeout_ms;
    run_core_or_raise([&]() -> Status {
        IssuerSource source;
        source.issuer = row.issuer;
        source.url = row.url;
        for (int i = 0; i < rows.count; i++)
            if (hosts[i] != nullptr) source.trusted_hosts.emplace_back(hosts[i]);
        source.has_stored_set = row.has_keys;
        if (row.jwks_uri) source.stored_jwks_uri = row.jwks_uri;
        if (row.etag) source.stored_etag = row.etag;
        if (ca_file) source.ca_file = ca_file;
        source.timeout_ms = timeout_ms;
        source.min_refresh = row.min_refresh_seconds;
        source.max_refresh = row.max_refresh_seconds;
        RefreshOutcome outcome;
        PGJWT_TRY(refresh_issuer(source, outcome));
        record.kind = outcome.result == RefreshResult::updated     ? FetchRecord::updated
                      : outcome.result == RefreshResult::unchanged ? FetchRecord::unchanged
                                                                   : FetchRecord::failed;
        record.http_status = static_cast<int>(outcome.http_status);
        refresh_after = outcome.refresh_after;
        auto copy = [](const std::string &s, char *&to) {
            to = copy_to_cstring(s);
            return to != nullptr;
        };
        if (!outcome.message.empty() && !copy(outcome.message, record.message))
            return copy_failure_status();
        if (!outcome.jwks_uri.empty() && !copy(outcome.jwks_uri, record.jwks_uri))
            return copy_failure_status();
        if (!outcome.etag.empty() && !copy(outcome.etag, record.etag)) return copy_failure_status();
        if (outcome.result == RefreshResult::updated) {
            if (!copy(outcome.keys.jwks, record.jwks)) return copy_failure_status();
            std::vector<std::string> kids, algorithms;
            for (const PublishedKey &key : outcome.keys.keys) {
                if (key.has_kid) kids.push_back(key.kid);
                algorithms.push_back(key.algorithm);
            }
            PGJWT_TRY(copy_list(kids, record.kids));
            PGJWT_TRY(copy_list(algorithms, record.algorithms));
        }
        return Status::Ok();
    });
    record.attempted_at = GetCurrentTimestamp();
    // Whole milliseconds: a schedule needs no finer grain.
    record.next_refresh = TimestampTzPlusMilliseconds(record.attempted_at,
                                                      static_cast<int64>(refresh_after * 1000.0));
    return record;
}

const char *outcome_name(FetchRecord::Kind kind) {
    switch (kind) {
        case FetchRecord::updated:
            return "updated";
        case FetchRecord::unchanged:
            return "unchanged";
        case FetchRecord::failed:
            return "failed";
    }
    return "failed";
}

}  // namespace

extern "C" Datum pg_jwt_refresh_issuers(PG_FUNCTION_ARGS) {
    const bool force = PG_GETARG_BOOL(0);
    if (RecoveryInProgress())
        ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                        errmsg("cannot refresh issuers' keys during recovery"),
                        errhint("A standby verifies with the keys the primary stored: run "
                                "jwt.refresh_issuers() on the primary.")));
    PreventCommandIfReadOnly("jwt.refresh_issuers()");

    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    RefreshRows rows;
    read_refresh_rows(&rows);
    char **hosts = configured_hosts(rows);

    // Each issuer's documents (up to 1 MiB each) live only until its row is out.
    MemoryContext per_issuer = AllocSetContextCreate(CurrentMemoryContext, "pg_jwt refresh_issuers",
                                                     ALLOCSET_DEFAULT_SIZES);
    MemoryContext outer = MemoryContextSwitchTo(per_issuer);
    for (int i = 0; i < rows.count; i++) {
        CHECK_FOR_INTERRUPTS();
        MemoryContextReset(per_issuer);
        const RefreshRow &row = rows.rows[i];
        Datum values[COLUMNS] = {};
        bool nulls[COLUMNS] = {false, false, true, false, false, true};
        values[ISSUER] = CStringGetTextDatum(row.issuer);
        const bool due =
            force || !row.has_state || !row.same_url || row.next_refresh <= GetCurrentTimestamp();
        if (!due) {
            values[OUTCOME] = CStringGetTextDatum("not due");
            values[KEYS] = Int32GetDatum(row.has_keys ? row.key_count : 0);
            values[NEXT_REFRESH] = TimestampTzGetDatum(row.next_refresh);
        } else {
            FetchRecord record = fetch(row, rows, hosts);
            write_fetch_record(row, record);
            values[OUTCOME] = CStringGetTextDatum(outcome_name(record.kind));
            if (record.http_status != 0) {
                values[HTTP_STATUS] = Int32GetDatum(record.http_status);
                nulls[HTTP_STATUS] = false;
            }
            int keys = record.kind == FetchRecord::updated     ? record.algorithms.count
                       : record.kind == FetchRecord::unchanged ? row.key_count
                       : row.has_keys                          ? row.key_count
                                                               : 0;
            values[KEYS] = Int32GetDatum(keys);
            values[NEXT_REFRESH] = TimestampTzGetDatum(record.next_refresh);
            if (record.message != nullptr) {
                values[MESSAGE] = CStringGetTextDatum(record.message);
                nulls[MESSAGE] = false;
            }
        }
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    MemoryContextSwitchTo(outer);
    MemoryContextDelete(per_issuer);
    return Datum(0);
}

// jwt.refresh_issuers(force) -> one row per configured issuer: fetches the
// keys of every issuer that is due (all of them with force) and stores them
// in jwt.issuer_keys (issuer_refresh_pass.hpp). Besides the background
// worker, the only place pg_jwt touches the network: queries never fetch.
#include "pg/issuer_refresh_pass.hpp"

extern "C" {
#include "access/xlog.h"
#include "miscadmin.h"
#include "tcop/utility.h"
}

using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_refresh_issuers);
}

namespace {

enum Column { ISSUER, OUTCOME, HTTP_STATUS, KEYS, NEXT_REFRESH, MESSAGE, COLUMNS };

void emit_row(void *arg, const RefreshRowResult &row) {
    auto *rsinfo = static_cast<ReturnSetInfo *>(arg);
    Datum values[COLUMNS] = {};
    bool nulls[COLUMNS] = {};
    values[ISSUER] = CStringGetTextDatum(row.issuer);
    values[OUTCOME] = CStringGetTextDatum(row.outcome);
    values[HTTP_STATUS] = Int32GetDatum(row.http_status);
    nulls[HTTP_STATUS] = row.http_status == 0;
    values[KEYS] = Int32GetDatum(row.keys);
    values[NEXT_REFRESH] = TimestampTzGetDatum(row.next_refresh);
    nulls[MESSAGE] = row.message == nullptr;
    if (row.message != nullptr) values[MESSAGE] = CStringGetTextDatum(row.message);
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
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
    RefreshPass pass;
    pass.force = force;
    pass.emit = emit_row;
    pass.emit_arg = fcinfo->resultinfo;
    run_refresh_pass(&pass);
    return Datum(0);
}

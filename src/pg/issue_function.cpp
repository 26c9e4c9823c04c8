// jwt.issue(claims, ttl, kid): signs claims with a keyring key, adding iat,
// exp = now + ttl, a random jti and iss from pg_jwt.issuer.
//
// C code of the loaded library, so that pg_jwt.issuer and pg_jwt.max_ttl are
// read as the superuser-only settings they are: SQL reading them with
// current_setting() before the library is loaded would read a placeholder
// that any role can SET (DESIGN.md section 2.10).
//
// SECURITY INVOKER: GetUserId() is the calling role (for a SECURITY DEFINER
// login function that calls issue, that function's owner), and a key's
// signers may refuse it. The key is read as the extension owner, with
// search_path pinned and a fresh latest snapshot (DESIGN.md 2.7 and 2.9).
// Signing goes through jwt.sign's own path (sign_payload).
#include "pg/cache_invalidation.hpp"
#include "pg/boundary.hpp"
#include "pg/settings.hpp"
#include "pg/signing.hpp"
#include "pg/table_access.hpp"
#include "pg/time.hpp"

extern "C" {
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/memutils.h"
}

using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_issue);
PG_FUNCTION_INFO_V1(pg_jwt_issue_may_sign);
}

namespace {

constexpr int64 kUnixEpochSecondsAt2000 = 946684800;  // 2000-01-01T00:00:00Z

// The key issue signs with, in the caller's memory context.
struct SigningKey {
    text *algorithm;
    Jsonb *private_jwk;
};

// Whether `user` may sign with a key whose signers column is `signers`:
// NULL lets every role with EXECUTE on issue; otherwise the role must have
// the privileges of one of the roles named (names of no role match nothing).
// Superusers always may.
bool signers_admit(Oid user, Datum signers, bool signers_null) {
    if (signers_null || superuser_arg(user)) return true;
    Datum *names;
    bool *nulls;
    int count;
    deconstruct_array(DatumGetArrayTypeP(signers), TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls,
                      &count);
    for (int i = 0; i < count; i++) {
        if (nulls[i]) continue;
        Oid role = get_role_oid(TextDatumGetCString(names[i]), true);
        if (OidIsValid(role) && has_privs_of_role(user, role)) return true;
    }
    return false;
}

// The active keys with a private half that are valid at `now` (the one named
// `kid`, when given), newest first: by not_before, then created_at, then kid.
// Those that may not sign (may_sign false: imported to verify) are read too,
// so that naming one is refused as such.
#define PGJWT_SIGNING_KEYS_QUERY(may_sign)                                  \
    "SELECT k.kid, k.algorithm, k.private_jwk, k.signers, " may_sign        \
    " FROM jwt.keys AS k "                                                  \
    "WHERE k.private_jwk IS NOT NULL AND k.active "                         \
    "AND ($1 IS NULL OR k.kid OPERATOR(pg_catalog.=) $1) "                  \
    "AND k.not_before OPERATOR(pg_catalog.<=) $2 "                          \
    "AND (k.expires_at IS NULL OR k.expires_at OPERATOR(pg_catalog.>) $2) " \
    "ORDER BY k.not_before DESC, k.created_at DESC, k.kid"
// 1.2.0's keyring, with jwt.keys.may_sign.
const char *const kSigningKeysQuery = PGJWT_SIGNING_KEYS_QUERY("k.may_sign");
// 1.0.1 to 1.1.0: no may_sign column; every key with a private half signs.
const char *const kSigningKeysQueryBefore120 = PGJWT_SIGNING_KEYS_QUERY("true");
#undef PGJWT_SIGNING_KEYS_QUERY

// Picks the key: the one named, or the newest that may sign (may_sign) and
// that `caller` may sign with (signers).
// Reads jwt.keys as its owner (private_jwk is readable by no one else), with
// search_path pinned to pg_catalog, pg_temp at a new GUC nest level and a
// fresh latest snapshot; an error in between is undone by the abort.
void choose_signing_key(const char *query, Oid caller, const char *kid, TimestampTz now,
                        SigningKey &out) {
    MemoryContext caller_context = CurrentMemoryContext;
    OwnerScope owner;
    begin_as_extension_owner(&owner);
    Oid types[2] = {TEXTOID, TIMESTAMPTZOID};
    SPIPlanPtr plan = SPI_prepare(query, 2, types);
    if (plan == nullptr)
        elog(ERROR, "could not prepare the signing key query: %s",
             SPI_result_code_string(SPI_result));
    Datum values[2] = {kid ? CStringGetTextDatum(kid) : 0, TimestampTzGetDatum(now)};
    char nulls[2] = {kid ? ' ' : 'n', ' '};
    int rc = SPI_execute_snapshot(plan, values, nulls, fresh_snapshot(), InvalidSnapshot, true,
                                  false, 0);
    if (rc != SPI_OK_SELECT) elog(ERROR, "could not read jwt.keys: %s", SPI_result_code_string(rc));

    uint64 found = SPI_processed;
    uint64 signing = 0;  // of those found, the keys that may sign
    bool chosen = false;
    for (uint64 i = 0; i < found && !chosen; i++) {
        HeapTuple tuple = SPI_tuptable->vals[i];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool isnull;
        if (!DatumGetBool(SPI_getbinval(tuple, desc, 5, &isnull))) continue;
        signing++;
        Datum signers = SPI_getbinval(tuple, desc, 4, &isnull);
        if (!signers_admit(caller, signers, isnull)) continue;
        MemoryContext spi_context = MemoryContextSwitchTo(caller_context);
        out.algorithm = DatumGetTextPCopy(SPI_getbinval(tuple, desc, 2, &isnull));
        out.private_jwk = DatumGetJsonbPCopy(SPI_getbinval(tuple, desc, 3, &isnull));
        MemoryContextSwitchTo(spi_context);
        chosen = true;
    }
    end_as_extension_owner(&owner);

    if (chosen) return;
    if (kid != nullptr && found == 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("no active signing key with kid \"%s\"", text_for_message(kid))));
    if (kid != nullptr && signing == 0)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("key \"%s\" may only verify", text_for_message(kid)),
                 errdetail("Its jwt.keys.may_sign is false: it was imported with jwt.add_key to "
                           "verify tokens, not to sign them."),
                 errhint("Name a key that may sign. To let this one sign, the extension owner "
                         "runs UPDATE jwt.keys SET may_sign = true for it.")));
    if (kid != nullptr)
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("permission denied to sign with key \"%s\"", text_for_message(kid)),
                 errdetail("The key's signers (jwt.keys.signers) do not include a role whose "
                           "privileges role \"%s\" has.",
                           GetUserNameFromId(caller, false))));
    if (signing == 0 && found > 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("no active signing key in jwt.keys"),
                        errdetail("Every active key with a private half may only verify "
                                  "(jwt.keys.may_sign is false)."),
                        errhint("Create a signing key with jwt.generate_key(), or import one with "
                                "jwt.add_key(..., may_sign => true).")));
    if (found == 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("no active signing key in jwt.keys"),
                        errhint("Create one with jwt.generate_key().")));
    ereport(ERROR,
            (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
             errmsg("permission denied to sign with any active key in jwt.keys"),
             errdetail("Every active signing key names its signers (jwt.keys.signers), and role "
                       "\"%s\" has the privileges of none of them.",
                       GetUserNameFromId(caller, false))));
}

// Whole seconds since 1970 (truncated, as trunc(extract(epoch FROM t)) gives).
int64 unix_seconds(TimestampTz t) {
    return (t + kUnixEpochSecondsAt2000 * USECS_PER_SEC) / USECS_PER_SEC;
}

// A random (version 4) UUID in its canonical text form.
const char *random_uuid() {
    unsigned char bytes[16];
    if (!pg_strong_random(bytes, sizeof bytes))
        ereport(ERROR,
                (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not generate random values")));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    StringInfoData buf;
    initStringInfo(&buf);
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) appendStringInfoChar(&buf, '-');
        appendStringInfo(&buf, "%02x", bytes[i]);
    }
    return buf.data;
}

// ttl must be positive and at most pg_jwt.max_ttl, both compared as
// PostgreSQL compares intervals.
void check_ttl(const Interval *ttl) {
    Interval zero = {0, 0, 0};
    if (ttl == nullptr || DatumGetBool(DirectFunctionCall2(interval_le, IntervalPGetDatum(ttl),
                                                           IntervalPGetDatum(&zero))))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("ttl must be positive")));
    Interval bound = {static_cast<TimeOffset>(setting_max_ttl_seconds) * USECS_PER_SEC, 0, 0};
    if (DatumGetBool(
            DirectFunctionCall2(interval_gt, IntervalPGetDatum(ttl), IntervalPGetDatum(&bound))))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("ttl exceeds pg_jwt.max_ttl (%s)",
                               GetConfigOptionByName("pg_jwt.max_ttl", nullptr, false)),
                        errdetail("The ttl is %.0f seconds; pg_jwt.max_ttl allows at most %d.",
                                  interval_seconds(ttl), setting_max_ttl_seconds),
                        errhint("A superuser can raise pg_jwt.max_ttl, for example with ALTER ROLE "
                                "... SET pg_jwt.max_ttl = '7d' for the role that the issuing "
                                "sessions log in as.")));
}

// claims || {iat, exp, jti} || {iss} (when pg_jwt.issuer is set).
Jsonb *full_claims(Jsonb *claims, TimestampTz now, TimestampTz expires) {
    StringInfoData added;
    initStringInfo(&added);
    appendStringInfo(&added,
                     "{\"iat\": " INT64_FORMAT ", \"exp\": " INT64_FORMAT ", \"jti\": \"%s\"",
                     unix_seconds(now), unix_seconds(expires), random_uuid());
    const char *issuer = nonempty_setting(setting_issuer);
    if (issuer != nullptr) {
        appendStringInfoString(&added, ", \"iss\": ");
        escape_json(&added, issuer);
    }
    appendStringInfoChar(&added, '}');
    Datum extra = DirectFunctionCall1(jsonb_in, CStringGetDatum(added.data));
    return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(claims), extra));
}

Datum issue(FunctionCallInfo fcinfo, const char *signing_keys_query) {
    const Interval *ttl = PG_ARGISNULL(1) ? nullptr : PG_GETARG_INTERVAL_P(1);
    check_ttl(ttl);
    const char *kid = PG_ARGISNULL(2) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(2));
    TimestampTz now = GetCurrentTransactionStartTimestamp();
    SigningKey key;
    choose_signing_key(signing_keys_query, GetUserId(), kid, now, key);

    // In the session's time zone, as now() + ttl in SQL.
    TimestampTz expires = DatumGetTimestampTz(DirectFunctionCall2(
        timestamptz_pl_interval, TimestampTzGetDatum(now), IntervalPGetDatum(ttl)));

    Jsonb *claims = PG_ARGISNULL(0)
                        ? DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")))
                        : PG_GETARG_JSONB_P(0);
    Jsonb *signed_claims = full_claims(claims, now, expires);
    PayloadArgument payload;
    payload.json = JsonbToCString(nullptr, &signed_claims->root, VARSIZE(signed_claims));
    payload.size = strlen(payload.json);
    payload.keep_text = false;
    KeyArgument key_argument;
    jsonb_key_argument(key.private_jwk, key.algorithm, key_argument);
    PG_RETURN_TEXT_P(sign_payload(payload, key_argument, nullptr));
}

}  // namespace

// jwt.issue of 1.2.0: signs only with keys whose jwt.keys.may_sign is true.
extern "C" Datum pg_jwt_issue_may_sign(PG_FUNCTION_ARGS) {
    return issue(fcinfo, kSigningKeysQuery);
}

// jwt.issue of 1.0.1 to 1.1.0, kept for databases not yet updated to 1.2.0
// (their jwt.keys has no may_sign): signs with any key with a private half.
extern "C" Datum pg_jwt_issue(PG_FUNCTION_ARGS) {
    return issue(fcinfo, kSigningKeysQueryBefore120);
}

// jwt.validate(token, key, algorithms, audience, issuer, leeway, max_age,
// required, typ, now, secret) -> claims, and jwt.is_valid(...same...).
#include "pg/validation_call.hpp"

#include "pg/settings.hpp"
#include "pg/table_access.hpp"
#include "pg/time.hpp"

extern "C" {
#include "utils/array.h"
}

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_validate);
PG_FUNCTION_INFO_V1(pg_jwt_is_valid);
}

namespace {

enum Arg { TOKEN, KEY, ALGORITHMS, AUDIENCE, ISSUER, LEEWAY, MAX_AGE, REQUIRED, TYP, NOW, SECRET };

// The most elements of the algorithms and required arguments: there are 16
// algorithm names, and each required claim is looked for among every
// member of the token's payload, so a longer list only costs time.
constexpr int kMaxListElements = 64;

TextList text_array(FunctionCallInfo fcinfo, int arg) {
    TextList list;
    if (PG_ARGISNULL(arg)) return list;
    ArrayType *array = PG_GETARG_ARRAYTYPE_P(arg);
    int elements = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
    if (elements > kMaxListElements)
        ereport(
            ERROR,
            (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
             errmsg("array arguments of jwt.validate have at most %d elements", kMaxListElements),
             errdetail("This one has %d.", elements), errhidestmt(true), errhidecontext(true)));
    Datum *elems;
    bool *nulls;
    int n;
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
    list.items = static_cast<char **>(palloc(sizeof(char *) * (n ? n : 1)));
    for (int i = 0; i < n; i++) {
        if (nulls[i])
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("array arguments of jwt.validate must not contain NULL"),
                            errhidestmt(true), errhidecontext(true)));
        list.items[list.count++] = TextDatumGetCString(elems[i]);
    }
    return list;
}

void read_arguments(FunctionCallInfo fcinfo, ValidationArguments &a) {
    a.token = varlena_view(PG_GETARG_TEXT_PP(TOKEN));
    if (!PG_ARGISNULL(KEY) && !PG_ARGISNULL(SECRET))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("key and secret cannot both be given"), errhidestmt(true),
                        errhidecontext(true)));
    if (!PG_ARGISNULL(KEY)) {
        a.has_key = true;
        a.key = varlena_view(PG_GETARG_TEXT_PP(KEY));
    } else if (!PG_ARGISNULL(SECRET)) {
        a.has_key = true;
        a.key = varlena_view(PG_GETARG_BYTEA_PP(SECRET));
        a.key_encoding = KeyEncoding::binary;
    }
    apply_policy_settings(a);
    a.algorithms = text_array(fcinfo, ALGORITHMS);
    a.required = text_array(fcinfo, REQUIRED);
    if (!PG_ARGISNULL(AUDIENCE)) {
        a.audience = TextDatumGetCString(PG_GETARG_DATUM(AUDIENCE));
        a.audience_is_default = false;
    }
    if (!PG_ARGISNULL(ISSUER)) {
        a.issuer = TextDatumGetCString(PG_GETARG_DATUM(ISSUER));
        a.issuer_is_default = false;
    }
    if (!PG_ARGISNULL(TYP)) a.typ = TextDatumGetCString(PG_GETARG_DATUM(TYP));
    if (!PG_ARGISNULL(LEEWAY)) a.leeway = interval_seconds(PG_GETARG_INTERVAL_P(LEEWAY));
    a.has_max_age = !PG_ARGISNULL(MAX_AGE);
    if (a.has_max_age) a.max_age = interval_seconds(PG_GETARG_INTERVAL_P(MAX_AGE));
    a.now = PG_ARGISNULL(NOW) ? GetCurrentStatementStartTimestamp() : PG_GETARG_TIMESTAMPTZ(NOW);
    if (!a.has_key) load_configured_keys(a);
}

}  // namespace

extern "C" Datum pg_jwt_validate(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(TOKEN)) PG_RETURN_NULL();
    ValidationArguments args;
    read_arguments(fcinfo, args);
    ValidationResult result = validate_or_raise(args);
    PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(result.claims)));
}

extern "C" Datum pg_jwt_is_valid(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(TOKEN)) PG_RETURN_NULL();
    ValidationArguments args;
    read_arguments(fcinfo, args);
    ValidationResult result;
    ErrorReport report;
    if (!run_validation(args, result, report)) {
        // Every token fault is a plain false; the caller's faults still raise.
        if (report.fault == Fault::malformed_token || report.fault == Fault::token_rejected)
            PG_RETURN_BOOL(false);
        raise_core_error(report);
    }
    PG_RETURN_BOOL(!(result.jti != nullptr && jti_revoked(result.jti, args.now)));
}

// jwt.forward_request_claims(): for PostgREST's db-pre-request on a Citus
// coordinator (test/citus/DESIGN.md section 7, README "Citus"). PostgREST
// verified the token and set request.jwt.claims with set_config, which
// Citus never forwards; this seals those claims for the workers as
// jwt.authenticate seals its own (citus_carrier.hpp). Only where the
// request claims are trusted (pg_jwt.trust_request_claims, set in this
// transaction); their jti is still checked against jwt.revoked. No claims
// at all seal an explicit "no claims". Without Citus in the database it
// checks the same and sends nothing.
// Plain PostgreSQL code, no C++ core of its own.
#include "pg/postgres_headers.hpp"

#include "pg/citus_carrier.hpp"
#include "pg/request_claims.hpp"
#include "pg/settings.hpp"
#include "pg/table_access.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_forward_request_claims);
}

using namespace pgjwt::pg;

extern "C" Datum pg_jwt_forward_request_claims(PG_FUNCTION_ARGS) {
    if (!setting_trust_request_claims)
        ereport(ERROR, (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
                        errmsg("request claims are not trusted"),
                        errdetail("pg_jwt.trust_request_claims is off for this role, and any role "
                                  "can set request.jwt.claims."),
                        errhint("Call jwt.authenticate with the request's token instead, or turn "
                                "pg_jwt.trust_request_claims on for the role PostgREST uses."),
                        errhidestmt(true), errhidecontext(true)));
    // The setting's own value: copied before anything else runs.
    const char *request = trusted_request_claims();
    char *claims = request != nullptr ? pstrdup(request) : nullptr;
    if (claims != nullptr) {
        Jsonb *parsed = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(claims)));
        if (!JB_ROOT_IS_OBJECT(parsed) || JB_ROOT_IS_SCALAR(parsed))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("request claims are not a JSON object")));
        JsonbValue jti;
        if (getKeyJsonValueFromContainer(&parsed->root, "jti", 3, &jti) != nullptr &&
            jti.type == jbvString) {
            char *id = pnstrdup(jti.val.string.val, jti.val.string.len);
            if (jti_revoked(id, GetCurrentStatementStartTimestamp()))
                ereport(ERROR, (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
                                errmsg("token has been revoked"), errhidestmt(true),
                                errhidecontext(true)));
            pfree(id);
        }
    }
    forward_claims_to_citus(claims != nullptr ? claims : "{}", claims == nullptr,
                            set_lasts_beyond_the_statement());
    PG_RETURN_VOID();
}

// jwt.authenticate(token): validate with the configured keys and policy
// only, keep the verified claims for this transaction where plain SQL cannot
// change them, mirror them into request.jwt.claims (as PostgREST does), and
// switch to the role the token names (pg_jwt.role_claim_key, a PostgREST 16
// JSONPath) or, for no token, to pg_jwt.anon_role.
#include "pg/validation_call.hpp"

#include "pg/citus_carrier.hpp"
#include "pg/settings.hpp"

#include "core/json_path.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "utils/acl.h"
#include "utils/guc.h"
}

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_authenticate);
}

namespace {

// Sets a setting for the rest of the transaction, with superuser context:
// the caller may not SET pg_jwt.claims itself, but this function may.
void set_local(const char *name, const char *value, GucContext context) {
    (void)set_config_option(name, value, context, PGC_S_SESSION, GUC_ACTION_LOCAL, true, ERROR,
                            false);
}

// Mirrors the claims into request.jwt.claims for this transaction, as
// PostgREST does, so that SQL written for PostgREST (Supabase-style helpers
// reading current_setting('request.jwt.claims', true)) sees them. The one
// write to a setting pg_jwt does not own (DESIGN.md section 4): with the
// rights of the caller (PGC_USERSET, as set_config), never defining it.
// Where no module defines the name, PostgreSQL makes a placeholder, exactly
// what PostgREST's own set_config makes, which every role may set again
// later; like any placeholder, it then reads '' (not NULL) in later
// transactions of the session.
void mirror_request_claims(const char *claims) {
    set_local("request.jwt.claims", claims, PGC_USERSET);
}

// What authenticate sets lasts until the end of the transaction (as SET
// LOCAL does). Called directly by a statement outside a transaction block,
// that transaction is the statement itself, and nothing it set reaches the
// next statement: warn as PostgreSQL warns for SET LOCAL there
// (WarnNoTransactionBlock: 25P01, "... can only be used in transaction
// blocks"), with the statement hidden from the log (it holds the token).
// Like SET LOCAL, a call from inside a function does not warn: that is the
// supported single-statement form, a function that authenticates and then
// queries. A function call has no isTopLevel of its own; a call made by a
// function runs under that function's error context callback (PL/pgSQL,
// SQL functions, DO blocks), one made by the client's statement under none
// but the one PostgreSQL sets around an extended-protocol Execute
// (ParamsErrorCallback, also without parameters). A SQL function that
// PostgreSQL inlines is part of the statement that calls it. A
// subtransaction needs no test of its own: it either lies inside a
// transaction block or comes from a PL exception block, whose function's
// callback is already on the stack.
//
// The heuristic misfires both ways, and only a WARNING depends on it: a
// statement-level callback other than ParamsErrorCallback (COPY FROM ...
// WHERE jwt.authenticate(...), for one) suppresses the warning, and a C
// function that calls jwt.authenticate without pushing a callback gets it.
bool called_by_a_function() {
    for (ErrorContextCallback *c = error_context_stack; c != nullptr; c = c->previous)
        if (c->callback != ParamsErrorCallback) return true;
    return false;
}

}  // namespace

namespace pgjwt::pg {
bool set_lasts_beyond_the_statement() {
    return IsTransactionBlock() || called_by_a_function();
}
}  // namespace pgjwt::pg

namespace {

void warn_outside_transaction_block() {
    if (set_lasts_beyond_the_statement()) return;
    ereport(WARNING,
            (errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
             errmsg("jwt.authenticate() can only be used in transaction blocks"),
             errdetail("Outside a transaction block, the claims and the role it sets last only "
                       "until the end of this statement."),
             errhint("Call it after BEGIN, or from a function that goes on to run the queries in "
                     "the same statement."),
             errhidestmt(true), errhidecontext(true)));
}

[[noreturn]] void refuse(const char *message, const char *detail) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION), errmsg("%s", message),
                    detail ? errdetail("%s", detail) : 0, errhidestmt(true), errhidecontext(true)));
    pg_unreachable();
}

// The role named at pg_jwt.role_claim_key in the claims (PostgREST 16's
// JSONPath, read and evaluated by the core: core/json_path.hpp), or at the
// role_claim_key of the configured issuer that verified the token (`issuer`
// not nullptr: its jwt.issuers row sets one, so that one database can take
// Supabase's "role" and Keycloak's "$.realm_access.roles[0]"); nullptr
// when the path selects nothing or JSON null (the token names no role).
// Anything else that is not a string is refused: a number, a boolean, an
// array or an object is no role name, and taking its text for one would be
// a type confusion. The setting is read on every call (a few microseconds),
// so a wrong path is reported here, with the character where it goes wrong,
// and fails closed: a check at SET time would let a wrong value stored in a
// configuration file or by ALTER ROLE fall back to the default at login.
char *role_from_claims(const char *claims, const char *issuer, const char *issuer_spec) {
    const char *spec = issuer ? issuer_spec : nonempty_setting(setting_role_claim_key);
    if (spec == nullptr || spec[0] == '\0') return nullptr;
    const char *source = issuer ? "jwt.issuers.role_claim_key" : "pg_jwt.role_claim_key";
    char *role = nullptr;
    bool not_a_string = false;
    ErrorReport report;
    bool ok = run_core(
        [&]() -> Status {
            JsonPath path;
            PGJWT_TRY(parse_role_claim_key(spec, path, source));
            RoleClaim found;
            PGJWT_TRY(select_role_claim(path, json_input(std::string_view(claims)), found));
            if (found.kind == RoleClaim::Kind::not_a_string) not_a_string = true;
            if (found.kind != RoleClaim::Kind::string) return Status::Ok();
            role = copy_to_cstring(found.role);
            return role != nullptr ? Status::Ok() : copy_failure_status();
        },
        report);
    if (!ok) {
        if (report.fault != Fault::invalid_argument) raise_core_error(report);
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", report.message),
                 errdetail("%s", report.detail),
                 issuer ? errhint("Correct the role_claim_key of issuer \"%s\" in jwt.issuers: an "
                                  "RFC 9535 JSONPath such as $.role or $.app.roles[0], or the "
                                  "older form .role.",
                                  issuer)
                        : errhint("Write an RFC 9535 JSONPath such as $.role or $.app.roles[0], "
                                  "as PostgREST 16 does, or the older form .role."),
                 errhidestmt(true), errhidecontext(true)));
    }
    if (not_a_string)
        refuse("token role is not a string",
               issuer ? "The claim at the role_claim_key of the token's issuer in jwt.issuers must "
                        "be a JSON string or null."
                      : "The claim at pg_jwt.role_claim_key must be a JSON string or null.");
    return role;
}

void switch_role(const char *role) {
    Oid roleid = get_role_oid(role, true);
    if (!OidIsValid(roleid)) refuse("token role does not exist", nullptr);
    if (!is_member_of_role(GetSessionUserId(), roleid))
        refuse("token role is not allowed",
               "The session user is not a member of the role the token names.");
    set_local("role", role, PGC_USERSET);
}

}  // namespace

extern "C" Datum pg_jwt_authenticate(PG_FUNCTION_ARGS) {
    const char *anon = nonempty_setting(setting_anon_role);
    if (PG_ARGISNULL(0) || VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(0)) == 0) {
        if (anon == nullptr)
            refuse("no token", "Set pg_jwt.anon_role to let requests without a token in.");
        set_local("pg_jwt.claims", "{}", PGC_SUSET);
        mirror_request_claims("{}");
        switch_role(anon);
        // Citus: an explicit "no claims" for the workers (citus_carrier.hpp).
        forward_claims_to_citus("{}", true, set_lasts_beyond_the_statement());
        warn_outside_transaction_block();
        PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
    }
    ValidationArguments args;
    args.token = varlena_view(PG_GETARG_TEXT_PP(0));
    apply_policy_settings(args);
    args.now = GetCurrentStatementStartTimestamp();
    load_configured_keys(args);
    ValidationResult valid = validate_or_raise(args);
    char *claims = valid.claims;
    // A configured issuer's own role claim key, when its row sets one.
    const char *issuer = valid.role_claim_key ? valid.issuer : nullptr;

    Datum result = DirectFunctionCall1(jsonb_in, CStringGetDatum(claims));
    set_local("pg_jwt.claims", claims, PGC_SUSET);
    mirror_request_claims(claims);
    char *role = role_from_claims(claims, issuer, valid.role_claim_key);
    if (role != nullptr)
        switch_role(role);
    else if (anon != nullptr)
        switch_role(anon);
    // Citus: the claims, sealed for the workers, once the role they are for
    // is set (citus_carrier.hpp).
    forward_claims_to_citus(claims, false, set_lasts_beyond_the_statement());
    warn_outside_transaction_block();
    PG_RETURN_DATUM(result);
}

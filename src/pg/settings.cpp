#include "pg/settings.hpp"

#include "pg/request_claims.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"
}

namespace pgjwt::pg {

int setting_leeway_seconds = 0;
char *setting_audience = nullptr;
char *setting_issuer = nullptr;
int setting_max_ttl_seconds = 86400;
char *setting_jwks = nullptr;
bool setting_trust_request_claims = false;
bool setting_trust_postgraphile_claims = false;
char *setting_role_claim_key = nullptr;
char *setting_anon_role = nullptr;
char *setting_claims = nullptr;
char *setting_fresh_request_claims = nullptr;

// pg_jwt.claims_once_per_query and pg_jwt.row_function_rewrites switched
// 1.0.x's query rewrites, which 1.1.0 removed; kept through 1.1.x so that
// the configuration that names them still loads (the pg_jwt prefix is
// reserved), and read by nothing.
bool setting_claims_once_per_query = true;
bool setting_row_function_rewrites = true;
uint64 claims_generation = 1;
bool setting_known_issuers_only = false;
char *setting_ca_file = nullptr;
int setting_fetch_timeout_ms = 10000;
char *setting_refresh_databases = nullptr;
int setting_kid_refresh_cooldown_s = 30;
char *setting_carrier = nullptr;
char *setting_cluster_key_file = nullptr;
int setting_carrier_ttl_s = 300;

namespace {
void bump_string(const char *, void *) {
    claims_generation++;
}
void bump_bool(bool, void *) {
    claims_generation++;
}
}  // namespace

const char *nonempty_setting(const char *value) {
    return value != nullptr && value[0] != '\0' ? value : nullptr;
}

void define_settings() {
    DefineCustomIntVariable("pg_jwt.leeway",
                            "Clock skew tolerated for exp, nbf and iat by jwt.validate and "
                            "jwt.authenticate.",
                            "At most 5 minutes.", &setting_leeway_seconds, 0, 0, 300, PGC_SUSET,
                            GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("pg_jwt.audience",
                               "The audience (aud) that strict validation expects when the "
                               "caller names none.",
                               nullptr, &setting_audience, "", PGC_SUSET, 0, nullptr, nullptr,
                               nullptr);
    DefineCustomStringVariable("pg_jwt.issuer",
                               "The issuer (iss) that strict validation expects when the caller "
                               "names none, and that jwt.issue writes.",
                               nullptr, &setting_issuer, "", PGC_SUSET, 0, nullptr, nullptr,
                               nullptr);
    // Bounds what a role with EXECUTE on jwt.issue can mint: superuser-only.
    DefineCustomIntVariable("pg_jwt.max_ttl", "The longest ttl that jwt.issue accepts.",
                            "Compared as PostgreSQL compares intervals (a day is 24 hours, a "
                            "month 30 days).",
                            &setting_max_ttl_seconds, 86400, 1, INT_MAX, PGC_SUSET, GUC_UNIT_S,
                            nullptr, nullptr, nullptr);
    DefineCustomStringVariable("pg_jwt.jwks",
                               "A JWK set of public keys that jwt.validate and jwt.authenticate "
                               "use after the keyring.",
                               "Public keys only: every role can read settings.", &setting_jwks, "",
                               PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("pg_jwt.trust_request_claims",
                             "Whether jwt.claims() falls back to request.jwt.claims (PostgREST).",
                             "Off by default: any role can set request.jwt.claims. Turn it on only "
                             "for a role whose SQL comes from PostgREST alone. Even then, a value "
                             "counts only in the transaction that set it.",
                             &setting_trust_request_claims, false, PGC_SUSET, 0, nullptr, bump_bool,
                             nullptr);
    // PostGraphile v4's jwt.claims.<name> settings: any role can set them
    // too, so the same rules as for request.jwt.claims. A setting of its
    // own rather than a value of pg_jwt.trust_request_claims: that one stays
    // a boolean (configurations that say on keep working), and trusting one
    // server's settings says nothing about the other's (one role may be
    // PostgREST's authenticator while another is PostGraphile's).
    DefineCustomBoolVariable("pg_jwt.trust_postgraphile_claims",
                             "Whether the claim accessors fall back to PostGraphile's "
                             "jwt.claims.<name> settings.",
                             "Off by default: any role can set them. Turn it on only for a role "
                             "whose SQL comes from PostGraphile alone. Even then, a value counts "
                             "only in the transaction that set it.",
                             &setting_trust_postgraphile_claims, false, PGC_SUSET, 0, nullptr,
                             bump_bool, nullptr);
    // Deprecated in 1.1.0 (see above): settable by every role, as before,
    // and hidden from SHOW ALL.
    DefineCustomBoolVariable("pg_jwt.claims_once_per_query",
                             "Deprecated, does nothing (pg_jwt 1.0.x planned claim accessors in "
                             "row filters as InitPlans).",
                             "Write (SELECT jwt.claim('sub')) to evaluate a claim once per "
                             "statement. To be removed after 1.1.x.",
                             &setting_claims_once_per_query, true, PGC_USERSET,
                             GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("pg_jwt.row_function_rewrites",
                             "Deprecated, does nothing (pg_jwt 1.0.x rewrote calls of jwt.verify "
                             "and jwt.decode).",
                             "To be removed after 1.1.x.", &setting_row_function_rewrites, true,
                             PGC_USERSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, nullptr, nullptr,
                             nullptr);
    DefineCustomStringVariable("pg_jwt.role_claim_key",
                               "Where jwt.authenticate finds the role to switch to: a JSONPath as "
                               "PostgREST 16 reads it ($.role, $.app.roles[0], "
                               "$.roles[?search(@, '^app_')]) or its older form (.role); empty: no "
                               "switch.",
                               "A wrong path is reported by jwt.authenticate.",
                               &setting_role_claim_key, ".role", PGC_SUSET, 0, nullptr, nullptr,
                               nullptr);
    DefineCustomStringVariable("pg_jwt.anon_role",
                               "The role jwt.authenticate switches to for a NULL or empty token.",
                               "Empty: such a token is refused.", &setting_anon_role, "", PGC_SUSET,
                               0, nullptr, nullptr, nullptr);
    // Where jwt.authenticate keeps the verified claims for the transaction:
    // settable from C only (PGC_SUSET refuses SET/RESET/set_config by other
    // roles), hidden from SHOW ALL and untouched by RESET ALL.
    DefineCustomStringVariable("pg_jwt.claims", "Claims verified by jwt.authenticate (internal).",
                               nullptr, &setting_claims, "", PGC_SUSET,
                               GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NO_RESET_ALL |
                                   GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
                               nullptr, bump_string, nullptr);
    // request.jwt.claims is PostgREST's: read (request_claims.cpp), never
    // defined here. What the leader of a parallel query found about it, for
    // its workers: written from C only, before the query enters parallel
    // mode; hidden and superuser-only like pg_jwt.claims.
    DefineCustomStringVariable("pg_jwt.fresh_request_claims",
                               "The request claim settings set in the current transaction, as "
                               "the leader of a parallel query found them (internal).",
                               nullptr, &setting_fresh_request_claims, "", PGC_SUSET,
                               GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NO_RESET_ALL |
                                   GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
                               nullptr, assign_fresh_request_claims, nullptr);
    // Issuers (jwt.issuers): each one loosens or redirects a check, so
    // superuser-only like the others.
    DefineCustomBoolVariable("pg_jwt.known_issuers_only",
                             "Whether jwt.validate and jwt.authenticate refuse tokens whose issuer "
                             "is not in jwt.issuers.",
                             "A token from another issuer is then accepted only when pg_jwt.issuer "
                             "(or the issuer argument) names its iss, for keys of the keyring and "
                             "pg_jwt.jwks.",
                             &setting_known_issuers_only, false, PGC_SUSET, 0, nullptr, nullptr,
                             nullptr);
    DefineCustomStringVariable("pg_jwt.ca_file",
                               "A file of CA certificates (PEM) that jwt.refresh_issuers trusts "
                               "for identity providers' servers.",
                               "Empty: the system's CA store.", &setting_ca_file, "", PGC_SUSET, 0,
                               nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_jwt.fetch_timeout",
                            "How long jwt.refresh_issuers waits for one document of an identity "
                            "provider (connecting included).",
                            nullptr, &setting_fetch_timeout_ms, 10000, 100, 60000, PGC_SUSET,
                            GUC_UNIT_MS, nullptr, nullptr, nullptr);
    // The background worker (issuer_worker.hpp): which databases it serves
    // is fixed at server start, since each is a worker registered then.
    // PostgreSQL allows a PGC_POSTMASTER setting only while
    // shared_preload_libraries loads; elsewhere it does not exist.
    if (process_shared_preload_libraries_in_progress)
        DefineCustomStringVariable("pg_jwt.refresh_databases",
                                   "The databases in which a background worker keeps the keys of "
                                   "jwt.issuers fresh (pg_jwt in shared_preload_libraries).",
                                   "A comma-separated list of at most 8 database names; empty: no "
                                   "worker.",
                                   &setting_refresh_databases, "", PGC_POSTMASTER, 0, nullptr,
                                   nullptr, nullptr);
    DefineCustomIntVariable("pg_jwt.kid_refresh_cooldown",
                            "The shortest time between two fetches of an issuer's keys that "
                            "tokens with an unknown kid ask the background worker for.",
                            nullptr, &setting_kid_refresh_cooldown_s, 30, 1, 3600, PGC_SIGHUP,
                            GUC_UNIT_S, nullptr, nullptr, nullptr);
    // Citus (issue 18, citus_carrier.hpp): the sealed claims a coordinator
    // forwards with SET LOCAL. Citus replays that SET on a worker as the
    // connection's role, so every role may set it (a superuser-only setting
    // is refused there); its value carries its own proof, checked when a
    // claim is read, never when it is set (the id it is bound to arrives
    // after it). Hidden, not in files, and untouched by RESET ALL.
    DefineCustomStringVariable(
        "pg_jwt.carrier", "Claims sealed by a Citus coordinator for its workers (internal).",
        nullptr, &setting_carrier, "", PGC_USERSET,
        GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE | GUC_NO_RESET_ALL, nullptr,
        bump_string, nullptr);
    DefineCustomStringVariable("pg_jwt.cluster_key_file",
                               "The file of keys with which Citus nodes seal and open the claims "
                               "they forward.",
                               "One key per line: a key id and 32 bytes in base64url. The first "
                               "line seals, every line opens. Readable by the server's user only.",
                               &setting_cluster_key_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY,
                               nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_jwt.carrier_ttl",
                            "How long claims forwarded to Citus workers stay valid after their "
                            "distributed transaction started.",
                            "Never beyond the token's exp.", &setting_carrier_ttl_s, 300, 1, 86400,
                            PGC_SUSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
#if PG_VERSION_NUM >= 150000
    MarkGUCPrefixReserved("pg_jwt");
#else
    EmitWarningsOnPlaceholders("pg_jwt");
#endif
}

}  // namespace pgjwt::pg

// The pg_jwt.* settings. Every one that loosens or redirects a check is
// PGC_SUSET: only a superuser (or ALTER ROLE/DATABASE by one) can set it,
// and settings are readable by every role, so none holds a secret.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

extern int setting_leeway_seconds;              // pg_jwt.leeway
extern char *setting_audience;                  // pg_jwt.audience
extern char *setting_issuer;                    // pg_jwt.issuer
extern int setting_max_ttl_seconds;             // pg_jwt.max_ttl
extern char *setting_jwks;                      // pg_jwt.jwks (public keys only)
extern bool setting_trust_request_claims;       // pg_jwt.trust_request_claims
extern bool setting_trust_postgraphile_claims;  // pg_jwt.trust_postgraphile_claims
extern char *setting_role_claim_key;            // pg_jwt.role_claim_key
extern char *setting_anon_role;                 // pg_jwt.anon_role
extern char *setting_claims;                    // pg_jwt.claims: set by jwt.authenticate only
extern char *setting_fresh_request_claims;      // pg_jwt.fresh_request_claims: internal
extern bool setting_claims_once_per_query;      // pg_jwt.claims_once_per_query: deprecated, unread
extern bool setting_row_function_rewrites;      // pg_jwt.row_function_rewrites: deprecated, unread
extern bool setting_known_issuers_only;         // pg_jwt.known_issuers_only
extern char *setting_ca_file;               // pg_jwt.ca_file: CA bundle for fetching issuers' keys
extern int setting_fetch_timeout_ms;        // pg_jwt.fetch_timeout
extern char *setting_refresh_databases;     // pg_jwt.refresh_databases: the worker's databases
extern int setting_kid_refresh_cooldown_s;  // pg_jwt.kid_refresh_cooldown
extern char *setting_carrier;           // pg_jwt.carrier: sealed claims from a Citus coordinator
extern char *setting_cluster_key_file;  // pg_jwt.cluster_key_file (superuser-only)
extern int setting_carrier_ttl_s;       // pg_jwt.carrier_ttl

// Bumped whenever one of pg_jwt's own settings that the claim accessors read
// changes (also when a transaction-local value reverts at transaction end),
// so that a cached parse can be reused until then (DESIGN.md section 4).
// request.jwt.claims is not pg_jwt's: no hook tells of its changes.
extern uint64 claims_generation;

// A string setting that is set and not empty, else nullptr.
const char *nonempty_setting(const char *value);

void define_settings();

}  // namespace pgjwt::pg

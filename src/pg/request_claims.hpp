// The request claims of PostgREST (request.jwt.claims and the legacy
// request.jwt.claim.<name> settings) and of PostGraphile v4 (one
// jwt.claims.<name> setting per claim). pg_jwt reads them and never defines
// them (DESIGN.md section 4), and trusts a value only when
// pg_jwt.trust_request_claims (PostgREST's) or
// pg_jwt.trust_postgraphile_claims (PostGraphile's) is on and the value was
// set in the current transaction.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

// request.jwt.claims when it is trusted and not empty, else nullptr. The
// pointer is the setting's own current value: copy it to keep it.
const char *trusted_request_claims();

// request.jwt.claim.<name> when it is trusted and not empty, else nullptr
// (the same rules; name is len bytes, not NUL-terminated).
const char *trusted_legacy_claim(const char *name, int len);

// jwt.claims.<name> when pg_jwt.trust_postgraphile_claims is on and the
// value is trusted and not empty, else nullptr (name is len bytes).
const char *trusted_postgraphile_claim(const char *name, int len);

// Calls visit(name, value, arg) for each trusted, non-empty
// jwt.claims.<name> setting, in PostgreSQL's order of setting names
// (case-insensitive), until it returns false. name is the part after
// "jwt.claims."; both pointers are the settings' own.
using ClaimVisitor = bool (*)(const char *name, const char *value, void *arg);
void for_each_trusted_postgraphile_claim(ClaimVisitor visit, void *arg);

// The value of the setting `name` (one pg_jwt does not own, such as
// PostgREST's request.cookies) when it was set in the current transaction
// and is not empty, else nullptr; no trust setting involved. Valid in the
// leader of a parallel query, not in its workers.
const char *fresh_request_setting(const char *name);

// The assign hook of pg_jwt.fresh_request_claims, the internal setting that
// tells parallel workers which request claim settings their leader found
// set in the current transaction.
void assign_fresh_request_claims(const char *newval, void *extra);

// Installs the executor hook that fills pg_jwt.fresh_request_claims before
// a query enters parallel mode.
void install_request_claims_hook();

}  // namespace pgjwt::pg

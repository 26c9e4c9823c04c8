// The pg_jwt.* settings. Every one that loosens or redirects a check is
// PGC_SUSET: only a superuser (or ALTER ROLE/DATABASE by one) can set it,
// and settings are readable by every role, so none holds a secret.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

extern int setting_leeway_seconds;   // pg_jwt.leeway
extern char *setting_audience;       // pg_jwt.audience
extern char *setting_issuer;         // pg_jwt.issuer
extern char *setting_jwks;           // pg_jwt.jwks (public keys only)

// A string setting that is set and not empty, else nullptr.
const char *nonempty_setting(const char *value);

void define_settings();

}  // namespace pgjwt::pg

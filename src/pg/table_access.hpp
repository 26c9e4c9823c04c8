// Reading pg_jwt's own tables from C: the keyring and the revocation list.
// Private key material is readable by the extension owner only, so these
// reads switch to that role around the query (SetUserIdAndSecContext) and
// back; an error in between is undone by the (sub)transaction abort, which
// restores the caller's user id.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

struct KeyringRow {
    char *kid;
    char *algorithm;
    char *jwk;  // public JWK; for an HMAC key its private JWK
    bool has_expiry;
    TimestampTz expires_at;
};

struct KeyringSnapshot {
    int count;
    KeyringRow *rows;  // in TopMemoryContext
};

// The active keys of jwt.keys, re-read only when the table has changed.
const KeyringSnapshot &keyring_snapshot();

// True when `jti` is on the revocation list with `until` after `now`. One
// index probe, and none at all while the list is empty (a cached flag).
bool jti_revoked(const char *jti, TimestampTz now);

}  // namespace pgjwt::pg

// Reading pg_jwt's own tables from C: the keyring and the revocation list,
// and the one way pg_jwt runs SQL with rights other than the caller's.
//
// Private key material is readable by the extension owner only, so these
// reads switch to that role around the query. Whatever runs with the owner's
// rights must resolve nothing through the caller's search_path (DESIGN.md
// section 2.7): a role with the default TEMPORARY privilege can plant a
// domain "text" in pg_temp, which PostgreSQL searches first for types, and
// any role can put its own operators first in search_path. So the work runs
// at a new GUC nest level with search_path = pg_catalog, pg_temp (pg_temp
// named last, so it is never searched first and never for functions or
// operators), and its SQL names everything schema-qualified anyway.
//
// An error in between needs no clean-up by the caller: the (sub)transaction
// abort restores the user id, pops the GUC nest level and closes SPI.
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "executor/spi.h"
#include "utils/snapshot.h"
}

namespace pgjwt::pg {

// The state begin_as_extension_owner saves; plain data (no destructor), so
// it may live across ereport.
struct OwnerScope {
    Oid saved_user;
    int saved_security_context;
    int guc_nest_level;
};

// Switches to the owner of jwt.keys (the extension owner) with
// SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION, opens a GUC
// nest level with search_path = pg_catalog, pg_temp, and SPI_connect()s.
// Raises 42P01 when pg_jwt is not installed in this database.
void begin_as_extension_owner(OwnerScope *scope);
// SPI_finish(), pops the GUC nest level, restores the caller's user id.
void end_as_extension_owner(OwnerScope *scope);

// The same as a call: runs work(arg) between begin and end.
void run_as_extension_owner(void (*work)(void *arg), void *arg);

// A snapshot taken now, for SPI_execute_snapshot(..., read_only = true):
// reads of pg_jwt's tables see every change committed before the call, also
// inside a REPEATABLE READ transaction (catalog-like, as PostgreSQL's
// foreign-key checks read). GetLatestSnapshot(), or in parallel mode (where
// PostgreSQL refuses that) a snapshot of our own from GetSnapshotData().
Snapshot fresh_snapshot();

// Prepares (once per backend) a statement run as the extension owner. The
// kept plan is re-analysed after an invalidation with the search_path in
// force then, which is again the pinned one: it only ever runs inside
// begin/end_as_extension_owner.
SPIPlanPtr prepared(SPIPlanPtr &plan, const char *sql, int nargs, Oid *types);
// Runs a kept read-only plan with fresh_snapshot() (between begin and end).
void run_fresh(SPIPlanPtr plan, Datum *values, long limit);
// Column `column` of an SPI result row as text, copied into `context`;
// nullptr for NULL.
char *copy_text(MemoryContext context, HeapTuple tuple, TupleDesc desc, int column);

// Rows of jwt.keys as read (in the caller's memory context). Reads use
// fresh_snapshot(); the caller records keyring_generation_now() before it
// reads and keeps what it read under that generation (DESIGN.md 2.9).
struct KeyringRow {
    char *kid;
    char *algorithm;
    char *jwk;  // public JWK; for an HMAC key its private JWK
    bool active;
    TimestampTz not_before;
    bool has_expiry;
    TimestampTz expires_at;
};

struct KeyringRows {
    int count;
    KeyringRow *rows;
    // read_keyring_candidates: the rows are the answer for every `now` in
    // [valid_from, valid_until) (no bound when has_... is false).
    bool has_valid_from, has_valid_until;
    TimestampTz valid_from, valid_until;
};

// Processes pending invalidations, then returns the keyring's generation.
uint64 keyring_generation_now();

// The algorithms of the active keys, newest key first (only `algorithm`
// filled in). One pass over the table, once per generation.
void read_keyring_algorithms(KeyringRows *out);
// The row of `kid`, if any: one probe of the primary key.
void read_keyring_kid(const char *kid, KeyringRows *out);
// The newest kMaxCandidateKeys keys of `algorithm` usable at `now`, and the
// time window in which that answer holds (index on (algorithm, created_at)).
void read_keyring_candidates(const char *algorithm, TimestampTz now, KeyringRows *out);

// True when `jti` is on the revocation list with `until` after `now`. One
// index probe, and none at all while the list is empty (a cached flag).
bool jti_revoked(const char *jti, TimestampTz now);

}  // namespace pgjwt::pg

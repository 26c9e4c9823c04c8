// The background worker that keeps the keys of jwt.issuers fresh, when
// pg_jwt is in shared_preload_libraries: one worker per database named in
// pg_jwt.refresh_databases (registered at server start), each running the
// refresh pass (issuer_refresh_pass.hpp) when something is due, and
// sooner when a backend asks: a token refused because its configured
// issuer's keys lack its kid, or are missing or stale, wakes the worker of
// its database, which then fetches that issuer's keys unless it fetched
// them less than pg_jwt.kid_refresh_cooldown ago (then once the cooldown
// ends). Queries never fetch and never wait for the worker. The same
// shared memory counts the tokens each issuer key verified.
//
// Workers start once recovery has finished: a standby verifies with the
// key sets the primary stored (jwt.issuer_keys is replicated like any
// table), and its workers start when it is promoted.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

// From _PG_init: in the postmaster, while shared_preload_libraries loads,
// requests the shared memory and registers the workers; elsewhere nothing.
void register_issuer_workers();

// Asks the worker of this database, if there is one, to fetch `issuer`'s
// keys. Never raises, never waits; a no-op without the worker.
void wake_issuer_refresh(const char *issuer);

// Counts a token of `issuer` that its key `kid` ("" for a key without kid)
// verified, for jwt.issuer_status. Never raises; a no-op without the
// shared memory.
void count_issuer_verification(const char *issuer, const char *kid);

}  // namespace pgjwt::pg

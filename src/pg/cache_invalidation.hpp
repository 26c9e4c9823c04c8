// Backend-local copies of jwt.keys, of jwt.revoked's state and of
// jwt.issuers with the key sets fetched for them (jwt.issuer_keys), and how they
// learn that the tables changed (DESIGN.md sections 2.4 and 2.9): a row
// trigger (plus a TRUNCATE statement trigger) on each table, enabled ALWAYS,
// calls CacheInvalidateRelcache, which reaches every backend (this one at
// once, the others when they next read invalidations), and a relcache
// callback bumps a generation counter.
//
// A reader records the counter (after accept_invalidations()), reads with a
// fresh snapshot, and stores the counter it recorded: a change that commits
// during the read leaves the copy stale, to be read again next time.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

void register_cache_invalidation();

// Processes the invalidations other backends have sent: inside a
// transaction block PostgreSQL reads them only when it takes a new lock,
// and pg_jwt's reads of its tables must see a committed change from the
// next statement on. Cheap when there is nothing to read (one unlocked
// flag test).
void accept_invalidations();

// Incremented whenever jwt.keys / jwt.revoked may have changed.
extern uint64 keyring_generation;
extern uint64 revoked_generation;
// Incremented whenever jwt.issuers or jwt.issuer_keys may have changed.
extern uint64 issuers_generation;

// The OIDs of jwt.keys / jwt.revoked (InvalidOid before the extension exists).
Oid keys_relation();
Oid revoked_relation();
// The OIDs of jwt.issuers / jwt.issuer_keys (InvalidOid before the extension
// exists, and in a database whose pg_jwt is older than the issuers).
Oid issuers_relation();
Oid issuer_keys_relation();

}  // namespace pgjwt::pg

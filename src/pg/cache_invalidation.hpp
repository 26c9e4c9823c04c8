// Backend-local copies of jwt.keys and of whether jwt.revoked is empty, and
// how they learn that the tables changed (DESIGN.md section 2.4): a statement
// trigger on each table calls CacheInvalidateRelcache, which reaches every
// backend (this one at once, the others when they next read invalidations),
// and a relcache callback marks the copies stale.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

void register_cache_invalidation();

// Incremented whenever jwt.keys may have changed.
extern uint64 keyring_generation;
// Set when jwt.revoked may have changed.
extern bool revoked_stale;

// The OIDs of jwt.keys / jwt.revoked (InvalidOid before the extension exists).
Oid keys_relation();
Oid revoked_relation();

}  // namespace pgjwt::pg

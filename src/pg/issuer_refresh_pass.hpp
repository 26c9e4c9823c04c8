// One pass over jwt.issuers: fetch the keys of every issuer that is due and
// store them (issuer_access.hpp), in the current transaction. Shared by
// jwt.refresh_issuers (force, or what is due) and the background worker
// (what is due, and what backends asked for after a token with an unknown
// kid, at most once per issuer per cooldown).
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

// An issuer's name as backends and the worker identify it in shared memory.
uint32 issuer_hash(const char *issuer);

// What one issuer's turn gave, for jwt.refresh_issuers' result row.
struct RefreshRowResult {
    const char *issuer;
    const char *outcome;  // updated, unchanged, failed, not due
    int http_status;      // 0: none
    int keys;
    TimestampTz next_refresh;
    const char *message;  // nullptr: none
};

struct RefreshPass {
    bool force = false;
    // Issuers (issuer_hash) that backends asked for: fetched now when their
    // last attempt is at least `cooldown_ms` ago, else once it is.
    const uint32 *wanted = nullptr;
    int wanted_count = 0;
    int cooldown_ms = 30000;
    // Called after each issuer's turn (may be nullptr).
    void (*emit)(void *arg, const RefreshRowResult &row) = nullptr;
    void *emit_arg = nullptr;

    // Out: the earliest time something becomes due (a scheduled refresh, or
    // the end of a wanted issuer's cooldown); DT_NOEND when nothing will.
    TimestampTz next_due = DT_NOEND;
    // Out: per wanted hash, true once served (fetched now, or no issuer has
    // that hash), false while it waits for its cooldown.
    bool *wanted_served = nullptr;  // wanted_count entries, owned by the caller
};

// Raises 42P01 when jwt.issuers does not exist. Fetch problems are outcomes,
// never errors; a cancel raises PostgreSQL's error.
void run_refresh_pass(RefreshPass *pass);

}  // namespace pgjwt::pg

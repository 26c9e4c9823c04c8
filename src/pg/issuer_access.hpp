// Reading and writing jwt.issuers and jwt.issuer_keys from C, as the
// extension owner (table_access.hpp: pinned search_path, every name
// qualified). Validation reads one issuer at a time, with a fresh snapshot
// (DESIGN.md section 2.9); jwt.refresh_issuers reads them all and writes
// what it fetched. Everything returned is plain data in the caller's memory
// context.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

struct CStringList {
    int count = 0;
    char **items = nullptr;
};

// One configured issuer as validation needs it.
struct IssuerRow {
    bool found = false;
    bool has_audiences = false;
    CStringList audiences;
    bool has_algorithms = false;
    CStringList algorithms;
    bool audience_required = true;
    char *role_claim_key = nullptr;  // nullptr: NULL, pg_jwt.role_claim_key applies
    double max_stale_seconds = 0;
    // A set fetched from the URL configured now.
    bool has_keys = false;
    char *jwks = nullptr;
    TimestampTz fetched_at = 0;
};

// Processes pending invalidations, then returns the issuers' generation.
uint64 issuers_generation_now();

// Whether jwt.issuers has a row (false when the installed pg_jwt has no
// such table).
bool read_issuers_any();
// The row of `issuer` with its fetched set, if any.
void read_issuer(const char *issuer, IssuerRow *out);

// One issuer as jwt.refresh_issuers needs it.
struct RefreshRow {
    char *issuer;
    char *url;
    double min_refresh_seconds, max_refresh_seconds;
    bool has_state;  // a row in jwt.issuer_keys
    bool same_url;   // ... fetched from the URL configured now
    bool has_keys;   // ... holding a set
    char *jwks_uri;  // nullptr when absent
    char *etag;
    TimestampTz next_refresh;
    int key_count;
    bool has_attempt;  // ... with the time of the last fetch attempt
    TimestampTz attempted_at;
};

struct RefreshRows {
    int count = 0;
    RefreshRow *rows = nullptr;
};

// Every configured issuer, ordered by issuer.
void read_refresh_rows(RefreshRows *out);

// What one fetch gave, to store.
struct FetchRecord {
    enum Kind { updated, unchanged, failed } kind = failed;
    int http_status = 0;  // 0: none
    char *jwks_uri = nullptr;
    char *etag = nullptr;
    char *jwks = nullptr;          // updated: the set
    CStringList kids, algorithms;  // of each key (a NULL kid for a key without one)
    char *message = nullptr;
    TimestampTz attempted_at = 0, next_refresh = 0;
};

// Stores the outcome for `row`'s issuer in jwt.issuer_keys: a new set, the
// confirmation of the stored one (304), or a failure (the stored set stays).
void write_fetch_record(const RefreshRow &row, const FetchRecord &record);

}  // namespace pgjwt::pg

// Fetching one configured issuer's keys: its URL (a discovery document or
// the JWK set itself, told apart by content), then for a discovery document
// its jwks_uri; each response checked (status, media type, size), the set
// checked (issuer_document.hpp), and the time of the next scheduled fetch
// taken from Cache-Control max-age within the issuer's bounds. URLs come
// only from configuration: a discovery document may point to its own host
// or to the host of another configured issuer, nowhere else.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <vector>

#include "issuer_document.hpp"
#include "status.hpp"

namespace pgjwt {

struct IssuerSource {
    std::string issuer;  // the exact "iss"
    std::string url;     // configured: a discovery document or a JWK set
    // Hosts a jwks_uri may be on besides the URL's own: those of every
    // configured issuer's URL (lower-case).
    std::vector<std::string> trusted_hosts;
    // The set stored from the last successful fetch, for If-None-Match.
    bool has_stored_set = false;
    std::string stored_jwks_uri, stored_etag;
    // Transport, from the glue's settings.
    std::string ca_file;
    long timeout_ms = 10000;
    // The issuer's bounds on the interval between scheduled fetches (seconds).
    double min_refresh = 300, max_refresh = 3600;
};

enum class RefreshResult { updated, unchanged, failed };

struct RefreshOutcome {
    RefreshResult result = RefreshResult::failed;
    long http_status = 0;  // of the last response (0: none)
    std::string jwks_uri;  // where the set came from (updated, unchanged)
    std::string etag;      // its ETag (updated, unchanged), or empty
    PublishedKeySet keys;  // updated: the set to store
    // Seconds until the next scheduled fetch: Cache-Control max-age (or
    // max_refresh without one) within [min_refresh, max_refresh]; after a
    // failure, min_refresh.
    double refresh_after = 0;
    std::string message;  // failed: why; updated: the keys left out, if any
};

// Fetches and checks `source`'s keys. Every problem of the provider, the
// network or the documents is an outcome (RefreshResult::failed, with the
// reason in `message`), never a failed Status; a failed Status is only a
// cancel (Fault::cancelled), out of memory, or an internal error.
Status refresh_issuer(const IssuerSource &source, RefreshOutcome &outcome);

// The interval until the next scheduled fetch after a successful one.
double refresh_interval(bool has_max_age, double max_age, double min_refresh, double max_refresh);

}  // namespace pgjwt

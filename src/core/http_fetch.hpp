// One HTTPS GET with libcurl, as fetching an identity provider's discovery
// document or key set needs it, inside a PostgreSQL backend (DESIGN.md
// sections 2.2 and 2.8): no signals (CURLOPT_NOSIGNAL: PostgreSQL owns
// them), HTTPS only, the certificate verified (the system's CA store, or a
// CA file the glue takes from a superuser-only setting), no redirects
// followed, connect and total timeouts, a cap on the body enforced while it
// arrives, no compressed encodings asked for (nothing to inflate), and a
// transfer that stops when cancel_requested() says so. libcurl's callbacks
// only copy bytes into buffers of this file; they never call the glue.
//
// libcurl's resolver threads (its threaded resolver) run getaddrinfo only.
// libcurl is initialised on the first fetch, in the process that fetches
// (a backend), never when the library is loaded (which may be in the
// postmaster).
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <string>
#include <string_view>

#include "status.hpp"

namespace pgjwt {

// The most bytes of a fetched document (discovery document or key set).
constexpr size_t kMaxFetchBytes = 1024 * 1024;
// The most bytes of a response's header section.
constexpr size_t kMaxHeaderBytes = 64 * 1024;

struct HttpRequest {
    std::string url;
    std::string ca_file;  // empty: the system's CA store
    long connect_timeout_ms = 5000;
    long total_timeout_ms = 10000;
    size_t max_body_bytes = kMaxFetchBytes;
    std::string if_none_match;  // an ETag to send, or empty
};

struct HttpResponse {
    long status = 0;  // 0: no response
    std::string body;
    std::string content_type, etag, cache_control;  // as received; empty when absent
};

// GETs `request.url`. OK whenever a response arrived, whatever its status
// (the caller judges 200, 304 or anything else). Otherwise the failure:
// Fault::unavailable (could not connect, TLS or certificate failure,
// timeout, a protocol other than https), Fault::too_large (a body above
// max_body_bytes, or a header section above kMaxHeaderBytes),
// Fault::cancelled, Fault::out_of_memory, or Fault::invalid_argument for a
// URL that https_url_host refuses.
Status https_get(const HttpRequest &request, HttpResponse &response);

// The host of an absolute https URL, lower-cased, as libcurl's URL parser
// reads it. Refuses (Fault::invalid_argument) another scheme, a URL without
// a host, and one with user information (credentials do not belong in
// configuration that every superuser and every dump can read).
Status https_url_host(std::string_view url, std::string &host);

}  // namespace pgjwt

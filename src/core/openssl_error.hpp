// OpenSSL's thread-local error queue must be empty when a call returns
// (DESIGN.md section 2.3): a stale entry would be reported by the next,
// unrelated OpenSSL user in the same backend (pgcrypto, libpq's SSL).
#pragma once
#include "core_guard.hpp"

#include <string>

#include "status.hpp"

namespace pgjwt {

// Empties the queue (call on entry, and on every failure path).
void openssl_clear_errors();
// Empties the queue and returns its first entry's reason as text ("" if none).
std::string openssl_drain_errors();
// An internal error whose detail names what OpenSSL said; empties the queue.
Status openssl_failure(const char *what);

}  // namespace pgjwt

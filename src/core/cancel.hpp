// Cancellation of long core work (DESIGN.md section 2.8). The core never
// sees PostgreSQL, so it cannot look at InterruptPending itself: the glue
// installs a check once (at load), loops over caller-supplied data (keys of
// a set, chunks of a large base64url text) call cancel_requested() between
// steps and return cancelled() when it says so, and the glue, once every
// C++ object is gone, lets PostgreSQL raise its own cancel, timeout or
// termination error (CHECK_FOR_INTERRUPTS).
#pragma once
#include "core_guard.hpp"

#include "status.hpp"

namespace pgjwt {

// Returns true when the current work should stop. Must not throw or longjmp.
using CancelCheck = bool (*)() noexcept;

// Installs the check (nullptr: never cancelled, the default in tests).
void set_cancel_check(CancelCheck check) noexcept;

// True when the installed check asks the work to stop.
bool cancel_requested() noexcept;

// The Status of work that stopped because cancel_requested() said so.
Status cancelled();

}  // namespace pgjwt

// Buffers the core keeps from one call to the next (a backend is one
// thread): the JSON parser, the signing buffers, the last key and its
// caches. Reusing them saves an allocation per row; but a single call with
// a large input must not leave the backend holding that much memory for the
// rest of the session (DESIGN.md section 2: no input may leak). Buffers
// that may grow with the input are released here when they are large; the
// others are bounded by the limits of their inputs (a token is at most
// kMaxTokenBytes, key material at most kMaxKeyBytes).
#pragma once
#include "core_guard.hpp"

namespace pgjwt {

// Releases every kept buffer grown past its bound. Cheap when there is
// nothing to release (a few comparisons): the glue calls it after every
// call into the core (run_core), successful or not.
void release_large_buffers() noexcept;

}  // namespace pgjwt

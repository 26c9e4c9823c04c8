// The boundary between PostgreSQL and the C++ core (DESIGN.md section 2.2).
//
// PostgreSQL reports errors with longjmp, which skips C++ destructors; C++
// reports them with exceptions, which must not unwind through PostgreSQL's C
// frames. So every SQL entry point follows the same three steps:
//   1. read its arguments with PostgreSQL calls (detoast, text_to_cstring);
//   2. hand a lambda that does the C++ work to run_core_or_raise(), which
//      runs it and, if it failed, raises the error; the lambda copies what
//      it produced into memory from palloc_extended(MCXT_ALLOC_NO_OOM), which
//      never longjmps; every C++ object lives only inside that lambda, and
//      any exception is caught there and turned into an ErrorReport;
//   3. with no C++ object alive, build the result Datums.
// No PostgreSQL call that can raise may run inside step 2: palloc raises
// for a request above MaxAllocSize even with MCXT_ALLOC_NO_OOM, so the
// copy_to_* helpers check the size first and fail with a Status instead;
// a result that may be large is better allocated before step 2 (its size
// known, checked against MaxAllocSize) and filled by the core.
//
// The few callers that look at a failure before deciding to raise (a
// validation that must read the keyring first, jwt.is_valid turning token
// faults into false) call run_core() with an ErrorReport of their own, and
// raise_core_error() if they raise.
#pragma once

#include "pg/postgres_headers.hpp"

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/scratch.hpp"
#include "core/status.hpp"

namespace pgjwt::pg {

// A core failure in plain memory, safe to hold across ereport.
struct ErrorReport {
    Fault fault = Fault::none;
    // Written by fill_report; only the first bytes are cleared here, since
    // every call of a function makes one (zeroing 768 bytes a row).
    char message[256];
    char detail[512];
    ErrorReport() { message[0] = detail[0] = '\0'; }
};

// Copies a Status into `report` (truncating, never allocating).
void fill_report(const Status &status, ErrorReport &report) noexcept;
void fill_report(Fault fault, const char *message, ErrorReport &report) noexcept;

// Runs `work` (a closure returning a Status). True on success; otherwise
// `report` says why. Either way, buffers the core keeps across calls are then
// trimmed (scratch.hpp), so that one large call does not leave the backend
// large.
//
// The closure outlives run_core(): it is a temporary of the caller's full
// expression, or a variable of the caller, when the caller raises. An
// ereport longjmps past its destructor, so it must have none (a lambda that
// captures by reference, or captures pointers and other plain values).
template <typename Work>
bool run_core(Work &&work, ErrorReport &report) noexcept {
    static_assert(std::is_trivially_destructible_v<std::remove_reference_t<Work>>,
                  "a closure given to run_core must be trivially destructible: capture by "
                  "reference or plain values, never a C++ object");
    static_assert(std::is_same_v<std::invoke_result_t<Work>, Status>,
                  "a closure given to run_core returns a Status");
    bool ok = false;
    try {
        Status status = std::forward<Work>(work)();
        if (status.ok())
            ok = true;
        else
            fill_report(status, report);
    } catch (const std::bad_alloc &) {
        fill_report(Fault::out_of_memory, "out of memory", report);
    } catch (const std::exception &e) {
        fill_report(Fault::internal, e.what(), report);
    } catch (...) {
        fill_report(Fault::internal, "unexpected C++ exception in pg_jwt", report);
    }
    release_large_buffers();
    return ok;
}

// ereport(ERROR) with the SQLSTATE that the fault maps to, hiding the
// statement and the context from the server log (they may hold a token or
// a key: DESIGN.md section 2.6). For Fault::cancelled, PostgreSQL's own
// cancel, timeout or termination error. Call only after run_core() has
// returned.
[[noreturn]] void raise_core_error(const ErrorReport &report);

// The entry points' way into the core: runs `work` through run_core() and,
// when it fails, raises its error (raise_core_error), with no C++ object
// alive but the closure itself, which has no destructor (run_core checks).
template <typename Work>
void run_core_or_raise(Work &&work) {
    ErrorReport report;
    if (!run_core(std::forward<Work>(work), report)) raise_core_error(report);
}

// The core's cancellation check (core/cancel.hpp) pointed at PostgreSQL's
// pending interrupts; called once when the library is loaded.
void install_cancel_check();

// Copies bytes into a new varlena (text, bytea, json) without ever
// longjmp-ing; nullptr when out of memory or larger than a value can be
// (MaxAllocSize). For use inside run_core().
struct varlena *copy_to_varlena(std::string_view bytes) noexcept;
// Copies bytes into a NUL-terminated C string, likewise.
char *copy_to_cstring(std::string_view bytes) noexcept;

// Status for a failed copy_to_* call: Fault::too_large (54000) when the
// last failed copy was larger than MaxAllocSize, else out of memory (53200).
Status copy_failure_status();

// True when a result of `size` bytes (plus `header` bytes of varlena header
// or terminator) cannot be allocated: above MaxAllocSize, where palloc
// raises. For checking a size before allocating, inside or outside
// run_core().
bool exceeds_max_alloc(size_t size, size_t header) noexcept;

// `text` escaped for a message (control characters, as the core's
// excerpt does) and cut to at most 200 bytes, in palloc'd memory: for the
// glue's own messages that quote names from the catalog or the caller.
// Call outside run_core().
char *text_for_message(const char *text);

// The blessed row type of a function with OUT parameters (call outside run_core()).
TupleDesc result_row_type(FunctionCallInfo fcinfo);

// The bytes of a detoasted text/bytea argument (call outside run_core()).
inline std::string_view varlena_view(const struct varlena *v) {
    return {VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)};
}

}  // namespace pgjwt::pg

// The boundary between PostgreSQL and the C++ core (DESIGN.md section 2.2).
//
// PostgreSQL reports errors with longjmp, which skips C++ destructors; C++
// reports them with exceptions, which must not unwind through PostgreSQL's C
// frames. So every SQL entry point follows the same three steps:
//   1. read its arguments with PostgreSQL calls (detoast, text_to_cstring);
//   2. call run_core() with a lambda that does the C++ work and copies what
//      it produced into memory from palloc_extended(MCXT_ALLOC_NO_OOM), which
//      never longjmps; every C++ object lives only inside that lambda, and
//      any exception is caught there and turned into an ErrorReport;
//   3. after run_core() returns, with no C++ object alive, raise the error
//      (raise_core_error) or build the result Datums.
#pragma once

#include "pg/postgres_headers.hpp"

#include <cstddef>
#include <string_view>
#include <utility>

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

// Runs `work` (returning a Status). True on success; otherwise `report` says why.
template <typename Work>
bool run_core(Work &&work, ErrorReport &report) noexcept {
    try {
        Status status = std::forward<Work>(work)();
        if (status.ok()) return true;
        fill_report(status, report);
    } catch (const std::bad_alloc &) {
        fill_report(Fault::out_of_memory, "out of memory", report);
    } catch (const std::exception &e) {
        fill_report(Fault::internal, e.what(), report);
    } catch (...) {
        fill_report(Fault::internal, "unexpected C++ exception in pg_jwt", report);
    }
    return false;
}

// ereport(ERROR) with the SQLSTATE that the fault maps to. Call only after
// run_core() has returned.
[[noreturn]] void raise_core_error(const ErrorReport &report);

// Copies bytes into a new varlena (text, bytea, json) without ever
// longjmp-ing; nullptr when out of memory. For use inside run_core().
struct varlena *copy_to_varlena(std::string_view bytes) noexcept;
// Copies bytes into a NUL-terminated C string, likewise.
char *copy_to_cstring(std::string_view bytes) noexcept;

// Status for a failed copy_to_* call.
Status out_of_memory_status();

// The blessed row type of a function with OUT parameters (call outside run_core()).
TupleDesc result_row_type(FunctionCallInfo fcinfo);

// The bytes of a detoasted text/bytea argument (call outside run_core()).
inline std::string_view varlena_view(const struct varlena *v) {
    return {VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)};
}

}  // namespace pgjwt::pg

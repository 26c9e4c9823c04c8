#include "pg/boundary.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/memutils.h"
}

#include <cstring>

#include <openssl/err.h>

#include "core/cancel.hpp"
#include "core/text.hpp"

namespace pgjwt::pg {
namespace {

// Copies `from` escaped (control characters: core/text.hpp) and cut to fit
// `size` bytes. The core quotes foreign text through excerpt(), which
// escapes it already; this is the net under every message pg_jwt raises.
void copy_for_message(std::string_view from, char *to, size_t size) noexcept {
    escape_into(from, to, size);
}

int sqlstate_for(Fault fault) {
    switch (fault) {
        case Fault::malformed_token:
        case Fault::malformed_json:
            return ERRCODE_INVALID_TEXT_REPRESENTATION;  // 22P02
        case Fault::invalid_argument:
            return ERRCODE_INVALID_PARAMETER_VALUE;  // 22023
        case Fault::token_rejected:
            return ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;  // 28000
        case Fault::out_of_memory:
            return ERRCODE_OUT_OF_MEMORY;  // 53200
        case Fault::too_large:
            return ERRCODE_PROGRAM_LIMIT_EXCEEDED;  // 54000
        case Fault::cancelled:
            return ERRCODE_QUERY_CANCELED;  // 57014
        case Fault::unavailable:
            return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;  // 55000
        case Fault::none:
        case Fault::internal:
            break;
    }
    return ERRCODE_INTERNAL_ERROR;  // XX000
}

// Whether the last failed copy_to_* call failed by its size (a backend is
// one thread).
bool last_copy_too_large = false;

void *allocate_result(size_t size, size_t header) noexcept {
    if (exceeds_max_alloc(size, header)) {
        last_copy_too_large = true;
        return nullptr;
    }
    void *p = palloc_extended(size + header, MCXT_ALLOC_NO_OOM);
    if (p == nullptr) last_copy_too_large = false;
    return p;
}

// The core's cancellation check: true when CHECK_FOR_INTERRUPTS() would
// raise now (a cancel, statement_timeout or termination is pending and
// interrupts are not held off), so that the core stops only for a reason
// that raise_core_error will turn into PostgreSQL's own error.
bool cancel_pending() noexcept {
    return InterruptPending && (QueryCancelPending || ProcDiePending) &&
           INTERRUPTS_CAN_BE_PROCESSED();
}

}  // namespace

void fill_report(const Status &status, ErrorReport &report) noexcept {
    report.fault = status.fault;
    copy_for_message(status.message, report.message, sizeof report.message);
    copy_for_message(status.detail, report.detail, sizeof report.detail);
    // Whatever OpenSSL queued on the way is stale once reported.
    ERR_clear_error();
}

void fill_report(Fault fault, const char *message, ErrorReport &report) noexcept {
    report.fault = fault;
    copy_for_message(message, report.message, sizeof report.message);
    report.detail[0] = '\0';
    ERR_clear_error();
}

void raise_core_error(const ErrorReport &report) {
    if (report.fault == Fault::cancelled) {
        // The core stopped because an interrupt is pending: PostgreSQL
        // raises its own error for it (57014 for a cancel or
        // statement_timeout, FATAL for a termination).
        CHECK_FOR_INTERRUPTS();
        ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED),
                        errmsg("canceling statement due to user request")));
    }
    ereport(ERROR, (errcode(sqlstate_for(report.fault)), errmsg("%s", report.message),
                    report.detail[0] ? errdetail("%s", report.detail) : 0, errhidestmt(true),
                    errhidecontext(true)));
    pg_unreachable();
}

void install_cancel_check() {
    set_cancel_check(&cancel_pending);
}

bool exceeds_max_alloc(size_t size, size_t header) noexcept {
    return size > MaxAllocSize || header > MaxAllocSize - size;
}

struct varlena *copy_to_varlena(std::string_view bytes) noexcept {
    auto *v = static_cast<struct varlena *>(allocate_result(bytes.size(), VARHDRSZ));
    if (v == nullptr) return nullptr;
    SET_VARSIZE(v, VARHDRSZ + bytes.size());
    if (!bytes.empty()) std::memcpy(VARDATA(v), bytes.data(), bytes.size());
    return v;
}

char *copy_to_cstring(std::string_view bytes) noexcept {
    auto *s = static_cast<char *>(allocate_result(bytes.size(), 1));
    if (s == nullptr) return nullptr;
    if (!bytes.empty()) std::memcpy(s, bytes.data(), bytes.size());
    s[bytes.size()] = '\0';
    return s;
}

TupleDesc result_row_type(FunctionCallInfo fcinfo) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("function returning record called in context that cannot accept "
                               "type record")));
    return BlessTupleDesc(desc);
}

Status copy_failure_status() {
    if (last_copy_too_large)
        return Status::TooLarge("result is too large", "A PostgreSQL value holds at most " +
                                                           std::to_string(MaxAllocSize - VARHDRSZ) +
                                                           " bytes.");
    return Status{Fault::out_of_memory, "out of memory", "Could not allocate the result."};
}

char *text_for_message(const char *text) {
    char buffer[201];
    escape_into(text, buffer, sizeof buffer);
    return pstrdup(buffer);
}

}  // namespace pgjwt::pg

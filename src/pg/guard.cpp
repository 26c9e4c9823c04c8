#include "pg/guard.hpp"

#include <cstring>

#include <openssl/err.h>

#include "core/text.hpp"

namespace pgjwt::pg {
namespace {

// Copies at most size - 1 bytes, never ending inside a UTF-8 character.
void copy_truncated(std::string_view from, char *to, size_t size) noexcept {
    size_t n = utf8_prefix_length(from, size - 1);
    std::memcpy(to, from.data(), n);
    to[n] = '\0';
}

int sqlstate_for(Fault fault) {
    switch (fault) {
        case Fault::malformed_token:
            return ERRCODE_INVALID_TEXT_REPRESENTATION;  // 22P02
        case Fault::invalid_argument:
            return ERRCODE_INVALID_PARAMETER_VALUE;  // 22023
        case Fault::token_rejected:
            return ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;  // 28000
        case Fault::out_of_memory:
            return ERRCODE_OUT_OF_MEMORY;  // 53200
        case Fault::none:
        case Fault::internal:
            break;
    }
    return ERRCODE_INTERNAL_ERROR;  // XX000
}

}  // namespace

void fill_report(const Status &status, ErrorReport &report) noexcept {
    report.fault = status.fault;
    copy_truncated(status.message, report.message, sizeof report.message);
    copy_truncated(status.detail, report.detail, sizeof report.detail);
    // Whatever OpenSSL queued on the way is stale once reported.
    ERR_clear_error();
}

void fill_report(Fault fault, const char *message, ErrorReport &report) noexcept {
    report.fault = fault;
    copy_truncated(message, report.message, sizeof report.message);
    report.detail[0] = '\0';
    ERR_clear_error();
}

void raise_core_error(const ErrorReport &report) {
    ereport(ERROR, (errcode(sqlstate_for(report.fault)), errmsg("%s", report.message),
                    report.detail[0] ? errdetail("%s", report.detail) : 0));
    pg_unreachable();
}

struct varlena *copy_to_varlena(std::string_view bytes) noexcept {
    auto *v =
        static_cast<struct varlena *>(palloc_extended(VARHDRSZ + bytes.size(), MCXT_ALLOC_NO_OOM));
    if (v == nullptr) return nullptr;
    SET_VARSIZE(v, VARHDRSZ + bytes.size());
    if (!bytes.empty()) std::memcpy(VARDATA(v), bytes.data(), bytes.size());
    return v;
}

char *copy_to_cstring(std::string_view bytes) noexcept {
    auto *s = static_cast<char *>(palloc_extended(bytes.size() + 1, MCXT_ALLOC_NO_OOM));
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

Status out_of_memory_status() {
    return Status{Fault::out_of_memory, "out of memory", "Could not allocate the result."};
}

}  // namespace pgjwt::pg

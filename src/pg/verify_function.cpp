// jwt.verify(token, key, algorithm): pgjwt's (header, payload, valid) row.
#include "pg/guard.hpp"
#include "pg/key_argument.hpp"
#include "pg/time.hpp"

#include "core/jwt.hpp"

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_verify_text_key);
PG_FUNCTION_INFO_V1(pg_jwt_verify_bytea_key);
PG_FUNCTION_INFO_V1(pg_jwt_verify_jsonb_key);
}

namespace {

// Kept for the life of the call site (fn_extra): the blessed row type, and
// the header column of the last header decoded, which the rows of one query
// usually share (jws_decode numbers each header it caches: its generation).
struct CallSite {
    TupleDesc desc;
    uint64_t header_generation;  // 0: no header kept
    struct varlena *header;
};

CallSite &call_site(FunctionCallInfo fcinfo) {
    if (fcinfo->flinfo->fn_extra == nullptr) {
        MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
        auto *site = static_cast<CallSite *>(palloc0(sizeof(CallSite)));
        site->desc = BlessTupleDesc(CreateTupleDescCopy(result_row_type(fcinfo)));
        fcinfo->flinfo->fn_extra = site;
        MemoryContextSwitchTo(old);
    }
    return *static_cast<CallSite *>(fcinfo->flinfo->fn_extra);
}

// The header column: the call site's copy when the header is the cached one
// it already holds, else a new copy (kept when jws_decode cached the header).
// heap_form_tuple copies it into the row either way.
struct varlena *header_column(CallSite &site, const Jws &jws, MemoryContext site_context) {
    if (jws.header_generation != 0 && jws.header_generation == site.header_generation)
        return site.header;
    if (jws.header_generation == 0) return copy_to_varlena(jws.header_json);
    MemoryContext old = MemoryContextSwitchTo(site_context);
    struct varlena *copy = copy_to_varlena(jws.header_json);
    MemoryContextSwitchTo(old);
    if (copy == nullptr) return nullptr;
    if (site.header != nullptr) pfree(site.header);
    site.header = copy;
    site.header_generation = jws.header_generation;
    return copy;
}

Datum verify(FunctionCallInfo fcinfo, KeyArgType key_type) {
    // The text and bytea forms are STRICT; the jsonb form is not, since a
    // NULL algorithm there means the JWK's own alg.
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
    std::string_view token = varlena_view(PG_GETARG_TEXT_PP(0));
    KeyArgument key;
    read_key_argument(fcinfo, 1, 2, key_type, key);
    CallSite &site = call_site(fcinfo);
    // The statement's start, so that every row of a statement sees the same
    // clock (the function is STABLE).
    double now = timestamptz_to_unix_seconds(GetCurrentStatementStartTimestamp());

    struct varlena *header = nullptr;
    struct varlena *payload = nullptr;
    bool valid = false;
    ErrorReport report;
    if (!run_core(
            [&]() -> Status {
                Algorithm alg;
                Key resolved;
                PGJWT_TRY(resolve_key_argument(key, KeyPurpose::verify, alg, resolved));
                // Reused across calls so that its buffers are allocated once.
                static JwtVerification verification;
                PGJWT_TRY(jwt_verify(token, alg, resolved, now, verification));
                valid = verification.valid;
                header = header_column(site, verification.jws, fcinfo->flinfo->fn_mcxt);
                payload = copy_to_varlena(verification.jws.payload);
                return header && payload ? Status::Ok() : out_of_memory_status();
            },
            report))
        raise_core_error(report);

    Datum values[3] = {PointerGetDatum(header), PointerGetDatum(payload), BoolGetDatum(valid)};
    bool nulls[3] = {false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(site.desc, values, nulls)));
}

}  // namespace

extern "C" Datum pg_jwt_verify_text_key(PG_FUNCTION_ARGS) {
    return verify(fcinfo, KeyArgType::text);
}
extern "C" Datum pg_jwt_verify_bytea_key(PG_FUNCTION_ARGS) {
    return verify(fcinfo, KeyArgType::bytea);
}
extern "C" Datum pg_jwt_verify_jsonb_key(PG_FUNCTION_ARGS) {
    return verify(fcinfo, KeyArgType::jsonb);
}

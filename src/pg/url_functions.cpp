// jwt.url_encode(bytea) and jwt.url_decode(text): base64url as JOSE uses it.
//
// These take values of up to 1 GB, so their results are sized first,
// checked against MaxAllocSize and allocated before any C++ work (palloc
// may raise; no C++ object is alive then), and the core writes into them in
// chunks, stopping on cancel.
#include "pg/boundary.hpp"

#include "core/base64url.hpp"

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_url_encode);
PG_FUNCTION_INFO_V1(pg_jwt_url_decode);
}

extern "C" Datum pg_jwt_url_encode(PG_FUNCTION_ARGS) {
    std::string_view data = varlena_view(PG_GETARG_BYTEA_PP(0));
    size_t length = base64url_encoded_size(data.size());
    if (exceeds_max_alloc(length, VARHDRSZ))
        ereport(ERROR,
                (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("result is too large"),
                 errdetail("The base64url text of %zu bytes would have %zu characters; a "
                           "PostgreSQL value holds at most %zu bytes.",
                           data.size(), length, static_cast<size_t>(MaxAllocSize - VARHDRSZ)),
                 errhidestmt(true), errhidecontext(true)));
    auto *result = static_cast<text *>(palloc(VARHDRSZ + length));
    SET_VARSIZE(result, VARHDRSZ + length);
    run_core_or_raise([&]() -> Status { return base64url_encode_to(data, VARDATA(result)); });
    PG_RETURN_TEXT_P(result);
}

extern "C" Datum pg_jwt_url_decode(PG_FUNCTION_ARGS) {
    std::string_view encoded = varlena_view(PG_GETARG_TEXT_PP(0));
    // At most 3/4 of a text that is itself at most 1 GB: always allocatable.
    size_t room = base64url_decode_room(encoded.size());
    auto *result = static_cast<bytea *>(palloc(VARHDRSZ + room));
    size_t written = 0;
    run_core_or_raise(
        [&]() -> Status { return base64url_decode_to(encoded, VARDATA(result), written); });
    SET_VARSIZE(result, VARHDRSZ + written);
    PG_RETURN_BYTEA_P(result);
}

// jwt.decode(token) and jwt.header(token): read a token WITHOUT verifying it.
#include "pg/boundary.hpp"

#include "core/jwt.hpp"

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_decode);
PG_FUNCTION_INFO_V1(pg_jwt_header);
}

namespace {

// json text (validated by the core: no duplicates, no U+0000) as jsonb.
Datum jsonb_from_cstring(char *json) {
    return DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
}

}  // namespace

extern "C" Datum pg_jwt_decode(PG_FUNCTION_ARGS) {
    std::string_view token = varlena_view(PG_GETARG_TEXT_PP(0));
    TupleDesc desc = result_row_type(fcinfo);

    char *header = nullptr;
    char *payload = nullptr;
    struct varlena *signature = nullptr;
    run_core_or_raise([&]() -> Status {
        Jws jws;
        PGJWT_TRY(jwt_decode(token, jws));
        header = copy_to_cstring(jws.header_json);
        payload = copy_to_cstring(jws.payload);
        signature = copy_to_varlena(jws.signature);
        return header && payload && signature ? Status::Ok() : copy_failure_status();
    });

    Datum values[3] = {jsonb_from_cstring(header), jsonb_from_cstring(payload),
                       PointerGetDatum(signature)};
    bool nulls[3] = {false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

extern "C" Datum pg_jwt_header(PG_FUNCTION_ARGS) {
    std::string_view token = varlena_view(PG_GETARG_TEXT_PP(0));
    char *header = nullptr;
    run_core_or_raise([&]() -> Status {
        Jws jws;
        PGJWT_TRY(jws_decode(token, jws));
        header = copy_to_cstring(jws.header_json);
        return header ? Status::Ok() : copy_failure_status();
    });
    PG_RETURN_DATUM(jsonb_from_cstring(header));
}

// jwt.url_encode(bytea) and jwt.url_decode(text): base64url as JOSE uses it.
#include "pg/guard.hpp"

#include "core/base64url.hpp"

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_url_encode);
PG_FUNCTION_INFO_V1(pg_jwt_url_decode);
}

extern "C" Datum pg_jwt_url_encode(PG_FUNCTION_ARGS) {
    std::string_view data = varlena_view(PG_GETARG_BYTEA_PP(0));
    struct varlena *result = nullptr;
    ErrorReport report;
    if (!run_core(
            [&]() -> Status {
                result = copy_to_varlena(base64url_encode(data));
                return result ? Status::Ok() : out_of_memory_status();
            },
            report))
        raise_core_error(report);
    PG_RETURN_TEXT_P(result);
}

extern "C" Datum pg_jwt_url_decode(PG_FUNCTION_ARGS) {
    std::string_view encoded = varlena_view(PG_GETARG_TEXT_PP(0));
    struct varlena *result = nullptr;
    ErrorReport report;
    if (!run_core(
            [&]() -> Status {
                std::string bytes;
                if (!base64url_decode(encoded, bytes))
                    return Status::Malformed("invalid base64url",
                                             "Input must be unpadded base64url (RFC 4648 section "
                                             "5) without white space or non-zero trailing bits.");
                result = copy_to_varlena(bytes);
                return result ? Status::Ok() : out_of_memory_status();
            },
            report))
        raise_core_error(report);
    PG_RETURN_BYTEA_P(result);
}

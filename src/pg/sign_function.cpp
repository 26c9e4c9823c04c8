// jwt.sign(payload, key, algorithm, header): a compact JWS over the claims,
// for each type of key (text, bytea, jsonb).
#include "pg/signing.hpp"

using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_sign_text_key);
PG_FUNCTION_INFO_V1(pg_jwt_sign_bytea_key);
PG_FUNCTION_INFO_V1(pg_jwt_sign_jsonb_key);
}

namespace {

Datum sign(FunctionCallInfo fcinfo, KeyArgType key_type) {
    // Not STRICT (header may be NULL): a NULL payload or key gives NULL, and
    // so does a NULL algorithm, except with a JWK, whose alg it then means.
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
    if (PG_ARGISNULL(2) && key_type != KeyArgType::jsonb) PG_RETURN_NULL();
    PayloadArgument payload;
    read_payload_argument(fcinfo, 0, payload);
    KeyArgument key;
    read_key_argument(fcinfo, 1, 2, key_type, key);
    const char *header = nullptr;
    if (!PG_ARGISNULL(3)) {
        Jsonb *jb = PG_GETARG_JSONB_P(3);
        header = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
    }
    PG_RETURN_TEXT_P(sign_payload(payload, key, header));
}

}  // namespace

extern "C" Datum pg_jwt_sign_text_key(PG_FUNCTION_ARGS) {
    return sign(fcinfo, KeyArgType::text);
}
extern "C" Datum pg_jwt_sign_bytea_key(PG_FUNCTION_ARGS) {
    return sign(fcinfo, KeyArgType::bytea);
}
extern "C" Datum pg_jwt_sign_jsonb_key(PG_FUNCTION_ARGS) {
    return sign(fcinfo, KeyArgType::jsonb);
}

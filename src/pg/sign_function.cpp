// jwt.sign(payload, key, algorithm, header): a compact JWS over the claims.
#include "pg/sign_function.hpp"

#include "pg/guard.hpp"

#include <string>
#include <vector>

#include "core/jwt.hpp"

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_sign_text_key);
PG_FUNCTION_INFO_V1(pg_jwt_sign_bytea_key);
PG_FUNCTION_INFO_V1(pg_jwt_sign_jsonb_key);
}

namespace pgjwt::pg {

struct varlena *sign_payload(const PayloadArgument &payload, const KeyArgument &key,
                             const char *header) {
    struct varlena *result = nullptr;
    ErrorReport report;
    if (!run_core(
            [&]() -> Status {
                JwtSignRequest request{};
                PGJWT_TRY(resolve_key_argument(key, KeyPurpose::sign, request.alg, request.key));
                request.claims_json = std::string_view(payload.json, payload.size);
                request.keep_claims_text = payload.keep_text;
                request.extra_header = header ? std::string_view(header) : std::string_view();
                for (int i = 0; i < kTimeClaims; i++)
                    if (payload.time_values[i] != nullptr)
                        request.replacements.emplace_back(kTimeClaimNames[i],
                                                          payload.time_values[i]);
                // Kept across calls: its buffer is reused for every row's
                // token. Tokens are at most kMaxTokenBytes; a refused
                // larger one must not leave its buffer behind.
                static std::string token;
                Status signed_status = jwt_sign(request, token);
                if (token.capacity() > 2 * kMaxTokenBytes) std::string().swap(token);
                PGJWT_TRY(signed_status);
                result = copy_to_varlena(token);
                return result ? Status::Ok() : copy_failure_status();
            },
            report))
        raise_core_error(report);
    return result;
}

}  // namespace pgjwt::pg

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

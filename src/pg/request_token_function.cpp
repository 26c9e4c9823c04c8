// jwt.request_token(cookie, header): the token of the current PostgREST
// request, for a db-pre-request function to pass to jwt.authenticate. Read
// from request.cookies or request.headers, the JSON objects PostgREST sets
// with set_config(..., true) in each request's transaction
// (core/request_token.hpp reads them).
//
// Only values set in the current transaction count, as for the request
// claims (request_claims.cpp): a value one client left on a pooled
// connection with a session-level SET holds a token of that client, which
// would verify, so it must never become the next request's token.
// PARALLEL RESTRICTED: parallel workers cannot tell when a setting was set.
// No trust setting is needed: the token is only read here, and verified by
// whoever is given it.
#include "pg/boundary.hpp"

#include <string>

#include "core/request_token.hpp"
#include "pg/request_claims.hpp"

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_request_token);
}

namespace {

// The token at `name` of the setting, as text; nullptr when there is none.
text *token_from(const char *setting, std::string_view name, TokenPlace place) {
    const char *value = fresh_request_setting(setting);
    if (value == nullptr) return nullptr;
    text *result = nullptr;
    run_core_or_raise([&]() -> Status {
        bool found = false;
        std::string token;
        PGJWT_TRY(
            request_token(json_input(std::string_view(value)), setting, name, place, found, token));
        if (!found) return Status::Ok();
        result = reinterpret_cast<text *>(copy_to_varlena(token));
        return result != nullptr ? Status::Ok() : copy_failure_status();
    });
    return result;
}

}  // namespace

extern "C" Datum pg_jwt_request_token(PG_FUNCTION_ARGS) {
    bool has_cookie = !PG_ARGISNULL(0);
    bool has_header = !PG_ARGISNULL(1);
    text *token = nullptr;
    if (has_cookie)
        token =
            token_from("request.cookies", varlena_view(PG_GETARG_TEXT_PP(0)), TokenPlace::cookie);
    if (token == nullptr && has_header)
        token =
            token_from("request.headers", varlena_view(PG_GETARG_TEXT_PP(1)), TokenPlace::header);
    if (!has_cookie && !has_header)
        token = token_from("request.headers", "authorization", TokenPlace::authorization);
    if (token == nullptr) PG_RETURN_NULL();
    PG_RETURN_TEXT_P(token);
}

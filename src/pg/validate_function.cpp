// jwt.validate(token, key, algorithms, audience, issuer, leeway, max_age,
// required, typ, now, secret) -> claims, and jwt.is_valid(...same...).
#include "pg/guard.hpp"

#include <string>
#include <vector>

#include "core/validation.hpp"
#include "pg/settings.hpp"
#include "pg/table_access.hpp"
#include "pg/time.hpp"

extern "C" {
#include "utils/array.h"
}

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_validate);
PG_FUNCTION_INFO_V1(pg_jwt_is_valid);
}

namespace {

enum Arg { TOKEN, KEY, ALGORITHMS, AUDIENCE, ISSUER, LEEWAY, MAX_AGE, REQUIRED, TYP, NOW, SECRET };

// The arguments in plain memory, read before any C++ object exists.
struct TextList {
    int count = 0;
    char **items = nullptr;
};

struct Arguments {
    std::string_view token;
    bool has_key = false;
    std::string_view key;
    KeyEncoding key_encoding = KeyEncoding::text;
    TextList algorithms, required, keyring_kids, keyring_algs, keyring_jwks;
    const char *audience = nullptr, *issuer = nullptr, *typ = nullptr;
    bool has_leeway = false;
    double leeway = 0;
    bool has_max_age = false;
    double max_age = 0;
    TimestampTz now = 0;
    const char *configured_jwks = nullptr;
};

TextList text_array(FunctionCallInfo fcinfo, int arg) {
    TextList list;
    if (PG_ARGISNULL(arg)) return list;
    ArrayType *array = PG_GETARG_ARRAYTYPE_P(arg);
    Datum *elems;
    bool *nulls;
    int n;
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
    list.items = static_cast<char **>(palloc(sizeof(char *) * (n ? n : 1)));
    for (int i = 0; i < n; i++) {
        if (nulls[i])
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("array arguments of jwt.validate must not contain NULL")));
        list.items[list.count++] = TextDatumGetCString(elems[i]);
    }
    return list;
}

const char *optional_cstring(FunctionCallInfo fcinfo, int arg) {
    return PG_ARGISNULL(arg) ? nullptr : TextDatumGetCString(PG_GETARG_DATUM(arg));
}

void read_arguments(FunctionCallInfo fcinfo, Arguments &a) {
    a.token = varlena_view(PG_GETARG_TEXT_PP(TOKEN));
    if (!PG_ARGISNULL(KEY) && !PG_ARGISNULL(SECRET))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("key and secret cannot both be given")));
    if (!PG_ARGISNULL(KEY)) {
        a.has_key = true;
        a.key = varlena_view(PG_GETARG_TEXT_PP(KEY));
    } else if (!PG_ARGISNULL(SECRET)) {
        a.has_key = true;
        a.key = varlena_view(PG_GETARG_BYTEA_PP(SECRET));
        a.key_encoding = KeyEncoding::binary;
    }
    a.algorithms = text_array(fcinfo, ALGORITHMS);
    a.required = text_array(fcinfo, REQUIRED);
    a.audience = PG_ARGISNULL(AUDIENCE) ? nonempty_setting(setting_audience)
                                        : optional_cstring(fcinfo, AUDIENCE);
    a.issuer = PG_ARGISNULL(ISSUER) ? nonempty_setting(setting_issuer)
                                    : optional_cstring(fcinfo, ISSUER);
    a.typ = optional_cstring(fcinfo, TYP);
    a.has_leeway = true;
    a.leeway = PG_ARGISNULL(LEEWAY) ? setting_leeway_seconds
                                    : interval_seconds(PG_GETARG_INTERVAL_P(LEEWAY));
    a.has_max_age = !PG_ARGISNULL(MAX_AGE);
    if (a.has_max_age) a.max_age = interval_seconds(PG_GETARG_INTERVAL_P(MAX_AGE));
    a.now = PG_ARGISNULL(NOW) ? GetCurrentStatementStartTimestamp() : PG_GETARG_TIMESTAMPTZ(NOW);
    if (!a.has_key) {
        const KeyringSnapshot &ring = keyring_snapshot();
        for (int i = 0; i < ring.count; i++) {
            const KeyringRow &row = ring.rows[i];
            if (row.has_expiry && row.expires_at <= a.now) continue;
            if (a.keyring_kids.items == nullptr) {
                a.keyring_kids.items = static_cast<char **>(palloc(sizeof(char *) * ring.count));
                a.keyring_algs.items = static_cast<char **>(palloc(sizeof(char *) * ring.count));
                a.keyring_jwks.items = static_cast<char **>(palloc(sizeof(char *) * ring.count));
            }
            a.keyring_kids.items[a.keyring_kids.count++] = row.kid;
            a.keyring_algs.items[a.keyring_algs.count++] = row.algorithm;
            a.keyring_jwks.items[a.keyring_jwks.count++] = row.jwk;
        }
        a.configured_jwks = nonempty_setting(setting_jwks);
    }
}

// Validates; on success `claims` is the payload as a C string and `jti` the
// token's jti (or nullptr).
bool validate(const Arguments &a, char *&claims, char *&jti, ErrorReport &report) {
    return run_core(
        [&]() -> Status {
            ValidationPolicy policy;
            for (int i = 0; i < a.algorithms.count; i++) {
                Algorithm alg;
                PGJWT_TRY(algorithm_from_argument(a.algorithms.items[i], alg));
                policy.algorithms.push_back(alg);
            }
            for (int i = 0; i < a.required.count; i++) policy.required.emplace_back(a.required.items[i]);
            policy.has_audience = a.audience != nullptr;
            if (a.audience) policy.audience = a.audience;
            policy.has_issuer = a.issuer != nullptr;
            if (a.issuer) policy.issuer = a.issuer;
            policy.has_typ = a.typ != nullptr;
            if (a.typ) policy.typ = a.typ;
            policy.leeway = a.leeway;
            policy.has_max_age = a.has_max_age;
            policy.max_age = a.max_age;
            policy.now = timestamptz_to_unix_seconds(a.now);

            ValidationKeys keys;
            std::vector<KeyringKey> keyring;
            if (a.has_key) {
                keys.has_material = true;
                keys.material = a.key;
                keys.encoding = a.key_encoding;
            } else {
                for (int i = 0; i < a.keyring_kids.count; i++) {
                    Algorithm alg;
                    // A row naming an unknown algorithm cannot have been added by add_key.
                    if (!algorithm_from_argument(a.keyring_algs.items[i], alg).ok()) continue;
                    keyring.push_back({a.keyring_kids.items[i], alg, a.keyring_jwks.items[i]});
                }
                keys.keyring = &keyring;
                if (a.configured_jwks) keys.configured_jwks = a.configured_jwks;
            }
            ValidatedToken token;
            PGJWT_TRY(jwt_validate(a.token, keys, policy, token));
            claims = copy_to_cstring(token.jws.payload);
            if (!claims) return out_of_memory_status();
            if (token.claims.jti.state == StringClaim::State::string) {
                jti = copy_to_cstring(token.claims.jti.value);
                if (!jti) return out_of_memory_status();
            }
            return Status::Ok();
        },
        report);
}

}  // namespace

extern "C" Datum pg_jwt_validate(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(TOKEN)) PG_RETURN_NULL();
    Arguments args;
    read_arguments(fcinfo, args);
    char *claims = nullptr;
    char *jti = nullptr;
    ErrorReport report;
    if (!validate(args, claims, jti, report)) raise_core_error(report);
    if (jti != nullptr && jti_revoked(jti, args.now))
        ereport(ERROR, (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
                        errmsg("token has been revoked"),
                        errdetail("Its jti is on the revocation list (jwt.revoked).")));
    PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(claims)));
}

extern "C" Datum pg_jwt_is_valid(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(TOKEN)) PG_RETURN_NULL();
    Arguments args;
    read_arguments(fcinfo, args);
    char *claims = nullptr;
    char *jti = nullptr;
    ErrorReport report;
    if (!validate(args, claims, jti, report)) {
        // Every token fault is a plain false; the caller's faults still raise.
        if (report.fault == Fault::malformed_token || report.fault == Fault::token_rejected)
            PG_RETURN_BOOL(false);
        raise_core_error(report);
    }
    PG_RETURN_BOOL(!(jti != nullptr && jti_revoked(jti, args.now)));
}

#include "pg/validation_call.hpp"

#include <string>
#include <vector>

#include "core/validation.hpp"
#include "pg/settings.hpp"
#include "pg/table_access.hpp"
#include "pg/time.hpp"

namespace pgjwt::pg {

void apply_policy_settings(ValidationArguments &a) {
    a.audience = nonempty_setting(setting_audience);
    a.issuer = nonempty_setting(setting_issuer);
    a.leeway = setting_leeway_seconds;
}

void load_configured_keys(ValidationArguments &a) {
    const KeyringSnapshot &ring = keyring_snapshot();
    size_t bytes = sizeof(char *) * (ring.count ? ring.count : 1);
    a.keyring_kids.items = static_cast<char **>(palloc(bytes));
    a.keyring_algs.items = static_cast<char **>(palloc(bytes));
    a.keyring_jwks.items = static_cast<char **>(palloc(bytes));
    for (int i = 0; i < ring.count; i++) {
        const KeyringRow &row = ring.rows[i];
        if (row.has_expiry && row.expires_at <= a.now) continue;
        a.keyring_kids.items[a.keyring_kids.count++] = row.kid;
        a.keyring_algs.items[a.keyring_algs.count++] = row.algorithm;
        a.keyring_jwks.items[a.keyring_jwks.count++] = row.jwk;
    }
    a.configured_jwks = nonempty_setting(setting_jwks);
}

bool run_validation(const ValidationArguments &a, char *&claims, char *&jti, ErrorReport &report) {
    return run_core(
        [&]() -> Status {
            ValidationPolicy policy;
            for (int i = 0; i < a.algorithms.count; i++) {
                Algorithm alg;
                PGJWT_TRY(algorithm_from_argument(a.algorithms.items[i], alg));
                policy.algorithms.push_back(alg);
            }
            for (int i = 0; i < a.required.count; i++)
                policy.required.emplace_back(a.required.items[i]);
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
                    // A row naming an unknown algorithm cannot have come from add_key.
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

void check_not_revoked(const char *jti, TimestampTz now) {
    if (jti != nullptr && jti_revoked(jti, now))
        ereport(ERROR, (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
                        errmsg("token has been revoked"),
                        errdetail("Its jti is on the revocation list (jwt.revoked)."),
                        errhidestmt(true), errhidecontext(true)));
}

}  // namespace pgjwt::pg

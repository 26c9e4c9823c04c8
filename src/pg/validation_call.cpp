#include "pg/validation_call.hpp"

#include <limits>
#include <string>
#include <vector>

#include "core/keyring.hpp"
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
    a.configured_jwks = nonempty_setting(setting_jwks);
}

namespace {

// What a round of the core call asked for, in plain memory.
struct KeyringNeed {
    KeyringRequest::Kind kind = KeyringRequest::Kind::none;
    char *value = nullptr;
};

// Reads what `need` asks for (PostgreSQL calls: outside run_core).
void read_need(const KeyringNeed &need, TimestampTz now, KeyringRows &rows) {
    switch (need.kind) {
        case KeyringRequest::Kind::algorithms:
            read_keyring_algorithms(&rows);
            break;
        case KeyringRequest::Kind::kid:
            read_keyring_kid(need.value, &rows);
            break;
        case KeyringRequest::Kind::candidates:
            read_keyring_candidates(need.value, now, &rows);
            break;
        case KeyringRequest::Kind::none:
            break;
    }
}

KeyringRecord to_record(const KeyringRow &row) {
    KeyringRecord r;
    r.kid = row.kid;
    r.algorithm = row.algorithm;
    r.jwk = row.jwk;
    r.active = row.active;
    r.not_before = timestamptz_to_unix_seconds(row.not_before);
    r.has_expiry = row.has_expiry;
    if (row.has_expiry) r.expires_at = timestamptz_to_unix_seconds(row.expires_at);
    return r;
}

// Keeps what was read in the cache (inside run_core).
void store_rows(KeyringCache &cache, const KeyringNeed &need, const KeyringRows &rows) {
    switch (need.kind) {
        case KeyringRequest::Kind::algorithms: {
            std::vector<std::string> names;
            for (int i = 0; i < rows.count; i++) names.emplace_back(rows.rows[i].algorithm);
            cache.store_algorithms(std::move(names));
            break;
        }
        case KeyringRequest::Kind::kid: {
            if (rows.count == 0) {
                cache.store_kid(need.value, nullptr);
            } else {
                KeyringRecord record = to_record(rows.rows[0]);
                cache.store_kid(need.value, &record);
            }
            break;
        }
        case KeyringRequest::Kind::candidates: {
            std::vector<KeyringRecord> records;
            for (int i = 0; i < rows.count; i++) records.push_back(to_record(rows.rows[i]));
            double from = rows.has_valid_from ? timestamptz_to_unix_seconds(rows.valid_from)
                                              : -std::numeric_limits<double>::infinity();
            double until = rows.has_valid_until ? timestamptz_to_unix_seconds(rows.valid_until)
                                                : std::numeric_limits<double>::infinity();
            cache.store_candidates(need.value, std::move(records), from, until);
            break;
        }
        case KeyringRequest::Kind::none:
            break;
    }
}

}  // namespace

bool run_validation(const ValidationArguments &a, ValidationResult &out, ErrorReport &report) {
    const bool keyring = !a.has_key;
    // Recorded before anything is read: a change committed during a read
    // bumps the counter past it, and the next validation reads again.
    const uint64 generation = keyring ? keyring_generation_now() : 0;
    KeyringNeed need;
    KeyringRows rows = {};
    // Each round satisfies one kind of request for this generation: the
    // algorithms in use, then the kid or the newest keys of an algorithm.
    for (int round = 0; round < 4; round++) {
        KeyringNeed next;
        bool ok = run_core(
            [&]() -> Status {
                KeyringCache *cache = nullptr;
                if (keyring) {
                    cache = &keyring_cache();
                    cache->sync(generation);
                    store_rows(*cache, need, rows);
                }
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
                if (a.has_key) {
                    keys.has_material = true;
                    keys.material = a.key;
                    keys.encoding = a.key_encoding;
                } else {
                    keys.keyring = cache;
                    if (a.configured_jwks) keys.configured_jwks = a.configured_jwks;
                }
                ValidatedToken token;
                Status s = jwt_validate(a.token, keys, policy, token);
                if (!s.ok() && token.keyring_request.kind != KeyringRequest::Kind::none) {
                    next.kind = token.keyring_request.kind;
                    next.value = copy_to_cstring(token.keyring_request.value);
                    if (!next.value) return copy_failure_status();
                }
                PGJWT_TRY(s);
                out.claims = copy_to_cstring(token.jws.payload);
                if (!out.claims) return copy_failure_status();
                if (token.claims.jti.state == StringClaim::State::string) {
                    out.jti = copy_to_cstring(token.claims.jti.value);
                    if (!out.jti) return copy_failure_status();
                }
                return Status::Ok();
            },
            report);
        if (ok || next.kind == KeyringRequest::Kind::none) return ok;
        need = next;
        read_need(need, a.now, rows);
    }
    fill_report(Fault::internal, "the keyring lookup did not settle", report);
    return false;
}

ValidationResult validate_or_raise(const ValidationArguments &a) {
    ValidationResult out;
    ErrorReport report;
    if (!run_validation(a, out, report)) raise_core_error(report);
    if (out.jti != nullptr && jti_revoked(out.jti, a.now))
        ereport(ERROR, (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
                        errmsg("token has been revoked"),
                        errdetail("Its jti is on the revocation list (jwt.revoked)."),
                        errhidestmt(true), errhidecontext(true)));
    return out;
}

}  // namespace pgjwt::pg

#include "pg/validation_call.hpp"

#include <limits>
#include <string>
#include <vector>

#include "core/issuer_cache.hpp"
#include "core/keyring.hpp"
#include "core/validation.hpp"
#include "pg/issuer_access.hpp"
#include "pg/issuer_worker.hpp"
#include "pg/settings.hpp"
#include "pg/table_access.hpp"
#include "pg/time.hpp"

namespace pgjwt::pg {

void apply_policy_settings(ValidationArguments &a) {
    a.audience = nonempty_setting(setting_audience);
    a.issuer = nonempty_setting(setting_issuer);
    a.audience_is_default = a.audience != nullptr;
    a.issuer_is_default = a.issuer != nullptr;
    a.leeway = setting_leeway_seconds;
}

void load_configured_keys(ValidationArguments &a) {
    a.configured_jwks = nonempty_setting(setting_jwks);
    a.known_issuers_only = setting_known_issuers_only;
    a.wall_now = GetCurrentStatementStartTimestamp();
}

namespace {

// What a round of the core call asked for, in plain memory.
struct KeyringNeed {
    KeyringRequest::Kind kind = KeyringRequest::Kind::none;
    char *value = nullptr;
};

// Reads what `need` asks for (PostgreSQL calls: outside run_core).
void read_need(const KeyringNeed &need, TimestampTz now, KeyringRows &rows, IssuerRow &issuer) {
    switch (need.kind) {
        case KeyringRequest::Kind::issuers_any:
            issuer.found = read_issuers_any();
            break;
        case KeyringRequest::Kind::issuer:
            read_issuer(need.value, &issuer);
            break;
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

std::vector<std::string> to_strings(const CStringList &list) {
    return std::vector<std::string>(list.items, list.items + list.count);
}

// Keeps what was read of an issuer in its cache (inside run_core).
void store_issuer(IssuerCache &cache, const KeyringNeed &need, const IssuerRow &row) {
    if (need.kind == KeyringRequest::Kind::issuers_any) {
        cache.store_any(row.found);
        return;
    }
    if (!row.found) {
        cache.store(need.value, nullptr);
        return;
    }
    IssuerRecord record;
    record.has_audiences = row.has_audiences;
    if (row.has_audiences) record.audiences = to_strings(row.audiences);
    record.has_algorithms = row.has_algorithms;
    if (row.has_algorithms) record.algorithms = to_strings(row.algorithms);
    record.audience_required = row.audience_required;
    record.has_role_claim_key = row.role_claim_key != nullptr;
    if (row.role_claim_key) record.role_claim_key = row.role_claim_key;
    record.max_stale = row.max_stale_seconds;
    record.has_keys = row.has_keys;
    if (row.has_keys) {
        record.jwks = row.jwks;
        record.fetched_at = timestamptz_to_unix_seconds(row.fetched_at);
    }
    cache.store(need.value, &record);
}

// Keeps what was read in the cache (inside run_core).
void store_rows(KeyringCache &cache, const KeyringNeed &need, const KeyringRows &rows) {
    switch (need.kind) {
        case KeyringRequest::Kind::issuers_any:
        case KeyringRequest::Kind::issuer:
            break;
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
    const uint64 issuers_generation = keyring ? issuers_generation_now() : 0;
    KeyringNeed need;
    KeyringRows rows = {};
    IssuerRow issuer_row;
    // Each round satisfies one kind of request for this generation: whether
    // any issuer is configured, the token's issuer, the algorithms in use,
    // then the kid or the newest keys of an algorithm.
    for (int round = 0; round < 6; round++) {
        KeyringNeed next;
        bool ok = run_core(
            [&]() -> Status {
                KeyringCache *cache = nullptr;
                IssuerCache *issuers = nullptr;
                if (keyring) {
                    cache = &keyring_cache();
                    cache->sync(generation);
                    store_rows(*cache, need, rows);
                    issuers = &issuer_cache();
                    issuers->sync(issuers_generation);
                    if (need.kind == KeyringRequest::Kind::issuers_any ||
                        need.kind == KeyringRequest::Kind::issuer)
                        store_issuer(*issuers, need, issuer_row);
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
                policy.audience_is_default = a.audience_is_default;
                policy.issuer_is_default = a.issuer_is_default;

                ValidationKeys keys;
                if (a.has_key) {
                    keys.has_material = true;
                    keys.material = a.key;
                    keys.encoding = a.key_encoding;
                } else {
                    keys.keyring = cache;
                    if (a.configured_jwks) keys.configured_jwks = a.configured_jwks;
                    keys.issuers = issuers;
                    keys.known_issuers_only = a.known_issuers_only;
                    keys.wall_now = timestamptz_to_unix_seconds(a.wall_now);
                }
                ValidatedToken token;
                Status s = jwt_validate(a.token, keys, policy, token);
                if (!s.ok() && token.wants_issuer_refresh)
                    out.refresh_issuer = copy_to_cstring(token.claims.iss.value);
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
                if (token.issuer_verified) {
                    out.issuer = copy_to_cstring(token.claims.iss.value);
                    out.issuer_kid = copy_to_cstring(token.issuer_kid);
                    if (!out.issuer || !out.issuer_kid) return copy_failure_status();
                    if (token.has_issuer_role_claim_key) {
                        out.role_claim_key = copy_to_cstring(token.issuer_role_claim_key);
                        if (!out.role_claim_key) return copy_failure_status();
                    }
                }
                return Status::Ok();
            },
            report);
        if (ok || next.kind == KeyringRequest::Kind::none) {
            if (!ok && out.refresh_issuer != nullptr) wake_issuer_refresh(out.refresh_issuer);
            if (ok && out.issuer != nullptr) count_issuer_verification(out.issuer, out.issuer_kid);
            return ok;
        }
        need = next;
        read_need(need, a.now, rows, issuer_row);
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

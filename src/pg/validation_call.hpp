// One strict validation as the SQL functions run it: the arguments in
// plain memory (read before any C++ object exists), the key sources, the
// core call, and the revocation probe after it.
#pragma once

#include "pg/boundary.hpp"

#include <string_view>
#include <type_traits>

#include "core/key.hpp"

namespace pgjwt::pg {

struct TextList {
    int count = 0;
    char **items = nullptr;
};

struct ValidationArguments {
    std::string_view token;
    bool has_key = false;
    std::string_view key;
    KeyEncoding key_encoding = KeyEncoding::text;
    TextList algorithms, required;
    const char *audience = nullptr, *issuer = nullptr, *typ = nullptr;
    double leeway = 0;
    bool has_max_age = false;
    double max_age = 0;
    TimestampTz now = 0;
    const char *configured_jwks = nullptr;
    // audience / issuer came from pg_jwt.audience / pg_jwt.issuer.
    bool audience_is_default = false, issuer_is_default = false;
    // Without a key: pg_jwt.known_issuers_only, and the statement's start
    // (the time an issuer's keys must be fresh at, whatever `now` says).
    bool known_issuers_only = false;
    TimestampTz wall_now = 0;
};

// Policy from the pg_jwt.* settings: leeway, audience, issuer.
void apply_policy_settings(ValidationArguments &a);
// With no key given: the pg_jwt.jwks setting and pg_jwt.known_issuers_only.
// The keyring and the configured issuers are read during validation, as far
// as the token needs them (run_validation).
void load_configured_keys(ValidationArguments &a);

// A valid token's claims (JSON object text) and jti (nullptr when it has
// none as a string), in palloc'd memory.
struct ValidationResult {
    char *claims = nullptr;
    char *jti = nullptr;
    // A refused token's configured issuer whose keys a fetch may help with
    // (issuer_worker.hpp wakes the worker for it).
    char *refresh_issuer = nullptr;
    // A valid token of a configured issuer: the issuer and the kid of the
    // key that verified it ("" for none), for the per-key counters.
    char *issuer = nullptr;
    char *issuer_kid = nullptr;
    // ... and its jwt.issuers.role_claim_key, when not NULL (jwt.authenticate
    // reads the role there instead of at pg_jwt.role_claim_key).
    char *role_claim_key = nullptr;
};

// Validates `a.token` and raises on any fault, a revoked jti included: the
// way of jwt.validate and jwt.authenticate.
ValidationResult validate_or_raise(const ValidationArguments &a);

// The same without raising for the validation's faults: false with
// `report` filled (jwt.is_valid turns token faults into false), and no
// revocation probe (call jti_revoked after it). Without a key, what the
// token needs of jwt.keys that the backend's cache lacks is read between
// rounds of the core call, outside it (SPI may raise).
bool run_validation(const ValidationArguments &a, ValidationResult &out, ErrorReport &report);

// The arguments are read before any C++ object exists and held across
// PostgreSQL calls: plain data only.
static_assert(std::is_trivially_destructible_v<ValidationArguments>);
static_assert(std::is_trivially_destructible_v<ValidationResult>);

}  // namespace pgjwt::pg

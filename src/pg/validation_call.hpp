// One strict validation as the SQL functions run it: the arguments in
// plain memory (read before any C++ object exists), the key sources, the
// core call, and the revocation probe after it.
#pragma once

#include "pg/guard.hpp"

#include <string_view>

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
};

// Policy from the pg_jwt.* settings: leeway, audience, issuer.
void apply_policy_settings(ValidationArguments &a);
// With no key given: the pg_jwt.jwks setting. The keyring is read during
// validation, as far as the token needs it (run_validation).
void load_configured_keys(ValidationArguments &a);

// The core validation (inside run_core). On success `claims` is the payload
// as a C string and `jti` the token's jti, or nullptr. Without a key: what
// the token needs of jwt.keys that the backend's cache lacks is read between
// rounds of the core call, outside it (SPI may raise).
bool run_validation(const ValidationArguments &a, char *&claims, char *&jti, ErrorReport &report);

// Raises 28000 when `jti` is revoked at `now` (call after run_validation).
void check_not_revoked(const char *jti, TimestampTz now);

}  // namespace pgjwt::pg

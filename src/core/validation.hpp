// Strict JWT validation (RFC 7519 section 4.1, RFC 8725): the claims are
// returned only when every rule of the policy holds; otherwise the Status
// says exactly which rule failed (Fault::token_rejected), unless the token is
// malformed (Fault::malformed_token) or the caller's key or policy is unusable
// (Fault::invalid_argument). Revocation is checked by the caller afterwards,
// with the jti this returns (it needs the database).
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "algorithm.hpp"
#include "claims.hpp"
#include "jws.hpp"
#include "key.hpp"
#include "key_algorithms.hpp"
#include "keyring.hpp"
#include "status.hpp"

namespace pgjwt {

class IssuerCache;

// The largest leeway accepted, from an argument or the pg_jwt.leeway setting.
constexpr double kMaxLeewaySeconds = 300;

struct ValidationPolicy {
    std::vector<Algorithm> algorithms;  // allowed; empty: the key's own (see default_algorithms)
    bool has_audience = false;
    std::string audience;
    bool has_issuer = false;
    std::string issuer;
    bool has_typ = false;
    std::string typ;
    double leeway = 0;  // seconds, 0..kMaxLeewaySeconds
    bool has_max_age = false;
    double max_age = 0;  // seconds
    std::vector<std::string> required;
    double now = 0;  // seconds since the epoch
    // The audience and issuer above came from a setting (pg_jwt.audience,
    // pg_jwt.issuer), not from the caller: a configured issuer's own
    // audiences replace such an audience, and such an issuer does not apply
    // to a configured issuer's tokens (their "iss" is that issuer).
    bool audience_is_default = false;
    bool issuer_is_default = false;
    // Set for a configured issuer's token (issuer_validation.hpp): its "aud"
    // must hold one of these; audience_optional lets a token without "aud" pass.
    bool has_issuer_audiences = false;
    std::vector<std::string> issuer_audiences;
    bool audience_optional = false;
};

// Where the keys come from: the caller's key (text or bytea), or else the
// keyring (through the backend's cache of what has been read of it) and the
// pg_jwt.jwks setting (public keys only).
struct ValidationKeys {
    bool has_material = false;
    std::string_view material;
    KeyEncoding encoding = KeyEncoding::text;
    KeyringCache *keyring = nullptr;
    std::string_view configured_jwks;
    // With the keyring: the configured issuers (jwt.issuers), tried first by
    // the token's "iss"; nullptr: none consulted.
    IssuerCache *issuers = nullptr;
    // pg_jwt.known_issuers_only: a token whose "iss" is not configured is
    // refused unless the policy names the issuer it must have.
    bool known_issuers_only = false;
    // The time an issuer's keys must be fresh at (seconds since 1970): the
    // server's, never the caller's `now`.
    double wall_now = 0;
};

struct ValidatedToken {
    Jws jws;  // jws.payload is the claims' JSON text
    RegisteredClaims claims;
    // Set (with Fault::internal) when the keyring cache lacks what this token
    // needs: the caller reads it from jwt.keys, stores it and calls again.
    KeyringRequest keyring_request;
    // Set when the token was refused because its configured issuer's keys
    // are missing, stale, or lack its kid: a fetch of that issuer's keys
    // (claims.iss) may help, and the caller may ask for one.
    bool wants_issuer_refresh = false;
    // A configured issuer's token that validated (issuer_verified): the kid
    // of the key that verified it (empty for a key without kid), for the
    // per-key counters.
    bool issuer_verified = false;
    std::string issuer_kid;
    // ... and that issuer's role claim key, when its row sets one.
    bool has_issuer_role_claim_key = false;
    std::string issuer_role_claim_key;
};

// With keys.issuers, a token whose "iss" names a configured issuer is
// checked with that issuer's fetched keys, algorithms and audiences only
// (issuer_validation.hpp). Otherwise, with keys.keyring: a token with a kid is checked with the
// keyring key of that kid (or a pg_jwt.jwks key of that kid), one without against the newest
// kMaxCandidateKeys usable keys of the token's algorithm (which must be allowed), then the
// pg_jwt.jwks keys for it. Keys are usable while active, from not_before and until expires_at.
Status jwt_validate(std::string_view token, const ValidationKeys &keys,
                    const ValidationPolicy &policy, ValidatedToken &out);

// "2026-01-01T00:00:00Z" (fractions of a second kept when present).
std::string iso8601_utc(double seconds);

}  // namespace pgjwt

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
};

struct ValidatedToken {
    Jws jws;  // jws.payload is the claims' JSON text
    RegisteredClaims claims;
    // Set (with Fault::internal) when the keyring cache lacks what this token
    // needs: the caller reads it from jwt.keys, stores it and calls again.
    KeyringRequest keyring_request;
};

// With keys.keyring: a token with a kid is checked with the keyring key of
// that kid (or a pg_jwt.jwks key of that kid), one without against the
// newest kMaxCandidateKeys usable keys of the token's algorithm (which must
// be allowed), then the pg_jwt.jwks keys for it. Keys are usable while
// active, from not_before and until expires_at.
Status jwt_validate(std::string_view token, const ValidationKeys &keys,
                    const ValidationPolicy &policy, ValidatedToken &out);

// "2026-01-01T00:00:00Z" (fractions of a second kept when present).
std::string iso8601_utc(double seconds);

}  // namespace pgjwt

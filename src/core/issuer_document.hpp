// What an identity provider publishes, checked before pg_jwt keeps any of
// it: its OpenID Connect discovery document (OpenID Connect Discovery 1.0
// section 4) and its JWK set (RFC 7517 section 5). Documents are told apart
// by their content, never by their URL. No network here (issuer_refresh
// fetches), so every rule is a unit test.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "status.hpp"

namespace pgjwt {

enum class DocumentKind { key_set, discovery };

struct DiscoveryDocument {
    std::string issuer;    // its "issuer"
    std::string jwks_uri;  // its "jwks_uri"
};

// A JSON object with a member "keys" is a JWK set; one with "jwks_uri" (and
// no "keys") a discovery document, whose "issuer" and "jwks_uri" must be
// strings. Anything else is refused (Fault::invalid_argument, or the JSON
// layer's fault for text that is not JSON).
Status classify_document(std::string_view body, DocumentKind &kind, DiscoveryDocument &discovery);

// A discovery document names the issuer it describes: it must be exactly
// the configured one (OpenID Connect Discovery section 4.3).
Status check_discovery_issuer(const DiscoveryDocument &discovery, std::string_view issuer);

// One key of a published set that validation may use.
struct PublishedKey {
    bool has_kid = false;
    std::string kid;
    std::string algorithm;  // its "alg", else the default for its type (RS256, ES256, ...)
    std::string jwk;        // its public JWK, as jwk_text writes it
};

struct PublishedKeySet {
    std::vector<PublishedKey> keys;    // the usable keys, in the set's order
    std::vector<std::string> skipped;  // one line per key left out, saying why
    std::string jwks;                  // {"keys":[...]} of the usable keys
};

// Checks a fetched JWK set and keeps its usable keys. The whole set is
// refused when it is not a JWK set, has more than kMaxKeySetKeys keys
// (Fault::too_large), holds private or symmetric key material (a provider
// publishes public keys only: nothing of such a set is kept), has two keys
// with one kid, or has a key whose "alg" contradicts its "kty" or "crv".
// Keys that validation cannot use are left out (RFC 7517 section 5): "use"
// other than "sig", an unknown "kty" or "alg", "key_ops" without "verify",
// and keys that do not import or do not fit their algorithm (an RSA key
// under 2048 bits). A set with no usable key left is refused.
Status check_published_key_set(std::string_view body, PublishedKeySet &out);

}  // namespace pgjwt

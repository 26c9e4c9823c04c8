// Firebase's published key set: a JSON object mapping each kid to an X.509
// certificate in PEM (https://www.googleapis.com/robot/v1/metadata/x509/
// securetoken@system.gserviceaccount.com). pg_jwt reads it wherever it reads
// a JWK set: OpenSSL decodes each certificate, and its public key becomes
// the members of a public JWK with the map's kid. The certificate itself
// (issuer, validity dates, signature) is not checked, as for a certificate
// given as a key (key_import.hpp): the map is trusted as the set is.
#pragma once
#include "core_guard.hpp"

#include <string_view>

#include "json_dom.hpp"
#include "jwk.hpp"

namespace pgjwt {

// Firebase's form: a JSON object whose every member (at least one) is a
// string holding a PEM certificate, named by its kid.
bool is_certificate_map(simdjson::dom::object object);

// Fills the key members of `jwk` (kty, and n and e, or crv, x and y) from
// the certificate `pem`; a certificate OpenSSL cannot read, or whose key
// JOSE cannot use, leaves its reason in jwk.problem.
void certificate_members(std::string_view pem, JwkMembers &jwk);

}  // namespace pgjwt

#include "certificate_map.hpp"

#include "jwk_export.hpp"
#include "key_import.hpp"
#include "openssl_error.hpp"
#include "text.hpp"

namespace pgjwt {

bool is_certificate_map(simdjson::dom::object object) {
    size_t members = 0;
    for (simdjson::dom::key_value_pair field : object) {
        if (field.value.type() != simdjson::dom::element_type::STRING) return false;
        if (!trim_space(field.value.get_string().value_unsafe())
                 .starts_with("-----BEGIN CERTIFICATE-----"))
            return false;
        members++;
    }
    return members > 0;
}

void certificate_members(std::string_view pem, JwkMembers &jwk) {
    ImportedKey key;
    // import_pem reads the certificate with OpenSSL (PEM_read_bio_X509) and
    // takes its public key (X509_get_pubkey), with the checks every
    // imported key gets.
    // The map's values start with a certificate block (jwk.cpp), the one
    // block import_pem reads: never a private key.
    Status s = import_pem(pem, key);
    if (s.ok()) s = public_members(key, jwk);
    if (!s.ok()) {
        openssl_clear_errors();
        jwk.problem = std::move(s);
    }
}

}  // namespace pgjwt

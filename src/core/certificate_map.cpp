#include "certificate_map.hpp"

#include "jwk_export.hpp"
#include "key_import.hpp"
#include "openssl_error.hpp"

namespace pgjwt {

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

// The keys of a published set (a JWK set, or Firebase's certificate map) as
// pg_jwt uses them. RFC 7517 section 5: a consumer ignores the keys it does
// not understand. So a key for encryption ("use":"enc", such as Keycloak's
// RSA-OAEP key), a key whose "key_ops" exclude signatures, a key of a type
// or curve no JOSE signature algorithm uses (X25519, AKP), a key whose
// "alg" pg_jwt does not implement or that does not fit its type, and a key
// whose members are broken are all skipped; the set is usable as long as
// one key is. Every message about one key names it by its position and kid
// ("keys[1] (kid "enc-1")"), so that an operator can find it.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <vector>

#include "jwk.hpp"
#include "key_import.hpp"
#include "status.hpp"

namespace pgjwt {

struct SetKey {
    JwkMembers jwk;
    std::string label;  // key_label(jwk)
    bool kept = false;
    ImportedKey key;  // when kept
    Status skipped;   // when not: invalid_argument, detail a sentence naming the key
    // Skipped because OpenSSL refused the key: a reason that an OpenSSL
    // failure (an allocation) would give as well, so a cache must not keep
    // the set this way (the next call imports it again).
    bool uncertain = false;
};

// True when a key of `keys` was skipped for a reason OpenSSL gave.
bool any_uncertain(const std::vector<SetKey> &keys);

// "keys[1]", or "certificate 0" in a certificate map: positions count from
// 0, as in JSON.
std::string key_position(const JwkMembers &jwk);
// The position with the kid: "keys[1] (kid "enc-1")".
std::string key_label(const JwkMembers &jwk);

// Ok when pg_jwt understands `jwk` as a signature key (before importing
// it); otherwise why not, as a lower-case clause in the message.
Status check_understood(const JwkMembers &jwk);

// Imports every key of a set (`members` from parse_jwk_text with is_set;
// moved into `out`) that pg_jwt understands; the others are not kept, with
// the reason. Two kept keys of one type with one kid are refused (RFC 7517
// section 4.5 lets keys of different types share a kid). Faults other than
// invalid_argument (a cancel, an OpenSSL failure) fail the whole set.
Status import_set_keys(std::vector<JwkMembers> &members, std::vector<SetKey> &out);

// "<label> is skipped: <reason>." (with the reason's detail after it).
std::string skipped_sentence(const std::string &label, const Status &why);
// "<label> does not fit <alg>." (with the reason's detail after it).
std::string unfit_sentence(const std::string &label, std::string_view alg, const Status &why);

// A detail made of such sentences: the first kMaxListedKeys of them, then
// how many more there are.
constexpr size_t kMaxListedKeys = 8;
std::string sentences_detail(const std::vector<std::string> &sentences);

// The sentences of the keys of `keys` that are not kept.
std::vector<std::string> skipped_sentences(const std::vector<SetKey> &keys);

}  // namespace pgjwt

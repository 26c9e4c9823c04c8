#include "key.hpp"

#include <array>
#include <string>

#include "jwk.hpp"
#include "key_import.hpp"
#include "key_set.hpp"
#include "limits.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

bool looks_like_openssh_key(std::string_view s) {
    constexpr std::array kPrefixes = {
        "ssh-rsa ",    "ssh-dss ", "ssh-ed25519 ", "ssh-ed448 ",
        "ecdsa-sha2-", "sk-ssh-",  "sk-ecdsa-",    "---- BEGIN SSH2 PUBLIC KEY ----"};
    for (std::string_view p : kPrefixes)
        if (s.starts_with(p)) return true;
    return false;
}

Status refuse(const char *what) {
    return Status::InvalidArgument(
        std::string("key is ") + what + ", not an HMAC secret",
        "An HS* algorithm needs a shared secret; using public key material as one would let "
        "anyone who knows the public key forge tokens.");
}

Status resolve(Algorithm alg, std::string_view material, KeyEncoding encoding, KeyPurpose purpose,
               Key &out) {
    out = Key{};
    PGJWT_TRY(check_key_size(material));
    if (encoding == KeyEncoding::binary && algorithm_family(alg) != AlgorithmFamily::hmac)
        return Status::InvalidArgument(
            "binary keys are HMAC secrets only",
            "Pass a " + std::string(algorithm_name(alg)) + " key as PEM or JWK text.");
    return resolve_key_set(alg, material, encoding, purpose, out.set);
}

}  // namespace

Status check_secret_bytes(std::string_view bytes) {
    if (bytes.empty()) return Status::InvalidArgument("HMAC secret must not be empty");
    return Status::Ok();
}

Status check_secret_text(std::string_view text) {
    PGJWT_TRY(check_secret_bytes(text));
    std::string_view t = trim_space(text);
    if (t.starts_with("-----BEGIN OPENSSH")) return refuse("an OpenSSH key");
    if (t.starts_with("-----BEGIN")) return refuse("a PEM block");
    if (looks_like_openssh_key(t)) return refuse("an OpenSSH key");
    if (looks_like_json_object(t)) return refuse("a JSON object (a JWK or JWKS)");
    return Status::Ok();
}

Status resolve_key(Algorithm alg, std::string_view material, KeyEncoding encoding, Key &out) {
    return resolve(alg, material, encoding, KeyPurpose::verify, out);
}

Status resolve_signing_key(Algorithm alg, std::string_view material, KeyEncoding encoding,
                           Key &out) {
    return resolve(alg, material, encoding, KeyPurpose::sign, out);
}

}  // namespace pgjwt

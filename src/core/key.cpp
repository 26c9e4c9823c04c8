#include "key.hpp"

#include <array>
#include <string>
#include <vector>

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

Status algorithm_for_key(std::string_view requested, bool has_requested, std::string_view jwk_text,
                         Algorithm &out) {
    if (has_requested) return algorithm_from_argument(requested, out);
    std::vector<JwkMembers> keys;
    bool is_set = false;
    PGJWT_TRY(parse_jwk_text(jwk_text, keys, is_set));
    const std::string *alg = nullptr;
    for (const JwkMembers &k : keys) {
        if (!k.has_alg || (alg != nullptr && *alg != k.alg)) {
            alg = nullptr;
            break;
        }
        alg = &k.alg;
    }
    if (alg == nullptr)
        return Status::InvalidArgument(
            "algorithm must be given",
            is_set ? "The keys of the JWK set do not all name the same \"alg\"."
                   : "The JWK has no \"alg\" member.");
    return algorithm_from_argument(*alg, out);
}

Status resolve_key(Algorithm alg, std::string_view material, KeyEncoding encoding, Key &out) {
    return resolve(alg, material, encoding, KeyPurpose::verify, out);
}

Status resolve_signing_key(Algorithm alg, std::string_view material, KeyEncoding encoding,
                           Key &out) {
    return resolve(alg, material, encoding, KeyPurpose::sign, out);
}

}  // namespace pgjwt

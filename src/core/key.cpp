#include "key.hpp"

#include <array>

#include "json.hpp"

namespace pgjwt {
namespace {

std::string_view trim(std::string_view s) {
    constexpr std::string_view kSpace = " \t\r\n\f\v";
    size_t b = s.find_first_not_of(kSpace);
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(kSpace);
    return s.substr(b, e - b + 1);
}

bool looks_like_openssh_key(std::string_view s) {
    constexpr std::array kPrefixes = {"ssh-rsa ", "ssh-dss ", "ssh-ed25519 ", "ssh-ed448 ",
                                      "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"};
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

}  // namespace

Status check_secret_bytes(std::string_view bytes) {
    if (bytes.empty()) return Status::InvalidArgument("HMAC secret must not be empty");
    return Status::Ok();
}

Status check_secret_text(std::string_view text) {
    PGJWT_TRY(check_secret_bytes(text));
    std::string_view t = trim(text);
    if (t.starts_with("-----BEGIN")) return refuse("a PEM block");
    if (looks_like_openssh_key(t)) return refuse("an OpenSSH key");
    // Any JSON object given as a secret is a JWK, a JWKS or a mistake: refuse all.
    if (t.starts_with("{") && validate_json_object(json_input(t), "key").ok())
        return refuse("a JSON object (a JWK or JWKS)");
    return Status::Ok();
}

Status resolve_key(Algorithm alg, std::string_view material, KeyEncoding encoding, Key &out) {
    switch (algorithm_family(alg)) {
        case AlgorithmFamily::hmac:
            PGJWT_TRY(encoding == KeyEncoding::text ? check_secret_text(material)
                                                    : check_secret_bytes(material));
            out.secret = material;
            return Status::Ok();
    }
    return Status::Internal("unsupported algorithm family");
}

}  // namespace pgjwt

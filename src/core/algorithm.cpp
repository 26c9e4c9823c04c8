#include "algorithm.hpp"
#include "text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

namespace pgjwt {
namespace {

struct AlgorithmInfo {
    Algorithm alg;
    std::string_view name;
    AlgorithmFamily family;
    Digest digest;
    Curve curve;
};

using F = AlgorithmFamily;
constexpr std::array kAlgorithms = {
    AlgorithmInfo{Algorithm::HS256, "HS256", F::hmac, Digest::sha256, Curve::none},
    AlgorithmInfo{Algorithm::HS384, "HS384", F::hmac, Digest::sha384, Curve::none},
    AlgorithmInfo{Algorithm::HS512, "HS512", F::hmac, Digest::sha512, Curve::none},
    AlgorithmInfo{Algorithm::RS256, "RS256", F::rsa_pkcs1, Digest::sha256, Curve::none},
    AlgorithmInfo{Algorithm::RS384, "RS384", F::rsa_pkcs1, Digest::sha384, Curve::none},
    AlgorithmInfo{Algorithm::RS512, "RS512", F::rsa_pkcs1, Digest::sha512, Curve::none},
    AlgorithmInfo{Algorithm::PS256, "PS256", F::rsa_pss, Digest::sha256, Curve::none},
    AlgorithmInfo{Algorithm::PS384, "PS384", F::rsa_pss, Digest::sha384, Curve::none},
    AlgorithmInfo{Algorithm::PS512, "PS512", F::rsa_pss, Digest::sha512, Curve::none},
    AlgorithmInfo{Algorithm::ES256, "ES256", F::ecdsa, Digest::sha256, Curve::p256},
    AlgorithmInfo{Algorithm::ES384, "ES384", F::ecdsa, Digest::sha384, Curve::p384},
    AlgorithmInfo{Algorithm::ES512, "ES512", F::ecdsa, Digest::sha512, Curve::p521},
    AlgorithmInfo{Algorithm::ES256K, "ES256K", F::ecdsa, Digest::sha256, Curve::secp256k1},
    AlgorithmInfo{Algorithm::EdDSA, "EdDSA", F::eddsa, Digest::none, Curve::none},
    AlgorithmInfo{Algorithm::Ed25519, "Ed25519", F::eddsa, Digest::none, Curve::ed25519},
    AlgorithmInfo{Algorithm::Ed448, "Ed448", F::eddsa, Digest::none, Curve::ed448},
};

const AlgorithmInfo &info(Algorithm alg) {
    return kAlgorithms[static_cast<size_t>(alg)];
}

struct CurveInfo {
    Curve curve;
    std::string_view name;
    size_t field_size;
};
constexpr std::array kCurves = {
    CurveInfo{Curve::p256, "P-256", 32},      CurveInfo{Curve::p384, "P-384", 48},
    CurveInfo{Curve::p521, "P-521", 66},      CurveInfo{Curve::secp256k1, "secp256k1", 32},
    CurveInfo{Curve::ed25519, "Ed25519", 32}, CurveInfo{Curve::ed448, "Ed448", 57},
};

}  // namespace

namespace {

// Every name fits in 8 bytes: names are compared as one integer each (with
// the length, so that a NUL byte cannot pass for the end), 16 compares
// instead of 16 string comparisons on every call with an algorithm argument.
constexpr std::array<uint64_t, kAlgorithms.size()> make_packed_names() {
    std::array<uint64_t, kAlgorithms.size()> packed{};
    for (size_t i = 0; i < kAlgorithms.size(); i++)
        packed[i] = pack_short_name(kAlgorithms[i].name);
    return packed;
}
constexpr auto kPackedNames = make_packed_names();
static_assert(std::all_of(kAlgorithms.begin(), kAlgorithms.end(),
                          [](const AlgorithmInfo &a) { return a.name.size() <= 8; }));

}  // namespace

std::optional<Algorithm> parse_algorithm(std::string_view name) {
    if (name.size() > 8) return std::nullopt;
    uint64_t packed = pack_short_name(name);
    for (size_t i = 0; i < kAlgorithms.size(); i++)
        if (kPackedNames[i] == packed && kAlgorithms[i].name.size() == name.size())
            return kAlgorithms[i].alg;
    return std::nullopt;
}

std::string_view algorithm_name(Algorithm alg) {
    return info(alg).name;
}
AlgorithmFamily algorithm_family(Algorithm alg) {
    return info(alg).family;
}
Digest algorithm_digest(Algorithm alg) {
    return info(alg).digest;
}
Curve algorithm_curve(Algorithm alg) {
    return info(alg).curve;
}

size_t digest_size(Digest digest) {
    switch (digest) {
        case Digest::sha256:
            return 32;
        case Digest::sha384:
            return 48;
        case Digest::sha512:
            return 64;
        case Digest::none:
            break;
    }
    return 0;
}

const char *digest_openssl_name(Digest digest) {
    switch (digest) {
        case Digest::sha256:
            return "SHA256";
        case Digest::sha384:
            return "SHA384";
        case Digest::sha512:
            return "SHA512";
        case Digest::none:
            break;
    }
    return "";
}

std::string_view curve_name(Curve curve) {
    for (const auto &c : kCurves)
        if (c.curve == curve) return c.name;
    return "none";
}

std::optional<Curve> parse_curve(std::string_view jwk_crv) {
    for (const auto &c : kCurves)
        if (c.name == jwk_crv) return c.curve;
    return std::nullopt;
}

size_t curve_field_size(Curve curve) {
    for (const auto &c : kCurves)
        if (c.curve == curve) return c.field_size;
    return 0;
}

Status algorithm_from_argument(std::string_view name, Algorithm &out) {
    if (auto alg = parse_algorithm(name)) {
        out = *alg;
        return Status::Ok();
    }
    std::string known;
    for (const auto &a : kAlgorithms) {
        if (!known.empty()) known += ", ";
        known += a.name;
    }
    return Status::InvalidArgument(
        "unsupported algorithm \"" + excerpt(name, 32) + "\"",
        "Supported algorithms are " + known + " (names are case-sensitive).");
}

}  // namespace pgjwt

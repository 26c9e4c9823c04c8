#include "algorithm.hpp"

#include <array>

namespace pgjwt {
namespace {

struct AlgorithmInfo {
    Algorithm alg;
    std::string_view name;
    AlgorithmFamily family;
    Digest digest;
};

constexpr std::array kAlgorithms = {
    AlgorithmInfo{Algorithm::HS256, "HS256", AlgorithmFamily::hmac, Digest::sha256},
    AlgorithmInfo{Algorithm::HS384, "HS384", AlgorithmFamily::hmac, Digest::sha384},
    AlgorithmInfo{Algorithm::HS512, "HS512", AlgorithmFamily::hmac, Digest::sha512},
};

const AlgorithmInfo &info(Algorithm alg) { return kAlgorithms[static_cast<size_t>(alg)]; }

}  // namespace

std::optional<Algorithm> parse_algorithm(std::string_view name) {
    for (const auto &a : kAlgorithms)
        if (a.name == name) return a.alg;
    return std::nullopt;
}

std::string_view algorithm_name(Algorithm alg) { return info(alg).name; }
AlgorithmFamily algorithm_family(Algorithm alg) { return info(alg).family; }
Digest algorithm_digest(Algorithm alg) { return info(alg).digest; }

size_t digest_size(Digest digest) {
    switch (digest) {
        case Digest::sha256:
            return 32;
        case Digest::sha384:
            return 48;
        case Digest::sha512:
            return 64;
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
    }
    return "";
}

}  // namespace pgjwt

namespace pgjwt {

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
    return Status::InvalidArgument("unsupported algorithm \"" + std::string(name.substr(0, 32)) + "\"",
                                   "Supported algorithms are " + known + " (names are case-sensitive).");
}

}  // namespace pgjwt

#include "jwk_set.hpp"

#include <algorithm>

#include "algorithm.hpp"
#include "cancel.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

Status skip(std::string reason) {
    return Status::InvalidArgument(std::move(reason));
}

std::string quoted(std::string_view text) {
    return "\"" + excerpt(text) + "\"";
}

bool family_fits_type(AlgorithmFamily family, std::string_view kty) {
    switch (family) {
        case AlgorithmFamily::hmac:
            return kty == "oct";
        case AlgorithmFamily::rsa_pkcs1:
        case AlgorithmFamily::rsa_pss:
            return kty == "RSA";
        case AlgorithmFamily::ecdsa:
            return kty == "EC";
        case AlgorithmFamily::eddsa:
            return kty == "OKP";
    }
    return false;
}

// Its "alg", when it names one: an algorithm pg_jwt implements, for the
// key's type and curve (each key is bound to its own family by its kty).
Status check_alg(const JwkMembers &jwk, Curve curve) {
    if (!jwk.has_alg) return Status::Ok();
    std::optional<Algorithm> alg = parse_algorithm(jwk.alg);
    if (!alg)
        return skip("its \"alg\" " + quoted(jwk.alg) +
                    " is not a signature algorithm pg_jwt implements");
    if (!family_fits_type(algorithm_family(*alg), jwk.kty))
        return skip("its \"alg\" " + quoted(jwk.alg) + " is not for kty " + jwk.kty);
    Curve wanted = algorithm_curve(*alg);
    if (wanted != Curve::none && wanted != curve)
        return skip("its \"alg\" " + quoted(jwk.alg) + " is not for curve " +
                    std::string(curve_name(curve)));
    return Status::Ok();
}

}  // namespace

std::string key_position(const JwkMembers &jwk) {
    return jwk.from_certificate ? "certificate " + std::to_string(jwk.index)
                                : "keys[" + std::to_string(jwk.index) + "]";
}

std::string key_label(const JwkMembers &jwk) {
    std::string label = key_position(jwk);
    if (jwk.has_kid) label += " (kid " + quoted(jwk.kid) + ")";
    return label;
}

Status check_understood(const JwkMembers &jwk) {
    if (!jwk.problem.ok()) return jwk.problem;
    if (jwk.has_use && jwk.use != "sig")
        return skip("its \"use\" is " + quoted(jwk.use) + ", not \"sig\"");
    if (jwk.has_key_ops &&
        std::none_of(jwk.key_ops.begin(), jwk.key_ops.end(),
                     [](const std::string &op) { return op == "sign" || op == "verify"; }))
        return skip("its \"key_ops\" allow neither \"sign\" nor \"verify\"");
    Curve curve = Curve::none;
    if (jwk.kty == "EC" || jwk.kty == "OKP") {
        std::optional<Curve> parsed = parse_curve(jwk.crv);
        bool okp_curve = parsed && (*parsed == Curve::ed25519 || *parsed == Curve::ed448);
        if (!parsed || okp_curve != (jwk.kty == "OKP"))
            return skip("unsupported curve " + quoted(jwk.crv) + " for kty " + jwk.kty);
        curve = *parsed;
    } else if (jwk.kty != "oct" && jwk.kty != "RSA") {
        return skip("unsupported key type " + quoted(jwk.kty));
    }
    return check_alg(jwk, curve);
}

Status import_set_keys(std::vector<JwkMembers> &members, std::vector<SetKey> &out) {
    out.clear();
    out.reserve(members.size());
    for (JwkMembers &jwk : members) {
        // Importing a key can cost milliseconds (an EC point check, an RSA
        // private key's self-test): a set is bounded, and the work stops
        // between keys on cancel (DESIGN.md section 2.8).
        if (cancel_requested()) return cancelled();
        SetKey &k = out.emplace_back();
        k.jwk = std::move(jwk);
        k.label = key_label(k.jwk);
        Status s = check_understood(k.jwk);
        // A certificate's problem came from OpenSSL, like an import's.
        k.uncertain = k.jwk.from_certificate && !k.jwk.problem.ok();
        if (s.ok()) {
            s = import_jwk(k.jwk, k.key);
            k.uncertain = !s.ok();
        }
        if (s.ok()) {
            k.kept = true;
            continue;
        }
        if (s.fault != Fault::invalid_argument) return s;
        k.key = ImportedKey{};
        k.skipped = Status::InvalidArgument(s.message, skipped_sentence(k.label, s));
    }
    for (size_t i = 0; i < out.size(); i++) {
        const SetKey &a = out[i];
        if (!a.kept || !a.jwk.has_kid) continue;
        for (size_t j = i + 1; j < out.size(); j++) {
            const SetKey &b = out[j];
            if (!b.kept || !b.jwk.has_kid || b.jwk.kid != a.jwk.kid || b.key.type != a.key.type)
                continue;
            return Status::InvalidArgument(
                "JWK set has duplicate kid " + quoted(a.jwk.kid),
                key_position(a.jwk) + " and " + key_position(b.jwk) + " (kid " + quoted(a.jwk.kid) +
                    ") are both " + std::string(key_type_name(a.key.type)) +
                    " keys; only keys of different types may share a kid.");
        }
    }
    return Status::Ok();
}

std::string skipped_sentence(const std::string &label, const Status &why) {
    std::string s = label + " is skipped: " + why.message + ".";
    if (!why.detail.empty()) s += " " + why.detail;
    return s;
}

std::string unfit_sentence(const std::string &label, std::string_view alg, const Status &why) {
    std::string s = label + " does not fit " + std::string(alg) + ".";
    if (!why.detail.empty()) s += " " + why.detail;
    return s;
}

std::string sentences_detail(const std::vector<std::string> &sentences) {
    std::string detail;
    size_t listed = std::min(sentences.size(), kMaxListedKeys);
    for (size_t i = 0; i < listed; i++) {
        if (i) detail += " ";
        detail += sentences[i];
    }
    size_t more = sentences.size() - listed;
    if (more == 1) detail += " 1 more key is not usable.";
    if (more > 1) detail += " " + std::to_string(more) + " more keys are not usable.";
    return detail;
}

bool any_uncertain(const std::vector<SetKey> &keys) {
    return std::any_of(keys.begin(), keys.end(), [](const SetKey &k) { return k.uncertain; });
}

std::vector<std::string> skipped_sentences(const std::vector<SetKey> &keys) {
    std::vector<std::string> sentences;
    for (const SetKey &k : keys)
        if (!k.kept) sentences.push_back(k.skipped.detail);
    return sentences;
}

}  // namespace pgjwt

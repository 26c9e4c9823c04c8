#include "issuer_document.hpp"

#include <algorithm>

#include "cancel.hpp"
#include "certificate_map.hpp"
#include "json_dom.hpp"
#include "json_text.hpp"
#include "jwk.hpp"
#include "key_import.hpp"
#include "key_set.hpp"
#include "limits.hpp"
#include "openssl_error.hpp"
#include "text.hpp"
#include "validation.hpp"

namespace pgjwt {
namespace {

namespace dom = simdjson::dom;

Status refused(std::string message, std::string detail = {}) {
    return Status::InvalidArgument(std::move(message), std::move(detail));
}

// "key 2 (kid \"abc\")": how messages name a key of a set.
std::string key_label(size_t index, const JwkMembers &m) {
    std::string label = "key " + std::to_string(index + 1);
    if (m.has_kid) label += " (kid \"" + excerpt(m.kid, 64) + "\")";
    return label;
}

// The private or symmetric member a key carries, or nullptr.
const char *private_member(const JwkMembers &m) {
    if (m.has_d) return "d";
    if (m.has_k) return "k";
    if (!m.p.empty()) return "p";
    if (!m.q.empty()) return "q";
    if (!m.dp.empty()) return "dp";
    if (!m.dq.empty()) return "dq";
    if (!m.qi.empty()) return "qi";
    if (m.kty == "oct") return "kty \"oct\"";
    return nullptr;
}

// Whether a known algorithm belongs to the key's type (and curve).
bool alg_fits_kty(Algorithm alg, const JwkMembers &m) {
    switch (algorithm_family(alg)) {
        case AlgorithmFamily::hmac:
            return false;
        case AlgorithmFamily::rsa_pkcs1:
        case AlgorithmFamily::rsa_pss:
            return m.kty == "RSA";
        case AlgorithmFamily::ecdsa:
            return m.kty == "EC" && m.crv == curve_name(algorithm_curve(alg));
        case AlgorithmFamily::eddsa: {
            if (m.kty != "OKP") return false;
            Curve want = algorithm_curve(alg);
            return want == Curve::none ? (m.crv == "Ed25519" || m.crv == "Ed448")
                                       : m.crv == curve_name(want);
        }
    }
    return false;
}

// Whether the key is one validation can use; `why` says why not.
Status usable_key(size_t index, const JwkMembers &m, PublishedKey &key, std::string &why) {
    const std::string label = key_label(index, m);
    if (m.has_use && m.use != "sig") {
        why = label + ": \"use\" is \"" + excerpt(m.use, 32) + "\"";
        return Status::Ok();
    }
    if (m.kty != "RSA" && m.kty != "EC" && m.kty != "OKP") {
        why = label + ": unknown \"kty\" \"" + excerpt(m.kty, 32) + "\"";
        return Status::Ok();
    }
    if (m.has_key_ops &&
        std::find(m.key_ops.begin(), m.key_ops.end(), "verify") == m.key_ops.end()) {
        why = label + ": \"key_ops\" does not allow \"verify\"";
        return Status::Ok();
    }
    Algorithm alg{};
    if (m.has_alg) {
        std::optional<Algorithm> known = parse_algorithm(m.alg);
        if (!known) {
            why = label + ": unknown \"alg\" \"" + excerpt(m.alg, 32) + "\"";
            return Status::Ok();
        }
        alg = *known;
        if (!alg_fits_kty(alg, m))
            return refused("JWK set has a key whose \"alg\" contradicts its type",
                           "The " + label + " is of type \"" + excerpt(m.kty, 16) +
                               (m.crv.empty() ? std::string() : " " + excerpt(m.crv, 16)) +
                               "\" but names algorithm \"" + excerpt(m.alg, 32) + "\".");
    }
    SecretString text = jwk_text(m);
    ImportedKey imported;
    Status s = import_jwk(m, imported);
    if (s.ok() && !m.has_alg) {
        std::vector<Algorithm> defaults;
        s = default_algorithms(text.view(), KeyEncoding::text, defaults);
        if (s.ok()) alg = defaults.front();
    }
    if (s.ok()) s = check_key_binding(alg, imported, KeyPurpose::verify);
    if (!s.ok()) {
        openssl_clear_errors();
        if (s.fault != Fault::invalid_argument) return s;
        why = label + ": " + (s.detail.empty() ? s.message : s.detail);
        return Status::Ok();
    }
    key.has_kid = m.has_kid;
    key.kid = m.kid;
    key.algorithm = std::string(algorithm_name(alg));
    key.jwk.assign(text.view());
    return Status::Ok();
}

}  // namespace

Status classify_document(std::string_view body, DocumentKind &kind, DiscoveryDocument &discovery) {
    discovery = DiscoveryDocument{};
    dom::object object;
    Status parsed = parse_json_object(json_input(body), "document", object);
    if (!parsed.ok()) {
        if (parsed.fault != Fault::malformed_token && parsed.fault != Fault::malformed_json)
            return parsed;
        return refused("document is not a JSON object",
                       parsed.detail.empty() ? parsed.message : parsed.detail);
    }
    dom::element value;
    // Firebase publishes its keys as a map of kids to X.509 certificates.
    if (object.at_key("keys").get(value) == simdjson::SUCCESS || is_certificate_map(object)) {
        kind = DocumentKind::key_set;
        return Status::Ok();
    }
    if (object.at_key("jwks_uri").get(value) != simdjson::SUCCESS)
        return refused("document is neither a JWK set nor an OpenID Connect discovery document",
                       "It has neither a member \"keys\" nor a member \"jwks_uri\", and it is "
                       "not a map of kids to X.509 certificates.");
    if (value.type() != dom::element_type::STRING)
        return refused("discovery document's \"jwks_uri\" is not a string");
    discovery.jwks_uri.assign(value.get_string().value_unsafe());
    if (object.at_key("issuer").get(value) != simdjson::SUCCESS)
        return refused("discovery document has no \"issuer\"");
    if (value.type() != dom::element_type::STRING)
        return refused("discovery document's \"issuer\" is not a string");
    discovery.issuer.assign(value.get_string().value_unsafe());
    kind = DocumentKind::discovery;
    return Status::Ok();
}

Status check_discovery_issuer(const DiscoveryDocument &discovery, std::string_view issuer) {
    if (discovery.issuer == issuer) return Status::Ok();
    return refused("discovery document is for another issuer",
                   "It names issuer \"" + excerpt(discovery.issuer, 200) + "\", not \"" +
                       excerpt(issuer, 200) + "\" (OpenID Connect Discovery section 4.3).");
}

Status check_published_key_set(std::string_view body, PublishedKeySet &out) {
    out = PublishedKeySet{};
    std::vector<JwkMembers> members;
    bool is_set = false;
    Status parsed = parse_jwk_text(body, members, is_set);
    if (!parsed.ok()) {
        if (parsed.fault != Fault::invalid_argument) return parsed;
        return refused("document is not a valid JWK set",
                       parsed.detail.empty() ? parsed.message : parsed.detail);
    }
    if (!is_set)
        return refused("document is not a JWK set",
                       "It has no member \"keys\" and is not a map of kids to X.509 "
                       "certificates.");
    // Private material refuses the whole set, before anything is imported.
    for (size_t i = 0; i < members.size(); i++)
        if (const char *member = private_member(members[i]))
            return refused("JWK set holds private or symmetric key material",
                           "The " + key_label(i, members[i]) + " has " +
                               (members[i].kty == "oct" && !members[i].has_k
                                    ? std::string(member)
                                    : "member \"" + std::string(member) + "\"") +
                               "; an identity provider publishes public keys only. Nothing of "
                               "this set was kept.");
    std::vector<std::string_view> kids;
    for (const JwkMembers &m : members)
        if (m.has_kid) kids.push_back(m.kid);
    std::sort(kids.begin(), kids.end());
    auto dup = std::adjacent_find(kids.begin(), kids.end());
    if (dup != kids.end())
        return refused("JWK set has duplicate kid \"" + excerpt(*dup) + "\"",
                       "A kid must name one key.");
    for (size_t i = 0; i < members.size(); i++) {
        // Importing checks each key (an EC point, an RSA modulus): bounded by
        // kMaxKeySetKeys, and stopped between keys on cancel.
        if (cancel_requested()) return cancelled();
        PublishedKey key;
        std::string why;
        PGJWT_TRY(usable_key(i, members[i], key, why));
        if (!why.empty())
            out.skipped.push_back(std::move(why));
        else
            out.keys.push_back(std::move(key));
    }
    if (out.keys.empty())
        return refused("JWK set has no usable key", out.skipped.empty()
                                                        ? std::string()
                                                        : "Left out: " + out.skipped.front() + ".");
    out.jwks = "{\"keys\":[";
    for (size_t i = 0; i < out.keys.size(); i++) {
        if (i) out.jwks.push_back(',');
        out.jwks.append(out.keys[i].jwk);
    }
    out.jwks.append("]}");
    return Status::Ok();
}

}  // namespace pgjwt

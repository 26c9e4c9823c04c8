#include "issuer_validation.hpp"

#include <algorithm>

#include "key_algorithms.hpp"
#include "key_set.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

std::string issuer_label(std::string_view iss) {
    return "issuer \"" + excerpt(iss, 200) + "\"";
}

Status unavailable(std::string message, std::string detail) {
    return Status{Fault::unavailable, std::move(message), std::move(detail)};
}

}  // namespace

Status issuer_algorithms(std::string_view iss, const IssuerCache::Entry &entry,
                         const std::vector<Algorithm> &requested, double wall_now,
                         std::vector<Algorithm> &out) {
    out.clear();
    const IssuerRecord &record = entry.record;
    if (!record.has_keys)
        return unavailable(
            "keys of " + issuer_label(iss) + " have not been fetched",
            "jwt.refresh_issuers() or the background worker fetches them; until then the issuer's "
            "tokens are refused.");
    if (wall_now >= record.fetched_at + record.max_stale)
        return unavailable("keys of " + issuer_label(iss) + " are stale",
                           "They were last fetched at " + iso8601_utc(record.fetched_at) +
                               " and were usable until " +
                               iso8601_utc(record.fetched_at + record.max_stale) +
                               " (max_stale in jwt.issuers); jwt.issuer_status shows why "
                               "fetching fails.");
    if (!entry.keys.status.ok())
        return unavailable("keys of " + issuer_label(iss) + " cannot be used",
                           entry.keys.status.detail.empty() ? entry.keys.status.message
                                                            : entry.keys.status.detail);
    std::vector<Algorithm> issuer_algs;
    if (record.has_algorithms) {
        for (const std::string &name : record.algorithms) {
            std::optional<Algorithm> alg = parse_algorithm(name);
            if (!alg || algorithm_family(*alg) == AlgorithmFamily::hmac)
                return Status::InvalidArgument(
                    "jwt.issuers names algorithm \"" + excerpt(name, 32) + "\" for " +
                        issuer_label(iss),
                    "An issuer's keys are public keys: RS*, PS*, ES* or EdDSA.");
            add_unique(issuer_algs, *alg);
        }
    } else {
        for (Algorithm alg : entry.keys.algorithms) add_unique(issuer_algs, alg);
    }
    for (Algorithm alg : issuer_algs)
        if (requested.empty() ||
            std::find(requested.begin(), requested.end(), alg) != requested.end())
            out.push_back(alg);
    return Status::Ok();
}

Status issuer_candidates(std::string_view iss, const IssuerCache::Entry &entry, Algorithm alg,
                         const JoseHeader &header, std::vector<std::string_view> &jwks,
                         std::vector<std::string_view> &kids, bool &kid_unknown) {
    kid_unknown = false;
    const std::vector<PublishedKey> &keys = entry.keys.keys;
    const std::string_view name = algorithm_name(alg);
    if (header.has_kid) {
        for (size_t i = 0; i < keys.size(); i++) {
            if (!keys[i].has_kid || keys[i].kid != header.kid) continue;
            if (entry.keys.algorithms[i] != alg)
                return Status::Rejected(
                    "the key named by the token's kid does not fit",
                    "The key is for " + keys[i].algorithm + ", not " + std::string(name) + ".");
            jwks.push_back(keys[i].jwk);
            kids.push_back(keys[i].kid);
            return Status::Ok();
        }
        kid_unknown = true;
        return Status::Rejected("no key of " + issuer_label(iss) + " matches the token's kid",
                                "Its keys were last fetched at " +
                                    iso8601_utc(entry.record.fetched_at) +
                                    "; a key it published since then is known after its next "
                                    "fetch.");
    }
    for (size_t i = 0; i < keys.size() && jwks.size() < kMaxCandidateKeys; i++) {
        if (entry.keys.algorithms[i] != alg) continue;
        jwks.push_back(keys[i].jwk);
        kids.push_back(keys[i].kid);
    }
    if (jwks.empty())
        return Status::Rejected(
            "no key for the token's algorithm",
            "No key of " + issuer_label(iss) + " is for " + std::string(name) + ".");
    return Status::Ok();
}

void apply_issuer_policy(const IssuerRecord &record, ValidationPolicy &policy) {
    if (policy.issuer_is_default) policy.has_issuer = false;
    if (record.has_audiences) {
        policy.has_issuer_audiences = true;
        policy.issuer_audiences = record.audiences;
        if (policy.audience_is_default) policy.has_audience = false;
    }
    policy.audience_optional = !record.audience_required;
}

}  // namespace pgjwt

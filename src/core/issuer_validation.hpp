// Validation of a token whose "iss" names a configured issuer (jwt.issuers):
// only that issuer's fetched keys verify it, only its algorithms are
// allowed, and its audiences apply. Keys never fetched, or not fetched
// successfully for longer than the issuer's max_stale, fail closed
// (Fault::unavailable). An unknown kid does not fetch anything: the token
// is refused and the keys stay as the last fetch left them.
#pragma once
#include "core_guard.hpp"

#include <string_view>
#include <vector>

#include "algorithm.hpp"
#include "issuer_cache.hpp"
#include "jose_header.hpp"
#include "status.hpp"
#include "validation.hpp"

namespace pgjwt {

// The algorithms a token of the issuer may use: the issuer's "algorithms"
// (else those of its keys), narrowed to `requested` when the caller gave
// any. Fails closed when the issuer's keys are missing, stale at
// `wall_now`, or unreadable.
Status issuer_algorithms(std::string_view iss, const IssuerCache::Entry &entry,
                         const std::vector<Algorithm> &requested, double wall_now,
                         std::vector<Algorithm> &out);

// The issuer's keys to try for a token signed with `alg`: the one its kid
// names, else every key for `alg` (at most kMaxCandidateKeys), as JWK texts
// (views into the cache entry), with their kids in `kids` (empty for a key
// without one). `kid_unknown` tells a kid that no key of the issuer has.
Status issuer_candidates(std::string_view iss, const IssuerCache::Entry &entry, Algorithm alg,
                         const JoseHeader &header, std::vector<std::string_view> &jwks,
                         std::vector<std::string_view> &kids, bool &kid_unknown);

// The issuer's rules in the policy: its audiences (when set) replace an
// audience that came from pg_jwt.audience, audience_required = false lets a
// token without "aud" pass, and pg_jwt.issuer does not apply.
void apply_issuer_policy(const IssuerRecord &record, ValidationPolicy &policy);

}  // namespace pgjwt

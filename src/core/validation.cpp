#include "validation.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>

#include "issuer_cache.hpp"
#include "issuer_validation.hpp"
#include "jwk.hpp"
#include "jwk_set.hpp"
#include "key_algorithms.hpp"
#include "key_import.hpp"
#include "key_set.hpp"
#include "limits.hpp"
#include "signature.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

Status reject(std::string message, std::string detail = {}) {
    return Status::Rejected(std::move(message), std::move(detail));
}

// "JWT" and "application/JWT" name the same type (RFC 7515 section 4.1.9).
std::string normalized_type(std::string_view typ) {
    std::string t(typ);
    std::transform(t.begin(), t.end(), t.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (t.starts_with("application/")) t.erase(0, 12);
    return t;
}

std::string algorithm_list(const std::vector<Algorithm> &algs) {
    std::string s;
    for (Algorithm a : algs) {
        if (!s.empty()) s += ", ";
        s += algorithm_name(a);
    }
    return s;
}

std::string seconds_text(double s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", s);
    return buf;
}

Status check_claims(const ValidatedToken &token, const ValidationPolicy &policy) {
    const RegisteredClaims &c = token.claims;
    const double now = policy.now, leeway = policy.leeway;
    PGJWT_TRY(check_numeric_date(c.exp, "exp"));
    PGJWT_TRY(check_numeric_date(c.nbf, "nbf"));
    PGJWT_TRY(check_numeric_date(c.iat, "iat"));
    if (c.exp.state == NumericDate::State::number && now >= c.exp.seconds + leeway)
        return reject("token has expired",
                      "The token expired at " + iso8601_utc(c.exp.seconds) + ".");
    if (c.nbf.state == NumericDate::State::number && now < c.nbf.seconds - leeway)
        return reject("token is not yet valid",
                      "The token is valid from " + iso8601_utc(c.nbf.seconds) + ".");
    if (c.iat.state == NumericDate::State::number && c.iat.seconds > now + leeway)
        return reject("token was issued in the future",
                      "The token claims to be issued at " + iso8601_utc(c.iat.seconds) + ".");
    if (policy.has_max_age) {
        if (c.iat.state != NumericDate::State::number)
            return reject("token lacks required claim \"iat\"",
                          "A maximum age is measured from \"iat\".");
        if (now - c.iat.seconds > policy.max_age + leeway)
            return reject("token is too old",
                          "The token was issued at " + iso8601_utc(c.iat.seconds) +
                              "; the maximum age is " + seconds_text(policy.max_age) + " seconds.");
    }
    if (policy.has_issuer) {
        if (c.iss.state == StringClaim::State::absent)
            return reject("token lacks required claim \"iss\"");
        if (c.iss.state != StringClaim::State::string || c.iss.value != policy.issuer)
            return reject("token issuer does not match");
    }
    if (c.has_aud && !c.aud_valid)
        return reject("token claim \"aud\" is invalid",
                      "\"aud\" must be a string or an array of strings.");
    const bool expects_audience = policy.has_audience || policy.has_issuer_audiences;
    if (!c.has_aud) {
        if (expects_audience && !policy.audience_optional)
            return reject("token lacks required claim \"aud\"");
    } else if (!expects_audience) {
        // RFC 7519 section 4.1.3: a recipient that does not identify itself
        // with a value of "aud" must reject the token.
        return reject("token has an audience but none is expected",
                      "Pass the audience this service accepts, or set pg_jwt.audience.");
    } else {
        if (policy.has_issuer_audiences &&
            std::find_first_of(c.aud.begin(), c.aud.end(), policy.issuer_audiences.begin(),
                               policy.issuer_audiences.end()) == c.aud.end())
            return reject("token audience does not match",
                          "None of its audiences is one of the issuer's (jwt.issuers).");
        if (policy.has_audience &&
            std::find(c.aud.begin(), c.aud.end(), policy.audience) == c.aud.end())
            return reject("token audience does not match");
    }
    if (c.jti.state == StringClaim::State::not_a_string)
        return reject("token claim \"jti\" is not a string");
    for (size_t i = 0; i < policy.required.size(); i++)
        if (!c.present[i])
            return reject("token lacks required claim \"" + excerpt(policy.required[i]) + "\"");
    if (policy.has_typ) {
        const JoseHeader &h = token.jws.header;
        if (!h.has_typ || normalized_type(h.typ) != normalized_type(policy.typ))
            return reject("token type does not match",
                          "Expected type \"" + excerpt(policy.typ) + "\".");
    }
    return Status::Ok();
}

// The keys of the pg_jwt.jwks setting with their JWK texts, parsed once and
// kept while the setting's text stays the same: every validation without a
// key argument reads them. A cache in front of the key cache, kept because
// parsing an identity provider's set on every validation costs a tenth of
// an RS256 validation (test/bench/README.md, "1.1.0: shortcuts measured").
// Keys pg_jwt does not understand (an identity provider's encryption key)
// are skipped, as in any set (jwk_set.hpp).
struct SettingKeys {
    bool valid = false;
    SecretString text;  // the setting's value (meant to hold public keys only)
    std::vector<SetKey> keys;
    std::vector<SecretString> texts;  // jwk_text of each kept key
    std::vector<std::string> labels;  // "<key_label> of pg_jwt.jwks"
};

Status invalid_setting(const Status &s) {
    if (s.fault != Fault::invalid_argument) return s;  // too large, cancelled
    return Status::InvalidArgument("invalid pg_jwt.jwks setting",
                                   s.detail.empty() ? s.message : s.detail);
}

// A secret in a setting is refused outright, whatever else the key says.
Status refuse_secrets(const std::vector<JwkMembers> &members, bool is_set) {
    for (const JwkMembers &m : members)
        if (m.kty == "oct")
            return Status::InvalidArgument(
                "pg_jwt.jwks must hold public keys only",
                (is_set ? key_label(m) + " is an oct key (an HMAC secret). " : std::string()) +
                    "Settings are readable by every role; keep HMAC secrets in jwt.keys.");
    return Status::Ok();
}

// `cacheable` false: a key was skipped for a reason OpenSSL gave (read the
// setting again next time).
Status read_setting(std::string_view text, SettingKeys &setting, bool &cacheable) {
    cacheable = true;
    std::vector<JwkMembers> members;
    bool is_set = false;
    Status s = parse_jwk_text(text, members, is_set);
    if (!s.ok()) return invalid_setting(s);
    PGJWT_TRY(refuse_secrets(members, is_set));
    if (is_set) {
        s = import_set_keys(members, setting.keys);
        if (!s.ok()) return invalid_setting(s);
        cacheable = !any_uncertain(setting.keys);
    } else {
        // One JWK: used as it is, or refused.
        SetKey &k = setting.keys.emplace_back();
        k.jwk = std::move(members.front());
        k.label = "the key";
        s = check_understood(k.jwk);
        if (s.ok()) s = import_jwk(k.jwk, k.key);
        if (!s.ok() && s.fault == Fault::invalid_argument)
            return Status::InvalidArgument("invalid pg_jwt.jwks setting",
                                           "Its key cannot be used: " + s.message + "." +
                                               (s.detail.empty() ? std::string() : " " + s.detail));
        PGJWT_TRY(s);
        k.kept = true;
    }
    bool any = false;
    for (const SetKey &k : setting.keys) {
        setting.texts.push_back(k.kept ? jwk_text(k.jwk) : SecretString());
        setting.labels.push_back(k.label + " of pg_jwt.jwks");
        any = any || k.kept;
    }
    if (!any)
        return Status::InvalidArgument(
            "invalid pg_jwt.jwks setting",
            "No key in it is usable. " + sentences_detail(skipped_sentences(setting.keys)));
    return Status::Ok();
}

Status configured_keys(std::string_view text, const SettingKeys *&out) {
    static SettingKeys setting;
    out = &setting;
    if (setting.valid && text == setting.text.view()) return Status::Ok();
    setting.valid = false;
    setting.keys.clear();
    setting.texts.clear();
    setting.labels.clear();
    bool cacheable = true;
    PGJWT_TRY(read_setting(text, setting, cacheable));
    setting.text = text;
    setting.valid = cacheable;
    return Status::Ok();
}

Status need(ValidatedToken &out, KeyringRequest::Kind kind, std::string_view value) {
    out.keyring_request.kind = kind;
    out.keyring_request.value.assign(value);
    return Status::Internal("keyring lookup needed");
}

// A key to try: its JWK text (a view into the keyring cache or the
// setting's keys) and how messages name it.
struct Candidate {
    std::string_view jwk;
    std::string label;
};

// The candidates: with a kid, the keyring key of that kid, else the
// pg_jwt.jwks keys of that kid (keys of different types may share one);
// without, the newest usable keyring keys of `alg`, then the setting's keys
// for it (the keyring's kids take precedence), at most kMaxCandidateKeys in
// all.
Status keyring_candidates(Algorithm alg, const JoseHeader &header, const ValidationKeys &keys,
                          double now, std::vector<Candidate> &candidates, ValidatedToken &out) {
    static const SettingKeys no_setting;
    const SettingKeys *setting = &no_setting;
    if (!keys.configured_jwks.empty()) PGJWT_TRY(configured_keys(keys.configured_jwks, setting));
    const std::vector<SetKey> &configured = setting->keys;
    const std::string_view name = algorithm_name(alg);
    const bool hmac = algorithm_family(alg) == AlgorithmFamily::hmac;
    auto setting_fits = [&](const SetKey &k) {
        return k.kept && !hmac && (!k.jwk.has_alg || k.jwk.alg == name);
    };
    auto add_setting_key = [&](size_t i) {
        candidates.push_back({setting->texts[i].view(), setting->labels[i]});
    };
    if (header.has_kid) {
        if (keys.keyring != nullptr) {
            const KeyringCache::KidEntry *entry = keys.keyring->find_kid(header.kid);
            if (entry == nullptr) return need(out, KeyringRequest::Kind::kid, header.kid);
            if (entry->found && entry->record.algorithm == name) {
                // Inactive, not valid yet or expired: as if absent.
                if (entry->record.usable_at(now)) {
                    candidates.push_back({entry->record.jwk.view(),
                                          "key \"" + excerpt(header.kid, 32) + "\" of jwt.keys"});
                    return Status::Ok();
                }
            }
        }
        const SetKey *skipped = nullptr;
        for (size_t i = 0; i < configured.size(); i++) {
            const SetKey &k = configured[i];
            if (!k.jwk.has_kid || k.jwk.kid != header.kid) continue;
            if (setting_fits(k))
                add_setting_key(i);
            else if (!k.kept && skipped == nullptr)
                skipped = &k;
        }
        if (!candidates.empty()) return Status::Ok();
        if (skipped != nullptr)
            return reject("the key named by the token's kid does not fit", skipped->skipped.detail);
        return reject("no key matches the token's kid");
    }
    std::vector<std::string_view> kids;
    if (keys.keyring != nullptr) {
        const std::vector<KeyringRecord> *newest = keys.keyring->find_candidates(name, now);
        if (newest == nullptr) return need(out, KeyringRequest::Kind::candidates, name);
        for (const KeyringRecord &r : *newest) {
            if (!r.usable_at(now) || r.algorithm != name) continue;
            candidates.push_back({r.jwk.view(), "key \"" + excerpt(r.kid, 32) + "\" of jwt.keys"});
            kids.push_back(r.kid);
            if (candidates.size() == kMaxCandidateKeys) return Status::Ok();
        }
    }
    for (size_t i = 0; i < configured.size(); i++) {
        const SetKey &k = configured[i];
        if (!setting_fits(k)) continue;
        if (k.jwk.has_kid && std::find(kids.begin(), kids.end(), k.jwk.kid) != kids.end()) continue;
        add_setting_key(i);
        if (candidates.size() == kMaxCandidateKeys) break;
    }
    if (candidates.empty())
        return reject("no key for the token's algorithm",
                      "No configured key is for " + std::string(name) + ".");
    return Status::Ok();
}

Status decode_token(std::string_view token, const ValidationPolicy &policy, ValidatedToken &out) {
    PGJWT_TRY(jws_decode(token, out.jws));
    return parse_registered_claims(json_input(out.jws.payload), policy.required, out.claims);
}

// The configured issuer the token's "iss" names, if any (decoding the token
// to read it, once jwt.issuers is known to have a row); with
// known_issuers_only, the refusal of a token from any other issuer unless
// the policy names the issuer it must have (the keyring's, pg_jwt.issuer).
Status find_issuer(std::string_view token, const ValidationKeys &keys,
                   const ValidationPolicy &policy, ValidatedToken &out, bool &decoded,
                   const IssuerCache::Entry *&issuer) {
    IssuerCache &issuers = *keys.issuers;
    if (!issuers.any_known()) return need(out, KeyringRequest::Kind::issuers_any, {});
    if (!issuers.any() && !keys.known_issuers_only) return Status::Ok();
    PGJWT_TRY(decode_token(token, policy, out));
    decoded = true;
    const StringClaim &iss = out.claims.iss;
    if (issuers.any() && iss.state == StringClaim::State::string) {
        const IssuerCache::Entry *entry = issuers.find(iss.value);
        if (entry == nullptr) return need(out, KeyringRequest::Kind::issuer, iss.value);
        if (entry->found) {
            issuer = entry;
            return Status::Ok();
        }
    }
    if (keys.known_issuers_only && !policy.has_issuer)
        return reject("token issuer is not configured",
                      "pg_jwt.known_issuers_only is on: tokens are accepted from the issuers of "
                      "jwt.issuers, and from the keyring's issuer when pg_jwt.issuer names it.");
    return Status::Ok();
}

// Verifies the token with the first candidate whose signature holds. A
// candidate that does not fit the algorithm is skipped (RFC 7517 section 5).
Status verify_with_candidates(Algorithm alg, const std::vector<Candidate> &candidates,
                              const ValidatedToken &token, size_t &verified) {
    Status last;
    std::string unusable;
    bool tried = false;
    for (size_t i = 0; i < candidates.size(); i++) {
        const Candidate &c = candidates[i];
        verified = i;
        Key key;
        Status s = resolve_key(alg, c.jwk, KeyEncoding::text, key);
        if (!s.ok()) {
            if (s.fault != Fault::invalid_argument) return s;
            if (unusable.empty()) unusable = unfit_sentence(c.label, algorithm_name(alg), s);
            continue;
        }
        tried = true;
        Status v = jws_verify(token.jws, alg, key);
        if (v.ok() || v.fault != Fault::token_rejected) return v;
        last = std::move(v);
    }
    if (tried) return last;
    if (token.jws.header.has_kid)
        return reject("the key named by the token's kid does not fit", unusable);
    return reject("no key for the token's algorithm",
                  "No configured key fits " + std::string(algorithm_name(alg)) + ".");
}

}  // namespace

std::string iso8601_utc(double seconds) {
    double whole = std::floor(seconds);
    auto t = static_cast<time_t>(whole);
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buf[64];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string s(buf, n);
    double fraction = seconds - whole;
    if (fraction > 0) {
        char frac[16];
        std::snprintf(frac, sizeof frac, "%.6f", fraction);
        std::string f(frac + 1);  // ".xxxxxx"
        while (!f.empty() && f.back() == '0') f.pop_back();
        if (f != ".") s += f;
    }
    return s + "Z";
}

Status jwt_validate(std::string_view token, const ValidationKeys &keys,
                    const ValidationPolicy &policy, ValidatedToken &out) {
    if (policy.leeway < 0 || policy.leeway > kMaxLeewaySeconds)
        return Status::InvalidArgument("leeway must be between 0 and 5 minutes");
    if (policy.has_max_age && policy.max_age < 0)
        return Status::InvalidArgument("max_age must not be negative");

    out.keyring_request = KeyringRequest{};
    out.wants_issuer_refresh = false;
    out.issuer_verified = false;
    out.issuer_kid.clear();
    out.has_issuer_role_claim_key = false;
    out.issuer_role_claim_key.clear();
    bool decoded = false;
    const IssuerCache::Entry *issuer = nullptr;
    if (!keys.has_material && keys.issuers != nullptr)
        PGJWT_TRY(find_issuer(token, keys, policy, out, decoded, issuer));
    std::vector<Algorithm> allowed = policy.algorithms;
    if (issuer != nullptr) {
        Status s = issuer_algorithms(out.claims.iss.value, *issuer, policy.algorithms,
                                     keys.wall_now, allowed);
        if (!s.ok()) {
            out.wants_issuer_refresh = s.fault == Fault::unavailable;
            return s;
        }
        if (allowed.empty())
            return reject("token algorithm is not allowed",
                          "The issuer's algorithms and the algorithms asked for have none in "
                          "common.");
    } else if (allowed.empty()) {
        if (keys.has_material) {
            PGJWT_TRY(default_algorithms(keys.material, keys.encoding, allowed));
        } else {
            if (keys.keyring != nullptr) {
                const std::vector<std::string> *in_use = keys.keyring->algorithms();
                if (in_use == nullptr) return need(out, KeyringRequest::Kind::algorithms, {});
                for (const std::string &name : *in_use) {
                    Algorithm a;
                    // A row naming an unknown algorithm cannot have come from add_key.
                    if (algorithm_from_argument(name, a).ok()) add_unique(allowed, a);
                }
            }
            if (!keys.configured_jwks.empty()) {
                // Its own messages first (a secret in it, no usable key).
                const SettingKeys *setting = nullptr;
                PGJWT_TRY(configured_keys(keys.configured_jwks, setting));
                std::vector<Algorithm> configured;
                Status s = default_algorithms(keys.configured_jwks, KeyEncoding::text, configured);
                if (!s.ok()) return invalid_setting(s);
                for (Algorithm a : configured)
                    if (algorithm_family(a) != AlgorithmFamily::hmac) add_unique(allowed, a);
            }
            if (allowed.empty())
                return Status::InvalidArgument(
                    "no key to validate with",
                    "Pass a key, or add keys to jwt.keys or to the pg_jwt.jwks setting.");
        }
    }

    // The caller's key must fit at least one allowed algorithm (else it is
    // the caller's mistake, whatever the token says).
    std::vector<Key> resolved(allowed.size());
    std::vector<bool> fits(allowed.size(), false);
    if (keys.has_material) {
        Status first_error;
        for (size_t i = 0; i < allowed.size(); i++) {
            Status s = resolve_key(allowed[i], keys.material, keys.encoding, resolved[i]);
            if (s.ok() && resolved[i].set->raw_secret &&
                resolved[i].set->keys.front()->key.secret.size() <
                    digest_size(algorithm_digest(allowed[i])))
                s = Status::InvalidArgument(
                    "HMAC secret is too short",
                    std::string(algorithm_name(allowed[i])) + " needs a secret of at least " +
                        std::to_string(digest_size(algorithm_digest(allowed[i]))) +
                        " bytes (RFC 7518 section 3.2).");
            if (s.ok()) {
                fits[i] = true;
            } else {
                if (s.fault != Fault::invalid_argument) return s;
                if (first_error.ok()) first_error = std::move(s);
            }
        }
        if (std::find(fits.begin(), fits.end(), true) == fits.end()) return first_error;
    }

    if (!decoded) PGJWT_TRY(decode_token(token, policy, out));
    const JoseHeader &header = out.jws.header;

    auto pos = std::find_if(allowed.begin(), allowed.end(),
                            [&](Algorithm a) { return algorithm_name(a) == header.alg; });
    if (pos == allowed.end()) {
        // A configured issuer that moved to a new algorithm publishes a key
        // for it: a fetch may help unless jwt.issuers fixes the algorithms.
        out.wants_issuer_refresh = issuer != nullptr && !issuer->record.has_algorithms;
        return reject("token algorithm is not allowed",
                      "The token is signed with \"" + excerpt(header.alg, 32) +
                          "\"; allowed: " + algorithm_list(allowed) + ".");
    }
    Algorithm alg = *pos;
    size_t index = static_cast<size_t>(pos - allowed.begin());

    if (keys.has_material) {
        if (!fits[index])
            return reject("token algorithm is not allowed",
                          "The key given does not fit " + std::string(algorithm_name(alg)) + ".");
        PGJWT_TRY(jws_verify(out.jws, alg, resolved[index]));
    } else {
        std::vector<Candidate> candidates;
        std::vector<std::string_view> kids;
        if (issuer != nullptr) {
            std::vector<std::string_view> jwks;
            PGJWT_TRY(issuer_candidates(out.claims.iss.value, *issuer, alg, header, jwks, kids,
                                        out.wants_issuer_refresh));
            for (size_t i = 0; i < jwks.size(); i++)
                candidates.push_back(
                    {jwks[i], "the issuer's key \"" + std::string(kids[i]) + "\""});
        } else {
            PGJWT_TRY(keyring_candidates(alg, header, keys, policy.now, candidates, out));
        }
        size_t verified = 0;
        PGJWT_TRY(verify_with_candidates(alg, candidates, out, verified));
        if (issuer != nullptr) out.issuer_kid.assign(kids[verified]);
    }
    if (issuer != nullptr) {
        ValidationPolicy effective = policy;
        apply_issuer_policy(issuer->record, effective);
        PGJWT_TRY(check_claims(out, effective));
        out.issuer_verified = true;
        out.has_issuer_role_claim_key = issuer->record.has_role_claim_key;
        out.issuer_role_claim_key = issuer->record.role_claim_key;
        return Status::Ok();
    }
    return check_claims(out, policy);
}

}  // namespace pgjwt

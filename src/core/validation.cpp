#include "validation.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>

#include "jwk.hpp"
#include "key_import.hpp"
#include "key_set.hpp"
#include "limits.hpp"
#include "lru_cache.hpp"
#include "signature.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

Status reject(std::string message, std::string detail = {}) {
    return Status::Rejected(std::move(message), std::move(detail));
}

Algorithm algorithm_for_type(const ImportedKey &key) {
    switch (key.type) {
        case KeyType::oct:
            return Algorithm::HS256;
        case KeyType::rsa:
            return Algorithm::RS256;
        case KeyType::ec:
            switch (key.curve) {
                case Curve::p384:
                    return Algorithm::ES384;
                case Curve::p521:
                    return Algorithm::ES512;
                case Curve::secp256k1:
                    return Algorithm::ES256K;
                default:
                    return Algorithm::ES256;
            }
        case KeyType::okp:
            return Algorithm::EdDSA;
    }
    return Algorithm::HS256;
}

void add_unique(std::vector<Algorithm> &algs, Algorithm alg) {
    if (std::find(algs.begin(), algs.end(), alg) == algs.end()) algs.push_back(alg);
}

Status compute_default_algorithms(std::string_view material, std::vector<Algorithm> &out) {
    if (looks_like_json_object(material)) {
        std::vector<JwkMembers> members;
        bool is_set = false;
        PGJWT_TRY(parse_jwk_text(material, members, is_set));
        for (const JwkMembers &m : members) {
            if (m.has_alg) {
                Algorithm alg;
                PGJWT_TRY(algorithm_from_argument(m.alg, alg));
                add_unique(out, alg);
                continue;
            }
            ImportedKey key;
            PGJWT_TRY(import_jwk(m, key));
            add_unique(out, algorithm_for_type(key));
        }
        return Status::Ok();
    }
    if (looks_like_pem(material)) {
        ImportedKey key;
        PGJWT_TRY(import_pem(material, key));
        add_unique(out, algorithm_for_type(key));
        return Status::Ok();
    }
    out.push_back(Algorithm::HS256);
    return Status::Ok();
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
    if (policy.has_audience) {
        if (!c.has_aud) return reject("token lacks required claim \"aud\"");
        if (std::find(c.aud.begin(), c.aud.end(), policy.audience) == c.aud.end())
            return reject("token audience does not match");
    } else if (c.has_aud) {
        // RFC 7519 section 4.1.3: a recipient that does not identify itself
        // with a value of "aud" must reject the token.
        return reject("token has an audience but none is expected",
                      "Pass the audience this service accepts, or set pg_jwt.audience.");
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
struct SettingKeys {
    bool valid = false;
    SecretString text;  // the setting's value (meant to hold public keys only)
    std::vector<JwkMembers> keys;
    std::vector<SecretString> texts;  // jwk_text of each key
};

Status configured_keys(std::string_view text, const SettingKeys *&out) {
    static SettingKeys setting;
    out = &setting;
    if (setting.valid && text == setting.text.view()) return Status::Ok();
    setting.valid = false;
    setting.texts.clear();
    bool is_set = false;
    Status s = parse_jwk_text(text, setting.keys, is_set);
    if (!s.ok() && s.fault != Fault::invalid_argument) return s;  // too large, cancelled
    if (!s.ok())
        return Status::InvalidArgument("invalid pg_jwt.jwks setting",
                                       s.detail.empty() ? s.message : s.detail);
    for (const JwkMembers &m : setting.keys) setting.texts.push_back(jwk_text(m));
    setting.text = text;
    setting.valid = true;
    return Status::Ok();
}

Status need(ValidatedToken &out, KeyringRequest::Kind kind, std::string_view value) {
    out.keyring_request.kind = kind;
    out.keyring_request.value.assign(value);
    return Status::Internal("keyring lookup needed");
}

// The candidates: with a kid, the keyring key of that kid, else the
// pg_jwt.jwks key of that kid; without, the newest usable keyring keys of
// `alg`, then the setting's keys for it (the keyring's kids take
// precedence), at most kMaxCandidateKeys in all: their JWK texts, views
// into the keyring cache or the setting's keys.
Status keyring_candidates(Algorithm alg, const JoseHeader &header, const ValidationKeys &keys,
                          double now, std::vector<std::string_view> &jwks, ValidatedToken &out) {
    static const SettingKeys no_setting;
    const SettingKeys *setting = &no_setting;
    if (!keys.configured_jwks.empty()) PGJWT_TRY(configured_keys(keys.configured_jwks, setting));
    const std::vector<JwkMembers> &configured = setting->keys;
    for (const JwkMembers &m : configured)
        if (m.kty == "oct")
            return Status::InvalidArgument("pg_jwt.jwks must hold public keys only",
                                           "Settings are readable by every role; keep HMAC "
                                           "secrets in jwt.keys.");
    const std::string_view name = algorithm_name(alg);
    const bool hmac = algorithm_family(alg) == AlgorithmFamily::hmac;
    auto setting_fits = [&](const JwkMembers &m) { return !hmac && (!m.has_alg || m.alg == name); };
    if (header.has_kid) {
        if (keys.keyring != nullptr) {
            const KeyringCache::KidEntry *entry = keys.keyring->find_kid(header.kid);
            if (entry == nullptr) return need(out, KeyringRequest::Kind::kid, header.kid);
            if (entry->found && entry->record.algorithm == name) {
                // Inactive, not valid yet or expired: as if absent.
                if (entry->record.usable_at(now)) {
                    jwks.push_back(entry->record.jwk.view());
                    return Status::Ok();
                }
            }
        }
        for (size_t i = 0; i < configured.size(); i++) {
            const JwkMembers &m = configured[i];
            if (!setting_fits(m) || !m.has_kid || m.kid != header.kid) continue;
            jwks.push_back(setting->texts[i].view());
            return Status::Ok();
        }
        return reject("no key matches the token's kid");
    }
    std::vector<std::string_view> kids;
    if (keys.keyring != nullptr) {
        const std::vector<KeyringRecord> *newest = keys.keyring->find_candidates(name, now);
        if (newest == nullptr) return need(out, KeyringRequest::Kind::candidates, name);
        for (const KeyringRecord &r : *newest) {
            if (!r.usable_at(now) || r.algorithm != name) continue;
            jwks.push_back(r.jwk.view());
            kids.push_back(r.kid);
            if (jwks.size() == kMaxCandidateKeys) return Status::Ok();
        }
    }
    for (size_t i = 0; i < configured.size(); i++) {
        const JwkMembers &m = configured[i];
        if (!setting_fits(m)) continue;
        if (m.has_kid && std::find(kids.begin(), kids.end(), m.kid) != kids.end()) continue;
        jwks.push_back(setting->texts[i].view());
        if (jwks.size() == kMaxCandidateKeys) break;
    }
    if (jwks.empty())
        return reject("no key for the token's algorithm",
                      "No configured key is for " + std::string(name) + ".");
    return Status::Ok();
}

// Verifies the token with the first candidate whose signature holds. A
// candidate that does not fit the algorithm is skipped (RFC 7517 section 5).
Status verify_with_candidates(Algorithm alg, const std::vector<std::string_view> &jwks,
                              const ValidatedToken &token) {
    Status last, unusable;
    bool tried = false;
    for (std::string_view jwk : jwks) {
        Key key;
        Status s = resolve_key(alg, jwk, KeyEncoding::text, key);
        if (!s.ok()) {
            if (s.fault != Fault::invalid_argument) return s;
            if (unusable.ok()) unusable = std::move(s);
            continue;
        }
        tried = true;
        Status v = jws_verify(token.jws, alg, key);
        if (v.ok() || v.fault != Fault::token_rejected) return v;
        last = std::move(v);
    }
    if (tried) return last;
    if (token.jws.header.has_kid)
        return reject("the key named by the token's kid does not fit", unusable.detail);
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

Status default_algorithms(std::string_view material, KeyEncoding encoding,
                          std::vector<Algorithm> &out) {
    out.clear();
    if (encoding == KeyEncoding::binary) {
        out.push_back(Algorithm::HS256);
        return Status::Ok();
    }
    // Before the cache copies it.
    PGJWT_TRY(check_key_size(material));
    // Importing a PEM to learn its type is slow; remember the answer per key.
    static LruCache<std::vector<Algorithm>> cache(128, 1024 * 1024);
    if (auto *hit = cache.find(material)) {
        out = *hit;
        return Status::Ok();
    }
    PGJWT_TRY(compute_default_algorithms(material, out));
    cache.insert(material, out, out.size() * sizeof(Algorithm));
    return Status::Ok();
}

Status jwt_validate(std::string_view token, const ValidationKeys &keys,
                    const ValidationPolicy &policy, ValidatedToken &out) {
    if (policy.leeway < 0 || policy.leeway > kMaxLeewaySeconds)
        return Status::InvalidArgument("leeway must be between 0 and 5 minutes");
    if (policy.has_max_age && policy.max_age < 0)
        return Status::InvalidArgument("max_age must not be negative");

    out.keyring_request = KeyringRequest{};
    std::vector<Algorithm> allowed = policy.algorithms;
    if (allowed.empty()) {
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
                std::vector<Algorithm> configured;
                Status s = default_algorithms(keys.configured_jwks, KeyEncoding::text, configured);
                if (!s.ok() && s.fault != Fault::invalid_argument) return s;
                if (!s.ok())
                    return Status::InvalidArgument("invalid pg_jwt.jwks setting",
                                                   s.detail.empty() ? s.message : s.detail);
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

    PGJWT_TRY(jws_decode(token, out.jws));
    PGJWT_TRY(parse_registered_claims(json_input(out.jws.payload), policy.required, out.claims));
    const JoseHeader &header = out.jws.header;

    auto pos = std::find_if(allowed.begin(), allowed.end(),
                            [&](Algorithm a) { return algorithm_name(a) == header.alg; });
    if (pos == allowed.end())
        return reject("token algorithm is not allowed",
                      "The token is signed with \"" + excerpt(header.alg, 32) +
                          "\"; allowed: " + algorithm_list(allowed) + ".");
    Algorithm alg = *pos;
    size_t index = static_cast<size_t>(pos - allowed.begin());

    if (keys.has_material) {
        if (!fits[index])
            return reject("token algorithm is not allowed",
                          "The key given does not fit " + std::string(algorithm_name(alg)) + ".");
        PGJWT_TRY(jws_verify(out.jws, alg, resolved[index]));
    } else {
        std::vector<std::string_view> jwks;
        PGJWT_TRY(keyring_candidates(alg, header, keys, policy.now, jwks, out));
        PGJWT_TRY(verify_with_candidates(alg, jwks, out));
    }
    return check_claims(out, policy);
}

}  // namespace pgjwt

// Claims parsing and strict validation (src/core/claims.hpp, validation.hpp)
// with a fixed clock and a fixed HMAC key. The fuzzed bytes are the payload
// of a token signed with that key, so that validation gets past the
// signature to the claim rules. Input: [policy byte][header byte][payload...].
// Properties:
//   - parse_registered_claims fails only as a malformed token, and gives the
//     same result whether the payload is parsed in place or copied;
//   - jwt_validate fails only as malformed or rejected; it is malformed
//     exactly when the claims do not parse, and otherwise accepts exactly
//     when an independent statement of the rules (below) accepts;
//   - jwt_verify (pgjwt's exp/nbf check, no leeway) agrees with the same
//     rules restricted to exp and nbf, and accepts whatever jwt_validate
//     accepts with no leeway.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/claims.hpp"
#include "core/json.hpp"
#include "core/jws.hpp"
#include "core/jwt.hpp"
#include "core/validation.hpp"
#include "fuzz/common.hpp"

namespace {

using namespace pgjwt;
using fuzz::F;

constexpr double kNow = 1700000000;
constexpr std::string_view kSecret = "fuzz-claims-secret-0123456789abcdef0123456789abcdef";

// kSecret as an HS256 key, as jwt.verify resolves a bytea secret.
const Key &SecretKey() {
    static const Key key = [] {
        Key k;
        Status s = resolve_key(Algorithm::HS256, kSecret, KeyEncoding::binary, k);
        FUZZ_CHECK(s.ok(), fuzz::Describe(s));
        return k;
    }();
    return key;
}
constexpr double kLeeways[] = {0, 1.5, 60, 300};

constexpr std::string_view kHeaders[] = {
    R"({"alg":"HS256","typ":"JWT"})",
    R"({"alg":"HS256"})",
    R"({"alg":"HS256","typ":"application/JWT"})",
    R"({"alg":"HS256","typ":"at+jwt","kid":"k"})",
};

ValidationPolicy MakePolicy(uint8_t bits) {
    ValidationPolicy p;
    p.algorithms = {Algorithm::HS256};
    p.now = kNow;
    if (bits & 1) p.has_audience = true, p.audience = "api";
    if (bits & 2) p.has_issuer = true, p.issuer = "https://issuer.example";
    p.leeway = kLeeways[(bits >> 2) & 3];
    if (bits & 16) p.has_max_age = true, p.max_age = 3600;
    if (bits & 32) p.required.push_back("sub");
    if (bits & 64) p.has_typ = true, p.typ = "JWT";
    if (bits & 128) p.required.insert(p.required.end(), {"jti", "exp"});
    return p;
}

bool DateInRange(const NumericDate &d) {
    if (d.state == NumericDate::State::absent) return true;
    if (d.state == NumericDate::State::not_a_number) return false;
    return std::isfinite(d.seconds) && d.seconds >= kMinNumericDate && d.seconds <= kMaxNumericDate;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string MediaType(std::string_view typ) {
    std::string t = Lower(typ);
    if (t.rfind("application/", 0) == 0) t.erase(0, 12);
    return t;
}

bool Number(const NumericDate &d) {
    return d.state == NumericDate::State::number;
}

// The rules of DESIGN.md section 3 and RFC 7519 as a validator applies them.
bool TimeRulesHold(const RegisteredClaims &c, double now, double leeway) {
    if (!DateInRange(c.exp) || !DateInRange(c.nbf) || !DateInRange(c.iat)) return false;
    if (Number(c.exp) && !(now < c.exp.seconds + leeway)) return false;
    if (Number(c.nbf) && !(now >= c.nbf.seconds - leeway)) return false;
    return true;
}

bool ReferenceAccepts(const RegisteredClaims &c, const ValidationPolicy &p,
                      const JoseHeader &header) {
    if (!TimeRulesHold(c, p.now, p.leeway)) return false;
    if (Number(c.iat) && c.iat.seconds > p.now + p.leeway) return false;
    if (p.has_max_age && (!Number(c.iat) || p.now - c.iat.seconds > p.max_age + p.leeway))
        return false;
    if (p.has_issuer && (c.iss.state != StringClaim::State::string || c.iss.value != p.issuer))
        return false;
    if (c.has_aud) {
        if (!c.aud_valid || !p.has_audience) return false;
        if (std::find(c.aud.begin(), c.aud.end(), p.audience) == c.aud.end()) return false;
    } else if (p.has_audience) {
        return false;
    }
    if (c.jti.state == StringClaim::State::not_a_string) return false;
    for (bool present : c.present)
        if (!present) return false;
    if (p.has_typ && (!header.has_typ || MediaType(header.typ) != MediaType(p.typ))) return false;
    return true;
}

bool SameDate(const NumericDate &a, const NumericDate &b) {
    return a.state == b.state && (a.state != NumericDate::State::number || a.seconds == b.seconds ||
                                  (std::isnan(a.seconds) && std::isnan(b.seconds)));
}

bool SameClaims(const RegisteredClaims &a, const RegisteredClaims &b) {
    return SameDate(a.exp, b.exp) && SameDate(a.nbf, b.nbf) && SameDate(a.iat, b.iat) &&
           a.iss.state == b.iss.state && a.iss.value == b.iss.value && a.jti.state == b.jti.state &&
           a.jti.value == b.jti.value && a.has_aud == b.has_aud && a.aud_valid == b.aud_valid &&
           a.aud == b.aud && a.present == b.present;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const ValidationPolicy policy = MakePolicy(data[0]);
    const std::string_view header = kHeaders[data[1] & 3];
    std::string_view payload(reinterpret_cast<const char *>(data + 2), size - 2);

    // Parsed from the fuzzer's own buffer (exact size: copied), and in place.
    RegisteredClaims copied, in_place;
    Status pc = parse_registered_claims(json_input(payload), policy.required, copied);
    fuzz::CheckStatus(pc, {F::none, F::malformed_token}, payload, "parse_registered_claims");
    std::string padded;
    padded.reserve(payload.size() + json_padding());
    padded.assign(payload);
    Status pp = parse_registered_claims(json_input(padded), policy.required, in_place);
    FUZZ_CHECK(pc.fault == pp.fault && pc.message == pp.message && pc.detail == pp.detail,
               "copy " << fuzz::Describe(pc) << " vs in place " << fuzz::Describe(pp));
    if (pc.ok()) FUZZ_CHECK(SameClaims(copied, in_place), "claims differ between parse modes");

    std::string token;
    Status signed_ = jws_sign(header, payload, Algorithm::HS256, SecretKey(), token);
    fuzz::CheckStatus(signed_, {F::none, F::invalid_argument}, payload, "jws_sign");
    if (!signed_.ok()) {
        FUZZ_CHECK(signed_.message == "token would be too long", fuzz::Describe(signed_));
        return 0;
    }

    ValidationKeys keys;
    keys.has_material = true;
    keys.material = kSecret;
    ValidatedToken validated;
    Status vs = jwt_validate(token, keys, policy, validated);
    fuzz::CheckStatus(vs, {F::none, F::malformed_token, F::token_rejected}, token, "jwt_validate");
    JwtVerification verification;
    Status vv = jwt_verify(token, Algorithm::HS256, SecretKey(), kNow, verification);
    fuzz::CheckStatus(vv, {F::none, F::malformed_token}, token, "jwt_verify");

    if (!pc.ok()) {
        FUZZ_CHECK(vs.fault == F::malformed_token,
                   "claims do not parse (" << fuzz::Describe(pc) << ") but jwt_validate says "
                                           << fuzz::Describe(vs));
        FUZZ_CHECK(vv.fault == F::malformed_token,
                   "claims do not parse but jwt_verify says " << fuzz::Describe(vv));
        return 0;
    }
    Jws jws;
    Status dh = jws_decode(token, jws);
    FUZZ_CHECK(dh.ok(), fuzz::Describe(dh));
    bool expected = ReferenceAccepts(copied, policy, jws.header);
    FUZZ_CHECK(vs.ok() == expected, "jwt_validate says " << fuzz::Describe(vs) << ", rules say "
                                                         << (expected ? "accept" : "reject")
                                                         << "; payload " << fuzz::Hex(payload));
    if (vs.ok()) {
        FUZZ_CHECK(SameClaims(validated.claims, copied), "validated claims differ");
        FUZZ_CHECK(validated.jws.payload == payload, "validated payload differs");
    }

    FUZZ_CHECK(vv.ok(), "jwt_verify failed on parsable claims: " << fuzz::Describe(vv));
    fuzz::CheckStatus(verification.reason, {F::none, F::token_rejected}, token,
                      "jwt_verify reason");
    RegisteredClaims plain;
    Status pn = parse_registered_claims(json_input(payload), {}, plain);
    FUZZ_CHECK(pn.ok(), fuzz::Describe(pn));
    bool time_ok = TimeRulesHold(plain, kNow, 0);
    FUZZ_CHECK(verification.valid == time_ok,
               "jwt_verify valid=" << verification.valid << " ("
                                   << fuzz::Describe(verification.reason) << "), rules say "
                                   << time_ok << "; payload " << fuzz::Hex(payload));
    if (vs.ok() && policy.leeway == 0)
        FUZZ_CHECK(verification.valid, "jwt_validate accepts what jwt_verify refuses");
    return 0;
}

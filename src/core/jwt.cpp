#include "jwt.hpp"

#include "claims.hpp"
#include "jose_header.hpp"
#include "json_text.hpp"

#include "key_set.hpp"

namespace pgjwt {
namespace {

Status check_time(const RegisteredClaims &claims, double now) {
    PGJWT_TRY(check_numeric_date(claims.exp, "exp"));
    PGJWT_TRY(check_numeric_date(claims.nbf, "nbf"));
    PGJWT_TRY(check_numeric_date(claims.iat, "iat"));
    if (claims.exp.state == NumericDate::State::number && now >= claims.exp.seconds)
        return Status::Rejected("token has expired");
    if (claims.nbf.state == NumericDate::State::number && now < claims.nbf.seconds)
        return Status::Rejected("token is not yet valid");
    return Status::Ok();
}

// The payload to sign is the caller's: text that does not parse as JSON
// keeps Fault::malformed_json (22P02, as PostgreSQL's own json input);
// well-formed JSON that cannot be a claims set (not an object, duplicate
// names, U+0000, too deep), a malformed token to the JSON layer, is the
// caller's invalid argument (22023).
Status caller_payload(Status s) {
    if (s.fault == Fault::malformed_token) s.fault = Fault::invalid_argument;
    return s;
}

// A payload or header argument that cannot fit in a token is refused by its
// size before it is parsed, minified, encoded or signed: a 200 MB payload
// would otherwise be worked on (and the buffers grown) for nothing. Their
// text shrinks at most by a third when minified (jsonb's ", " and ": "),
// and base64url grows it by a third, so twice the token cap is safely
// beyond anything that fits; what is between is refused after signing.
constexpr size_t kMaxSignInputBytes = 2 * kMaxTokenBytes;

Status check_sign_input_size(std::string_view text, const char *what) {
    if (text.size() <= kMaxSignInputBytes) return Status::Ok();
    return Status::InvalidArgument(
        "token would be too long",
        std::string("The ") + what + " has " + std::to_string(text.size()) +
            " bytes; a token has at most " + std::to_string(kMaxTokenBytes) + ".");
}

}  // namespace

Status jwt_sign(const JwtSignRequest &request, std::string &token) {
    PGJWT_TRY(check_sign_input_size(request.claims_json, "payload"));
    PGJWT_TRY(check_sign_input_size(request.extra_header, "header argument"));
    // A JWK's kid names the key in the header, so that verifiers holding a
    // JWK set can select it.
    std::string_view kid;
    if (request.key.set != nullptr && !request.key.set->is_set &&
        request.key.set->keys.front()->key.has_kid)
        kid = request.key.set->keys.front()->key.kid;
    std::string header;
    PGJWT_TRY(build_jose_header(algorithm_name(request.alg), request.extra_header, kid, header));
    JsonInput payload = json_input(request.claims_json);
    std::string claims;
    if (!request.replacements.empty()) {
        PGJWT_TRY(caller_payload(replace_json_members(payload, request.replacements, claims)));
    } else if (request.keep_claims_text) {
        PGJWT_TRY(caller_payload(validate_json_object(payload, "payload")));
        return jws_sign(header, request.claims_json, request.alg, request.key, token);
    } else {
        PGJWT_TRY(caller_payload(minify_json_object(payload, "payload", claims)));
    }
    return jws_sign(header, claims, request.alg, request.key, token);
}

Status jwt_decode(std::string_view token, Jws &out) {
    PGJWT_TRY(jws_decode(token, out));
    return as_token_fault(validate_json_object(json_input(out.payload), "token payload"));
}

Status jwt_verify(std::string_view token, Algorithm alg, const Key &key, double now,
                  JwtVerification &out) {
    out.valid = false;
    out.reason = Status::Ok();
    PGJWT_TRY(jws_decode(token, out.jws));
    RegisteredClaims claims;
    PGJWT_TRY(parse_registered_claims(json_input(out.jws.payload), {}, claims));
    Status verdict = jws_verify(out.jws, alg, key);
    if (verdict.ok()) verdict = check_time(claims, now);
    if (verdict.fault != Fault::none && verdict.fault != Fault::token_rejected) return verdict;
    out.valid = verdict.ok();
    out.reason = std::move(verdict);
    return Status::Ok();
}

JwtVerification &reusable_verification() {
    static JwtVerification instance;
    return instance;
}

}  // namespace pgjwt

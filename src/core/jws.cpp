#include "jws.hpp"

#include <algorithm>

#include "base64url.hpp"
#include "signature.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

size_t decoded_size(size_t encoded) {
    return encoded / 4 * 3 + 2;
}

Status decode_part(std::string_view text, const char *what, std::string &out, size_t padding) {
    out.clear();
    out.reserve(decoded_size(text.size()) + padding);
    if (!base64url_decode(text, out))
        return Status::Malformed(std::string("invalid base64url in ") + what,
                                 "Token parts must be unpadded base64url (RFC 7515 section 2) "
                                 "without white space or non-zero trailing bits.");
    return Status::Ok();
}

}  // namespace

Status jws_split(std::string_view token, JwsParts &out) {
    if (token.size() > kMaxTokenBytes)
        return Status::Malformed("token is too long",
                                 "The token has " + std::to_string(token.size()) +
                                     " bytes; at most " + std::to_string(kMaxTokenBytes) +
                                     " are accepted.");
    size_t first = token.find('.');
    size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
    size_t dots = first == std::string_view::npos ? 0 : second == std::string_view::npos ? 1 : 2;
    if (dots == 2 && token.find('.', second + 1) != std::string_view::npos)
        dots += static_cast<size_t>(
            std::count(token.begin() + static_cast<long>(second) + 1, token.end(), '.'));
    if (dots == 4)
        return Status::Malformed("token is a JWE, not a JWS",
                                 "Encrypted tokens (five parts) are not supported.");
    if (dots != 2)
        return Status::Malformed("invalid token",
                                 "A JWS in compact form has three parts separated by dots; this "
                                 "one has " +
                                     std::to_string(dots + 1) + ".");
    out.header_b64 = token.substr(0, first);
    out.payload_b64 = token.substr(first + 1, second - first - 1);
    out.signature_b64 = token.substr(second + 1);
    out.signing_input = token.substr(0, second);
    if (out.header_b64.empty())
        return Status::Malformed("invalid token", "The token's header part is empty.");
    return Status::Ok();
}

namespace {

// The last protected header jws_decode parsed, by its encoded form: the
// tokens of one query usually share one header. A shortcut beside the
// decode and parse, kept because it saves more than the tenth of a
// verification that DESIGN.md section 4 asks of one (test/bench/README.md,
// "1.1.0: shortcuts measured"). Only a header that parsed is kept.
struct LastHeader {
    bool valid = false;
    std::string encoded, json;
    JoseHeader parsed;
};

LastHeader &last_header() {
    static LastHeader instance;
    return instance;
}

}  // namespace

Status jws_decode(std::string_view token, Jws &out) {
    LastHeader &last = last_header();
    PGJWT_TRY(jws_split(token, out.parts));
    const bool same_header = last.valid && out.parts.header_b64 == last.encoded;
    if (!same_header)
        PGJWT_TRY(
            decode_part(out.parts.header_b64, "token header", out.header_json, json_padding()));
    PGJWT_TRY(decode_part(out.parts.payload_b64, "token payload", out.payload, json_padding()));
    PGJWT_TRY(decode_part(out.parts.signature_b64, "token signature", out.signature, 0));
    if (same_header) {
        out.header_json = last.json;
        out.header = last.parsed;
        return Status::Ok();
    }
    last.valid = false;
    PGJWT_TRY(as_token_fault(parse_jose_header(json_input(out.header_json), out.header)));
    last.encoded = out.parts.header_b64;
    last.json = out.header_json;
    last.parsed = out.header;
    last.valid = true;
    return Status::Ok();
}

Status jws_verify(const Jws &jws, Algorithm alg, const Key &key) {
    const JoseHeader &h = jws.header;
    if (h.alg != algorithm_name(alg))
        return Status::Rejected("token algorithm does not match",
                                "The token is signed with \"" + excerpt(h.alg, 32) + "\" but " +
                                    std::string(algorithm_name(alg)) + " was expected.");
    if (h.has_crit)
        return Status::Rejected("token has critical header extensions",
                                "No extension named in \"crit\" is supported.");
    if (h.has_b64)
        return Status::Rejected("token header member \"b64\" is not supported",
                                "The unencoded-payload option of RFC 7797 is not supported.");
    bool valid = false;
    PGJWT_TRY(signature_check(alg, key, h, jws.parts.signing_input, jws.signature, valid));
    if (!valid) return Status::Rejected("invalid token signature");
    return Status::Ok();
}

Status jws_sign(std::string_view header_json, std::string_view payload, Algorithm alg,
                const Key &key, std::string &token) {
    token.clear();
    token.reserve((header_json.size() + payload.size()) * 4 / 3 + 96);
    base64url_append(header_json, token);
    token.push_back('.');
    base64url_append(payload, token);
    // Kept across calls (a backend is one thread): one allocation less a
    // token. Signatures are public, nothing to wipe.
    static std::string signature;
    signature.clear();
    PGJWT_TRY(signature_create(alg, key, token, signature));
    token.push_back('.');
    base64url_append(signature, token);
    if (token.size() > kMaxTokenBytes)
        return Status::InvalidArgument("token would be too long",
                                       "The signed token would have " +
                                           std::to_string(token.size()) + " bytes; at most " +
                                           std::to_string(kMaxTokenBytes) + " are accepted.");
    return Status::Ok();
}

}  // namespace pgjwt

#include "signature.hpp"

#include <vector>

#include "asymmetric.hpp"
#include "hmac.hpp"
#include "key_set.hpp"

namespace pgjwt {
namespace {

Status check_one(Algorithm alg, PreparedKey &key, std::string_view input,
                 std::string_view signature, bool &valid) {
    if (algorithm_family(alg) == AlgorithmFamily::hmac)
        return hmac_verify(alg, key.key.secret, input, signature, valid);
    return asymmetric_verify(alg, key, input, signature, valid);
}

Status append_hmac(Algorithm alg, std::string_view secret, std::string_view input,
                   std::string &out) {
    unsigned char tag[kMaxHmacTagBytes];
    size_t tag_len = 0;
    PGJWT_TRY(hmac_compute(alg, secret, input, tag, tag_len));
    out.append(reinterpret_cast<const char *>(tag), tag_len);
    return Status::Ok();
}

}  // namespace

Status signature_create(Algorithm alg, const Key &key, std::string_view input, std::string &out) {
    bool hmac = algorithm_family(alg) == AlgorithmFamily::hmac;
    if (key.set == nullptr) {
        if (!hmac) return Status::Internal("asymmetric algorithm without a parsed key");
        return append_hmac(alg, key.secret, input, out);
    }
    PreparedKey *signer = nullptr;
    PGJWT_TRY(signing_key(*key.set, signer));
    if (hmac) return append_hmac(alg, signer->key.secret, input, out);
    return asymmetric_sign(alg, *signer, input, out);
}

Status signature_check(Algorithm alg, const Key &key, const JoseHeader &header,
                       std::string_view input, std::string_view signature, bool &valid) {
    valid = false;
    if (key.set == nullptr) {
        if (algorithm_family(alg) != AlgorithmFamily::hmac)
            return Status::Internal("asymmetric algorithm without a parsed key");
        return hmac_verify(alg, key.secret, input, signature, valid);
    }
    std::vector<PreparedKey *> candidates;
    PGJWT_TRY(select_keys(*key.set, header, candidates));
    for (PreparedKey *candidate : candidates) {
        PGJWT_TRY(check_one(alg, *candidate, input, signature, valid));
        if (valid) return Status::Ok();
    }
    return Status::Ok();
}

}  // namespace pgjwt

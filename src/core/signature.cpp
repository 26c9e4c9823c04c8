#include "signature.hpp"

#include "asymmetric.hpp"
#include "hmac.hpp"
#include "key_set.hpp"

namespace pgjwt {
namespace {

Status check_one(Algorithm alg, PreparedKey &key, std::string_view input,
                 std::string_view signature, bool &valid) {
    if (algorithm_family(alg) == AlgorithmFamily::hmac)
        return hmac_verify(key.mac_ctx.get(), input, signature, valid);
    return asymmetric_verify(alg, key, input, signature, valid);
}

}  // namespace

Status signature_create(Algorithm alg, const Key &key, std::string_view input, std::string &out) {
    if (key.set == nullptr || key.set->alg != alg)
        return Status::Internal("signing with a key not resolved for the algorithm");
    PreparedKey *signer = nullptr;
    PGJWT_TRY(signing_key(*key.set, signer));
    if (algorithm_family(alg) != AlgorithmFamily::hmac)
        return asymmetric_sign(alg, *signer, input, out);
    unsigned char tag[kMaxHmacTagBytes];
    size_t tag_len = 0;
    PGJWT_TRY(hmac_compute(signer->mac_ctx.get(), input, tag, tag_len));
    out.append(reinterpret_cast<const char *>(tag), tag_len);
    return Status::Ok();
}

Status signature_check(Algorithm alg, const Key &key, const JoseHeader &header,
                       std::string_view input, std::string_view signature, bool &valid) {
    valid = false;
    if (key.set == nullptr || key.set->alg != alg)
        return Status::Internal("verifying with a key not resolved for the algorithm");
    Candidates candidates;
    PGJWT_TRY(select_keys(*key.set, header, candidates));
    for (size_t i = 0; i < candidates.count; i++) {
        PGJWT_TRY(check_one(alg, *candidates.keys[i], input, signature, valid));
        if (valid) return Status::Ok();
    }
    return Status::Ok();
}

}  // namespace pgjwt

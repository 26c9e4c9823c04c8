#include "signature.hpp"

#include "hmac.hpp"

namespace pgjwt {

Status signature_create(Algorithm alg, const Key &key, std::string_view input, std::string &out) {
    switch (algorithm_family(alg)) {
        case AlgorithmFamily::hmac: {
            unsigned char tag[kMaxHmacTagBytes];
            size_t tag_len = 0;
            PGJWT_TRY(hmac_compute(alg, key.secret, input, tag, tag_len));
            out.append(reinterpret_cast<const char *>(tag), tag_len);
            return Status::Ok();
        }
    }
    return Status::Internal("unsupported algorithm family");
}

Status signature_check(Algorithm alg, const Key &key, std::string_view input,
                       std::string_view signature, bool &valid) {
    valid = false;
    switch (algorithm_family(alg)) {
        case AlgorithmFamily::hmac:
            return hmac_verify(alg, key.secret, input, signature, valid);
    }
    return Status::Internal("unsupported algorithm family");
}

}  // namespace pgjwt

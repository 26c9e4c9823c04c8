#include "hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "openssl_error.hpp"

namespace pgjwt {
namespace {

struct MacFree {
    void operator()(EVP_MAC *mac) const { EVP_MAC_free(mac); }
};

// Fetched on first use; a failed fetch is tried again on the next call
// rather than remembered.
EVP_MAC *hmac_algorithm() {
    static std::unique_ptr<EVP_MAC, MacFree> mac;
    if (!mac) mac.reset(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    return mac.get();
}

}  // namespace

Status hmac_context(Algorithm alg, std::string_view secret, MacCtxPtr &out) {
    openssl_clear_errors();
    if (algorithm_family(alg) != AlgorithmFamily::hmac)
        return Status::Internal("hmac_context called with a non-HMAC algorithm");
    if (secret.empty()) return Status::InvalidArgument("HMAC secret must not be empty");
    EVP_MAC *mac = hmac_algorithm();
    if (mac == nullptr) return openssl_failure("load the HMAC implementation");
    MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
    if (!ctx) return openssl_failure("allocate an HMAC context");
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
                               OSSL_MAC_PARAM_DIGEST,
                               const_cast<char *>(digest_openssl_name(algorithm_digest(alg))), 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char *>(secret.data()),
                     secret.size(), params) != 1)
        return openssl_failure("initialise HMAC");
    out = std::move(ctx);
    return Status::Ok();
}

Status hmac_compute(EVP_MAC_CTX *ctx, std::string_view message, unsigned char *tag,
                    size_t &tag_len) {
    openssl_clear_errors();
    // A NULL key re-initialises with the key already set (OpenSSL 3 HMAC).
    if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(message.data()),
                       message.size()) != 1 ||
        EVP_MAC_final(ctx, tag, &tag_len, kMaxHmacTagBytes) != 1)
        return openssl_failure("compute HMAC");
    return Status::Ok();
}

Status hmac_verify(EVP_MAC_CTX *ctx, std::string_view message, std::string_view tag,
                   bool &matches) {
    matches = false;
    unsigned char expected[kMaxHmacTagBytes];
    size_t expected_len = 0;
    PGJWT_TRY(hmac_compute(ctx, message, expected, expected_len));
    matches = tag.size() == expected_len && CRYPTO_memcmp(expected, tag.data(), expected_len) == 0;
    return Status::Ok();
}

}  // namespace pgjwt

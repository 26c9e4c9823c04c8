#include "hmac.hpp"

#include <memory>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "lru_cache.hpp"
#include "openssl_error.hpp"

namespace pgjwt {
namespace {

struct MacCtxFree {
    void operator()(EVP_MAC_CTX *ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

struct MacFree {
    void operator()(EVP_MAC *mac) const { EVP_MAC_free(mac); }
};

// Enough for every secret a backend reasonably alternates between, small
// enough that a hostile stream of secrets cannot grow the backend.
constexpr size_t kCacheEntries = 64;
constexpr size_t kCacheBytes = 256 * 1024;

LruCache<MacCtxPtr> &cache() {
    static LruCache<MacCtxPtr> instance(kCacheEntries, kCacheBytes);
    return instance;
}

// Fetched on first use; a failed fetch is tried again on the next call
// rather than remembered.
EVP_MAC *hmac_algorithm() {
    static std::unique_ptr<EVP_MAC, MacFree> mac;
    if (!mac) mac.reset(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    return mac.get();
}

// The keyed context for (alg, secret), created on first use.
Status keyed_context(Algorithm alg, std::string_view secret, EVP_MAC_CTX *&out) {
    // The cache key of the last lookup, reused: no allocation per message.
    // (It holds a secret, as does the cache itself; the cache wipes evicted
    // keys.)
    static std::string key;
    LruCache<MacCtxPtr> &contexts = cache();
    key.clear();
    key.push_back(static_cast<char>(alg));
    key.append(secret);
    if (MacCtxPtr *hit = contexts.find(key)) {
        out = hit->get();
        return Status::Ok();
    }
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
    out = ctx.get();
    // An HMAC context holds the inner and outer digest states: about 1 KiB.
    contexts.insert(key, std::move(ctx), 1024);
    return Status::Ok();
}

}  // namespace

Status hmac_compute(Algorithm alg, std::string_view secret, std::string_view message,
                    unsigned char *tag, size_t &tag_len) {
    openssl_clear_errors();
    if (algorithm_family(alg) != AlgorithmFamily::hmac)
        return Status::Internal("hmac_compute called with a non-HMAC algorithm");
    if (secret.empty()) return Status::InvalidArgument("HMAC secret must not be empty");
    EVP_MAC_CTX *ctx = nullptr;
    PGJWT_TRY(keyed_context(alg, secret, ctx));
    // A NULL key re-initialises with the key already set (OpenSSL 3 HMAC).
    if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(message.data()),
                       message.size()) != 1 ||
        EVP_MAC_final(ctx, tag, &tag_len, kMaxHmacTagBytes) != 1)
        return openssl_failure("compute HMAC");
    return Status::Ok();
}

Status hmac_verify(Algorithm alg, std::string_view secret, std::string_view message,
                   std::string_view tag, bool &matches) {
    matches = false;
    unsigned char expected[kMaxHmacTagBytes];
    size_t expected_len = 0;
    PGJWT_TRY(hmac_compute(alg, secret, message, expected, expected_len));
    matches = tag.size() == expected_len && CRYPTO_memcmp(expected, tag.data(), expected_len) == 0;
    return Status::Ok();
}

void hmac_cache_clear() {
    cache().clear();
}
size_t hmac_cache_size() {
    return cache().size();
}

}  // namespace pgjwt

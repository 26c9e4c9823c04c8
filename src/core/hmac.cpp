#include "hmac.hpp"

#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lru_cache.hpp"
#include "message_digest.hpp"
#include "openssl_error.hpp"
#include "openssl_ptr.hpp"

namespace pgjwt {
namespace {

// HMAC (RFC 2104) keyed once: the digest states after absorbing the padded
// key XOR ipad and XOR opad. Each message then costs two context copies and
// the message's own hashing; the key's two blocks are never hashed again.
struct KeyedHmac {
    MdCtxPtr inner, outer;
};

// Enough for every secret a backend reasonably alternates between, small
// enough that a hostile stream of secrets cannot grow the backend.
constexpr size_t kCacheEntries = 64;
constexpr size_t kCacheBytes = 256 * 1024;
// Two digest contexts and their provider states (SHA-512's is the largest).
constexpr size_t kEntryBytes = 1024;

LruCache<KeyedHmac> &cache() {
    static LruCache<KeyedHmac> instance(kCacheEntries, kCacheBytes);
    return instance;
}

// A digest context that has absorbed one block.
MdCtxPtr absorbed(const EVP_MD *md, const unsigned char *block, size_t size) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), block, size) != 1)
        return nullptr;
    return ctx;
}

Status keyed_hmac(Algorithm alg, std::string_view secret, KeyedHmac &out) {
    const EVP_MD *md = message_digest(algorithm_digest(alg));
    if (md == nullptr) return openssl_failure("load the HMAC digest");
    // The key block: the secret, or its hash when longer than a block, then
    // zeros (RFC 2104 section 2). Wiped before returning.
    constexpr size_t kMaxBlock = 128;
    auto block_size = static_cast<size_t>(EVP_MD_get_block_size(md));
    if (block_size == 0 || block_size > kMaxBlock)
        return Status::Internal("unexpected HMAC block size");
    std::array<unsigned char, kMaxBlock> key{}, pad{};
    if (secret.size() > block_size) {
        unsigned int hashed = 0;
        if (EVP_Digest(secret.data(), secret.size(), key.data(), &hashed, md, nullptr) != 1)
            return openssl_failure("hash the HMAC secret");
    } else {
        std::copy(secret.begin(), secret.end(), key.begin());
    }
    for (size_t i = 0; i < block_size; i++) pad[i] = key[i] ^ 0x36;
    out.inner = absorbed(md, pad.data(), block_size);
    for (size_t i = 0; i < block_size; i++) pad[i] = key[i] ^ 0x5c;
    out.outer = absorbed(md, pad.data(), block_size);
    OPENSSL_cleanse(key.data(), key.size());
    OPENSSL_cleanse(pad.data(), pad.size());
    if (!out.inner || !out.outer) return openssl_failure("initialise HMAC");
    return Status::Ok();
}

// The keyed state for (alg, secret), created on first use.
Status cached_hmac(Algorithm alg, std::string_view secret, const KeyedHmac *&out) {
    // One buffer for the cache key, reused: no allocation per message. (It
    // holds a secret, as does the cache itself; the cache wipes evicted keys.)
    static std::string key;
    key.clear();
    key.push_back(static_cast<char>(alg));
    key.append(secret);
    if (const KeyedHmac *hit = cache().find(key)) {
        out = hit;
        return Status::Ok();
    }
    KeyedHmac keyed;
    PGJWT_TRY(keyed_hmac(alg, secret, keyed));
    out = &cache().insert(key, std::move(keyed), kEntryBytes);
    return Status::Ok();
}

// The working context the keyed states are copied into, kept for the
// backend's life. A failed allocation is tried again on the next call
// rather than remembered.
EVP_MD_CTX *work_context() {
    static MdCtxPtr work;
    if (!work) work.reset(EVP_MD_CTX_new());
    return work.get();
}

}  // namespace

Status hmac_compute(Algorithm alg, std::string_view secret, std::string_view message,
                    unsigned char *tag, size_t &tag_len) {
    openssl_clear_errors();
    if (algorithm_family(alg) != AlgorithmFamily::hmac)
        return Status::Internal("hmac_compute called with a non-HMAC algorithm");
    if (secret.empty()) return Status::InvalidArgument("HMAC secret must not be empty");
    const KeyedHmac *keyed = nullptr;
    PGJWT_TRY(cached_hmac(alg, secret, keyed));
    EVP_MD_CTX *work = work_context();
    if (work == nullptr) return openssl_failure("allocate an HMAC context");
    unsigned char inner[EVP_MAX_MD_SIZE];
    unsigned int inner_len = 0, outer_len = 0;
    bool ok = EVP_MD_CTX_copy_ex(work, keyed->inner.get()) == 1 &&
              EVP_DigestUpdate(work, message.data(), message.size()) == 1 &&
              EVP_DigestFinal_ex(work, inner, &inner_len) == 1 &&
              EVP_MD_CTX_copy_ex(work, keyed->outer.get()) == 1 &&
              EVP_DigestUpdate(work, inner, inner_len) == 1 &&
              EVP_DigestFinal_ex(work, tag, &outer_len) == 1;
    OPENSSL_cleanse(inner, sizeof inner);
    if (!ok) return openssl_failure("compute HMAC");
    tag_len = outer_len;
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

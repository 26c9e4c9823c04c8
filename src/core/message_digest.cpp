#include "message_digest.hpp"

#include <array>

#include "openssl_ptr.hpp"

namespace pgjwt {

const EVP_MD *message_digest(Digest digest) {
    static std::array<MdPtr, 4> fetched;
    auto &slot = fetched[static_cast<size_t>(digest)];
    if (!slot) slot.reset(EVP_MD_fetch(nullptr, digest_openssl_name(digest), nullptr));
    return slot.get();
}

bool message_digest_compute(Digest digest, std::string_view input, unsigned char *out,
                            unsigned int &size) {
    static std::array<MdCtxPtr, 4> contexts;
    const EVP_MD *md = message_digest(digest);
    if (md == nullptr) return false;
    auto &ctx = contexts[static_cast<size_t>(digest)];
    if (!ctx) {
        ctx.reset(EVP_MD_CTX_new());
        if (!ctx) return false;
    }
    if (EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
        EVP_DigestUpdate(ctx.get(), input.data(), input.size()) == 1 &&
        EVP_DigestFinal_ex(ctx.get(), out, &size) == 1)
        return true;
    ctx.reset();
    return false;
}

}  // namespace pgjwt

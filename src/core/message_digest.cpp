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

}  // namespace pgjwt

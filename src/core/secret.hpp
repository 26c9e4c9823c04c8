// Memory that holds key material: HMAC secrets, private keys as text or JWK
// members, and the cache keys made of them. Every such copy the core makes
// is a SecretString, whose bytes are wiped (OPENSSL_cleanse) before their
// memory is given back: when the string is destroyed, and whenever it grows
// into a larger buffer (the old one is wiped as it is freed). So a cache
// that evicts a key, a container that drops one and a string that is
// reassigned leave no copy behind in freed memory (DESIGN.md section 3).
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <openssl/crypto.h>

namespace pgjwt {

// std::allocator whose blocks are wiped before they are freed.
template <typename T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() noexcept = default;
    template <typename U>
    WipingAllocator(const WipingAllocator<U> &) noexcept {}
    T *allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
    void deallocate(T *p, std::size_t n) noexcept {
        OPENSSL_cleanse(p, n * sizeof(T));
        std::allocator<T>().deallocate(p, n);
    }
    template <typename U>
    bool operator==(const WipingAllocator<U> &) const noexcept {
        return true;
    }
};

using WipedString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

// A string for key material. Its characters never live inside the object
// (a std::string keeps up to 15 of them there, where no allocator sees
// them): every constructor gives it an allocated buffer first, and it only
// ever grows. The destructor wipes the buffer's whole capacity.
class SecretString : public WipedString {
  public:
    SecretString() { reserve(kMinCapacity); }
    explicit SecretString(std::string_view text) : SecretString() { append(text); }
    SecretString(const SecretString &other) : SecretString() { append(other); }
    // The source keeps a fresh empty buffer of its own.
    SecretString(SecretString &&other) : SecretString() { swap(other); }
    SecretString &operator=(const SecretString &other) {
        if (this != &other) {
            clear();
            append(other);
        }
        return *this;
    }
    SecretString &operator=(SecretString &&other) {
        if (this != &other) {
            wipe();
            swap(other);
        }
        return *this;
    }
    SecretString &operator=(std::string_view text) {
        // (Nowhere assign(): GCC 12 warns of an impossible overlap in it at -O2.)
        if (text.data() >= data() && text.data() <= data() + size())
            return *this = SecretString(text);  // a view of this string
        clear();
        append(text);
        return *this;
    }
    ~SecretString() { OPENSSL_cleanse(data(), capacity()); }

    // Wipes the characters and empties the string (the buffer stays).
    void wipe() noexcept {
        OPENSSL_cleanse(data(), capacity());
        clear();
    }
    std::string_view view() const noexcept { return {data(), size()}; }

  private:
    // Larger than any short-string buffer (libstdc++: 15, libc++: 22).
    static constexpr std::size_t kMinCapacity = 32;
};

}  // namespace pgjwt

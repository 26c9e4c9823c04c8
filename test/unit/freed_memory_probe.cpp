// See freed_memory_probe.hpp. Only operator delete looks: the test binary is
// single-threaded, and the probe is armed only inside the test that uses it.
#include "unit/freed_memory_probe.hpp"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace pgjwt_test {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAvailable = false;
#else
constexpr bool kAvailable = true;
#endif

struct ProbeState {
    const char *needle = nullptr;
    size_t needle_size = 0;
    size_t hits = 0;
};
ProbeState g_probe;

[[maybe_unused]] void look(void *block, size_t size) noexcept {
    if (g_probe.needle == nullptr || block == nullptr || size < g_probe.needle_size) return;
    if (memmem(block, size, g_probe.needle, g_probe.needle_size) != nullptr) ++g_probe.hits;
}

}  // namespace

bool freed_memory_probe_available() {
    return kAvailable;
}

FreedMemoryProbe::FreedMemoryProbe(std::string_view needle) {
    g_probe = ProbeState{needle.data(), needle.size(), 0};
}
FreedMemoryProbe::~FreedMemoryProbe() {
    g_probe = ProbeState{};
}
size_t FreedMemoryProbe::hits() const {
    return g_probe.hits;
}

}  // namespace pgjwt_test

#if !defined(__SANITIZE_ADDRESS__)
// The replaceable global allocation functions (C++20 [new.delete]); the
// array and nothrow forms call these by default.
void *operator new(std::size_t size) {
    void *block = std::malloc(size ? size : 1);
    if (block == nullptr) throw std::bad_alloc();
    return block;
}
void operator delete(void *block) noexcept {
    if (block != nullptr) pgjwt_test::look(block, malloc_usable_size(block));
    std::free(block);
}
void operator delete(void *block, std::size_t size) noexcept {
    pgjwt_test::look(block, size);
    std::free(block);
}
#endif

// Looks into heap blocks as they are freed, to check that secrets are wiped
// before their memory goes back to the allocator. The test binary replaces
// the global operator new/delete with malloc/free plus this look (not under
// AddressSanitizer, which keeps its own allocator and its mismatch checks).
#pragma once

#include <cstddef>
#include <string_view>

namespace pgjwt_test {

// True when this build can look at freed blocks.
bool freed_memory_probe_available();

// While alive, counts the blocks freed through operator delete that still
// contain `needle` (which the caller keeps alive and unchanged).
class FreedMemoryProbe {
  public:
    explicit FreedMemoryProbe(std::string_view needle);
    ~FreedMemoryProbe();
    FreedMemoryProbe(const FreedMemoryProbe &) = delete;
    FreedMemoryProbe &operator=(const FreedMemoryProbe &) = delete;
    // Freed blocks seen so far that held the needle.
    size_t hits() const;
};

}  // namespace pgjwt_test

#include "scratch.hpp"

#include "json.hpp"

namespace pgjwt {

void release_large_buffers() noexcept {
    json_release_large_buffers();
}

}  // namespace pgjwt

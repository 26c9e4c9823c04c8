// A transparent hash for maps keyed by std::string, so that a lookup by a
// std::string_view (a kid or an iss read from a token) copies nothing.
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pgjwt {

struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

// std::unordered_map<std::string, T> whose find() takes a std::string_view.
template <typename T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

}  // namespace pgjwt

// Locating and loading the copied-in test vectors (test/vectors/wycheproof).
// The binaries run from the repository root; PG_JWT_SOURCE_DIR, when defined
// at build time, names the root explicitly.
#pragma once

#include <simdjson.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "common/repo_path.hpp"

namespace pgjwt_test {

// The path of test/vectors/<relative> (see RepoPath); empty when not found.
inline std::filesystem::path VectorPath(std::string_view relative) {
    return RepoPath(std::filesystem::path("test") / "vectors" / std::filesystem::path(relative));
}

// Hex test data to bytes (Wycheproof's "key", "msg", "tag"); false on an
// odd length or a non-hex digit.
inline bool HexToBytes(std::string_view hex, std::string &out) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    out.clear();
    if (hex.size() % 2) return false;
    for (size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return true;
}

}  // namespace pgjwt_test

// Locating files of the repository from a test binary. The binaries run
// from the repository root; PG_JWT_SOURCE_DIR, when defined at build time,
// names the root explicitly.
#pragma once

#include <filesystem>
#include <system_error>

namespace pgjwt_test {

// The path of `relative` (from the repository root), looked up from
// PG_JWT_SOURCE_DIR, else from the current directory and its parents; empty
// when not found.
inline std::filesystem::path RepoPath(const std::filesystem::path &relative) {
    namespace fs = std::filesystem;
#ifdef PG_JWT_SOURCE_DIR
    if (fs::path p = fs::path(PG_JWT_SOURCE_DIR) / relative; fs::exists(p)) return p;
#endif
    std::error_code ec;
    for (fs::path dir = fs::current_path(ec); !ec && !dir.empty(); dir = dir.parent_path()) {
        if (fs::path p = dir / relative; fs::exists(p)) return p;
        if (dir == dir.root_path()) break;
    }
    return {};
}

}  // namespace pgjwt_test

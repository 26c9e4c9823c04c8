// Shared by the libFuzzer targets of test/fuzz: locating the repository (for
// the fixed keys in test/keys and the seed tokens of the corpus), property
// checks that abort with a readable message, and the checks every call into
// the core must pass (a Status of an expected kind, an empty OpenSSL error
// queue, no key or token quoted in a message).
#pragma once

#include <openssl/err.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.hpp"
#include "core/status.hpp"

namespace fuzz {

inline const char *FaultName(pgjwt::Fault fault) {
    return pgjwt::fault_name(fault);
}

inline std::string Describe(const pgjwt::Status &s) {
    return std::string("{") + FaultName(s.fault) + ", \"" + s.message + "\", \"" + s.detail + "\"}";
}

// A violated property: print what and where, then abort (libFuzzer saves the input).
[[noreturn]] inline void Fail(const char *file, int line, const std::string &what) {
    std::fprintf(stderr, "\n==== PROPERTY VIOLATED at %s:%d\n%s\n", file, line, what.c_str());
    std::fflush(stderr);
    std::abort();
}

#define FUZZ_CHECK(cond, msg)                                            \
    do {                                                                 \
        if (!(cond)) {                                                   \
            std::ostringstream fuzz_os_;                                 \
            fuzz_os_ << "check failed: " #cond "\n" << msg; /* NOLINT */ \
            ::fuzz::Fail(__FILE__, __LINE__, fuzz_os_.str());            \
        }                                                                \
    } while (0)

// The repository root: $PG_JWT_SOURCE_DIR, else the directory the target was
// built from, else the current directory or a parent holding test/keys.
inline std::filesystem::path SourceDir() {
    namespace fs = std::filesystem;
    auto is_root = [](const fs::path &p) {
        std::error_code ec;
        return fs::exists(p / "test" / "keys", ec) && fs::exists(p / "src" / "core", ec);
    };
    if (const char *env = std::getenv("PG_JWT_SOURCE_DIR"); env && *env) {
        if (is_root(env)) return env;
        Fail(__FILE__, __LINE__,
             std::string("PG_JWT_SOURCE_DIR=") + env + " is not the repository");
    }
#ifdef PG_JWT_SOURCE_DIR_DEFAULT
    if (is_root(PG_JWT_SOURCE_DIR_DEFAULT)) return PG_JWT_SOURCE_DIR_DEFAULT;
#endif
    std::error_code ec;
    for (fs::path dir = fs::current_path(ec); !ec && !dir.empty(); dir = dir.parent_path()) {
        if (is_root(dir)) return dir;
        if (dir == dir.root_path()) break;
    }
    Fail(__FILE__, __LINE__, "repository not found: set PG_JWT_SOURCE_DIR");
}

inline std::string ReadFile(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) Fail(__FILE__, __LINE__, "cannot read " + path.string());
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

// test/keys/<name>
inline std::string KeyFile(const char *name) {
    return ReadFile(SourceDir() / "test" / "keys" / name);
}

// The files named seed-* in test/fuzz/corpus/<target>: tokens signed with the
// fixed keys by test/fuzz/make_seeds.cpp.
inline std::vector<std::string> LoadSeeds(const char *target) {
    namespace fs = std::filesystem;
    fs::path dir = SourceDir() / "test" / "fuzz" / "corpus" / target;
    std::vector<std::string> seeds;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().filename().string().rfind("seed-", 0) == 0)
            seeds.push_back(ReadFile(entry.path()));
    }
    if (seeds.empty()) Fail(__FILE__, __LINE__, "no seed-* files in " + dir.string());
    std::sort(seeds.begin(), seeds.end());
    return seeds;
}

inline std::string Hex(std::string_view bytes, size_t max = 256) {
    static const char *digits = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < bytes.size() && i < max; i++) {
        auto c = static_cast<unsigned char>(bytes[i]);
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    if (bytes.size() > max) out += "...";
    return out;
}

using pgjwt_test::IsValidUtf8;

// DESIGN.md section 2.3: the queue is empty after every core call.
inline void CheckQueue(const char *call) {
    unsigned long e = ERR_peek_error();
    if (e == 0) return;
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    Fail(__FILE__, __LINE__,
         std::string("OpenSSL error queue not empty after ") + call + ": " + text);
}

// Checks a Status returned for `input`: its fault is one of `allowed`, an Ok
// has no message and a failure has one, messages are valid UTF-8 whenever the
// input is, and no message quotes a long input whole (DESIGN.md section 2.6).
inline void CheckStatus(const pgjwt::Status &s, std::initializer_list<pgjwt::Fault> allowed,
                        std::string_view input, const char *call) {
    CheckQueue(call);
    bool ok = std::find(allowed.begin(), allowed.end(), s.fault) != allowed.end();
    FUZZ_CHECK(ok, call << " returned an unexpected fault: " << Describe(s));
    if (s.ok()) {
        FUZZ_CHECK(s.message.empty() && s.detail.empty(),
                   call << ": Ok with a message " << Describe(s));
        return;
    }
    FUZZ_CHECK(!s.message.empty(), call << ": failure without a message " << Describe(s));
    if (IsValidUtf8(input)) {
        FUZZ_CHECK(IsValidUtf8(s.message) && IsValidUtf8(s.detail),
                   call << ": message is not UTF-8: " << Hex(s.message) << " / " << Hex(s.detail));
    }
    if (input.size() >= 80) {
        bool quoted =
            s.message.find(input) != std::string::npos || s.detail.find(input) != std::string::npos;
        FUZZ_CHECK(!quoted, call << ": message quotes the whole input " << Describe(s));
    }
}

using F = pgjwt::Fault;

// A finding already reported and not fixed yet: `make fuzz` (run-fuzzers)
// lists the known ones in PG_JWT_FUZZ_KNOWN so that fuzzing goes on past
// them; the replay of `make test` does not, so they fail there until fixed.
inline bool Known(const char *id) {
    const char *env = std::getenv("PG_JWT_FUZZ_KNOWN");
    return env != nullptr && std::string_view(env).find(id) != std::string_view::npos;
}

}  // namespace fuzz

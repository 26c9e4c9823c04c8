// pg_jwt.role_claim_key (src/core/json_path.hpp) and the regular
// expressions of its search() (src/core/iregexp.hpp). The claims come from
// tokens, the path from a superuser's setting: neither may crash or hang.
// Input: [mode byte][path]\0[claims] (no \0: the claims are {}).
// Properties:
//   - reading a path fails only with invalid_argument, with the setting's
//     message and a detail that names a character;
//   - selecting fails only for claims that are not a JSON object, and gives
//     the same answer twice; a role selected is the string found;
//   - with mode bit 0, the input is instead [pattern]\0[text]: every
//     pattern compiles or gives an error with a position, and for short
//     ASCII patterns without counted repetition, wherever I-Regexp accepts
//     the pattern, search() agrees with std::regex's ECMAScript search (the
//     dialect it follows for ^ and $).
#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>
#include <string_view>

#include "core/iregexp.hpp"
#include "core/json.hpp"
#include "core/json_path.hpp"
#include "fuzz/common.hpp"

namespace {

using namespace pgjwt;
using fuzz::F;

bool ShortAscii(std::string_view s, size_t max) {
    if (s.size() > max) return false;
    for (char c : s)
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return false;
    for (char c : s)
        if (static_cast<unsigned char>(c) > 0x7e) return false;
    return true;
}

// The reference backtracks (libstdc++'s std::regex), exponentially in the
// quantifiers: only patterns it can run quickly, over short texts.
bool EasyForBacktracking(std::string_view pattern) {
    int quantifiers = 0;
    for (char c : pattern) {
        if (c == '{') return false;
        if (c == '*' || c == '+' || c == '?') quantifiers++;
    }
    return quantifiers <= 3;
}

void CompareWithEcmaScript(std::string_view pattern, std::string_view text) {
    IRegexp re;
    RegexpError error;
    if (!compile_iregexp(pattern, re, error)) {
        FUZZ_CHECK(
            error.position >= 1 && error.position <= pattern.size() + 1 && !error.what.empty(),
            "error " << error.what << " at " << error.position);
        return;
    }
    FUZZ_CHECK(re.states.size() <= kMaxRegexpStates, re.states.size() << " states");
    bool found = false;
    Status s = iregexp_search(re, text, found);
    FUZZ_CHECK(s.ok(), fuzz::Describe(s));
    if (!ShortAscii(pattern, 16) || !ShortAscii(text, 10) || !EasyForBacktracking(pattern)) return;
    bool expected;
    try {
        std::regex reference(pattern.begin(), pattern.end(), std::regex::ECMAScript);
        expected = std::regex_search(text.begin(), text.end(), reference);
    } catch (const std::regex_error &) {
        return;  // libstdc++ refuses some valid patterns (or gives up on complexity)
    }
    FUZZ_CHECK(found == expected, "pattern \"" << pattern << "\" text \"" << text << "\": I-Regexp "
                                               << found << ", ECMAScript " << expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t mode = data[0];
    std::string_view rest(reinterpret_cast<const char *>(data + 1), size - 1);
    size_t nul = rest.find('\0');
    std::string_view first = rest.substr(0, nul);
    std::string_view second = nul == std::string_view::npos ? "{}" : rest.substr(nul + 1);
    if (mode & 1) {
        CompareWithEcmaScript(first, nul == std::string_view::npos ? "" : second);
        return 0;
    }

    JsonPath path;
    Status parsed = parse_role_claim_key(first, path);
    fuzz::CheckStatus(parsed, {F::none, F::invalid_argument}, first, "parse_role_claim_key");
    if (!parsed.ok()) {
        FUZZ_CHECK(parsed.message.rfind("invalid pg_jwt.role_claim_key \"", 0) == 0,
                   fuzz::Describe(parsed));
        FUZZ_CHECK(parsed.detail.find(" at character ") != std::string::npos,
                   fuzz::Describe(parsed));
        return 0;
    }
    RoleClaim once, twice;
    Status s1 = select_role_claim(path, json_input(second), once);
    fuzz::CheckStatus(s1, {F::none, F::invalid_argument, F::malformed_json, F::malformed_token},
                      second, "select_role_claim");
    Status s2 = select_role_claim(path, json_input(second), twice);
    FUZZ_CHECK(s1.fault == s2.fault && once.kind == twice.kind && once.role == twice.role,
               "two selections differ");
    if (s1.ok() && once.kind == RoleClaim::Kind::string)
        FUZZ_CHECK(second.find(once.role) != std::string_view::npos || once.role.empty() ||
                       second.find('\\') != std::string_view::npos,
                   "role \"" << once.role << "\" is not in the claims");
    return 0;
}

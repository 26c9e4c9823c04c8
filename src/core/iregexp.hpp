// The regular expressions of search(), the one function that
// pg_jwt.role_claim_key's JSONPath filters allow (RFC 9535 section 2.4.7):
// I-Regexp (RFC 9485) without its Unicode category escapes, with ^ and $ as
// anchors.
//
// Why an engine of its own. The pattern comes from a superuser's setting,
// but the text it runs over comes from tokens: claim values that an identity
// provider may copy from what its users typed (group names, display names).
// Matching must therefore take a time bounded by the text, whatever the
// pattern. PostgreSQL's regex engine cannot be used here (the core never
// sees PostgreSQL), and std::regex backtracks: its time grows exponentially
// with nested quantifiers ((a+)+b), and libstdc++ recurses once per
// character, so a long claim value could exhaust the stack and crash the
// backend. I-Regexp has no back-references and no look-around, so every
// pattern is a finite automaton: it is compiled into a Thompson NFA of at
// most kMaxRegexpStates states and run by simulating all states at once,
// which takes at most (text length x states) steps, never recurses over the
// text, and polls for cancellation (statement_timeout) as it goes.
//
// The dialect, RFC 9485 with two deviations, both written in the README:
//  * ^ and $ anchor at the start and the end of the string, as in the
//    ECMAScript and PCRE regular expressions that RFC 9485 section 5 maps
//    I-Regexp to and that JSONPath implementations (PostgREST's examples
//    among them: search(@, '^au')) use; I-Regexp itself reads them as
//    literal characters. Write \^ (an I-Regexp escape) or [$] for those.
//  * \p{..} and \P{..} (Unicode categories) are refused: they would need
//    Unicode tables.
// Everything else as RFC 9485 says: . matches any character but \n and \r;
// character classes [...] and [^...] with ranges and the single-character
// escapes \n \r \t and \ before ( ) * + - . ? [ \ ] ^ { | }; quantifiers
// * + ? {n} {n,} {n,m} (n, m at most 1000); groups (...) and alternation |.
// Matching is by Unicode code point (UTF-8 text), case-sensitive.
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "status.hpp"

namespace pgjwt {

// The most NFA states a pattern may compile to (a counted repetition
// copies its atom): bounds a search's time to about 1000 steps per character.
constexpr size_t kMaxRegexpStates = 1000;
// The largest count of a {n,m} quantifier.
constexpr uint32_t kMaxRegexpRepeat = 1000;
// The deepest nesting of groups.
constexpr size_t kMaxRegexpNesting = 32;

// A compiled pattern: plain data, copyable.
struct IRegexp {
    enum class Op : uint8_t { set, split, jump, line_start, line_end, accept };
    struct State {
        Op op;
        uint32_t next;   // jump, split: targets; set, anchors: pc + 1
        uint32_t other;  // split: the second target
        uint32_t set;    // set: index into sets
    };
    struct Range {
        char32_t low, high;
    };
    struct CharSet {
        bool negated = false;
        std::vector<Range> ranges;
    };
    std::vector<State> states;
    std::vector<CharSet> sets;
};

// What is wrong with a pattern, and where: the 1-based character (code
// point) position in the pattern.
struct RegexpError {
    size_t position = 0;
    std::string what;  // lower-case, no trailing period
};

// Compiles `pattern` (UTF-8). False, with `error` filled, when it is not in
// the dialect above or compiles to more than kMaxRegexpStates states.
bool compile_iregexp(std::string_view pattern, IRegexp &out, RegexpError &error);

// Whether some substring of `text` (valid UTF-8) matches (RFC 9535
// search()). Fails only with cancelled() when cancellation is requested.
Status iregexp_search(const IRegexp &re, std::string_view text, bool &found);

}  // namespace pgjwt

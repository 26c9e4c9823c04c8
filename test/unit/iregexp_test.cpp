// The regular expressions of search() in pg_jwt.role_claim_key
// (src/core/iregexp.hpp): I-Regexp (RFC 9485) with ^ and $ as anchors,
// matched in linear time.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

#include "core/cancel.hpp"
#include "core/iregexp.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;

// Whether `pattern` finds a match in `text`; "error: what at N" when it
// does not compile.
std::string Search(std::string_view pattern, std::string_view text) {
    IRegexp re;
    RegexpError error;
    if (!compile_iregexp(pattern, re, error))
        return "error: " + error.what + " at " + std::to_string(error.position);
    bool found = false;
    Status s = iregexp_search(re, text, found);
    if (!s.ok()) return "failed: " + s.message;
    return found ? "match" : "no match";
}

TEST(IRegexp, SearchIsUnanchored) {
    EXPECT_EQ(Search("au", "author"), "match");
    EXPECT_EQ(Search("th", "author"), "match");
    EXPECT_EQ(Search("or", "author"), "match");
    EXPECT_EQ(Search("x", "author"), "no match");
    EXPECT_EQ(Search("", "author"), "match");
    EXPECT_EQ(Search("", ""), "match");
    EXPECT_EQ(Search("a", ""), "no match");
}

// ^ and $ anchor (the deviation from RFC 9485, as ECMAScript reads them).
TEST(IRegexp, Anchors) {
    EXPECT_EQ(Search("^au", "author"), "match");
    EXPECT_EQ(Search("^th", "author"), "no match");
    EXPECT_EQ(Search("or$", "author"), "match");
    EXPECT_EQ(Search("au$", "author"), "no match");
    EXPECT_EQ(Search("^author$", "author"), "match");
    EXPECT_EQ(Search("^author$", "authors"), "no match");
    EXPECT_EQ(Search("^$", ""), "match");
    EXPECT_EQ(Search("^$", "a"), "no match");
    EXPECT_EQ(Search("a|^b", "cb"), "no match");
    EXPECT_EQ(Search("a|^b", "bc"), "match");
    // The characters themselves: \^ (an I-Regexp escape) and [$].
    EXPECT_EQ(Search("\\^au", "^author"), "match");
    EXPECT_EQ(Search("\\^au", "author"), "no match");
    EXPECT_EQ(Search("[$]x", "a$x"), "match");
    EXPECT_EQ(Search("[a^]", "^"), "match");
}

TEST(IRegexp, ClassesAndDot) {
    EXPECT_EQ(Search("^[a-c]+$", "abcabc"), "match");
    EXPECT_EQ(Search("^[a-c]+$", "abcd"), "no match");
    EXPECT_EQ(Search("^[^a-c]+$", "xyz"), "match");
    EXPECT_EQ(Search("^[^a-c]+$", "xaz"), "no match");
    EXPECT_EQ(Search("^[-a]+$", "a-a"), "match");
    EXPECT_EQ(Search("^[a-]+$", "a-a"), "match");
    EXPECT_EQ(Search("^[\\-\\]\\[]+$", "-[]"), "match");
    EXPECT_EQ(Search("^.$", "é"), "match");  // one character, two bytes
    EXPECT_EQ(Search("^..$", "é"), "no match");
    EXPECT_EQ(Search("^.$", "\n"), "no match");
    EXPECT_EQ(Search("^.$", "\r"), "no match");
    EXPECT_EQ(Search("^[à-ÿ]$", "é"), "match");
    EXPECT_EQ(Search("^\\n\\t\\r$", "\n\t\r"), "match");
    EXPECT_EQ(Search("^\\.\\*\\+\\?\\(\\)\\{\\}\\|\\\\$", ".*+?(){}|\\"), "match");
    EXPECT_EQ(Search("^a,b-c$", "a,b-c"), "match");
}

TEST(IRegexp, Quantifiers) {
    EXPECT_EQ(Search("^ab*c$", "ac"), "match");
    EXPECT_EQ(Search("^ab+c$", "ac"), "no match");
    EXPECT_EQ(Search("^ab?c$", "abbc"), "no match");
    EXPECT_EQ(Search("^a{3}$", "aaa"), "match");
    EXPECT_EQ(Search("^a{3}$", "aaaa"), "no match");
    EXPECT_EQ(Search("^a{2,}$", "aaaaa"), "match");
    EXPECT_EQ(Search("^a{2,}$", "a"), "no match");
    EXPECT_EQ(Search("^a{1,3}$", "aaa"), "match");
    EXPECT_EQ(Search("^a{1,3}$", "aaaa"), "no match");
    EXPECT_EQ(Search("^a{0,0}$", ""), "match");
    EXPECT_EQ(Search("^(ab|cd)+$", "abcdab"), "match");
    EXPECT_EQ(Search("^(ab|cd)+$", "abca"), "no match");
    EXPECT_EQ(Search("^(a*)*$", "aaa"), "match");
    EXPECT_EQ(Search("^(a|)+b$", "aab"), "match");
    EXPECT_EQ(Search("^role_(admin|user)$", "role_user"), "match");
}

TEST(IRegexp, RefusedPatterns) {
    EXPECT_EQ(Search("(a", ""), "error: unmatched \"(\" at 1");
    EXPECT_EQ(Search("a)", ""), "error: unmatched \")\" at 2");
    EXPECT_EQ(Search("*a", ""), "error: a quantifier with nothing to repeat at 1");
    EXPECT_EQ(Search("a**", ""), "error: a quantifier with nothing to repeat at 3");
    EXPECT_EQ(Search("a{2,1}", ""), "error: a {n,m} quantifier with m below n at 2");
    EXPECT_EQ(Search("a{1001}", ""), "error: a repeat count above 1000 at 6");
    EXPECT_EQ(Search("a{x}", ""), "error: expected a number in {} at 3");
    EXPECT_EQ(Search("a{1", ""), "error: expected \"}\" at 4");
    EXPECT_EQ(Search("a]", ""), "error: an unescaped \"]\" or \"}\" at 2");
    EXPECT_EQ(Search("[a", ""), "error: unmatched \"[\" at 1");
    EXPECT_EQ(Search("[]", ""), "error: an empty character class at 2");
    EXPECT_EQ(Search("[a-b-c]", ""),
              "error: an unescaped \"-\" inside a character class (write \\-) at 5");
    EXPECT_EQ(Search("[z-a]", ""), "error: a range whose end is below its start at 3");
    EXPECT_EQ(Search("[[]", ""), "error: an unescaped \"[\" in a character class at 2");
    EXPECT_EQ(Search("\\d", ""), "error: an escape that I-Regexp does not define at 1");
    EXPECT_EQ(Search("\\$", ""), "error: an escape that I-Regexp does not define at 1");
    EXPECT_EQ(Search("a\\", ""), "error: a \\ at the end of the pattern at 2");
    EXPECT_EQ(Search("\\p{Lu}", ""),
              "error: Unicode category escapes (\\p, \\P) are not supported at 1");
    EXPECT_EQ(Search("^*", ""), "error: a quantifier cannot follow an anchor at 2");
    std::string nested(33, '(');
    nested += std::string(33, ')');
    EXPECT_EQ(Search(nested, ""), "error: groups nested too deeply at 33");
    EXPECT_EQ(Search("(((a{10}){10}){10})", ""),
              "error: the pattern is too complex (more than 1000 states) at 1");
    EXPECT_EQ(Search("a{999}", "a"), "no match");  // 999 and the accepting state: the most
}

// Patterns that make backtracking engines take exponential time, over long
// texts: linear here.
TEST(IRegexp, LinearTime) {
    std::string text(65536, 'a');
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(Search("^(a+)+b$", text), "no match");
    EXPECT_EQ(Search("^(a|aa)*c", text), "no match");
    EXPECT_EQ(Search("(a*)*(a*)*(a*)*$x", text), "no match");
    EXPECT_EQ(Search("a{0,100}b", text), "no match");
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 10.0);
}

// Counted repeats of a child that compiles to no states compile to no states
// (they used to be emitted count by count, taking practically forever).
TEST(IRegexp, RepeatsOfTheEmptyMatch) {
    auto start = std::chrono::steady_clock::now();
    for (std::string_view pattern : {"((((a{0}){1000}){1000}){1000}){1000}",
                                     "(((()){1000}){1000}){1000}", "((a{0}|()){1000})*"}) {
        SCOPED_TRACE(pattern);
        IRegexp re;
        RegexpError error;
        ASSERT_TRUE(compile_iregexp(pattern, re, error));
        EXPECT_EQ(re.states.size(), 1u);  // only the accepting state, as for ""
        EXPECT_EQ(Search(pattern, ""), "match");
        EXPECT_EQ(Search(pattern, "author"), "match");
        std::string anchored = "^" + std::string(pattern) + "$";
        EXPECT_EQ(Search(anchored, ""), "match");
        EXPECT_EQ(Search(anchored, "a"), "no match");
        EXPECT_EQ(Search("x" + std::string(pattern) + "y", "axyb"), "match");
        EXPECT_EQ(Search("x" + std::string(pattern) + "y", "xay"), "no match");
    }
    // A child with an anchor still compiles to states.
    EXPECT_EQ(Search("(^){2}a", "ba"), "no match");
    EXPECT_EQ(Search("(^){2}a", "ab"), "match");
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 10.0);
}

bool always_cancel() noexcept {
    return true;
}

TEST(IRegexp, PollsForCancellation) {
    IRegexp re;
    RegexpError error;
    ASSERT_TRUE(compile_iregexp("x", re, error));
    bool found = true;
    set_cancel_check(always_cancel);
    Status s = iregexp_search(re, std::string(10000, 'a'), found);
    set_cancel_check(nullptr);
    EXPECT_EQ(s.fault, Fault::cancelled);
    EXPECT_TRUE(iregexp_search(re, std::string(10000, 'a'), found).ok());
    EXPECT_FALSE(found);
}

}  // namespace

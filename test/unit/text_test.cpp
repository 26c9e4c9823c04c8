// Text quoted in messages (src/core/text.hpp): excerpt() cuts at a UTF-8
// boundary and escapes control characters, so that a value from a token, a
// key or a setting cannot put a line break or a terminal escape sequence
// into a message or the server log (log and terminal injection).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/text.hpp"

namespace {

using namespace pgjwt;
using namespace std::literals;

std::string Escaped(std::string_view text) {
    std::string out;
    append_escaped(text, out);
    return out;
}

TEST(Escape, PrintableTextIsUnchanged) {
    for (std::string_view text : {""sv, "HS256"sv, "a \"quoted\" \\ name"sv, "\xc3\xa9t\xc3\xa9"sv,
                                  "\xe2\x82\xac \xf0\x9f\x94\x91"sv, "\xc2\xa0 (U+00A0)"sv})
        EXPECT_EQ(Escaped(text), text);
}

TEST(Escape, C0ControlsAndDeleteAreEscaped) {
    EXPECT_EQ(Escaped("a\rb\nc\td\be\ff"), "a\\rb\\nc\\td\\be\\ff");
    EXPECT_EQ(Escaped("\x1b[31mred\x1b[0m"), "\\u001b[31mred\\u001b[0m");
    EXPECT_EQ(Escaped("\x01\x1f\x7f"), "\\u0001\\u001f\\u007f");
    EXPECT_EQ(Escaped("nul\0byte"sv), "nul\\u0000byte");
}

TEST(Escape, EveryC0AndC1ControlIsEscaped) {
    for (int c = 0; c < 0x20; c++) {
        std::string text(1, static_cast<char>(c));
        std::string out = Escaped(text);
        EXPECT_EQ(out[0], '\\') << c;
        EXPECT_EQ(out.find_first_of(std::string("\0\r\n\x1b", 4)), std::string::npos) << c;
    }
    for (int c = 0x80; c <= 0x9f; c++) {
        std::string text = {'\xc2', static_cast<char>(c)};
        char expected[8];
        std::snprintf(expected, sizeof expected, "\\u00%02x", c);
        EXPECT_EQ(Escaped(text), expected) << c;
    }
    EXPECT_EQ(Escaped("next line\xc2\x85!"), "next line\\u0085!");
}

TEST(Escape, BytesThatAreNotUtf8AreEscaped) {
    EXPECT_EQ(Escaped("\xff\xfe"), "\\xff\\xfe");
    EXPECT_EQ(Escaped("\x85"), "\\x85");                             // a lone C1 byte (Latin-1 NEL)
    EXPECT_EQ(Escaped("\xc2"), "\\xc2");                             // truncated character
    EXPECT_EQ(Escaped("\xc0\x8a"), "\\xc0\\x8a");                    // overlong newline
    EXPECT_EQ(Escaped("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
    EXPECT_EQ(Escaped("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
    EXPECT_EQ(Escaped("ok\xe2\x82"), "ok\\xe2\\x82");
}

TEST(Excerpt, CutsThenEscapes) {
    EXPECT_EQ(excerpt("HS256\r\x1b[2J", 32), "HS256\\r\\u001b[2J");
    EXPECT_EQ(excerpt(std::string(70, 'a')), std::string(64, 'a') + "...");
    // The cut is at a character boundary: \xc3\xa9 is not split.
    EXPECT_EQ(excerpt("abc\xc3\xa9", 4), "abc...");
    EXPECT_EQ(excerpt("\n\n\n\n\n\n", 3), "\\n\\n\\n...");
    // Invalid text is not stepped back over without end.
    EXPECT_EQ(excerpt(std::string(10, '\x80'), 4), "\\x80\\x80\\x80\\x80...");
}

TEST(EscapeInto, FitsTheBufferAndNeverCutsAnEscape) {
    char buffer[8];
    EXPECT_EQ(escape_into("abc", buffer, sizeof buffer), 3u);
    EXPECT_STREQ(buffer, "abc");
    EXPECT_EQ(escape_into("abcdef\r", buffer, sizeof buffer), 6u);  // "\r" does not fit
    EXPECT_STREQ(buffer, "abcdef");
    EXPECT_EQ(escape_into("ab\x1b", buffer, sizeof buffer), 2u);  // nor does "\u001b"
    EXPECT_STREQ(buffer, "ab");
    EXPECT_EQ(escape_into("abcde\xc3\xa9", buffer, sizeof buffer), 7u);
    EXPECT_STREQ(buffer, "abcde\xc3\xa9");
    EXPECT_EQ(escape_into("abcdef\xc3\xa9", buffer, sizeof buffer), 6u);  // not half of é
    EXPECT_STREQ(buffer, "abcdef");
    char one[1];
    EXPECT_EQ(escape_into("abc", one, sizeof one), 0u);
    EXPECT_STREQ(one, "");
}

}  // namespace

// base64url without padding, strictly decoded (RFC 7515 section 2, RFC 4648
// section 5): every byte string has exactly one accepted spelling.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base64url.hpp"

namespace {

using pgjwt::base64url_append;
using pgjwt::base64url_decode;
using pgjwt::base64url_encode;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Decodes `text` into a fresh `out`; false when the text is refused.
bool Decode(std::string_view text, std::string &out) {
    out.clear();
    return base64url_decode(text, out);
}

struct Rfc4648Vector {
    std::string_view bytes;
    std::string_view encoded;  // RFC 4648 section 10, padding removed
};

// RFC 4648 section 10 test vectors; base64url and base64 agree on them but
// for the "=" padding, which base64url in JOSE omits.
constexpr Rfc4648Vector kRfc4648[] = {
    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64Url, Rfc4648VectorsEncode) {
    for (const auto &v : kRfc4648) EXPECT_EQ(base64url_encode(v.bytes), v.encoded) << v.bytes;
}

TEST(Base64Url, Rfc4648VectorsDecode) {
    for (const auto &v : kRfc4648) {
        std::string out;
        EXPECT_TRUE(Decode(v.encoded, out)) << v.encoded;
        EXPECT_EQ(out, v.bytes) << v.encoded;
    }
}

TEST(Base64Url, Rfc4648PaddedFormsAreRefused) {
    for (std::string_view padded : {"Zg==", "Zg=", "Zm8=", "Zm9vYg==", "Zm9vYmE=", "Zm9v===="}) {
        std::string out;
        EXPECT_FALSE(Decode(padded, out)) << padded;
    }
}

TEST(Base64Url, UsesDashAndUnderscore) {
    // 0xfb 0xff is "+/8=" in standard base64.
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
    EXPECT_EQ(base64url_encode("\xfb\xef\xbe"), "----");
    EXPECT_EQ(base64url_encode("\xff\xff\xff"), "____");
    std::string out;
    ASSERT_TRUE(Decode("-_8", out));
    EXPECT_EQ(out, "\xfb\xff");
    ASSERT_TRUE(Decode("____", out));
    EXPECT_EQ(out, "\xff\xff\xff");
}

TEST(Base64Url, StandardAlphabetCharactersAreRefused) {
    std::string out;
    EXPECT_FALSE(Decode("+_8", out));
    EXPECT_FALSE(Decode("-/8", out));
    EXPECT_FALSE(Decode("++++", out));
    EXPECT_FALSE(Decode("////", out));
    // The tutorial's signature in standard base64 (see jwt_test.cpp).
    EXPECT_FALSE(Decode("MQWECYWUT7bayj8miVgsj8KdYI3ZRVS+WRRZjfZrGrw=", out));
    EXPECT_FALSE(Decode("MQWECYWUT7bayj8miVgsj8KdYI3ZRVS+WRRZjfZrGrw", out));
    EXPECT_TRUE(Decode("MQWECYWUT7bayj8miVgsj8KdYI3ZRVS-WRRZjfZrGrw", out));
    EXPECT_EQ(out.size(), 32u);
}

TEST(Base64Url, WhiteSpaceIsRefused) {
    for (std::string_view text : {" Zm9v", "Zm9v ", "Zm 9v", "Zm9v\n", "\tZm9v", "Zm9\rv",
                                  "Zm9vYmFy\n", "Zm9v\fYmFy", "Zm9v\vYmFy"}) {
        std::string out;
        EXPECT_FALSE(Decode(text, out)) << '"' << text << '"';
    }
}

TEST(Base64Url, OtherCharactersAreRefused) {
    using namespace std::string_literals;
    for (const std::string &text : {"Zm9v."s, "Zm9?"s, "Zm9v\0"s, "\0Zm9"s, "Zm9\x80"s,
                                    "Zm\xc3\xa9v"s, "Zm9*"s, "Zm9~"s, "Zm9v%3D"s}) {
        std::string out;
        EXPECT_FALSE(Decode(text, out)) << text;
    }
}

TEST(Base64Url, LengthOneModFourIsRefused) {
    for (std::string_view text : {"A", "Z", "AAAAA", "Zm9vY", "Zm9vYmFyZ"}) {
        std::string out;
        EXPECT_FALSE(Decode(text, out)) << text;
    }
}

TEST(Base64Url, NonZeroTrailingBitsAreRefused) {
    std::string out;
    // "f" is "Zg": the second character carries 2 bits of data and 4 zero bits.
    EXPECT_TRUE(Decode("Zg", out));
    for (std::string_view text : {"Zh", "Zi", "Zv", "Zx", "Z_"})
        EXPECT_FALSE(Decode(text, out)) << text;
    // "fo" is "Zm8": the third character carries 4 bits of data and 2 zero bits.
    EXPECT_TRUE(Decode("Zm8", out));
    for (std::string_view text : {"Zm9", "Zm-", "Zm_"}) EXPECT_FALSE(Decode(text, out)) << text;
    // Wycheproof's "AB" (json_web_signature_test.json tc374): "B" sets a trailing bit.
    EXPECT_FALSE(Decode("AB", out));
    EXPECT_TRUE(Decode("AA", out));
    EXPECT_EQ(out, std::string(1, '\0'));
}

TEST(Base64Url, EmptyTextIsTheEmptyString) {
    std::string out = "unchanged";
    EXPECT_TRUE(base64url_decode("", out));
    EXPECT_EQ(out, "unchanged");
    EXPECT_EQ(base64url_encode(""), "");
}

TEST(Base64Url, DecodeAppendsAndRestoresOnRefusal) {
    std::string out = "prefix:";
    EXPECT_TRUE(base64url_decode("Zm9v", out));
    EXPECT_EQ(out, "prefix:foo");
    EXPECT_FALSE(base64url_decode("Zm9vYmF=", out));
    EXPECT_EQ(out, "prefix:foo");
    EXPECT_FALSE(base64url_decode("Zm9vYh", out));  // refused in the last quantum
    EXPECT_EQ(out, "prefix:foo");
    EXPECT_FALSE(base64url_decode("Zm9vYmFy Zm9v", out));  // refused in a full quantum
    EXPECT_EQ(out, "prefix:foo");
}

TEST(Base64Url, EncodeAppends) {
    std::string out = "x.";
    base64url_append("foobar", out);
    EXPECT_EQ(out, "x.Zm9vYmFy");
    base64url_append("", out);
    EXPECT_EQ(out, "x.Zm9vYmFy");
}

TEST(Base64Url, EveryByteValueRoundTrips) {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
    for (size_t len = 0; len <= bytes.size(); ++len) {
        std::string_view in(bytes.data(), len);
        std::string encoded = base64url_encode(in);
        EXPECT_EQ(encoded.size(), len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0));
        EXPECT_EQ(encoded.find_first_not_of(kAlphabet), std::string::npos);
        std::string decoded;
        ASSERT_TRUE(Decode(encoded, decoded)) << len;
        EXPECT_EQ(decoded, in) << len;
    }
}

// The encoding computed bit by bit, six bits a character: the reference the
// table-driven loop is compared with.
std::string ReferenceEncode(std::string_view bytes) {
    std::string out;
    size_t bits = bytes.size() * 8;
    for (size_t at = 0; at < bits; at += 6) {
        unsigned value = 0;
        for (size_t k = at; k < at + 6; ++k) {
            unsigned bit = 0;
            if (k < bits) bit = (static_cast<unsigned char>(bytes[k / 8]) >> (7 - k % 8)) & 1;
            value = value << 1 | bit;
        }
        out.push_back(kAlphabet[value]);
    }
    return out;
}

TEST(Base64Url, EncodingMatchesTheBitByBitEncoding) {
    // Lengths across many groups and every tail, from every alignment, of
    // bytes that take all 64 values in every field position.
    std::string bytes;
    uint32_t state = 12345;
    for (int i = 0; i < 400; ++i) {
        state = state * 1103515245u + 12345u;
        bytes.push_back(static_cast<char>(state >> 16));
    }
    for (size_t offset = 0; offset < 16; ++offset) {
        for (size_t len = 0; offset + len <= bytes.size(); len += (len < 64 ? 1 : 7)) {
            std::string_view in(bytes.data() + offset, len);
            std::string expected = ReferenceEncode(in);
            std::string out = "x";
            base64url_append(in, out);
            ASSERT_EQ(out, "x" + expected) << offset << " " << len;
        }
    }
}

// Over every text of 1 to 3 characters of the alphabet (and so every final
// quantum), exactly the canonical encodings are accepted.
TEST(Base64Url, ExactlyTheCanonicalSpellingIsAccepted) {
    size_t accepted = 0;
    std::string text, decoded;
    for (char a : kAlphabet) {
        text.assign(1, a);
        EXPECT_FALSE(Decode(text, decoded));
        for (char b : kAlphabet) {
            text.assign({a, b});
            bool ok = Decode(text, decoded);
            EXPECT_EQ(ok, ok && base64url_encode(decoded) == text) << text;
            accepted += ok;
            for (char c : kAlphabet) {
                text.assign({a, b, c});
                ok = Decode(text, decoded);
                EXPECT_EQ(ok, ok && base64url_encode(decoded) == text) << text;
                accepted += ok;
            }
        }
    }
    // One spelling per byte string: 256 one-byte and 65536 two-byte strings.
    EXPECT_EQ(accepted, 256u + 65536u);
}

}  // namespace

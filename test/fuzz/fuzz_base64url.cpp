// base64url (src/core/base64url.hpp) against a bit-by-bit reference decoder.
// Properties, for any input x:
//   - decode(x) succeeds exactly when the reference accepts x (alphabet
//     A-Z a-z 0-9 - _, no padding, length not 1 mod 4, zero trailing bits),
//     gives the reference's bytes, and appends after what `out` held;
//   - when decode(x) succeeds, encode(decode(x)) == x (one spelling per byte string);
//   - for x taken as bytes, decode(encode(x)) == x, and append == encode.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base64url.hpp"
#include "fuzz/common.hpp"

namespace {

int Sextet(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

// Slow and obvious: six bits in per character, a byte out per eight bits;
// what is left over must be fewer than six bits, all zero.
bool ReferenceDecode(std::string_view text, std::string &out) {
    out.clear();
    unsigned acc = 0;
    int bits = 0;
    for (unsigned char c : text) {
        int v = Sextet(c);
        if (v < 0) return false;
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
        acc &= (1u << bits) - 1;
    }
    return bits < 6 && acc == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view x(reinterpret_cast<const char *>(data), size);

    std::string reference;
    bool reference_ok = ReferenceDecode(x, reference);
    const std::string prefix = "prefix";
    std::string out = prefix;
    bool ok = pgjwt::base64url_decode(x, out);
    FUZZ_CHECK(ok == reference_ok, "decode says " << ok << ", reference says " << reference_ok
                                                  << " for " << fuzz::Hex(x));
    if (ok) {
        FUZZ_CHECK(out.compare(0, prefix.size(), prefix) == 0, "decode overwrote what out held");
        FUZZ_CHECK(out.substr(prefix.size()) == reference,
                   "decode gives " << fuzz::Hex(out.substr(prefix.size())) << ", reference "
                                   << fuzz::Hex(reference));
        std::string again = pgjwt::base64url_encode(reference);
        FUZZ_CHECK(again == x,
                   "encode(decode(x)) != x: x=" << fuzz::Hex(x) << " again=" << fuzz::Hex(again));
    }

    // The input as bytes to encode.
    std::string encoded = pgjwt::base64url_encode(x);
    FUZZ_CHECK(encoded.size() == (size * 4 + 2) / 3, "encoded length " << encoded.size());
    for (unsigned char c : encoded) FUZZ_CHECK(Sextet(c) >= 0, "encode wrote " << int(c));
    std::string appended = "a.";
    pgjwt::base64url_append(x, appended);
    FUZZ_CHECK(appended == "a." + encoded, "append differs from encode");
    std::string back;
    FUZZ_CHECK(pgjwt::base64url_decode(encoded, back), "decode(encode(x)) failed");
    FUZZ_CHECK(back == x, "decode(encode(x)) != x");
    return 0;
}

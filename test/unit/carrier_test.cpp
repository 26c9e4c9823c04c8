// Sealed claims for Citus workers (src/core/carrier.hpp, test/citus/DESIGN.md).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/carrier.hpp"
#include "unit/hex.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using namespace pgjwt::carrier;
using pgjwt_test::FromHex;
using pgjwt_test::IsOk;
using pgjwt_test::IsStatus;
using pgjwt_test::ToHex;

// Bytes 0..31, and 100..115: the known-answer carrier below was computed
// independently with Python's `cryptography` (HKDF-SHA256, AESGCM) from the
// format in carrier.hpp.
ClusterKey TestKey(std::string kid = "k1") {
    std::string bytes;
    for (int i = 0; i < 32; ++i) bytes.push_back(static_cast<char>(i));
    return ClusterKey{std::move(kid), SecretString(bytes)};
}
std::string TestSalt() {
    std::string salt;
    for (int i = 100; i < 116; ++i) salt.push_back(static_cast<char>(i));
    return salt;
}
Binding TestBinding() {
    return Binding{0, 42, 850000000000000, "postgres", "web"};
}
constexpr int64_t kNotAfter = 851904000000000;
constexpr std::string_view kKnownCarrier =
    "v1.k1.ZGVmZ2hpamtsbW5vcHFycw.AAAAAAAAAAAAAAAA."
    "XKIJjQGc3CM3N1jw0uiGkcoYK_qHAC6EpUE6QJfue0_Tfk7ImufFPDM";

class Carrier : public pgjwt_test::OpenSslQueueTest {
  protected:
    static Sealer MakeSealer(const ClusterKey &key = TestKey()) {
        Sealer s;
        EXPECT_TRUE(IsOk(OSSL_CALL(Sealer::create_with_salt(key, TestSalt(), s))));
        return s;
    }
    static std::string Seal(Sealer &s, const Payload &p, const Binding &b = TestBinding()) {
        std::string out;
        EXPECT_TRUE(IsOk(OSSL_CALL(s.seal(b, p, out))));
        return out;
    }
    static Status Open(std::string_view text, const Binding &b, Payload &out,
                       const ClusterKey &key = TestKey(), int64_t now = kNotAfter - 1,
                       int64_t leeway = 0) {
        Parsed parsed;
        Status s = OSSL_CALL(parse(text, parsed));
        if (!s.ok()) return s;
        return OSSL_CALL(open(key, parsed, b, now, leeway, out));
    }
    static Payload Alice() { return Payload{false, kNotAfter, R"({"sub":"alice"})"}; }
};

TEST_F(Carrier, HkdfRfc5869Case1) {
    SecretString okm;
    ASSERT_TRUE(IsOk(OSSL_CALL(hkdf_sha256(FromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                                           FromHex("000102030405060708090a0b0c"),
                                           FromHex("f0f1f2f3f4f5f6f7f8f9"), 42, okm))));
    EXPECT_EQ(ToHex(okm),
              "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
              "34007208d5b887185865");
}

TEST_F(Carrier, HkdfRfc5869Case3EmptySaltAndInfo) {
    SecretString okm;
    ASSERT_TRUE(IsOk(OSSL_CALL(
        hkdf_sha256(FromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), "", "", 42, okm))));
    EXPECT_EQ(ToHex(okm),
              "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
              "9d201395faa4b61a96c8");
}

TEST_F(Carrier, KnownAnswer) {
    Sealer s = MakeSealer();
    EXPECT_EQ(Seal(s, Alice()), kKnownCarrier);
    Payload p;
    ASSERT_TRUE(IsOk(Open(kKnownCarrier, TestBinding(), p)));
    EXPECT_FALSE(p.anonymous);
    EXPECT_EQ(p.not_after, kNotAfter);
    EXPECT_EQ(p.claims, R"({"sub":"alice"})");
}

TEST_F(Carrier, EachSealUsesTheNextNonce) {
    Sealer s = MakeSealer();
    std::string first = Seal(s, Alice());
    std::string second = Seal(s, Alice());
    EXPECT_NE(first, second);
    Parsed a, b;
    ASSERT_TRUE(IsOk(parse(first, a)));
    ASSERT_TRUE(IsOk(parse(second, b)));
    EXPECT_EQ(ToHex(a.nonce), "000000000000000000000000");
    EXPECT_EQ(ToHex(b.nonce), "000000000000000000000001");
    Payload p;
    EXPECT_TRUE(IsOk(Open(second, TestBinding(), p)));
}

TEST_F(Carrier, RandomSaltsDiffer) {
    Sealer a, b;
    ASSERT_TRUE(IsOk(OSSL_CALL(Sealer::create(TestKey(), a))));
    ASSERT_TRUE(IsOk(OSSL_CALL(Sealer::create(TestKey(), b))));
    std::string ta = Seal(a, Alice()), tb = Seal(b, Alice());
    Parsed pa, pb;
    ASSERT_TRUE(IsOk(parse(ta, pa)));
    ASSERT_TRUE(IsOk(parse(tb, pb)));
    EXPECT_NE(pa.salt, pb.salt);
    Payload p;
    EXPECT_TRUE(IsOk(Open(ta, TestBinding(), p)));
    EXPECT_TRUE(IsOk(Open(tb, TestBinding(), p)));
}

TEST_F(Carrier, Anonymous) {
    Sealer s = MakeSealer();
    std::string text = Seal(s, Payload{true, kNotAfter, ""});
    Payload p;
    ASSERT_TRUE(IsOk(Open(text, TestBinding(), p)));
    EXPECT_TRUE(p.anonymous);
    EXPECT_EQ(p.claims, "");
    std::string out;
    EXPECT_TRUE(IsStatus(s.seal(TestBinding(), Payload{true, kNotAfter, "{}"}, out),
                         Fault::invalid_argument, "an anonymous carrier holds no claims", ""));
}

TEST_F(Carrier, NoClaimsOutsideTheCiphertext) {
    Sealer s = MakeSealer();
    std::string text = Seal(s, Payload{false, kNotAfter, R"({"sub":"visible-name"})"});
    EXPECT_EQ(text.find("visible"), std::string::npos);
    EXPECT_EQ(text.find("dmlzaWJsZ"), std::string::npos);  // base64 of "visible"
    for (char c : text)
        EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.')
            << "character " << static_cast<int>(c);
}

const char *kNoVerify = "sealed claims do not verify";
const char *kNoVerifyDetail =
    "They were not sealed with this cluster key for this distributed transaction, database "
    "and role.";

TEST_F(Carrier, BoundToEachFieldOfTheBinding) {
    std::vector<Binding> others;
    Binding b = TestBinding();
    b.initiator_group = 1;
    others.push_back(b);
    b = TestBinding();
    b.transaction_number = 43;
    others.push_back(b);
    b = TestBinding();
    b.transaction_number = 0;
    others.push_back(b);
    b = TestBinding();
    b.transaction_stamp += 1;
    others.push_back(b);
    b = TestBinding();
    b.database = "postgres2";
    others.push_back(b);
    b = TestBinding();
    b.role = "web2";
    others.push_back(b);
    // Length prefixes: moving a character from one field to the next is a
    // different binding.
    b = TestBinding();
    b.database = "postgresw";
    b.role = "eb";
    others.push_back(b);
    for (const Binding &other : others) {
        Payload p;
        EXPECT_TRUE(IsStatus(Open(kKnownCarrier, other, p), Fault::token_rejected, kNoVerify,
                             kNoVerifyDetail))
            << other.initiator_group << " " << other.transaction_number << " "
            << other.transaction_stamp << " " << other.database << " " << other.role;
    }
}

TEST_F(Carrier, AnotherKeyWithTheSameKidDoesNotOpen) {
    std::string bytes(32, 'x');
    Payload p;
    EXPECT_TRUE(
        IsStatus(Open(kKnownCarrier, TestBinding(), p, ClusterKey{"k1", SecretString(bytes)}),
                 Fault::token_rejected, kNoVerify, kNoVerifyDetail));
}

TEST_F(Carrier, TheKeyMustBeTheOneNamed) {
    Parsed parsed;
    ASSERT_TRUE(IsOk(parse(kKnownCarrier, parsed)));
    Payload p;
    EXPECT_TRUE(IsStatus(open(TestKey("k2"), parsed, TestBinding(), 0, 0, p),
                         Fault::invalid_argument,
                         "the cluster key does not match the carrier's key id", ""));
}

TEST_F(Carrier, EveryChangedCharacterIsRefused) {
    std::string text(kKnownCarrier);
    size_t refused = 0;
    // The kid (positions 3 and 4) only picks the key: the glue refuses an
    // unknown one before open() (TheKeyMustBeTheOneNamed).
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '.' || i == 3 || i == 4) continue;
        for (char c : {'A', 'B', '_'}) {
            if (text[i] == c) continue;
            std::string changed = text;
            changed[i] = c;
            Payload p;
            Status s = Open(changed, TestBinding(), p);
            EXPECT_EQ(s.fault, Fault::token_rejected) << "position " << i << " -> " << c;
            if (s.fault == Fault::token_rejected) ++refused;
        }
    }
    EXPECT_GT(refused, 100u);
}

TEST_F(Carrier, ExpiryWithLeeway) {
    Payload p;
    EXPECT_TRUE(IsOk(Open(kKnownCarrier, TestBinding(), p, TestKey(), kNotAfter)));
    EXPECT_TRUE(IsStatus(Open(kKnownCarrier, TestBinding(), p, TestKey(), kNotAfter + 1),
                         Fault::token_rejected, "sealed claims have expired",
                         "They were valid for the distributed transaction they were sealed for, "
                         "for at most pg_jwt.carrier_ttl."));
    EXPECT_TRUE(IsOk(Open(kKnownCarrier, TestBinding(), p, TestKey(), kNotAfter + 5, 5)));
    EXPECT_EQ(Open(kKnownCarrier, TestBinding(), p, TestKey(), kNotAfter + 6, 5).fault,
              Fault::token_rejected);
}

TEST_F(Carrier, MalformedTexts) {
    struct Case {
        std::string text;
        const char *detail;
    };
    const std::string salt = "ZGVmZ2hpamtsbW5vcHFycw", nonce = "AAAAAAAAAAAAAAAA";
    const std::string sealed = "XKIJjQGc3CM3N1jw0uiGkcoYK_qHAC6EpUE6QJfue0_Tfk7ImufFPDM";
    const char *five = "A carrier has five parts separated by dots.";
    std::vector<Case> cases = {
        {"", five},
        {"v1.k1." + salt + "." + nonce, five},
        {"v1.k1." + salt + "." + nonce + "." + sealed + ".", five},
        {"v2.k1." + salt + "." + nonce + "." + sealed, "The carrier's version is not v1."},
        {"v1.." + salt + "." + nonce + "." + sealed, "The key id is not valid."},
        {"v1.k 1." + salt + "." + nonce + "." + sealed, "The key id is not valid."},
        {"v1." + std::string(65, 'k') + "." + salt + "." + nonce + "." + sealed,
         "The key id is not valid."},
        {"v1.k1." + salt + "=." + nonce + "." + sealed, "The salt is not 16 bytes in base64url."},
        {"v1.k1.ZGVmZ2hp." + nonce + "." + sealed, "The salt is not 16 bytes in base64url."},
        {"v1.k1." + salt + ".AAAAAAAAAAAAAAA." + sealed, "The nonce is not 12 bytes in base64url."},
        {"v1.k1." + salt + "." + nonce + ".XKIJjQGc3CM3N1jw0uiGkcoYK_qHAC6E",
         "The sealed part is not base64url of at least 26 bytes."},
        {"v1.k1." + salt + "." + nonce + "." + sealed + "+",
         "The sealed part is not base64url of at least 26 bytes."},
        {std::string(kMaxCarrierChars + 1, 'A'), "The value is too long."},
    };
    for (const Case &c : cases) {
        Parsed parsed;
        EXPECT_TRUE(IsStatus(OSSL_CALL(parse(c.text, parsed)), Fault::token_rejected,
                             "sealed claims are malformed", c.detail))
            << c.text.substr(0, 80);
    }
}

TEST_F(Carrier, ClaimsSizeBound) {
    Sealer s = MakeSealer();
    std::string out;
    EXPECT_TRUE(
        IsStatus(s.seal(TestBinding(),
                        Payload{false, kNotAfter, std::string(kMaxClaimsBytes + 1, 'x')}, out),
                 Fault::too_large, "claims are too large to forward",
                 "At most 1 MiB of claims can be sealed."));
    std::string big = std::string(kMaxClaimsBytes, 'x');
    ASSERT_TRUE(IsOk(OSSL_CALL(s.seal(TestBinding(), Payload{false, kNotAfter, big}, out))));
    EXPECT_LE(out.size(), kMaxCarrierChars);
    Payload p;
    ASSERT_TRUE(IsOk(Open(out, TestBinding(), p)));
    EXPECT_EQ(p.claims, big);
}

TEST_F(Carrier, KeyFile) {
    std::vector<ClusterKey> keys;
    const std::string k = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    ASSERT_TRUE(
        IsOk(parse_key_file("# cluster keys\n\n  new-2 \t" + k + "\r\nold.1 " + k + "\n", keys)));
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].kid, "new-2");
    EXPECT_EQ(keys[1].kid, "old.1");
    EXPECT_EQ(keys[0].key, TestKey().key);

    struct Case {
        std::string text;
        const char *detail;
    };
    std::vector<Case> cases = {
        {"", "The file holds no key."},
        {"# only a comment\n", "The file holds no key."},
        {"k1\n", "Line 1: expected a key id and a key separated by white space."},
        {"\nk/1 " + k,
         "Line 2: a key id is 1 to 64 characters of A-Z, a-z, 0-9, \".\", \"_\" "
         "and \"-\"."},
        {"k1 " + k + "\nk1 " + k, "Line 2: this key id is used twice."},
        {"k1 " + k.substr(1), "Line 1: a key is 32 bytes in base64url without padding."},
        {"k1 " + k + "=", "Line 1: a key is 32 bytes in base64url without padding."},
        {"k1 " + k + " extra", "Line 1: a key is 32 bytes in base64url without padding."},
        {"k1 AAEC", "Line 1: a key is 32 bytes in base64url without padding."},
    };
    std::string many;
    for (int i = 0; i <= 16; ++i) many += "k" + std::to_string(i) + " " + k + "\n";
    cases.push_back({many, "Line 17: a cluster key file holds at most 16 keys."});
    for (const Case &c : cases) {
        keys.assign(1, TestKey());
        EXPECT_TRUE(IsStatus(parse_key_file(c.text, keys), Fault::invalid_argument,
                             "invalid cluster key file", c.detail))
            << c.text.substr(0, 60);
        EXPECT_TRUE(keys.empty());
    }
    EXPECT_TRUE(IsStatus(parse_key_file(std::string(kMaxKeyFileBytes + 1, '#'), keys),
                         Fault::invalid_argument, "cluster key file is too large",
                         "A cluster key file holds at most 8192 bytes."));
}

TEST_F(Carrier, SealerNeedsAValidKey) {
    Sealer s;
    EXPECT_FALSE(s.ready());
    std::string out;
    EXPECT_TRUE(IsStatus(s.seal(TestBinding(), Alice(), out), Fault::internal,
                         "the sealer has no key", ""));
    EXPECT_TRUE(
        IsStatus(Sealer::create_with_salt(ClusterKey{"k1", SecretString("short")}, TestSalt(), s),
                 Fault::invalid_argument, "invalid cluster key", ""));
    EXPECT_TRUE(IsStatus(Sealer::create_with_salt(TestKey(), "short", s), Fault::invalid_argument,
                         "invalid salt", ""));
}

}  // namespace

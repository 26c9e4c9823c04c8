// ECDSA signatures from DER to JOSE's r || s (src/core/ecdsa_der.hpp).
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/repo_path.hpp"
#include "core/ecdsa_der.hpp"
#include "core/key_import.hpp"
#include "unit/hex.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::FromHex;
using pgjwt_test::ToHex;

class EcdsaDer : public pgjwt_test::OpenSslQueueTest {};

// r || s as hex, or "refused".
std::string Raw(const std::string &der_hex, size_t field_size) {
    std::string der = FromHex(der_hex);
    std::string out = "kept";
    if (!ecdsa_der_to_raw(reinterpret_cast<const unsigned char *>(der.data()), der.size(),
                          field_size, out))
        return out == "kept" ? "refused" : "refused, output changed";
    return out.substr(4) == "" ? "" : ToHex(out.substr(4));
}

TEST_F(EcdsaDer, ReadsMinimalDer) {
    // r = 1, s = 2 in 2-byte fields.
    EXPECT_EQ(Raw("3006020101020102", 2), "00010002");
    // A leading zero byte keeps a high bit from reading as a sign; it is not
    // part of the value.
    EXPECT_EQ(Raw("30080202008002020081", 1), "8081");
    EXPECT_EQ(Raw("30080202008002020081", 3), "000080000081");
    // Zero is one zero byte.
    EXPECT_EQ(Raw("3006020100020100", 2), "00000000");
    // Long-form lengths (P-521 signatures are longer than 127 bytes).
    std::string r66 = "01" + std::string(130, 'a'), s66 = "01" + std::string(130, 'b');
    EXPECT_EQ(Raw("308188"
                  "0242" +
                      r66 + "0242" + s66,
                  66),
              r66 + s66);
}

TEST_F(EcdsaDer, RefusesAnythingElse) {
    for (const char *bad : {
             "",                        // nothing
             "3106020101020102",        // not a SEQUENCE
             "3007020101020102",        // length beyond the end
             "300602010102010200",      // a byte after the SEQUENCE
             "3005020101020102",        // the SEQUENCE shorter than its content
             "3006030101020102",        // r is not an INTEGER
             "30060201010201",          // s truncated
             "3003020101",              // no s
             "3009020101020102020103",  // a third INTEGER
             "3006020180020102",        // r negative
             "300702020001020102",      // r with a superfluous leading zero
             "30050200020102",          // r of zero length
             "3081060201010201"
             "02",  // long form for a short length
             "300802030100000201"
             "02",  // r longer than the field (2 bytes)
         })
        EXPECT_EQ(Raw(bad, 2), "refused") << bad;
}

// Against OpenSSL's own decoding, for signatures made by OpenSSL with every
// EC test key: many signatures, so that r and s of every length occur
// (high bit set, leading zero bytes).
TEST_F(EcdsaDer, AgreesWithOpenSsl) {
    struct Case {
        const char *file;
        size_t field_size;
    };
    int compared = 0;
    for (Case c : {Case{"ec_p256.pem", 32}, Case{"ec_p384.pem", 48}, Case{"ec_p521.pem", 66},
                   Case{"ec_secp256k1.pem", 32}}) {
        std::ifstream file(pgjwt_test::RepoPath("test/keys") / c.file);
        std::stringstream text;
        text << file.rdbuf();
        ImportedKey key;
        ASSERT_TRUE(pgjwt_test::IsOk(OSSL_CALL(import_pem(text.str(), key)))) << c.file;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey.get(), nullptr);
        ASSERT_NE(ctx, nullptr);
        ASSERT_EQ(EVP_PKEY_sign_init(ctx), 1);
        for (int i = 0; i < 300; i++) {
            unsigned char digest[32];
            ASSERT_EQ(RAND_bytes(digest, sizeof digest), 1);
            unsigned char der[160];
            size_t len = sizeof der;
            ASSERT_EQ(EVP_PKEY_sign(ctx, der, &len, digest, sizeof digest), 1);
            const unsigned char *p = der;
            ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
            ASSERT_NE(sig, nullptr);
            std::vector<unsigned char> expected(2 * c.field_size);
            ASSERT_GT(BN_bn2binpad(ECDSA_SIG_get0_r(sig), expected.data(),
                                   static_cast<int>(c.field_size)),
                      0);
            ASSERT_GT(BN_bn2binpad(ECDSA_SIG_get0_s(sig), expected.data() + c.field_size,
                                   static_cast<int>(c.field_size)),
                      0);
            ECDSA_SIG_free(sig);
            std::string out;
            ASSERT_TRUE(ecdsa_der_to_raw(der, len, c.field_size, out)) << c.file;
            EXPECT_EQ(out, std::string(expected.begin(), expected.end())) << c.file;
            compared++;
        }
        EVP_PKEY_CTX_free(ctx);
    }
    EXPECT_EQ(compared, 1200);
}

}  // namespace

// Asymmetric signatures in their JOSE forms (src/core/asymmetric.hpp).
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/repo_path.hpp"
#include "core/base64url.hpp"
#include "core/jws.hpp"
#include "core/key.hpp"
#include "core/key_import.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsOk;

class Asymmetric : public pgjwt_test::OpenSslQueueTest {};

std::string ReadKey(const char *name) {
    std::ifstream in(pgjwt_test::RepoPath(std::string("test/keys/") + name));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// An ECDSA signature is r || s, each exactly the field size wide, with
// leading zero bytes where the number is shorter (for P-521's 66-byte field
// half of the numbers, for the others one in 256): checked by OpenSSL
// itself, from r and s read as big-endian numbers.
TEST_F(Asymmetric, EcdsaSignaturesAreFixedWidthRAndS) {
    struct Case {
        Algorithm alg;
        const char *header, *private_pem, *public_pem;
        const EVP_MD *md;
        size_t field;
        int rounds;
    };
    for (const Case &c : {Case{Algorithm::ES256, R"({"alg":"ES256"})", "ec_p256.pem",
                               "ec_p256.pub.pem", EVP_sha256(), 32, 300},
                          Case{Algorithm::ES384, R"({"alg":"ES384"})", "ec_p384.pem",
                               "ec_p384.pub.pem", EVP_sha384(), 48, 100},
                          Case{Algorithm::ES512, R"({"alg":"ES512"})", "ec_p521.pem",
                               "ec_p521.pub.pem", EVP_sha512(), 66, 60}}) {
        std::string private_pem = ReadKey(c.private_pem);
        ImportedKey pub;
        ASSERT_TRUE(IsOk(OSSL_CALL(import_pem(ReadKey(c.public_pem), pub))));
        bool padded = false;
        for (int i = 0; i < c.rounds; ++i) {
            Key key;
            ASSERT_TRUE(
                IsOk(OSSL_CALL(resolve_signing_key(c.alg, private_pem, KeyEncoding::text, key))));
            std::string token;
            ASSERT_TRUE(IsOk(
                OSSL_CALL(jws_sign(c.header, "payload " + std::to_string(i), c.alg, key, token))));
            std::string signature;
            ASSERT_TRUE(base64url_decode(token.substr(token.rfind('.') + 1), signature));
            ASSERT_EQ(signature.size(), 2 * c.field);
            padded = padded || signature[0] == 0 || signature[c.field] == 0;
            const auto *raw = reinterpret_cast<const unsigned char *>(signature.data());
            ECDSA_SIG *sig = ECDSA_SIG_new();
            ASSERT_EQ(ECDSA_SIG_set0(sig, BN_bin2bn(raw, static_cast<int>(c.field), nullptr),
                                     BN_bin2bn(raw + c.field, static_cast<int>(c.field), nullptr)),
                      1);
            unsigned char *der = nullptr;
            int der_len = i2d_ECDSA_SIG(sig, &der);
            ECDSA_SIG_free(sig);
            ASSERT_GT(der_len, 0);
            std::string input = token.substr(0, token.rfind('.'));
            EVP_MD_CTX *ctx = EVP_MD_CTX_new();
            int verified =
                EVP_DigestVerifyInit(ctx, nullptr, c.md, nullptr, pub.pkey.get()) == 1
                    ? EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len),
                                       reinterpret_cast<const unsigned char *>(input.data()),
                                       input.size())
                    : -1;
            EVP_MD_CTX_free(ctx);
            OPENSSL_free(der);
            ASSERT_EQ(verified, 1) << "signature " << i << " of " << static_cast<int>(c.alg);
        }
        if (c.field == 66) {
            EXPECT_TRUE(padded) << "no P-521 number with a leading zero byte";
        }
    }
}

}  // namespace

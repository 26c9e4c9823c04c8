// Draining OpenSSL's error queue (src/core/openssl_error.hpp).
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/openssl_error.hpp"
#include "unit/openssl_queue.hpp"
#include "unit/status_assert.hpp"

namespace {

using namespace pgjwt;
using pgjwt_test::IsStatus;
using pgjwt_test::OpenSslQueueIsEmpty;

class OpenSslError : public pgjwt_test::OpenSslQueueTest {};

TEST_F(OpenSslError, ClearEmptiesTheQueue) {
    ERR_raise(ERR_LIB_EVP, EVP_R_INVALID_KEY);
    ERR_raise(ERR_LIB_EVP, EVP_R_BAD_DECRYPT);
    ASSERT_NE(ERR_peek_error(), 0u);
    openssl_clear_errors();
    EXPECT_TRUE(OpenSslQueueIsEmpty());
}

TEST_F(OpenSslError, DrainReturnsTheFirstReason) {
    EXPECT_EQ(openssl_drain_errors(), "");
    ERR_raise(ERR_LIB_EVP, EVP_R_INVALID_KEY);
    ERR_raise(ERR_LIB_EVP, EVP_R_BAD_DECRYPT);
    EXPECT_EQ(openssl_drain_errors(), "invalid key");
    EXPECT_TRUE(OpenSslQueueIsEmpty());
}

TEST_F(OpenSslError, FailureIsInternalAndNamesTheReason) {
    ERR_raise(ERR_LIB_EVP, EVP_R_INVALID_KEY);
    EXPECT_TRUE(IsStatus(openssl_failure("compute HMAC"), Fault::internal, "could not compute HMAC",
                         "OpenSSL reported: invalid key."));
    EXPECT_TRUE(OpenSslQueueIsEmpty());
    EXPECT_TRUE(IsStatus(openssl_failure("compute HMAC"), Fault::internal, "could not compute HMAC",
                         "OpenSSL reported: no reason."));
}

}  // namespace

// OpenSSL's error queue is per thread and outlives a call: DESIGN.md section
// 2.3 requires every core function to leave it empty, or the next, unrelated
// OpenSSL user in the same backend (pgcrypto, libpq's SSL) reports a stale
// error. These helpers let every test check that after each call.
#pragma once

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <string>
#include <utility>

namespace pgjwt_test {

// Success when the queue is empty; otherwise names the first queued error
// (and empties the queue, so that one failure is reported once).
inline ::testing::AssertionResult OpenSslQueueIsEmpty() {
    unsigned long first = ERR_peek_error();
    if (first == 0) return ::testing::AssertionSuccess();
    char text[256];
    ERR_error_string_n(first, text, sizeof text);
    ERR_clear_error();
    return ::testing::AssertionFailure() << "OpenSSL error queue is not empty: " << text;
}

// Returns `result` after checking the queue; used through OSSL_CALL.
template <typename T>
T CheckOpenSslQueueAfter(T result, const char *call, const char *file, int line) {
    if (::testing::AssertionResult empty = OpenSslQueueIsEmpty(); !empty)
        ADD_FAILURE_AT(file, line) << "after " << call << ": " << empty.message();
    return result;
}

// A fixture for every suite: the queue is empty when a test starts (a test
// before it cannot leak into it) and when it ends.
class OpenSslQueueTest : public ::testing::Test {
  protected:
    void SetUp() override { ERR_clear_error(); }
    void TearDown() override { EXPECT_TRUE(OpenSslQueueIsEmpty()) << "at the end of the test"; }
};

}  // namespace pgjwt_test

// Evaluates a call into the core that may touch OpenSSL, expects the error
// queue to be empty right after it, and yields the call's result:
//   Status s = OSSL_CALL(pgjwt::hmac_compute(...));
#define OSSL_CALL(call) (::pgjwt_test::CheckOpenSslQueueAfter((call), #call, __FILE__, __LINE__))

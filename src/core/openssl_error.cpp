#include "openssl_error.hpp"

#include <openssl/err.h>

namespace pgjwt {

// ERR_clear_error walks all 16 slots of the queue; peeking first makes the
// common case (an empty queue) cheaper on the per-row path.
void openssl_clear_errors() {
    if (ERR_peek_error() != 0) ERR_clear_error();
}

std::string openssl_drain_errors() {
    unsigned long first = ERR_get_error();
    std::string text;
    if (first != 0) {
        const char *reason = ERR_reason_error_string(first);
        text = reason ? reason : "unknown OpenSSL error";
    }
    ERR_clear_error();
    return text;
}

Status openssl_failure(const char *what) {
    std::string reason = openssl_drain_errors();
    std::string detail =
        "OpenSSL reported: " + (reason.empty() ? std::string("no reason") : reason) + ".";
    return Status::Internal(std::string("could not ") + what, std::move(detail));
}

}  // namespace pgjwt

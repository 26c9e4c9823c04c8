// The one result type of the core. Every public core function reports failure
// through a Status instead of an exception, so that the PostgreSQL glue can
// turn it into an error only after every C++ object is gone.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <utility>

namespace pgjwt {

// Who is at fault decides the outcome (DESIGN.md section 3).
enum class Fault {
    none,
    malformed_token,   // the token is not a well-formed JWS/JWT: 22P02
    malformed_json,    // text that does not parse as JSON (the JSON layer's syntax error): 22P02,
                       // as PostgreSQL's json input; a token's reader reports it as malformed_token
    invalid_argument,  // the caller's key, algorithm or argument: 22023
    token_rejected,    // well-formed but unacceptable (signature, alg, claims): 28000
    out_of_memory,     // 53200
    internal,          // a bug or a library failure: XX000
    too_large,         // the caller's argument or the result exceeds a documented limit: 54000
    cancelled,         // the glue asked the core to stop (cancel.hpp): the glue raises 57014
    unavailable,       // something pg_jwt depends on is not there now (an identity provider's
                       // keys not fetched, or stale; a fetch that failed): 55000
};

// The fault's name, for messages and test output.
constexpr const char *fault_name(Fault fault) {
    switch (fault) {
        case Fault::none:
            return "none";
        case Fault::malformed_token:
            return "malformed_token";
        case Fault::malformed_json:
            return "malformed_json";
        case Fault::invalid_argument:
            return "invalid_argument";
        case Fault::token_rejected:
            return "token_rejected";
        case Fault::out_of_memory:
            return "out_of_memory";
        case Fault::internal:
            return "internal";
        case Fault::too_large:
            return "too_large";
        case Fault::cancelled:
            return "cancelled";
        case Fault::unavailable:
            return "unavailable";
    }
    return "?";
}

struct Status {
    Fault fault = Fault::none;
    std::string message;  // short, lower-case, no trailing period
    std::string detail;   // a full sentence, or empty

    bool ok() const { return fault == Fault::none; }

    static Status Ok() { return {}; }
    static Status Malformed(std::string msg, std::string detail = {}) {
        return {Fault::malformed_token, std::move(msg), std::move(detail)};
    }
    static Status InvalidArgument(std::string msg, std::string detail = {}) {
        return {Fault::invalid_argument, std::move(msg), std::move(detail)};
    }
    static Status Rejected(std::string msg, std::string detail = {}) {
        return {Fault::token_rejected, std::move(msg), std::move(detail)};
    }
    static Status Internal(std::string msg, std::string detail = {}) {
        return {Fault::internal, std::move(msg), std::move(detail)};
    }
    static Status TooLarge(std::string msg, std::string detail = {}) {
        return {Fault::too_large, std::move(msg), std::move(detail)};
    }
};

// A failure of JSON read from a token, as the token's reader reports it:
// text that is not JSON at all makes a malformed token like any other fault.
inline Status as_token_fault(Status s) {
    if (s.fault == Fault::malformed_json) s.fault = Fault::malformed_token;
    return s;
}

}  // namespace pgjwt

// Returns early from the calling function when a Status-producing expression fails.
#define PGJWT_TRY(expr)                      \
    do {                                     \
        ::pgjwt::Status pgjwt_s_ = (expr);   \
        if (!pgjwt_s_.ok()) return pgjwt_s_; \
    } while (0)

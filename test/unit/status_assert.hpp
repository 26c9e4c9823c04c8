// Exact assertions on pgjwt::Status: fault, message and detail, with a
// readable failure text.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace pgjwt {

inline const char *FaultName(Fault fault) {
    switch (fault) {
        case Fault::none:
            return "none";
        case Fault::malformed_token:
            return "malformed_token";
        case Fault::invalid_argument:
            return "invalid_argument";
        case Fault::token_rejected:
            return "token_rejected";
        case Fault::out_of_memory:
            return "out_of_memory";
        case Fault::internal:
            return "internal";
    }
    return "?";
}

// Found by GoogleTest through argument-dependent lookup.
inline void PrintTo(Fault fault, std::ostream *os) {
    *os << FaultName(fault);
}
inline void PrintTo(const Status &s, std::ostream *os) {
    *os << "{" << FaultName(s.fault) << ", \"" << s.message << "\", \"" << s.detail << "\"}";
}

}  // namespace pgjwt

namespace pgjwt_test {

inline std::string Describe(const pgjwt::Status &s) {
    return ::testing::PrintToString(s);
}

inline ::testing::AssertionResult IsOk(const pgjwt::Status &s) {
    if (s.ok() && s.message.empty() && s.detail.empty()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "expected Ok, got " << Describe(s);
}

// Fault, message and detail all exactly as given.
inline ::testing::AssertionResult IsStatus(const pgjwt::Status &s, pgjwt::Fault fault,
                                           std::string_view message, std::string_view detail) {
    if (s.fault == fault && s.message == message && s.detail == detail)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "expected "
           << Describe(pgjwt::Status{fault, std::string(message), std::string(detail)})
           << "\n     got " << Describe(s);
}

// Fault and message exactly; the detail starts with `detail_prefix` (for
// details that end with a third-party library's own wording).
inline ::testing::AssertionResult IsStatusWithDetailPrefix(const pgjwt::Status &s,
                                                           pgjwt::Fault fault,
                                                           std::string_view message,
                                                           std::string_view detail_prefix) {
    if (s.fault == fault && s.message == message && s.detail.starts_with(detail_prefix) &&
        s.detail.size() > detail_prefix.size())
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "expected {" << pgjwt::FaultName(fault) << ", \"" << message << "\", \""
           << detail_prefix << "...\"}\n     got " << Describe(s);
}

// Well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF): what a PostgreSQL error message must be in a UTF-8 database.
inline bool IsValidUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t len;
        unsigned min;
        unsigned cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

}  // namespace pgjwt_test

// Exact assertions on pgjwt::Status: fault, message and detail, with a
// readable failure text.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

#include "common/utf8.hpp"
#include "core/status.hpp"

namespace pgjwt {

inline const char *FaultName(Fault fault) {
    return fault_name(fault);
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

}  // namespace pgjwt_test

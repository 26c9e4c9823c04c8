// The registered claims of RFC 7519 section 4.1 as a validator needs them,
// read in one pass over the payload.
#pragma once
#include "core_guard.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "json.hpp"
#include "status.hpp"

namespace pgjwt {

// NumericDates outside 0001-01-01 .. 9999-12-31 are refused before any
// conversion, so no clock arithmetic can overflow.
constexpr double kMinNumericDate = -62135596800.0;
constexpr double kMaxNumericDate = 253402300799.0;

// A NumericDate claim (RFC 7519 section 2) as it stands in the token.
struct NumericDate {
    enum class State { absent, number, not_a_number } state = State::absent;
    double seconds = 0;
};

struct StringClaim {
    enum class State { absent, string, not_a_string } state = State::absent;
    std::string value;
};

struct RegisteredClaims {
    NumericDate exp, nbf, iat;
    StringClaim iss, jti;
    // aud: a string or an array of strings (RFC 7519 section 4.1.3)
    bool has_aud = false;
    bool aud_valid = true;
    std::vector<std::string> aud;
    // required[i] is present
    std::vector<bool> present;
};

// Reads the payload (which must be a JSON object); `required` names claims
// whose presence is recorded in `out.present`.
Status parse_registered_claims(JsonInput payload, const std::vector<std::string> &required,
                               RegisteredClaims &out);

// A NumericDate that is present must be a finite JSON number within
// [kMinNumericDate, kMaxNumericDate]; otherwise the token is rejected.
Status check_numeric_date(const NumericDate &date, const char *name);

}  // namespace pgjwt

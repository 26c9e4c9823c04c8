// jwt.sign's polymorphic payload argument, turned into JSON object text.
#pragma once

#include "pg/postgres_headers.hpp"

#include <type_traits>

namespace pgjwt::pg {

// The time claims whose timestamp/date columns a row payload turns into
// NumericDates, in the order of PayloadArgument::time_values.
constexpr const char *kTimeClaimNames[] = {"exp", "nbf", "iat"};
constexpr int kTimeClaims = 3;

// The claims to sign. For a row, the timestamp/date columns named exp, nbf
// and iat have their NumericDate text here, to replace the ISO strings
// that row_to_json writes: one slot per claim name, never a list filled by
// column count (a row may have any number of columns of one name; more than
// one is a duplicate member, which the core refuses).
struct PayloadArgument {
    const char *json = nullptr;
    size_t size = 0;
    bool keep_text = true;  // text/json: signed byte-for-byte; jsonb, rows: minified
    const char *time_values[kTimeClaims] = {};  // nullptr: no replacement
};
// Read before the core runs and held across PostgreSQL calls: plain data.
static_assert(std::is_trivially_destructible_v<PayloadArgument>);

// Reads argument `argno` (PostgreSQL calls only; may raise 22023 for a type
// that cannot be a JWT payload). Keeps the argument's type in the call
// site's fn_extra, which the calling function must leave to it.
void read_payload_argument(FunctionCallInfo fcinfo, int argno, PayloadArgument &out);

}  // namespace pgjwt::pg

// jwt.sign's polymorphic payload argument, turned into JSON object text.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

// The claims to sign. For a row, the timestamp/date columns named exp, nbf
// and iat are listed with their NumericDate text, to replace the ISO strings
// that row_to_json writes.
struct PayloadArgument {
    const char *json = nullptr;
    size_t size = 0;
    bool keep_text = true;    // text/json: signed byte-for-byte; jsonb, rows: minified
    bool valid_json = false;  // a json value: PostgreSQL has checked its syntax
    int replacement_count = 0;
    const char *replacement_names[3] = {};
    const char *replacement_values[3] = {};
};

// Reads argument `argno` (PostgreSQL calls only; may raise 22023 for a type
// that cannot be a JWT payload). Keeps the argument's type in the call
// site's fn_extra, which the calling function must leave to it.
void read_payload_argument(FunctionCallInfo fcinfo, int argno, PayloadArgument &out);

}  // namespace pgjwt::pg

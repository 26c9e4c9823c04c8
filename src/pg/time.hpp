// Time conversions between PostgreSQL and the core's seconds since 1970.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

double timestamptz_to_unix_seconds(TimestampTz t);
// An interval as seconds (a month counts 30 days, as EXTRACT(EPOCH) does).
double interval_seconds(const Interval *interval);

}  // namespace pgjwt::pg

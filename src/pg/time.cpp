#include "pg/time.hpp"

namespace pgjwt::pg {

double timestamptz_to_unix_seconds(TimestampTz t) {
    return static_cast<double>(t) / USECS_PER_SEC +
           static_cast<double>((POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY);
}

double interval_seconds(const Interval *interval) {
    return static_cast<double>(interval->time) / USECS_PER_SEC +
           static_cast<double>(interval->day) * SECS_PER_DAY +
           static_cast<double>(interval->month) * DAYS_PER_MONTH * SECS_PER_DAY;
}

}  // namespace pgjwt::pg

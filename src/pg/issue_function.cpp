// jwt.issue(claims, ttl, kid): signs claims with a keyring key.
// Placeholder while 1.0.1 is assembled; replaced by the real implementation.
#include "pg/postgres_headers.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_issue);
}

extern "C" Datum pg_jwt_issue(PG_FUNCTION_ARGS) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("jwt.issue is being rebuilt")));
    PG_RETURN_NULL();
}

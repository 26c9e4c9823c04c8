// The extension's module: its magic block and its load-time set-up.
#include "pg/postgres_headers.hpp"

#include "pg/cache_invalidation.hpp"
#include "pg/boundary.hpp"
#include "pg/citus_carrier.hpp"
#include "pg/issuer_worker.hpp"
#include "pg/request_claims.hpp"
#include "pg/settings.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
}

void _PG_init(void) {
    pgjwt::pg::define_settings();
    pgjwt::pg::register_cache_invalidation();
    pgjwt::pg::install_cancel_check();
    pgjwt::pg::install_request_claims_hook();
    pgjwt::pg::register_issuer_workers();
    pgjwt::pg::register_citus_carrier();
}

// The extension's module: its magic block.
#include "pg/postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;
}

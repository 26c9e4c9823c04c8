// Included first by every header of src/core. The core is plain C++: it must
// not see PostgreSQL's headers (their macros clash with the standard library
// and their functions longjmp through C++ frames). The Makefile compiles the
// core's translation units without the server include path and with
// PG_JWT_CORE_TU defined, so an include of postgres.h does not even resolve
// there; this guard catches an indirect include, and the poisoned names a
// call slipping in by hand. The glue includes these headers after
// PostgreSQL's, so the checks apply to core translation units only.
#pragma once

#ifdef PG_JWT_CORE_TU
#if defined(POSTGRES_H) || defined(PG_VERSION_NUM) || defined(FMGR_H)
#error "src/core must not include PostgreSQL headers (DESIGN.md section 2.1)"
#endif
#pragma GCC poison palloc pfree ereport elog
#endif

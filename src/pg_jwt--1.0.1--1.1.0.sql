-- pg_jwt 1.0.1 -> 1.1.0: a conventional extension again (see README, "Upgrading").
\echo Use "ALTER EXTENSION pg_jwt UPDATE TO '1.1.0'" to load this file. \quit

-- 1.0.x's planner hook substituted jwt._verify_valid(...) for
-- (jwt.verify(...)).valid. 1.1.0 has no planner hook: queries run as
-- written, so the stand-ins go. (The library keeps their C function,
-- pg_jwt_verify_valid, for databases not yet updated.) Nothing else
-- changes, and nothing here grants anything.
DROP FUNCTION jwt._verify_valid(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.regprocedure);
DROP FUNCTION jwt._verify_valid(pg_catalog.text, pg_catalog.bytea, pg_catalog.text, pg_catalog.regprocedure);
DROP FUNCTION jwt._verify_valid(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.regprocedure);

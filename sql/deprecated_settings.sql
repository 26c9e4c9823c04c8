--
-- deprecated_settings: pg_jwt.claims_once_per_query and
-- pg_jwt.row_function_rewrites turned 1.0.x's query rewrites on and off.
-- 1.1.0 removed the rewrites; the settings stay through 1.1.x, doing
-- nothing, so that configuration files, ALTER ROLE/DATABASE SET and
-- application code that name them keep working: the pg_jwt prefix is
-- reserved, and an unknown pg_jwt.* name is an error. Hidden from SHOW ALL
-- and pg_settings; every role may set them, as before.
--
-- Roles are cluster-wide: regress_jwt_deprecated_user is dropped at the end.
--

\i test/regress/helpers.sql

SET compute_query_id = off;

CREATE ROLE regress_jwt_deprecated_user;
CREATE SCHEMA deprecated;
GRANT USAGE ON SCHEMA deprecated TO regress_jwt_deprecated_user;
CREATE TABLE deprecated.tokens (id int, owner text, tok text);
INSERT INTO deprecated.tokens
SELECT i, 'user' || (i % 10), jwt.sign(json_build_object('sub', 'user' || (i % 10)), 'k')
FROM generate_series(1, 100) AS i;
ANALYZE deprecated.tokens;
GRANT SELECT ON deprecated.tokens TO regress_jwt_deprecated_user;

-- Defined, with their old defaults; not listed; the prefix stays reserved.
SHOW pg_jwt.claims_once_per_query;
SHOW pg_jwt.row_function_rewrites;
SELECT count(*) AS listed FROM pg_settings
WHERE name IN ('pg_jwt.claims_once_per_query', 'pg_jwt.row_function_rewrites');
SELECT pg_temp.err('SET pg_jwt.no_such_setting = on');

-- Every role may set them.
SET SESSION AUTHORIZATION regress_jwt_deprecated_user;
SET pg_jwt.claims_once_per_query = off;
SET pg_jwt.row_function_rewrites = off;
SHOW pg_jwt.claims_once_per_query;
SHOW pg_jwt.row_function_rewrites;
RESET pg_jwt.claims_once_per_query;
RESET pg_jwt.row_function_rewrites;
RESET SESSION AUTHORIZATION;

-- They change no plan: each query's EXPLAIN (VERBOSE) is the same with both
-- on and both off (1.0.x: InitPlans, jwt._verify_valid and sub-selects when on).
\i test/regress/plan_text.sql
SET pg_jwt.trust_request_claims = on;
SET request.jwt.claims = '{"sub":"user1"}';
BEGIN;
SELECT pg_temp.plan_text(q, '{pg_jwt.claims_once_per_query=on,pg_jwt.row_function_rewrites=on}')
       = pg_temp.plan_text(q, '{pg_jwt.claims_once_per_query=off,pg_jwt.row_function_rewrites=off}') AS same_plan,
       q AS query
FROM (VALUES
    ($q$SELECT count(*) FROM deprecated.tokens WHERE owner = jwt.claim('sub')$q$),
    ($q$SELECT id FROM deprecated.tokens t WHERE (jwt.verify(t.tok, 'k')).valid$q$),
    ($q$SELECT count(*) FROM deprecated.tokens t, LATERAL jwt.verify(t.tok, 'k') v WHERE v.valid$q$),
    ($q$SELECT t.id, v.payload FROM deprecated.tokens t, LATERAL jwt.verify(t.tok, 'k') v$q$),
    ($q$SELECT t.id, d.header FROM deprecated.tokens t, LATERAL jwt.decode(t.tok) d$q$)
) AS cases(q);
COMMIT;
SET pg_jwt.claims_once_per_query = on;
SET pg_jwt.row_function_rewrites = on;
EXPLAIN (COSTS OFF) SELECT count(*) FROM deprecated.tokens WHERE owner = jwt.claim('sub');
EXPLAIN (COSTS OFF, VERBOSE) SELECT id FROM deprecated.tokens t WHERE (jwt.verify(t.tok, 'k')).valid;
RESET pg_jwt.claims_once_per_query;
RESET pg_jwt.row_function_rewrites;

-- ALTER ROLE ... SET accepts them (an unknown pg_jwt.* name is refused).
ALTER ROLE regress_jwt_deprecated_user SET pg_jwt.claims_once_per_query = off;
ALTER ROLE regress_jwt_deprecated_user SET pg_jwt.row_function_rewrites = off;
SELECT pg_temp.err('ALTER ROLE regress_jwt_deprecated_user SET pg_jwt.no_such_setting = off');
SELECT unnest(setconfig) AS setting FROM pg_db_role_setting
WHERE setrole = 'regress_jwt_deprecated_user'::regrole ORDER BY 1;

-- Set before the library is loaded (by a configuration file, ALTER ROLE or
-- an earlier SET), they are kept without a warning when it loads, also for
-- an unprivileged role.
\c -
SET SESSION AUTHORIZATION regress_jwt_deprecated_user;
SET pg_jwt.claims_once_per_query = off;
SET pg_jwt.row_function_rewrites = off;
SELECT count(*) AS loaded_settings FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SELECT count(*) FROM deprecated.tokens t WHERE (jwt.verify(t.tok, 'k')).valid;
SHOW pg_jwt.claims_once_per_query;
SHOW pg_jwt.row_function_rewrites;
RESET SESSION AUTHORIZATION;

DROP SCHEMA deprecated CASCADE;
ALTER ROLE regress_jwt_deprecated_user RESET ALL;
DROP ROLE regress_jwt_deprecated_user;

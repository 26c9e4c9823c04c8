--
-- request_claims: request.jwt.claims (PostgREST's) and the legacy
-- request.jwt.claim.<name> settings, which pg_jwt reads and never defines.
--   1. Nothing defined: with pg_jwt loaded, current_setting('request.jwt.claims',
--      true) stays NULL and the common ::jsonb idiom works.
--   2. The cached parse follows every change, also between claim sets of the
--      same length (a different uuid sub), in consecutive transactions and
--      within one.
--   3. Trusted only when set in the current transaction: a session-level
--      value (what one client leaves on a pooled connection for the next),
--      a database default, or one set before pg_jwt was loaded counts as
--      absent (NULL), in the leader and in parallel workers alike.
--   4. jwt.authenticate mirrors its claims into request.jwt.claims in a
--      session where nothing defines it, and PostgREST can set it later.
--   5. Fresh sessions where the first use matters, including pg_jwt loaded
--      only inside a parallel worker.
--
-- Roles are cluster-wide: every one is named regress_jwt_rc_* and dropped at
-- the end.
--

\i test/regress/helpers.sql
\pset null '(null)'

CREATE ROLE regress_jwt_rc_authenticator NOINHERIT;
CREATE ROLE regress_jwt_rc_web NOLOGIN;
GRANT regress_jwt_rc_web TO regress_jwt_rc_authenticator;
GRANT USAGE ON SCHEMA jwt TO regress_jwt_rc_authenticator, regress_jwt_rc_web;

-- Todos of two users whose subs are uuids: claim sets of the same length.
CREATE SCHEMA rc;
GRANT USAGE ON SCHEMA rc TO regress_jwt_rc_authenticator, regress_jwt_rc_web;
CREATE TABLE rc.todos (id int PRIMARY KEY, owner uuid NOT NULL);
INSERT INTO rc.todos VALUES
    (1, '00000000-0000-4000-8000-00000000000a'),
    (2, '00000000-0000-4000-8000-00000000000a'),
    (3, '00000000-0000-4000-8000-00000000000b');
ALTER TABLE rc.todos ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON rc.todos TO regress_jwt_rc_web;
CREATE POLICY own ON rc.todos TO regress_jwt_rc_web USING (owner = jwt.claim_uuid('sub'));
-- A helper a user wrote in PL/pgSQL: PostgreSQL cannot see the pg_jwt call
-- inside until it runs.
CREATE FUNCTION rc.wrapped_claim(name text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$ BEGIN RETURN jwt.claim(name); END $$;
GRANT EXECUTE ON FUNCTION rc.wrapped_claim(text) TO PUBLIC;

-- The keyring's key, for section 4.
SELECT jwt.generate_key('HS256', 'regress-rc-k1') AS kid;
SELECT jwt.issue('{"sub":"00000000-0000-4000-8000-00000000000a","role":"regress_jwt_rc_web"}',
                 '1 hour', 'regress-rc-k1') AS alice_token \gset
-- workers(query): the parallel workers EXPLAIN ANALYZE reports launched.
CREATE FUNCTION rc.workers(query text) RETURNS int LANGUAGE plpgsql AS $f$
DECLARE
    line text;
    n int := 0;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
        IF line ~ 'Workers Launched: ' THEN
            n := n + substring(line FROM 'Workers Launched: (\d+)')::int;
        END IF;
    END LOOP;
    RETURN n;
END
$f$;
GRANT EXECUTE ON FUNCTION rc.workers(text) TO PUBLIC;

--
-- 1. Nothing defined. A fresh session: pg_jwt is not loaded yet.
--
\c -
\set ECHO none
\i test/regress/helpers.sql
\set ECHO all
SELECT current_setting('pg_jwt.leeway', true) AS pg_jwt_loaded,
       current_setting('request.jwt.claims', true) AS request_claims;
-- Any pg_jwt C function loads the library.
SELECT jwt.url_encode('x') AS loading, current_setting('pg_jwt.leeway', true) AS pg_jwt_loaded;
-- Still NULL, and the idiom of Supabase-style helpers works.
SELECT current_setting('request.jwt.claims', true) IS NULL AS request_claims_null,
       current_setting('request.jwt.claims', true)::jsonb ->> 'sub' AS idiom_sub,
       pg_temp.err($$SELECT current_setting('request.jwt.claims')$$) AS without_missing_ok;
SELECT count(*) AS request_settings_defined FROM pg_settings WHERE name ILIKE 'request.%';
-- The same with trust on.
SET pg_jwt.trust_request_claims = on;
SELECT jwt.claims() AS claims, jwt.claim('sub') AS sub,
       current_setting('request.jwt.claims', true) IS NULL AS request_claims_null;
-- PostgREST's set_config makes a placeholder, which pg_jwt does not take
-- over: still not among the defined settings.
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000a"}', true) IS NOT NULL AS set;
SELECT jwt.claim('sub') AS sub;
COMMIT;
SELECT count(*) AS request_settings_defined FROM pg_settings WHERE name ILIKE 'request.%';
-- As on any PostgREST connection, the placeholder now reads '' (not NULL):
-- nullif() is the idiom that works everywhere.
SELECT current_setting('request.jwt.claims', true) AS request_claims,
       nullif(current_setting('request.jwt.claims', true), '')::jsonb AS with_nullif,
       jwt.claims() AS claims;
-- The internal setting that tells parallel workers what the leader found is
-- hidden and not settable by other roles.
SELECT count(*) AS listed FROM pg_settings WHERE name = 'pg_jwt.fresh_request_claims';
SET SESSION AUTHORIZATION regress_jwt_rc_authenticator;
SELECT pg_temp.err($$SET pg_jwt.fresh_request_claims = 'checked,request.jwt.claims'$$) AS set,
       pg_temp.err($$SELECT set_config('pg_jwt.fresh_request_claims', 'checked,request.jwt.claims', true)$$) AS set_config,
       pg_temp.err($$SELECT current_setting('pg_jwt.fresh_request_claims')$$) AS read;
RESET SESSION AUTHORIZATION;

--
-- 2. The cached parse follows the value. Trust on for the rest of the
-- suite (as ALTER ROLE authenticator SET would at login).
--
SET SESSION AUTHORIZATION regress_jwt_rc_authenticator;
-- Two requests on one connection, consecutive transactions, claims of the
-- same length.
BEGIN;
SELECT set_config('role', 'regress_jwt_rc_web', true),
       set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000a"}', true);
SELECT jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM rc.todos;
COMMIT;
BEGIN;
SELECT set_config('role', 'regress_jwt_rc_web', true),
       set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000b"}', true);
SELECT jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM rc.todos;
COMMIT;
-- Within one transaction, one PL/pgSQL expression (so one cached parse)
-- over values of the same length. PostgreSQL frees a value when the next is
-- set, so after two sets the value often sits where the one before them
-- did: same address, same length, other claims.
DO $$
DECLARE
    subs text[] := ARRAY['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b',
                         '00000000-0000-4000-8000-00000000000c', '00000000-0000-4000-8000-00000000000a'];
    s text;
BEGIN
    FOREACH s IN ARRAY subs LOOP
        PERFORM set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000f"}', true);
        PERFORM set_config('request.jwt.claims', json_build_object('sub', s)::text, true);
        RAISE NOTICE 'set %, claim % %, uuid %', right(s, 1), right(jwt.claim('sub'), 1),
            right(jwt.claim(ARRAY['sub']), 1), right(jwt.claim_uuid('sub')::text, 1);
    END LOOP;
END
$$;
-- Within one statement: each row sets the claims, then reads them.
BEGIN;
SELECT n, set_config('request.jwt.claims', json_build_object('sub', s)::text, true) IS NOT NULL AS set,
       jwt.claim('sub') = s AS claim_follows, jwt.claims() ->> 'sub' = s AS claims_follows
FROM (VALUES (1, '00000000-0000-4000-8000-00000000000a'), (2, '00000000-0000-4000-8000-00000000000b'),
             (3, '00000000-0000-4000-8000-00000000000a')) AS v (n, s);
COMMIT;

--
-- 3. Only values set in the current transaction are trusted.
--
-- Client A forgets LOCAL: a session-level value stays on the connection.
SET request.jwt.claims = '{"sub":"00000000-0000-4000-8000-00000000000a"}';
-- Client B, on the same pooled connection, sets no claims of its own: none.
BEGIN;
SELECT set_config('role', 'regress_jwt_rc_web', true);
SELECT current_setting('request.jwt.claims') AS leftover, jwt.claims() AS claims,
       jwt.claim('sub') AS sub, jwt.claim(ARRAY['sub']) AS sub_path, jwt.claim_uuid('sub') AS uid,
       rc.wrapped_claim('sub') AS wrapped, count(*) AS visible FROM rc.todos;
COMMIT;
SELECT jwt.claims() AS outside_a_transaction_block;
-- Client B with its own claims (PostgREST): its own, over the leftover.
BEGIN;
SELECT set_config('role', 'regress_jwt_rc_web', true),
       set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000b"}', true);
SELECT jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM rc.todos;
COMMIT;
-- A savepoint rolled back takes its local value with it: the leftover is
-- back, and refused again. A value set before the savepoint stays.
BEGIN;
SAVEPOINT s;
SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000c"}', true) IS NOT NULL AS set;
SELECT jwt.claim('sub') AS in_savepoint;
ROLLBACK TO SAVEPOINT s;
SELECT jwt.claim('sub') AS after_rollback_to,
       current_setting('request.jwt.claims')::jsonb ->> 'sub' AS leftover;
SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000b"}', true) IS NOT NULL AS set;
SAVEPOINT t;
ROLLBACK TO SAVEPOINT t;
SELECT jwt.claim('sub') AS set_before_savepoint;
COMMIT;
-- A session-level SET counts in the transaction that made it, not after.
BEGIN;
SET request.jwt.claims = '{"sub":"00000000-0000-4000-8000-00000000000b"}';
SELECT jwt.claim('sub') AS same_transaction;
COMMIT;
SELECT jwt.claim('sub') AS next_transaction, current_setting('request.jwt.claims') AS value;
SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000c"}', false) IS NOT NULL AS set;
SELECT jwt.claim('sub') AS after_set_config_false;
-- Garbage left over is not even parsed (no error); fresh garbage is an error.
SET request.jwt.claims = '[1,2]';
SELECT jwt.claims() AS stale_garbage;
BEGIN;
SELECT set_config('request.jwt.claims', '[1,2]', true) IS NOT NULL AS set;
SELECT pg_temp.err('SELECT jwt.claims()') AS fresh_garbage;
COMMIT;
RESET request.jwt.claims;
-- The legacy settings follow the same rule.
SET request.jwt.claim.sub = '00000000-0000-4000-8000-00000000000a';
BEGIN;
SELECT set_config('role', 'regress_jwt_rc_web', true);
SELECT jwt.claim('sub') AS legacy_leftover, jwt.claim_uuid('sub') AS uid, count(*) AS visible FROM rc.todos;
SELECT set_config('request.jwt.claim.sub', '00000000-0000-4000-8000-00000000000b', true) IS NOT NULL AS set;
SELECT jwt.claim('sub') AS legacy_fresh, jwt.claim('SUB') AS legacy_any_case,
       array_agg(id ORDER BY id) AS ids FROM rc.todos;
COMMIT;
RESET request.jwt.claim.sub;
RESET SESSION AUTHORIZATION;

-- Parallel workers go by what the leader found before the query started.
-- debug_parallel_query: the whole query runs in one worker.
-- debug_parallel_query, named force_parallel_mode before PostgreSQL 16.
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000
            THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END AS parallel_mode_setting \gset
SET :parallel_mode_setting = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET SESSION AUTHORIZATION regress_jwt_rc_authenticator;
-- A leftover: refused in the workers too.
SET request.jwt.claims = '{"sub":"00000000-0000-4000-8000-00000000000a"}';
BEGIN;
SELECT set_config('role', 'regress_jwt_rc_web', true);
EXPLAIN (COSTS OFF) SELECT jwt.claim('sub'), rc.wrapped_claim('sub');
SELECT jwt.claim('sub') AS sub, rc.wrapped_claim('sub') AS wrapped;
SELECT count(*) AS visible FROM rc.todos;
SELECT rc.workers('SELECT count(*) FROM rc.todos') > 0 AS workers_launched;
-- Set in this transaction: trusted in the workers.
SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000b"}', true) IS NOT NULL AS set;
SELECT jwt.claim('sub') AS sub, rc.wrapped_claim('sub') AS wrapped;
SELECT array_agg(id ORDER BY id) AS ids FROM rc.todos;
-- And the other way round again.
SELECT set_config('request.jwt.claims', '', true) IS NOT NULL AS emptied;
SELECT jwt.claim('sub') AS sub, count(*) AS visible FROM rc.todos;
COMMIT;
RESET request.jwt.claims;
-- The legacy settings, in the workers.
SET request.jwt.claim.sub = '00000000-0000-4000-8000-00000000000a';
BEGIN;
SELECT set_config('role', 'regress_jwt_rc_web', true);
SELECT jwt.claim('sub') AS legacy_leftover, count(*) AS visible FROM rc.todos;
SELECT set_config('request.jwt.claim.sub', '00000000-0000-4000-8000-00000000000b', true) IS NOT NULL AS set;
SELECT jwt.claim('sub') AS legacy_fresh, rc.wrapped_claim('sub') AS wrapped,
       array_agg(id ORDER BY id) AS ids FROM rc.todos;
COMMIT;
RESET request.jwt.claim.sub;
RESET SESSION AUTHORIZATION;
RESET :parallel_mode_setting;

-- A database default (ALTER DATABASE/ROLE ... SET) is a login value: refused.
ALTER DATABASE :"DBNAME" SET request.jwt.claims = '{"sub":"00000000-0000-4000-8000-00000000000a"}';
\c -
SET pg_jwt.trust_request_claims = on;
SELECT current_setting('request.jwt.claims') AS database_default, jwt.claims() AS claims;
ALTER DATABASE :"DBNAME" RESET request.jwt.claims;

--
-- 4. jwt.authenticate mirrors its claims where nothing defines the setting.
--
\c -
SET pg_jwt.trust_request_claims = on;
SET SESSION AUTHORIZATION regress_jwt_rc_authenticator;
SELECT current_setting('request.jwt.claims', true) AS before_authenticate;
BEGIN;
SELECT jwt.authenticate(:'alice_token') ->> 'sub' AS sub;
SELECT current_user, current_setting('request.jwt.claims')::jsonb ->> 'sub' AS mirrored_sub,
       array_agg(id ORDER BY id) AS ids FROM rc.todos;
COMMIT;
-- Afterwards the placeholder reads '', as on any PostgREST connection.
SELECT current_setting('request.jwt.claims', true) AS after_commit,
       nullif(current_setting('request.jwt.claims', true), '')::jsonb AS with_nullif;
-- PostgREST, and any role, can still set it.
SET request.jwt.claims = '{"sub":"00000000-0000-4000-8000-00000000000c"}';
SELECT current_setting('request.jwt.claims')::jsonb ->> 'sub' AS session_value;
BEGIN;
SET LOCAL request.jwt.claims = '{"sub":"00000000-0000-4000-8000-00000000000b"}';
SELECT set_config('role', 'regress_jwt_rc_web', true);
SELECT jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM rc.todos;
COMMIT;
RESET request.jwt.claims;
RESET SESSION AUTHORIZATION;

--
-- 5. Fresh sessions where the first use matters.
--
-- A value set at session level before pg_jwt was loaded stays a leftover.
\c -
SET request.jwt.claims = '{"sub":"00000000-0000-4000-8000-00000000000a"}';
SET pg_jwt.trust_request_claims = on;
SELECT current_setting('pg_jwt.leeway', true) AS pg_jwt_loaded;
SELECT jwt.claims() AS claims, jwt.claim('sub') AS sub;
-- Set in the transaction before pg_jwt was loaded: trusted.
\c -
SET pg_jwt.trust_request_claims = on;
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000b"}', true) IS NOT NULL AS set;
SELECT current_setting('pg_jwt.leeway', true) AS pg_jwt_loaded;
SELECT jwt.claim('sub') AS sub;
COMMIT;
-- The first pg_jwt call is a parallel query: pg_jwt loads when the query
-- starts, in time to tell its workers.
\c -
SET pg_jwt.trust_request_claims = on;
SET :parallel_mode_setting = on;
SET SESSION AUTHORIZATION regress_jwt_rc_authenticator;
BEGIN;
SELECT set_config('role', 'regress_jwt_rc_web', true),
       set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000b"}', true);
SELECT current_setting('pg_jwt.leeway', true) AS pg_jwt_loaded;
SELECT jwt.claim('sub') AS sub_in_worker;
SELECT array_agg(id ORDER BY id) AS ids FROM rc.todos;
SELECT rc.workers($$SELECT jwt.claim('sub')$$) > 0 AS workers_launched;
COMMIT;
RESET SESSION AUTHORIZATION;
-- The first pg_jwt call happens inside a parallel worker (through the
-- PL/pgSQL helper): PostgreSQL cannot apply pg_jwt's settings there (it
-- changes no setting in parallel mode), so trust is off in that worker and
-- the claims NULL, with PostgreSQL's warning.
\c -
SET pg_jwt.trust_request_claims = on;
SET :parallel_mode_setting = on;
SET SESSION AUTHORIZATION regress_jwt_rc_authenticator;
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000b"}', true) IS NOT NULL AS set;
\set SHOW_CONTEXT never
SELECT rc.wrapped_claim('sub') AS first_use_in_worker;
\set SHOW_CONTEXT errors
-- Once pg_jwt is loaded in the leader, the helper works.
SELECT jwt.claim('sub') AS direct;
SELECT rc.wrapped_claim('sub') AS wrapped;
COMMIT;
RESET SESSION AUTHORIZATION;
-- Trust turned on only inside a parallel query (a function's SET clause):
-- the leader recorded nothing for its workers, and a trusted value is
-- refused with an error rather than guessed; without a value, no error.
CREATE FUNCTION rc.trusting_claim(name text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE SET pg_jwt.trust_request_claims = on
    AS $$ BEGIN RETURN jwt.claim(name); END $$;
RESET pg_jwt.trust_request_claims;
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000b"}', true) IS NOT NULL AS set;
\set SHOW_CONTEXT never
SELECT rc.trusting_claim('sub');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
ROLLBACK;
SELECT rc.trusting_claim('sub') AS no_claims;
SET :parallel_mode_setting = off;
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000b"}', true) IS NOT NULL AS set;
SELECT rc.trusting_claim('sub') AS not_parallel;
COMMIT;
-- With pg_jwt in session_preload_libraries, from the first query on.
ALTER DATABASE :"DBNAME" SET session_preload_libraries = 'pg_jwt';
\c -
ALTER DATABASE :"DBNAME" RESET session_preload_libraries;
SET pg_jwt.trust_request_claims = on;
SET :parallel_mode_setting = on;
SET SESSION AUTHORIZATION regress_jwt_rc_authenticator;
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-00000000000b"}', true) IS NOT NULL AS set;
SELECT rc.wrapped_claim('sub') AS wrapped;
COMMIT;
RESET SESSION AUTHORIZATION;

-- Cleanup.
\c -
SET client_min_messages = warning;
DROP SCHEMA rc CASCADE;
DELETE FROM jwt.keys WHERE kid = 'regress-rc-k1';
DROP OWNED BY regress_jwt_rc_authenticator, regress_jwt_rc_web;
DROP ROLE regress_jwt_rc_authenticator, regress_jwt_rc_web;

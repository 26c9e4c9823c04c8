--
-- auth_extension: the companion extension pg_jwt_auth, the auth.* helpers
-- that Supabase and pg_session_jwt users write policies with, backed by
-- jwt.claims(): exact outputs with claims from jwt.authenticate (through
-- auth.jwt_session_init) and from trusted request.jwt.claims, auth.uid()
-- for uuid and non-uuid subjects, markings, inlining into the policy, and
-- parallel workers.
--
-- Roles are cluster-wide: every one is named regress_jwt_auth_* and dropped
-- at the end.
--

\i test/regress/helpers.sql

-- Plans are shown below: no "Query Identifier" line whatever the server's setting.
SET compute_query_id = off;

CREATE EXTENSION pg_jwt_auth;
SELECT e.extname, e.extversion, n.nspname AS schema, e.extrelocatable,
       (SELECT array_agg(r.extname ORDER BY r.extname) FROM pg_depend d
        JOIN pg_extension r ON r.oid = d.refobjid
        WHERE d.classid = 'pg_extension'::regclass AND d.objid = e.oid
          AND d.refclassid = 'pg_extension'::regclass) AS requires
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'pg_jwt_auth';
-- Its functions, their markings and SQL-standard bodies (bound when created,
-- so no search_path can redirect them): one-expression SQL functions
-- over the pg_jwt accessors; auth.uid() is jwt.claim_uuid, which never
-- raises, so no subtransaction is needed and it stays PARALLEL SAFE.
SELECT p.oid::regprocedure AS function, p.prorettype::regtype AS returns, l.lanname,
       p.provolatile, p.proparallel, p.prosecdef, p.proisstrict, p.proconfig,
       btrim(coalesce(pg_get_function_sqlbody(p.oid), p.prosrc)) AS body
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'auth'::regnamespace
ORDER BY p.proname;

CREATE ROLE regress_jwt_auth_authenticator NOINHERIT;
CREATE ROLE regress_jwt_auth_user NOLOGIN;
GRANT regress_jwt_auth_user TO regress_jwt_auth_authenticator;
-- The install scripts grant no USAGE on schemas jwt and auth to PUBLIC
-- (reported as a bug); grant it to these roles so that they can call them.
GRANT USAGE ON SCHEMA jwt, auth TO regress_jwt_auth_authenticator, regress_jwt_auth_user;

-- Supabase-style data: rows owned by a user's uuid.
CREATE TABLE notes (id int PRIMARY KEY, owner_id uuid NOT NULL, body text NOT NULL);
INSERT INTO notes VALUES
    (1, 'a1b2c3d4-0000-4000-8000-000000000001', 'alice one'),
    (2, 'a1b2c3d4-0000-4000-8000-000000000001', 'alice two'),
    (3, 'b0b0b0b0-0000-4000-8000-000000000002', 'bob one');
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON notes TO regress_jwt_auth_user;
CREATE POLICY notes_owner ON notes FOR SELECT TO regress_jwt_auth_user
    USING (owner_id = auth.uid());

SELECT jwt.generate_key('HS256', 'regress-auth-k1') AS kid;
SELECT jwt.issue('{"sub":"a1b2c3d4-0000-4000-8000-000000000001","role":"regress_jwt_auth_user",
                   "email":"alice@example.com","app_metadata":{"provider":"email"}}', '1 hour', 'regress-auth-k1') AS alice \gset
SELECT jwt.issue('{"sub":"bob","role":"regress_jwt_auth_user"}', '1 hour', 'regress-auth-k1') AS bob_text \gset

SET SESSION AUTHORIZATION regress_jwt_auth_authenticator;

-- No claims: every helper gives NULL; init() does nothing.
SELECT auth.uid() AS uid, auth.user_id() AS user_id, auth.role() AS role, auth.email() AS email,
       auth.jwt() AS jwt, auth.session() AS session, auth.init() AS init;

-- pg_session_jwt's flow: auth.jwt_session_init(token), then the helpers.
BEGIN;
SELECT auth.jwt_session_init(:'alice') - ARRAY['iat', 'exp', 'jti'] AS claims;
SELECT current_user;
SELECT auth.uid() AS uid, pg_typeof(auth.uid()) AS uid_type, auth.user_id() AS user_id,
       auth.role() AS role, auth.email() AS email;
SELECT auth.jwt() - ARRAY['iat', 'exp', 'jti'] AS jwt,
       auth.session() - ARRAY['iat', 'exp', 'jti'] AS session,
       auth.jwt() = jwt.claims() AND auth.session() = jwt.claims() AS same_as_claims,
       auth.jwt() #>> '{app_metadata,provider}' AS provider;
SELECT auth.init() AS init;
SELECT id, body FROM notes ORDER BY id;
COMMIT;
SELECT current_user, auth.uid() AS uid, auth.jwt() AS jwt;

-- A sub that is not a uuid: auth.uid() is NULL (no error), auth.user_id()
-- is the text; the uuid policy matches nothing.
BEGIN;
SELECT auth.jwt_session_init(:'bob_text') ->> 'sub' AS sub;
SELECT auth.uid() AS uid, auth.user_id() AS user_id, auth.role() AS role, auth.email() AS email;
SELECT count(*) FROM notes;
COMMIT;

-- jwt_session_init refuses what jwt.authenticate refuses.
BEGIN;
SELECT pg_temp.err('SELECT auth.jwt_session_init(NULL)') AS no_token;
SELECT pg_temp.err('SELECT auth.jwt_session_init(''a.b.c'')') AS malformed;
COMMIT;

-- PostgREST / Supabase: trusted request.jwt.claims, set by the superuser for
-- the authenticator's session (ALTER ROLE ... SET at login in production).
RESET SESSION AUTHORIZATION;
SET pg_jwt.trust_request_claims = on;
SET SESSION AUTHORIZATION regress_jwt_auth_authenticator;
BEGIN;
SELECT set_config('role', 'regress_jwt_auth_user', true),
       set_config('request.jwt.claims',
                  '{"sub":"b0b0b0b0-0000-4000-8000-000000000002","role":"regress_jwt_auth_user","email":"bob@example.com"}',
                  true),
       set_config('request.method', 'GET', true),
       set_config('request.path', '/notes', true);
SELECT auth.uid() AS uid, auth.user_id() AS user_id, auth.role() AS role, auth.email() AS email,
       auth.jwt() AS jwt;
SELECT id, body FROM notes ORDER BY id;
COMMIT;
-- Upper-case uuid text is a uuid too; a braced or unhyphenated one is not
-- (jwt.claim_uuid accepts the canonical 8-4-4-4-12 form only).
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"A1B2C3D4-0000-4000-8000-000000000001"}', true);
SELECT auth.uid() AS uid;
SELECT set_config('request.jwt.claims', '{"sub":"{a1b2c3d4-0000-4000-8000-000000000001}"}', true);
SELECT auth.uid() AS uid, auth.user_id() AS user_id;
SELECT set_config('request.jwt.claims', '{"sub":"a1b2c3d4000040008000000000000001"}', true);
SELECT auth.uid() AS uid;
SELECT set_config('request.jwt.claims', '{"sub":12345}', true);
SELECT auth.uid() AS uid, auth.user_id() AS user_id;
COMMIT;

-- Inlining: the planner replaces each helper by its body, so a policy on
-- auth.uid() costs what jwt.claim_uuid('sub') costs.
BEGIN;
SELECT set_config('role', 'regress_jwt_auth_user', true),
       set_config('request.jwt.claims', '{"sub":"a1b2c3d4-0000-4000-8000-000000000001"}', true);
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM notes;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT auth.uid(), auth.user_id(), auth.role(), auth.email(), auth.jwt(), auth.session();
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM notes WHERE owner_id = (SELECT auth.uid());
COMMIT;

-- Parallel workers: with debug_parallel_query the whole query runs in a
-- worker, where a subtransaction would be an error; auth.uid() of a
-- non-uuid sub is NULL there too.
-- debug_parallel_query, named force_parallel_mode before PostgreSQL 16.
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000
            THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END AS parallel_mode_setting \gset
SET :parallel_mode_setting = on;
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"not-a-uuid","email":"w@example.com"}', true);
EXPLAIN (COSTS OFF) SELECT auth.uid(), auth.user_id(), auth.email();
SELECT auth.uid() AS uid, auth.user_id() AS user_id, auth.email() AS email;
SELECT set_config('request.jwt.claims', '{"sub":"a1b2c3d4-0000-4000-8000-000000000001"}', true);
SELECT auth.uid() AS uid;
COMMIT;
RESET :parallel_mode_setting;
RESET SESSION AUTHORIZATION;
RESET pg_jwt.trust_request_claims;

-- Cleanup.
DROP TABLE notes;
DELETE FROM jwt.keys WHERE kid = 'regress-auth-k1';
DROP OWNED BY regress_jwt_auth_authenticator, regress_jwt_auth_user;
DROP ROLE regress_jwt_auth_authenticator, regress_jwt_auth_user;
DROP EXTENSION pg_jwt_auth;
SELECT count(*) AS auth_functions_left FROM pg_proc WHERE pronamespace = 'auth'::regnamespace;
DROP SCHEMA auth;

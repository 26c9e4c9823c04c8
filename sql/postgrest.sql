--
-- postgrest: PostgREST's per-request transaction against policies on
-- jwt.claim(), with pg_jwt.trust_request_claims on for the authenticator
-- role (and off: the default), the legacy request.jwt.claim.<name>
-- settings, parallel query (claims from request.jwt.claims and from
-- jwt.authenticate reach the workers), a fresh connection in which pg_jwt is
-- not loaded yet, and a login RPC that checks a pgcrypto password hash and
-- returns jwt.issue(...).
--
-- Roles are cluster-wide: every one is named regress_jwt_pgrst_* and dropped
-- at the end.
--

\i test/regress/helpers.sql

-- Plans are shown below: no "Query Identifier" line whatever the server's setting.
SET compute_query_id = off;

-- The roles, as PostgREST's guide sets them up: the authenticator logs in
-- (NOINHERIT) and switches to web_user or anon per request.
CREATE ROLE regress_jwt_pgrst_authenticator NOINHERIT;
CREATE ROLE regress_jwt_pgrst_web_user NOLOGIN;
CREATE ROLE regress_jwt_pgrst_anon NOLOGIN;
GRANT regress_jwt_pgrst_web_user, regress_jwt_pgrst_anon TO regress_jwt_pgrst_authenticator;
-- The install script grants no USAGE on schema jwt to PUBLIC (reported as a
-- bug); grant it to these roles so that their policies can call jwt.*.
GRANT USAGE ON SCHEMA jwt TO regress_jwt_pgrst_authenticator, regress_jwt_pgrst_web_user,
    regress_jwt_pgrst_anon;

-- PostgREST turns trust on for its authenticator role; the setting is
-- superuser-only, so the authenticator cannot do that itself.
ALTER ROLE regress_jwt_pgrst_authenticator SET pg_jwt.trust_request_claims = on;
SELECT unnest(setconfig) AS setting FROM pg_db_role_setting
WHERE setrole = 'regress_jwt_pgrst_authenticator'::regrole;
SET SESSION AUTHORIZATION regress_jwt_pgrst_authenticator;
SELECT pg_temp.err('ALTER ROLE regress_jwt_pgrst_authenticator SET pg_jwt.trust_request_claims = off');
SELECT pg_temp.err('ALTER ROLE regress_jwt_pgrst_authenticator RESET pg_jwt.trust_request_claims');
RESET SESSION AUTHORIZATION;

-- The API schema.
CREATE SCHEMA pgrst;
GRANT USAGE ON SCHEMA pgrst TO regress_jwt_pgrst_web_user, regress_jwt_pgrst_anon;
CREATE TABLE pgrst.todos (id int PRIMARY KEY, owner text NOT NULL, task text NOT NULL,
                          public boolean NOT NULL DEFAULT false);
INSERT INTO pgrst.todos VALUES
    (1, 'alice', 'buy milk', false),
    (2, 'alice', 'walk the dog', false),
    (3, 'bob', 'fix the bike', false),
    (4, 'bob', 'read the manual', true);
ALTER TABLE pgrst.todos ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON pgrst.todos TO regress_jwt_pgrst_web_user, regress_jwt_pgrst_anon;
CREATE POLICY todos_web_user ON pgrst.todos FOR SELECT TO regress_jwt_pgrst_web_user
    USING (owner = jwt.claim('sub') OR jwt.claim(ARRAY['app', 'admin']) = 'true');
CREATE POLICY todos_anon ON pgrst.todos FOR SELECT TO regress_jwt_pgrst_anon USING (public);

--
-- Trust on. ALTER ROLE ... SET takes effect at login, and this session
-- logged in as the superuser: the same value is set for the session here.
--
SET pg_jwt.trust_request_claims = on;
SET SESSION AUTHORIZATION regress_jwt_pgrst_authenticator;

-- GET /todos with alice's JWT, as PostgREST 12 runs it.
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('search_path', '"pgrst", "public"', true),
       set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claims', '{"sub":"alice","role":"regress_jwt_pgrst_web_user","exp":4102444800}', true),
       set_config('request.method', 'GET', true),
       set_config('request.path', '/todos', true);
WITH pgrst_source AS (SELECT "pgrst"."todos".* FROM "pgrst"."todos")
SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total,
       coalesce(json_agg(_postgrest_t), '[]') AS body,
       nullif(current_setting('response.headers', true), '') AS response_headers,
       nullif(current_setting('response.status', true), '') AS response_status
FROM (SELECT * FROM pgrst_source) _postgrest_t;
SELECT current_user, jwt.claims() AS claims, jwt.claim('sub') AS sub;
COMMIT;
-- Nothing survives the request.
SELECT current_user, jwt.claims() AS claims, current_setting('request.jwt.claims') AS request_claims;

-- GET /todos with bob's JWT.
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claims', '{"sub":"bob","role":"regress_jwt_pgrst_web_user","exp":4102444800}', true),
       set_config('request.method', 'GET', true),
       set_config('request.path', '/todos', true);
SELECT id, owner, task FROM pgrst.todos ORDER BY id;
COMMIT;

-- An admin's JWT: every todo.
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claims', '{"sub":"carol","role":"regress_jwt_pgrst_web_user","app":{"admin":true}}', true),
       set_config('request.method', 'GET', true),
       set_config('request.path', '/todos', true);
SELECT id, owner, task FROM pgrst.todos ORDER BY id;
COMMIT;

-- No JWT: PostgREST switches to its anon role; the public todos only.
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'regress_jwt_pgrst_anon', true),
       set_config('request.jwt.claims', '{"role":"regress_jwt_pgrst_anon"}', true),
       set_config('request.method', 'GET', true),
       set_config('request.path', '/todos', true);
SELECT jwt.claim('sub') AS sub, jwt.claim('role') AS role;
SELECT id, owner, task FROM pgrst.todos ORDER BY id;
COMMIT;

-- Two requests on one connection, the second changes the claims: the cached
-- parse follows.
BEGIN;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claims', '{"sub":"alice"}', true);
SELECT jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM pgrst.todos;
SELECT set_config('request.jwt.claims', '{"sub":"bob"}', true);
SELECT jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM pgrst.todos;
COMMIT;

-- The legacy per-claim settings (older PostgREST, Supabase's helpers) are
-- read by jwt.claim(name) when request.jwt.claims is absent or empty; an
-- empty request.jwt.claims counts as none.
BEGIN;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claim.sub', 'alice', true);
SELECT jwt.claims() AS claims, jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM pgrst.todos;
SELECT set_config('request.jwt.claims', '', true);
SELECT jwt.claims() AS claims, jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM pgrst.todos;
-- request.jwt.claims, when present, wins over the legacy settings.
SELECT set_config('request.jwt.claims', '{"sub":"bob"}', true);
SELECT jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM pgrst.todos;
COMMIT;
BEGIN;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claims', '', true);
SELECT jwt.claims() AS claims, jwt.claim('sub') AS sub, count(*) FROM pgrst.todos;
COMMIT;

-- Trusted claims that are not a JSON object are an error, not "no claims".
BEGIN;
SELECT set_config('request.jwt.claims', '[1,2]', true);
SELECT pg_temp.err('SELECT jwt.claims()') AS array_claims;
SELECT set_config('request.jwt.claims', '"alice"', true);
SELECT pg_temp.err('SELECT jwt.claim(''sub'')') AS string_claims;
SELECT set_config('request.jwt.claims', '{"sub":', true);
SELECT pg_temp.err('SELECT jwt.claim(''sub'')') AS truncated_claims;
COMMIT;

--
-- Trust off (the default): request.jwt.claims and the legacy settings are
-- ignored, whoever sets them, so the same requests see nothing.
--
RESET SESSION AUTHORIZATION;
RESET pg_jwt.trust_request_claims;
SET SESSION AUTHORIZATION regress_jwt_pgrst_authenticator;
SHOW pg_jwt.trust_request_claims;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claims', '{"sub":"alice","role":"regress_jwt_pgrst_web_user","exp":4102444800}', true),
       set_config('request.method', 'GET', true),
       set_config('request.path', '/todos', true);
SELECT jwt.claims() AS claims, jwt.claim('sub') AS sub, jwt.claim(ARRAY['sub']) AS sub_path,
       jwt.claim_uuid('sub') AS sub_uuid;
SELECT id, owner, task FROM pgrst.todos ORDER BY id;
SELECT set_config('request.jwt.claims', '{"sub":"carol","app":{"admin":true}}', true);
SELECT count(*) FROM pgrst.todos;
COMMIT;
BEGIN;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claim.sub', 'alice', true);
SELECT jwt.claim('sub') AS sub, count(*) FROM pgrst.todos;
COMMIT;
-- Trusted garbage is not even parsed when trust is off.
BEGIN;
SELECT set_config('request.jwt.claims', '[1,2]', true);
SELECT jwt.claims() AS claims;
COMMIT;
RESET SESSION AUTHORIZATION;

--
-- Parallel query. 200,000 events, 100 owners (2,000 each), under a policy on
-- jwt.claim('sub'); every plan below scans in parallel workers, which get
-- the claims from the leader's settings.
--
CREATE TABLE pgrst.events (id int, owner text);
INSERT INTO pgrst.events SELECT i, 'user' || (i % 100) FROM generate_series(1, 200000) AS i;
ANALYZE pgrst.events;
ALTER TABLE pgrst.events ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON pgrst.events TO regress_jwt_pgrst_web_user;
CREATE POLICY events_owner ON pgrst.events FOR SELECT TO regress_jwt_pgrst_web_user
    USING (owner = jwt.claim('sub'));
SELECT count(*) AS user7_rows FROM pgrst.events WHERE owner = 'user7';

-- workers(query): how many parallel workers EXPLAIN ANALYZE reports launched.
CREATE FUNCTION pg_temp.workers(query text) RETURNS int LANGUAGE plpgsql AS $f$
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

-- The key and a token for user7.
SELECT jwt.generate_key('ES256', 'regress-pgrst-k1') AS kid;
SELECT jwt.issue('{"sub":"user7","role":"regress_jwt_pgrst_web_user"}', '1 hour', 'regress-pgrst-k1') AS user7 \gset

-- debug_parallel_query, named force_parallel_mode before PostgreSQL 16.
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000
            THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END AS parallel_mode_setting \gset
SET :parallel_mode_setting = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET pg_jwt.trust_request_claims = on;
SET SESSION AUTHORIZATION regress_jwt_pgrst_authenticator;

-- Claims from trusted request.jwt.claims.
BEGIN;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claims', '{"sub":"user7","role":"regress_jwt_pgrst_web_user"}', true);
EXPLAIN (COSTS OFF) SELECT count(*) FROM pgrst.events;
SELECT count(*) AS parallel FROM pgrst.events;
SELECT pg_temp.workers('SELECT count(*) FROM pgrst.events') > 0 AS workers_launched;
-- A worker evaluates the claims itself (debug_parallel_query: a single-copy
-- Gather over the whole query).
EXPLAIN (COSTS OFF) SELECT jwt.claim('sub'), jwt.claims();
SELECT jwt.claim('sub') AS sub, jwt.claims() AS claims;
SET LOCAL :parallel_mode_setting = off;
SET LOCAL max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT count(*) FROM pgrst.events;
SELECT count(*) AS serial FROM pgrst.events;
COMMIT;

-- Claims from jwt.authenticate.
BEGIN;
SELECT jwt.authenticate(:'user7') - ARRAY['iat', 'exp', 'jti'] AS claims;
SELECT current_user;
EXPLAIN (COSTS OFF) SELECT count(*) FROM pgrst.events;
SELECT count(*) AS parallel FROM pgrst.events;
SELECT pg_temp.workers('SELECT count(*) FROM pgrst.events') > 0 AS workers_launched;
SELECT jwt.claim('sub') AS sub, jwt.claims() - ARRAY['iat', 'exp', 'jti'] AS claims;
SET LOCAL :parallel_mode_setting = off;
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT count(*) AS serial FROM pgrst.events;
COMMIT;

-- With trust off, request.jwt.claims gives the workers nothing either.
RESET SESSION AUTHORIZATION;
RESET pg_jwt.trust_request_claims;
SET SESSION AUTHORIZATION regress_jwt_pgrst_authenticator;
BEGIN;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claims', '{"sub":"user7"}', true);
SELECT count(*) AS parallel FROM pgrst.events;
SELECT jwt.claim('sub') AS sub;
COMMIT;
RESET SESSION AUTHORIZATION;
RESET :parallel_mode_setting;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

--
-- A login RPC: checks a bcrypt hash (pgcrypto) and returns a token from
-- jwt.issue. SECURITY DEFINER, owned by the superuser, which may call
-- jwt.issue (EXECUTE is revoked from PUBLIC).
--
CREATE TABLE pgrst.users (
    id text PRIMARY KEY,
    email text UNIQUE NOT NULL,
    pass text NOT NULL,
    role text NOT NULL
);
INSERT INTO pgrst.users VALUES
    ('alice', 'alice@example.com', crypt('alice-secret', gen_salt('bf', 4)), 'regress_jwt_pgrst_web_user'),
    ('bob', 'bob@example.com', crypt('bob-secret', gen_salt('bf', 4)), 'regress_jwt_pgrst_web_user');
CREATE FUNCTION pgrst.login(email text, pass text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
    DECLARE
        u pgrst.users;
    BEGIN
        SELECT * INTO u FROM pgrst.users
        WHERE users.email = login.email AND users.pass = crypt(login.pass, users.pass);
        IF NOT FOUND THEN
            RAISE EXCEPTION 'invalid email or password' USING ERRCODE = 'invalid_password';
        END IF;
        RETURN jwt.issue(jsonb_build_object('sub', u.id, 'role', u.role, 'email', u.email),
                         interval '1 hour');
    END
    $$;
REVOKE ALL ON FUNCTION pgrst.login(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgrst.login(text, text) TO regress_jwt_pgrst_anon;

SET SESSION AUTHORIZATION regress_jwt_pgrst_authenticator;
-- POST /rpc/login {"email":"alice@example.com","pass":"alice-secret"}, as
-- PostgREST runs a scalar function call, with the anon role.
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT set_config('search_path', '"pgrst", "public"', true),
       set_config('role', 'regress_jwt_pgrst_anon', true),
       set_config('request.jwt.claims', '{"role":"regress_jwt_pgrst_anon"}', true),
       set_config('request.method', 'POST', true),
       set_config('request.path', '/rpc/login', true);
WITH pgrst_source AS (
    SELECT "pgrst"."login"("email" := 'alice@example.com', "pass" := 'alice-secret') AS pgrst_scalar)
SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total,
       coalesce(json_agg(_postgrest_t.pgrst_scalar)->0, 'null') AS body
FROM (SELECT * FROM pgrst_source) _postgrest_t \gset login_
COMMIT;
SELECT :'login_page_total' AS page_total, json_typeof(:'login_body') AS body_type;
SELECT :'login_body'::json #>> '{}' AS token \gset
SELECT (jwt.decode(:'token')).header,
       (jwt.decode(:'token')).payload - ARRAY['iat', 'exp', 'jti'] AS payload,
       ((jwt.decode(:'token')).payload ->> 'exp')::numeric
         - ((jwt.decode(:'token')).payload ->> 'iat')::numeric AS ttl_seconds;
-- The token authenticates: alice's todos.
BEGIN;
SELECT jwt.authenticate(:'token') ->> 'email' AS email;
SELECT current_user, jwt.claim('sub') AS sub;
SELECT id, owner, task FROM pgrst.todos ORDER BY id;
COMMIT;
-- A wrong password, an unknown email.
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT set_config('role', 'regress_jwt_pgrst_anon', true),
       set_config('request.jwt.claims', '{"role":"regress_jwt_pgrst_anon"}', true),
       set_config('request.method', 'POST', true),
       set_config('request.path', '/rpc/login', true);
SELECT "pgrst"."login"("email" := 'alice@example.com', "pass" := 'bob-secret');
ROLLBACK;
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT set_config('role', 'regress_jwt_pgrst_anon', true);
SELECT pg_temp.err($$SELECT pgrst.login('nobody@example.com', 'alice-secret')$$) AS unknown_email;
-- The anon role can neither mint tokens itself nor read the users table.
SELECT pg_temp.err($$SELECT jwt.issue('{"sub":"alice","role":"regress_jwt_pgrst_web_user"}')$$) AS issue;
SELECT pg_temp.err('SELECT * FROM pgrst.users') AS users;
-- GET /rpc/jwks: the public key PostgREST verifies the tokens with, without
-- its private member.
SELECT k ->> 'kid' AS kid, (SELECT array_agg(m ORDER BY m) FROM jsonb_object_keys(k) AS m) AS members
FROM jsonb_array_elements(jwt.jwks() -> 'keys') AS k
WHERE k ->> 'kid' = 'regress-pgrst-k1';
ROLLBACK;
RESET SESSION AUTHORIZATION;

--
-- A fresh connection, in which pg_jwt is not loaded yet: PostgREST's first
-- request sets request.jwt.claims before anything loads the library; the
-- first policy call loads it and reads the transaction-local value (pg_jwt
-- never defines the setting: it stays PostgreSQL's placeholder).
--
\c -
SET pg_jwt.trust_request_claims = on;
SET SESSION AUTHORIZATION regress_jwt_pgrst_authenticator;
-- Not loaded: pg_jwt.leeway is not defined yet.
SELECT current_setting('pg_jwt.leeway', true) AS leeway;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claims', '{"sub":"bob","role":"regress_jwt_pgrst_web_user"}', true),
       set_config('request.method', 'GET', true),
       set_config('request.path', '/todos', true);
SELECT id, owner, task FROM pgrst.todos ORDER BY id;
SELECT current_setting('pg_jwt.leeway', true) AS leeway;
COMMIT;
SELECT jwt.claims() AS claims, current_setting('request.jwt.claims') AS request_claims;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'regress_jwt_pgrst_web_user', true),
       set_config('request.jwt.claims', '{"sub":"alice","role":"regress_jwt_pgrst_web_user"}', true);
SELECT id, owner, task FROM pgrst.todos ORDER BY id;
COMMIT;
RESET SESSION AUTHORIZATION;

-- Cleanup.
SET client_min_messages = warning;
DROP SCHEMA pgrst CASCADE;
DELETE FROM jwt.keys WHERE kid = 'regress-pgrst-k1';
DROP OWNED BY regress_jwt_pgrst_authenticator, regress_jwt_pgrst_web_user, regress_jwt_pgrst_anon;
DROP ROLE regress_jwt_pgrst_authenticator, regress_jwt_pgrst_web_user, regress_jwt_pgrst_anon;

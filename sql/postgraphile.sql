--
-- postgraphile: PostGraphile (issue 16, item 5).
--   1. pg_jwt.trust_postgraphile_claims: off by default, superuser-only;
--      off, PostGraphile v4's jwt.claims.<name> settings are ignored.
--   2. On: jwt.claim(name) reads jwt.claims.<name>, jwt.claims() is an
--      object of strings assembled from the jwt.claims.* settings (types
--      are lost), both only for values set in the current transaction; the
--      cached answers follow every change, also between claim sets of the
--      same length in consecutive transactions and within one; parallel
--      workers see the same claims.
--   3. A login mutation built on jwt.issue, with the aud PostGraphile v4
--      requires, and its token through a v4-style request.
--   4. PostGraphile v5: the token passed through pgSettings and
--      jwt.authenticate called by the function a request runs.
--
-- Roles are cluster-wide: every one is named regress_jwt_pg_* and dropped
-- at the end.
--

\i test/regress/helpers.sql
\pset null '(null)'

CREATE ROLE regress_jwt_pg_authenticator NOINHERIT;
CREATE ROLE regress_jwt_pg_person NOLOGIN;
CREATE ROLE regress_jwt_pg_anonymous NOLOGIN;
CREATE ROLE regress_jwt_pg_owner NOLOGIN;
GRANT regress_jwt_pg_person, regress_jwt_pg_anonymous TO regress_jwt_pg_authenticator;

CREATE SCHEMA pgl;
GRANT USAGE ON SCHEMA pgl TO regress_jwt_pg_person, regress_jwt_pg_anonymous,
    regress_jwt_pg_authenticator;
CREATE TABLE pgl.posts (id int PRIMARY KEY, author text NOT NULL, public boolean NOT NULL DEFAULT false);
INSERT INTO pgl.posts VALUES (1, 'alice', false), (2, 'alice', true), (3, 'bobby', false),
    (4, 'bobby', false), (5, 'carol', true);
ALTER TABLE pgl.posts ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON pgl.posts TO regress_jwt_pg_person, regress_jwt_pg_anonymous,
    regress_jwt_pg_authenticator;
CREATE POLICY own ON pgl.posts FOR SELECT TO regress_jwt_pg_person USING (author = jwt.claim('sub'));
CREATE POLICY public ON pgl.posts FOR SELECT TO regress_jwt_pg_anonymous USING (public);
-- The keyring's signing key, and the audience of PostGraphile's tokens for
-- jwt.authenticate.
SELECT jwt.generate_key('HS256', 'regress-pg-k1') AS kid;
SET pg_jwt.audience = 'postgraphile';

--
-- 1. The setting.
--
SELECT name, setting, context, short_desc FROM pg_settings
WHERE name = 'pg_jwt.trust_postgraphile_claims';
SET SESSION AUTHORIZATION regress_jwt_pg_authenticator;
SELECT pg_temp.err('SET pg_jwt.trust_postgraphile_claims = on') AS set,
       pg_temp.err($$SELECT set_config('pg_jwt.trust_postgraphile_claims', 'on', true)$$) AS set_config;
-- Off (the default): a request as PostGraphile v4 sends it sees no claims,
-- so the policy shows nothing.
BEGIN;
SELECT set_config('role', 'regress_jwt_pg_person', true),
       set_config('jwt.claims.sub', 'alice', true),
       set_config('jwt.claims.role', 'regress_jwt_pg_person', true);
SELECT jwt.claim('sub') AS sub, jwt.claims() AS claims, count(*) AS visible FROM pgl.posts;
COMMIT;
RESET SESSION AUTHORIZATION;

--
-- 2. Trust on, as ALTER ROLE ... SET would give the authenticator at login.
--
SET pg_jwt.trust_postgraphile_claims = on;
SET SESSION AUTHORIZATION regress_jwt_pg_authenticator;
-- A request as PostGraphile v4 runs it: one set_config per claim, values as
-- text, then the query.
BEGIN;
SELECT set_config('role', 'regress_jwt_pg_person', true),
       set_config('jwt.claims.sub', 'alice', true),
       set_config('jwt.claims.role', 'regress_jwt_pg_person', true),
       set_config('jwt.claims.exp', '4102444800', true),
       set_config('jwt.claims.admin', 'false', true),
       set_config('jwt.claims.aud', 'postgraphile', true);
SELECT current_user, jwt.claim('sub') AS sub, jwt.claim('SUB') AS any_case,
       jwt.claim(ARRAY['sub']) AS sub_path, jwt.claim('exp') AS exp, jwt.claim('nope') AS nope,
       array_agg(id ORDER BY id) AS ids FROM pgl.posts;
-- Types are lost: every value is a JSON string.
SELECT jwt.claims() AS claims, jsonb_typeof(jwt.claims() -> 'exp') AS exp_type,
       jsonb_typeof(jwt.claims() -> 'admin') AS admin_type;
COMMIT;
SELECT jwt.claims() AS after_commit, jwt.claim('sub') AS sub_after_commit;

-- Two requests on one connection, consecutive transactions, claim sets of
-- the same length.
BEGIN;
SELECT set_config('role', 'regress_jwt_pg_person', true), set_config('jwt.claims.sub', 'alice', true);
SELECT jwt.claim('sub') AS sub, jwt.claims() AS claims, array_agg(id ORDER BY id) AS ids FROM pgl.posts;
COMMIT;
BEGIN;
SELECT set_config('role', 'regress_jwt_pg_person', true), set_config('jwt.claims.sub', 'bobby', true);
SELECT jwt.claim('sub') AS sub, jwt.claims() AS claims, array_agg(id ORDER BY id) AS ids FROM pgl.posts;
COMMIT;
-- Within one transaction, one PL/pgSQL expression (one cached parse), over
-- values of the same length: after two sets the value often sits where the
-- one before them did.
DO $$
DECLARE
    subs text[] := ARRAY['alice', 'bobby', 'carol', 'alice'];
    s text;
BEGIN
    FOREACH s IN ARRAY subs LOOP
        PERFORM set_config('jwt.claims.sub', 'zzzzz', true);
        PERFORM set_config('jwt.claims.sub', s, true);
        RAISE NOTICE 'set %, claims() %, claim %, path %', s, jwt.claims() ->> 'sub',
            jwt.claim('sub'), jwt.claim(ARRAY['sub']);
    END LOOP;
END
$$;
-- Within one statement: each row sets a claim, then reads the claims.
BEGIN;
SELECT n, set_config('jwt.claims.sub', s, true) IS NOT NULL AS set,
       jwt.claims() ->> 'sub' = s AS claims_follows, jwt.claim('sub') = s AS claim_follows,
       jwt.claims() AS claims
FROM (VALUES (1, 'alice'), (2, 'bobby'), (3, 'alice')) AS v (n, s);
-- A second claim appears and disappears (emptied counts as absent).
SELECT set_config('jwt.claims.tenant', 't1', true) IS NOT NULL AS set, jwt.claims() AS claims;
SELECT set_config('jwt.claims.tenant', '', true) IS NOT NULL AS emptied, jwt.claims() AS claims;
COMMIT;

-- Only values set in the current transaction are trusted. Client A forgets
-- LOCAL: session-level values stay on the (pooled) connection.
SET jwt.claims.sub = 'alice';
SELECT set_config('jwt.claims.role', 'regress_jwt_pg_person', false) IS NOT NULL AS set_config_false;
-- Client B, on the same connection, sets no claims: none, not A's.
BEGIN;
SELECT set_config('role', 'regress_jwt_pg_person', true);
SELECT current_setting('jwt.claims.sub') AS leftover, jwt.claim('sub') AS sub,
       jwt.claim_uuid('sub') AS uid, jwt.claims() AS claims, jwt.claim(ARRAY['sub']) AS sub_path,
       count(*) AS visible FROM pgl.posts;
COMMIT;
-- Client B sets some claims of its own: only those.
BEGIN;
SELECT set_config('role', 'regress_jwt_pg_person', true), set_config('jwt.claims.aud', 'postgraphile', true);
SELECT jwt.claim('sub') AS sub, jwt.claim('aud') AS aud, jwt.claims() AS claims, count(*) AS visible
FROM pgl.posts;
-- A session-level SET counts in the transaction that made it.
SET jwt.claims.sub = 'bobby';
SELECT jwt.claim('sub') AS same_transaction, array_agg(id ORDER BY id) AS ids FROM pgl.posts;
COMMIT;
SELECT jwt.claim('sub') AS next_transaction, current_setting('jwt.claims.sub') AS value;
RESET jwt.claims.sub;
RESET jwt.claims.role;

-- Claims jwt.authenticate verified come first; request.jwt.claims (when
-- trusted too) next; the jwt.claims.* settings last.
RESET SESSION AUTHORIZATION;
SELECT jwt.issue('{"sub":"carol","role":"regress_jwt_pg_person","aud":"postgraphile"}', '1 hour',
                 'regress-pg-k1') AS carol_token \gset
SET SESSION AUTHORIZATION regress_jwt_pg_authenticator;
BEGIN;
SELECT set_config('jwt.claims.sub', 'alice', true) IS NOT NULL AS set;
SELECT jwt.authenticate(:'carol_token') ->> 'sub' AS authenticated;
SELECT jwt.claim('sub') AS sub, jwt.claims() ->> 'sub' AS claims_sub, current_user;
ROLLBACK;
RESET SESSION AUTHORIZATION;
SET pg_jwt.trust_request_claims = on;
SET SESSION AUTHORIZATION regress_jwt_pg_authenticator;
BEGIN;
SELECT set_config('jwt.claims.sub', 'alice', true) IS NOT NULL AS set,
       set_config('request.jwt.claims', '{"sub":"bobby"}', true) IS NOT NULL AS set_request;
SELECT jwt.claim('sub') AS sub, jwt.claims() AS claims;
ROLLBACK;
RESET SESSION AUTHORIZATION;
RESET pg_jwt.trust_request_claims;

-- Parallel workers see what the leader sees. debug_parallel_query, named
-- force_parallel_mode before PostgreSQL 16.
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000
            THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END AS parallel_mode_setting \gset
SET :parallel_mode_setting = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET SESSION AUTHORIZATION regress_jwt_pg_authenticator;
SET jwt.claims.sub = 'bobby';
BEGIN;
SELECT set_config('role', 'regress_jwt_pg_person', true);
EXPLAIN (COSTS OFF) SELECT jwt.claim('sub'), jwt.claims();
SELECT jwt.claim('sub') AS leftover_sub, jwt.claims() AS leftover_claims, count(*) AS visible
FROM pgl.posts;
SELECT set_config('jwt.claims.sub', 'alice', true) IS NOT NULL AS set;
SELECT jwt.claim('sub') AS sub, jwt.claims() AS claims, array_agg(id ORDER BY id) AS ids FROM pgl.posts;
COMMIT;
RESET jwt.claims.sub;
RESET SESSION AUTHORIZATION;
RESET :parallel_mode_setting;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

--
-- 3. A login mutation built on jwt.issue (the README's), with the aud
-- PostGraphile v4 requires: it verifies tokens with audience
-- 'postgraphile' unless told otherwise (jwtVerifyOptions).
--
-- pgcrypto is installed by the test harness (crypt, gen_salt in public).
CREATE SCHEMA pgl_private;
CREATE TABLE pgl_private.accounts (person text PRIMARY KEY, email text UNIQUE NOT NULL,
                                   password_hash text NOT NULL);
INSERT INTO pgl_private.accounts
VALUES ('alice', 'alice@example.com', crypt('alice-secret', gen_salt('bf', 4)));
ALTER TABLE pgl_private.accounts OWNER TO regress_jwt_pg_owner;
ALTER SCHEMA pgl_private OWNER TO regress_jwt_pg_owner;
GRANT USAGE, CREATE ON SCHEMA pgl TO regress_jwt_pg_owner;
GRANT EXECUTE ON FUNCTION jwt.issue(jsonb, interval, text) TO regress_jwt_pg_owner;
SET SESSION AUTHORIZATION regress_jwt_pg_owner;
CREATE FUNCTION pgl.authenticate(email text, password text) RETURNS text
LANGUAGE plpgsql STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    account pgl_private.accounts;
BEGIN
    SELECT a.* INTO account FROM pgl_private.accounts AS a WHERE a.email = authenticate.email;
    IF NOT FOUND OR account.password_hash <> public.crypt(password, account.password_hash) THEN
        RETURN NULL;
    END IF;
    RETURN jwt.issue(jsonb_build_object('sub', account.person, 'role', 'regress_jwt_pg_person',
                                        'aud', 'postgraphile'), '1 hour');
END
$$;
REVOKE EXECUTE ON FUNCTION pgl.authenticate(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgl.authenticate(text, text) TO regress_jwt_pg_anonymous;
RESET SESSION AUTHORIZATION;

-- The mutation, as PostGraphile v4 runs it for an anonymous visitor.
SET SESSION AUTHORIZATION regress_jwt_pg_authenticator;
BEGIN;
SELECT set_config('role', 'regress_jwt_pg_anonymous', true);
SELECT pgl.authenticate('alice@example.com', 'wrong') AS wrong_password,
       pgl.authenticate('nobody@example.com', 'alice-secret') AS no_account;
SELECT pgl.authenticate('alice@example.com', 'alice-secret') AS token \gset
COMMIT;
-- Anyone else may not call it.
SELECT pg_temp.err($$SELECT pgl.authenticate('alice@example.com', 'alice-secret')$$) AS authenticator;
RESET SESSION AUTHORIZATION;
-- Its claims, as PostGraphile verifies them (audience 'postgraphile').
SELECT c ->> 'sub' AS sub, c ->> 'role' AS role, c ->> 'aud' AS aud,
       (c ->> 'exp')::numeric - (c ->> 'iat')::numeric AS ttl_seconds, c ? 'jti' AS has_jti
FROM jwt.validate(:'token', audience => 'postgraphile') AS c;
SELECT pg_temp.err(format('SELECT jwt.validate(%L, audience => %L)', :'token', 'another-api')) AS other_audience;
-- The next request carries it: PostGraphile v4 verifies it and sets one
-- setting per claim (here from jwt.validate, as PostGraphile would).
SET SESSION AUTHORIZATION regress_jwt_pg_authenticator;
BEGIN;
SELECT set_config('role', 'regress_jwt_pg_person', true);
SELECT count(*) AS claims_set
FROM jsonb_each_text(jwt.validate(:'token', audience => 'postgraphile')) AS c (name, value),
     LATERAL set_config('jwt.claims.' || c.name, c.value, true);
SELECT current_user, jwt.claim('sub') AS sub, jwt.claim('aud') AS aud,
       array_agg(id ORDER BY id) AS ids FROM pgl.posts;
COMMIT;
RESET SESSION AUTHORIZATION;

--
-- 4. PostGraphile v5: the application passes the token through pgSettings
-- (PostGraphile applies them with set_config(..., true)) and the function a
-- request runs calls jwt.authenticate before it queries, in one statement.
--
CREATE FUNCTION pgl.my_posts() RETURNS SETOF pgl.posts LANGUAGE plpgsql AS $$
BEGIN
    PERFORM jwt.authenticate(nullif(current_setting('app.jwt', true), ''));
    RETURN QUERY SELECT * FROM pgl.posts ORDER BY id;
END
$$;
SET pg_jwt.anon_role = 'regress_jwt_pg_anonymous';
RESET pg_jwt.trust_postgraphile_claims;
SET SESSION AUTHORIZATION regress_jwt_pg_authenticator;
BEGIN;
SELECT set_config('app.jwt', :'token', true) IS NOT NULL AS pg_settings;
SELECT id, author FROM pgl.my_posts();
SELECT current_user, jwt.claim('sub') AS sub;
COMMIT;
BEGIN;
SELECT set_config('app.jwt', '', true) IS NOT NULL AS no_token;
SELECT id, author FROM pgl.my_posts();
SELECT current_user;
COMMIT;
RESET SESSION AUTHORIZATION;
RESET pg_jwt.anon_role;

-- Cleanup.
RESET pg_jwt.audience;
DELETE FROM jwt.keys WHERE kid = 'regress-pg-k1';
DROP SCHEMA pgl CASCADE;
DROP SCHEMA pgl_private CASCADE;
DROP OWNED BY regress_jwt_pg_authenticator, regress_jwt_pg_person, regress_jwt_pg_anonymous,
    regress_jwt_pg_owner;
DROP ROLE regress_jwt_pg_authenticator, regress_jwt_pg_person, regress_jwt_pg_anonymous,
    regress_jwt_pg_owner;

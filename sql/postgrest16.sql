--
-- postgrest16: PostgREST 16 compatibility (issue 16, item 4).
--   1. pg_jwt.role_claim_key as PostgREST 16 writes jwt-role-claim-key: an
--      RFC 9535 JSONPath with name, index and filter selectors (== and
--      search()), and the older .role form; the first value selected is the
--      role; nothing selected means no role; a value that is not a string
--      is refused (28000); a wrong path is reported with its position
--      (22023).
--   2. jwt.request_token(cookie, header): the token of a request, from
--      request.cookies and request.headers as PostgREST sets them, only
--      when set in the current transaction.
--   3. A cookie token through a real db-pre-request function, in PostgREST
--      16's per-request transaction, with policies on jwt.claim().
--
-- Roles are cluster-wide: every one is named regress_jwt_p16_* and dropped
-- at the end.
--

\i test/regress/helpers.sql
\pset null '(null)'

CREATE ROLE regress_jwt_p16_authenticator NOINHERIT;
CREATE ROLE regress_jwt_p16_author NOLOGIN;
CREATE ROLE regress_jwt_p16_reader NOLOGIN;
CREATE ROLE regress_jwt_p16_anon NOLOGIN;
GRANT regress_jwt_p16_author, regress_jwt_p16_reader, regress_jwt_p16_anon
    TO regress_jwt_p16_authenticator;

SELECT jwt.add_key('postgrest16-secret-postgrest16-secr', 'HS256', 'regress-p16-k') AS kid;
-- tok(claims): a token of the keyring's key with these claims.
CREATE FUNCTION pg_temp.tok(claims jsonb) RETURNS text LANGUAGE sql AS
$$ SELECT jwt.sign(claims || '{"exp":4102444800}', 'postgrest16-secret-postgrest16-secr', 'HS256',
                   '{"kid":"regress-p16-k"}') $$;

\i test/regress/authenticate_helper.sql

--
-- 1. The role claim key.
--
-- PostgREST's documented token shapes: a list of roles, a namespaced claim,
-- and a list of grants (objects).
SELECT pg_temp.tok('{"sub":"alice","postgrest":{"roles":["regress_jwt_p16_reader","regress_jwt_p16_author"]}}') AS roles_token,
       pg_temp.tok('{"sub":"alice","https://www.example.com/role":{"key":"regress_jwt_p16_author"}}') AS url_token,
       pg_temp.tok('{"sub":"alice","grants":[{"app":"crm","role":"regress_jwt_p16_reader"},{"app":"api","role":"regress_jwt_p16_author"}]}') AS grants_token,
       pg_temp.tok('{"sub":"alice","grants":[{"app":"api","role":7},{"app":"api","role":"regress_jwt_p16_author"}]}') AS number_first_token
\gset
CREATE TEMP TABLE keys (n int, what text, key text, token text);
INSERT INTO keys VALUES
    (1, 'name and index', '$.postgrest.roles[1]', :'roles_token'),
    (2, 'bracketed name', '$[''https://www.example.com/role''].key', :'url_token'),
    (3, 'double-quoted name', '$["https://www.example.com/role"]["key"]', :'url_token'),
    (4, 'negative index', '$.postgrest.roles[-2]', :'roles_token'),
    (5, 'filter ==', '$.postgrest.roles[?(@ == ''regress_jwt_p16_author'')]', :'roles_token'),
    (6, 'filter search()', '$.postgrest.roles[?search(@, ''^regress_jwt_p16_au'')]', :'roles_token'),
    (7, 'search() anchored at the end', '$.postgrest.roles[?search(@, ''der$'')]', :'roles_token'),
    (8, 'filter on a member', '$.grants[?@.app == ''api''].role', :'grants_token'),
    (9, 'first of several', '$.postgrest.roles[?search(@, ''^regress_jwt_p16_'')]', :'roles_token'),
    (10, 'older form', '.postgrest.roles[1]', :'roles_token'),
    (11, 'older form, quoted', '."https://www.example.com/role".key', :'url_token'),
    (12, 'older form, filter', '.postgrest.roles[?(@ == "regress_jwt_p16_reader")]', :'roles_token'),
    (13, 'selects nothing', '$.postgrest.roles[5]', :'roles_token'),
    (14, 'filter selects nothing', '$.postgrest.roles[?@ == ''nobody'']', :'roles_token'),
    (15, 'selects an array', '$.postgrest.roles', :'roles_token'),
    (16, 'first selected is a number', '$.grants[?@.app == ''api''].role', :'number_first_token'),
    (17, 'a number', '$.grants[0].role', :'number_first_token');
GRANT SELECT ON keys TO regress_jwt_p16_authenticator;

-- set_key(key): sets pg_jwt.role_claim_key for the transaction, as a
-- superuser (the setting is superuser-only).
CREATE FUNCTION pg_temp.set_key(key text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS
$$ BEGIN PERFORM set_config('pg_jwt.role_claim_key', key, true); END $$;
-- run(): each key with its token, as the role that calls it.
CREATE FUNCTION pg_temp.run() RETURNS TABLE (n int, what text, key text, result text)
LANGUAGE plpgsql AS $$
DECLARE
    k record;
BEGIN
    FOR k IN SELECT * FROM keys ORDER BY keys.n LOOP
        PERFORM pg_temp.set_key(k.key);
        n := k.n;
        what := k.what;
        key := k.key;
        result := pg_temp.auth(k.token);
        RETURN NEXT;
    END LOOP;
END
$$;

-- As the authenticator, a real unprivileged role, without pg_jwt.anon_role:
-- nothing selected keeps the session user.
SET SESSION AUTHORIZATION regress_jwt_p16_authenticator;
SELECT * FROM pg_temp.run();
SELECT pg_temp.err($$SET pg_jwt.role_claim_key = '$.role'$$) AS authenticator_sets_key;
RESET SESSION AUTHORIZATION;
-- As a client sees it: the role holds for the rest of the transaction.
SET pg_jwt.role_claim_key = '$.postgrest.roles[?search(@, ''^regress_jwt_p16_au'')]';
SET SESSION AUTHORIZATION regress_jwt_p16_authenticator;
BEGIN;
SELECT jwt.authenticate(:'roles_token') ->> 'sub' AS sub;
SELECT current_user, session_user;
COMMIT;
RESET SESSION AUTHORIZATION;
-- With pg_jwt.anon_role: nothing selected switches to it, as PostgREST does.
SET pg_jwt.anon_role = 'regress_jwt_p16_anon';
SET pg_jwt.role_claim_key = '$.postgrest.roles[5]';
SET SESSION AUTHORIZATION regress_jwt_p16_authenticator;
SELECT pg_temp.auth(:'roles_token') AS selects_nothing;
RESET SESSION AUTHORIZATION;
RESET pg_jwt.anon_role;

-- A wrong path: 22023 when jwt.authenticate reads it, with the character.
SET pg_jwt.role_claim_key = '$.postgrest.roles[?(@ ^== "regress")]';
SELECT jwt.authenticate(:'roles_token');
\echo :LAST_ERROR_SQLSTATE
SET pg_jwt.role_claim_key = '$.postgrest.roles[*]';
SELECT jwt.authenticate(:'roles_token');
\echo :LAST_ERROR_SQLSTATE
SET pg_jwt.role_claim_key = '$.postgrest.roles[?search(@, ''(a'')]';
SELECT jwt.authenticate(:'roles_token');
\echo :LAST_ERROR_SQLSTATE
SET pg_jwt.role_claim_key = 'postgrest.roles';
SELECT jwt.authenticate(:'roles_token');
\echo :LAST_ERROR_SQLSTATE
-- The path is read for every verified token, one without a role too.
SELECT jwt.authenticate(pg_temp.tok('{"sub":"x"}'));
\echo :LAST_ERROR_SQLSTATE
-- A NULL token (the anonymous role) does not read the path.
SET pg_jwt.anon_role = 'regress_jwt_p16_anon';
BEGIN;
SELECT jwt.authenticate(NULL) AS anonymous, current_user;
ROLLBACK;
RESET pg_jwt.anon_role;
RESET pg_jwt.role_claim_key;
-- search() is linear in the claim: a long claim and a pattern that makes
-- backtracking engines take exponential time.
SET pg_jwt.role_claim_key = '$.names[?search(@, ''^(a+)+b$'')]';
SELECT pg_temp.auth(pg_temp.tok(jsonb_build_object('names', jsonb_build_array(repeat('a', 30000)))))
    AS long_claim;
RESET pg_jwt.role_claim_key;

--
-- 2. jwt.request_token.
--
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.proisstrict,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_may_execute,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
FROM pg_proc p WHERE p.oid = 'jwt.request_token(text,text)'::regprocedure;

SET SESSION AUTHORIZATION regress_jwt_p16_authenticator;
-- Nothing set: NULL.
SELECT jwt.request_token() AS authorization, jwt.request_token(cookie => 'access_token') AS cookie,
       jwt.request_token(header => 'x-access-token') AS header;
-- As PostgREST sets them, in the request's transaction.
BEGIN;
SELECT set_config('request.headers', '{"authorization":"Bearer aaa.bbb.ccc","x-access-token":"bearer ddd.eee.fff","x-raw":"ggg.hhh.iii","cookie":"access_token=jjj.kkk.lll"}', true) IS NOT NULL AS headers,
       set_config('request.cookies', '{"access_token":"jjj.kkk.lll","theme":"dark"}', true) IS NOT NULL AS cookies;
SELECT jwt.request_token() AS authorization,
       jwt.request_token(cookie => 'access_token') AS cookie,
       jwt.request_token(header => 'X-Access-Token') AS header,
       jwt.request_token(header => 'x-raw') AS header_without_scheme,
       jwt.request_token(cookie => 'nope') AS no_such_cookie,
       jwt.request_token(header => 'x-nope') AS no_such_header,
       jwt.request_token(cookie => 'nope', header => 'x-raw') AS cookie_else_header,
       jwt.request_token(cookie => 'access_token', header => 'x-raw') AS cookie_first;
COMMIT;
-- Another scheme in Authorization is no bearer token; malformed values are 22023.
BEGIN;
SELECT set_config('request.headers', '{"authorization":"Basic dXNlcjpwdw==","x-bad":"Bearer a b","x-num":1}', true) IS NOT NULL AS headers,
       set_config('request.cookies', '{"access_token":"a;b"}', true) IS NOT NULL AS cookies;
SELECT jwt.request_token() AS basic_is_no_bearer_token;
SELECT pg_temp.err($$SELECT jwt.request_token(header => 'x-bad')$$, true) AS two_words,
       pg_temp.err($$SELECT jwt.request_token(header => 'x-num')$$, true) AS a_number,
       pg_temp.err($$SELECT jwt.request_token(cookie => 'access_token')$$, true) AS bad_cookie;
SELECT jwt.request_token(cookie => 'access_token');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SELECT set_config('request.cookies', '[1]', true) IS NOT NULL AS cookies,
       set_config('request.headers', 'not json', true) IS NOT NULL AS headers;
SELECT pg_temp.err($$SELECT jwt.request_token(cookie => 'access_token')$$, true) AS cookies_not_an_object,
       pg_temp.err($$SELECT jwt.request_token()$$) AS headers_not_json;
ROLLBACK;
-- A value one client left on a pooled connection (a session-level SET) is
-- never the next request's token.
SET request.cookies = '{"access_token":"left.over.token"}';
SET request.headers = '{"authorization":"Bearer left.over.token"}';
BEGIN;
SELECT current_setting('request.cookies') AS leftover,
       jwt.request_token(cookie => 'access_token') AS cookie, jwt.request_token() AS authorization;
COMMIT;
RESET request.cookies;
RESET request.headers;
RESET SESSION AUTHORIZATION;

--
-- 3. A cookie token through db-pre-request, as PostgREST 16 runs a request.
--
CREATE SCHEMA p16;
GRANT USAGE ON SCHEMA p16 TO regress_jwt_p16_author, regress_jwt_p16_reader, regress_jwt_p16_anon;
CREATE TABLE p16.todos (id int PRIMARY KEY, owner text NOT NULL, public boolean NOT NULL DEFAULT false);
INSERT INTO p16.todos VALUES (1, 'alice', false), (2, 'alice', false), (3, 'bob', false), (4, 'bob', true);
ALTER TABLE p16.todos ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON p16.todos TO regress_jwt_p16_author, regress_jwt_p16_reader, regress_jwt_p16_anon;
CREATE POLICY own ON p16.todos FOR SELECT TO regress_jwt_p16_author, regress_jwt_p16_reader
    USING (owner = jwt.claim('sub'));
CREATE POLICY anon ON p16.todos FOR SELECT TO regress_jwt_p16_anon USING (public);
-- The README's db-pre-request function.
CREATE FUNCTION p16.pre_request() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    token text := jwt.request_token(cookie => 'access_token');
BEGIN
    -- No cookie: leave the request as PostgREST set it up (anonymous, or
    -- the role of the Authorization header it verified).
    IF token IS NULL THEN
        RETURN;
    END IF;
    -- CSRF: a browser sends the cookie with any site's requests; refuse
    -- writes whose Origin is not the application's own.
    IF current_setting('request.method', true) NOT IN ('GET', 'HEAD', 'OPTIONS')
       AND coalesce(nullif(current_setting('request.headers', true), '')::json ->> 'origin', '')
           <> 'https://app.example.com' THEN
        RAISE EXCEPTION 'cross-site request refused' USING ERRCODE = '42501';
    END IF;
    PERFORM jwt.authenticate(token);
END
$$;
GRANT EXECUTE ON FUNCTION p16.pre_request() TO regress_jwt_p16_anon;
-- The authenticator's settings (ALTER ROLE ... SET in the README; SET here,
-- as this session logged in before).
SET pg_jwt.anon_role = 'regress_jwt_p16_anon';
SET pg_jwt.role_claim_key = '$.postgrest.roles[?search(@, ''^regress_jwt_p16_au'')]';
SELECT pg_temp.tok('{"sub":"alice","postgrest":{"roles":["regress_jwt_p16_author"]}}') AS alice_cookie,
       pg_temp.tok('{"sub":"bob","postgrest":{"roles":["regress_jwt_p16_author"]}}') AS bob_cookie,
       jwt.sign('{"sub":"mallory","postgrest":{"roles":["regress_jwt_p16_author"]}}', 'not-the-key-not-the-key-not-the-key', 'HS256', '{"kid":"regress-p16-k"}') AS forged_cookie
\gset
SET SESSION AUTHORIZATION regress_jwt_p16_authenticator;

-- request(cookies, method, origin): /todos as PostgREST 16 runs it without
-- an Authorization header (the browser sends the cookie): anonymous role,
-- request settings, the pre-request function, the query.
CREATE FUNCTION pg_temp.request(cookies text, method text DEFAULT 'GET',
                                origin text DEFAULT 'https://app.example.com')
RETURNS TABLE (who text, ids int[], err text)
LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM set_config('search_path', '"p16", "public"', true),
            set_config('role', 'regress_jwt_p16_anon', true),
            set_config('request.jwt.claims', '{"role":"regress_jwt_p16_anon"}', true),
            set_config('request.method', method, true),
            set_config('request.path', '/todos', true),
            set_config('request.headers', json_build_object('accept', '*/*', 'origin', origin,
                                                            'cookie', '(as sent)')::text, true),
            set_config('request.cookies', cookies, true);
    PERFORM p16.pre_request();
    RETURN QUERY SELECT current_user::text, (SELECT array_agg(id ORDER BY id) FROM p16.todos), NULL::text;
EXCEPTION WHEN OTHERS THEN
    RETURN QUERY SELECT NULL::text, NULL::int[], SQLSTATE || ': ' || SQLERRM;
END
$f$;
BEGIN;
SELECT * FROM pg_temp.request(json_build_object('access_token', :'alice_cookie')::text);
ROLLBACK;
BEGIN;
SELECT * FROM pg_temp.request(json_build_object('access_token', :'bob_cookie', 'theme', 'dark')::text);
ROLLBACK;
BEGIN;
SELECT * FROM pg_temp.request('{"theme":"dark"}');
ROLLBACK;
BEGIN;
SELECT * FROM pg_temp.request(json_build_object('access_token', :'forged_cookie')::text);
ROLLBACK;
BEGIN;
SELECT * FROM pg_temp.request('{"access_token":"not a token"}');
ROLLBACK;
-- A write started by another site (the browser adds the cookie): refused.
BEGIN;
SELECT * FROM pg_temp.request(json_build_object('access_token', :'alice_cookie')::text, 'POST',
                              'https://evil.example');
ROLLBACK;
BEGIN;
SELECT * FROM pg_temp.request(json_build_object('access_token', :'alice_cookie')::text, 'POST');
ROLLBACK;
-- A write without the cookie (a client that is no browser) is not
-- concerned by the Origin check.
BEGIN;
SELECT * FROM pg_temp.request('{}', 'POST', NULL);
ROLLBACK;
-- The same statements one by one, as PostgREST sends them.
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('search_path', '"p16", "public"', true) IS NOT NULL AS path,
       set_config('role', 'regress_jwt_p16_anon', true) AS role,
       set_config('request.method', 'GET', true) AS method,
       set_config('request.headers', '{"accept":"*/*"}', true) IS NOT NULL AS headers,
       set_config('request.cookies', json_build_object('access_token', :'alice_cookie')::text, true) IS NOT NULL AS cookies;
SELECT p16.pre_request();
SELECT current_user, jwt.claim('sub') AS sub,
       current_setting('request.jwt.claims')::jsonb ->> 'sub' AS mirrored_sub,
       array_agg(id ORDER BY id) AS ids FROM p16.todos;
COMMIT;
SELECT current_user, jwt.claims() AS claims_after_the_request;
RESET SESSION AUTHORIZATION;
RESET pg_jwt.anon_role;
RESET pg_jwt.role_claim_key;

-- Cleanup.
DELETE FROM jwt.keys WHERE kid = 'regress-p16-k';
DROP TABLE keys;
DROP SCHEMA p16 CASCADE;
DROP OWNED BY regress_jwt_p16_authenticator, regress_jwt_p16_author, regress_jwt_p16_reader,
    regress_jwt_p16_anon;
DROP ROLE regress_jwt_p16_authenticator, regress_jwt_p16_author, regress_jwt_p16_reader,
    regress_jwt_p16_anon;

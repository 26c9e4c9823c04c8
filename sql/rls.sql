--
-- rls: row-level security keyed on the claims jwt.authenticate verified, the
-- token-in-SQL flow (no proxy in front): BEGIN; SELECT jwt.authenticate(token);
-- queries; COMMIT. Real roles, a todos table with policies on jwt.claim('sub')
-- and an admin claim, two users, an admin, an anon role; expired, wrongly
-- signed and revoked tokens; forging attempts by an unprivileged role with
-- pg_jwt.trust_request_claims off and on; the claim accessors; markings.
--
-- Roles are cluster-wide: every one is named regress_jwt_rls_* and dropped at
-- the end.
--

\i test/regress/helpers.sql

-- auth(token): jwt.authenticate(token) in a subtransaction; on success
-- 'ok as <current_user>' (the role the transaction now runs as), else the
-- error as 'SQLSTATE: message [detail]'. The token never appears in output.
CREATE FUNCTION pg_temp.auth(token text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    detail text;
BEGIN
    PERFORM jwt.authenticate(token);
    RETURN 'ok as ' || current_user;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' [' || nullif(detail, '') || ']', '');
END
$f$;

-- stable(claims): the claims without the members jwt.issue adds (iat, exp,
-- jti vary from run to run).
CREATE FUNCTION pg_temp.stable(claims jsonb) RETURNS jsonb LANGUAGE sql AS
$$ SELECT claims - ARRAY['iat', 'exp', 'jti'] $$;

-- The roles. The authenticator is the session user of the API; it may become
-- the user role and the anon role (NOINHERIT: only by switching to them),
-- never regress_jwt_rls_other.
CREATE ROLE regress_jwt_rls_authenticator NOINHERIT;
CREATE ROLE regress_jwt_rls_user NOLOGIN;
CREATE ROLE regress_jwt_rls_anon NOLOGIN;
CREATE ROLE regress_jwt_rls_other NOLOGIN;
GRANT regress_jwt_rls_user, regress_jwt_rls_anon TO regress_jwt_rls_authenticator;
-- The install script grants no USAGE on schema jwt to PUBLIC (reported as a
-- bug); grant it to these roles so that their policies can call jwt.*.
GRANT USAGE ON SCHEMA jwt TO regress_jwt_rls_authenticator, regress_jwt_rls_user,
    regress_jwt_rls_anon, regress_jwt_rls_other;

-- The data: alice has two todos, bob two (one public), carol none.
CREATE TABLE todos (id int PRIMARY KEY, owner text NOT NULL, title text NOT NULL,
                    public boolean NOT NULL DEFAULT false);
INSERT INTO todos VALUES
    (1, 'alice', 'buy milk', false),
    (2, 'alice', 'walk the dog', false),
    (3, 'bob', 'fix the bike', false),
    (4, 'bob', 'read the manual', true);
ALTER TABLE todos ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT ON todos TO regress_jwt_rls_user;
GRANT SELECT ON todos TO regress_jwt_rls_anon;
-- Users see their own todos; a token with {"app":{"admin":true}} sees all.
CREATE POLICY todos_read ON todos FOR SELECT TO regress_jwt_rls_user
    USING (owner = jwt.claim('sub') OR jwt.claim(ARRAY['app', 'admin']) = 'true');
CREATE POLICY todos_write ON todos FOR INSERT TO regress_jwt_rls_user
    WITH CHECK (owner = jwt.claim('sub'));
-- Anonymous requests see the public todos only.
CREATE POLICY todos_anon ON todos FOR SELECT TO regress_jwt_rls_anon USING (public);

-- The keyring: one HS256 key that jwt.issue signs with and jwt.authenticate
-- verifies with.
SELECT jwt.generate_key('HS256', 'regress-rls-k1') AS kid;

-- Tokens (as the superuser: jwt.issue is not granted to PUBLIC).
SELECT jwt.issue('{"sub":"alice","role":"regress_jwt_rls_user"}', '1 hour', 'regress-rls-k1') AS alice \gset
SELECT jwt.issue('{"sub":"bob","role":"regress_jwt_rls_user"}', '1 hour', 'regress-rls-k1') AS bob \gset
SELECT jwt.issue('{"sub":"carol","role":"regress_jwt_rls_user","app":{"admin":true}}', '1 hour', 'regress-rls-k1') AS carol \gset
SELECT jwt.issue('{"sub":"dave","role":"regress_jwt_rls_user","app":{"admin":"yes"}}', '1 hour', 'regress-rls-k1') AS dave \gset
SELECT jwt.issue('{"sub":"alice"}', '1 hour', 'regress-rls-k1') AS alice_norole \gset
SELECT jwt.issue('{"sub":"eve","role":"regress_jwt_rls_other"}', '1 hour', 'regress-rls-k1') AS other \gset
SELECT jwt.issue('{"sub":"eve","role":"regress_jwt_rls_nosuch"}', '1 hour', 'regress-rls-k1') AS nosuch \gset
SELECT jwt.issue(jsonb_build_object('sub', 'eve', 'role', current_user), '1 hour', 'regress-rls-k1') AS superuser_role \gset
-- Expired a minute ago, not valid for another hour: signed with the keyring's
-- own key (its private JWK, readable by the superuser), so only the time is wrong.
SELECT jwt.sign(jsonb_build_object('sub', 'alice', 'role', 'regress_jwt_rls_user',
                                   'exp', trunc(extract(epoch FROM now())) - 60),
                (SELECT private_jwk FROM jwt.keys WHERE kid = 'regress-rls-k1'), NULL) AS expired \gset
SELECT jwt.sign(jsonb_build_object('sub', 'alice', 'role', 'regress_jwt_rls_user',
                                   'nbf', trunc(extract(epoch FROM now())) + 3600,
                                   'exp', trunc(extract(epoch FROM now())) + 7200),
                (SELECT private_jwk FROM jwt.keys WHERE kid = 'regress-rls-k1'), NULL) AS future \gset
-- Wrongly signed: another secret, with and without the keyring's kid.
SELECT jwt.sign('{"sub":"alice","role":"regress_jwt_rls_user","exp":4102444800}',
                'not-the-keyring-secret-0123456789abcdef', 'HS256', '{"kid":"regress-rls-k1"}') AS forged_kid \gset
SELECT jwt.sign('{"sub":"alice","role":"regress_jwt_rls_user","exp":4102444800}',
                'not-the-keyring-secret-0123456789abcdef') AS forged \gset
-- alice's token with bob's signature.
SELECT split_part(:'alice', '.', 1) || '.' || split_part(:'alice', '.', 2) || '.'
       || split_part(:'bob', '.', 3) AS spliced \gset
-- A token to revoke.
SELECT jwt.issue('{"sub":"alice","role":"regress_jwt_rls_user"}', '1 hour', 'regress-rls-k1') AS revoked \gset
SELECT jwt.revoke((jwt.decode(:'revoked')).payload ->> 'jti', now() + interval '2 hours');
-- The header the keyring signs with: the kid selects the key.
SELECT jwt.header(:'alice') AS header;

--
-- The token-in-SQL flow, as the authenticator (an unprivileged role).
--
SET SESSION AUTHORIZATION regress_jwt_rls_authenticator;
-- Outside a transaction nothing is authenticated.
SELECT current_user, jwt.claims() AS claims, jwt.claim('sub') AS sub;
-- The authenticator itself cannot read todos.
SELECT pg_temp.err('SELECT * FROM todos');

-- alice: her two todos, as the role her token names.
BEGIN;
SELECT pg_temp.stable(jwt.authenticate(:'alice')) AS claims;
SELECT current_user, session_user, jwt.claim('sub') AS sub,
       current_setting('request.jwt.claims')::jsonb ->> 'sub' AS mirrored_sub;
SELECT id, owner, title FROM todos ORDER BY id;
-- She may add a todo of her own, not one of bob's.
INSERT INTO todos VALUES (5, 'alice', 'new todo');
SELECT pg_temp.err($$INSERT INTO todos VALUES (6, 'bob', 'not mine')$$);
ROLLBACK;
-- The transaction is over: no claims, back to the authenticator.
SELECT current_user, jwt.claims() AS claims, jwt.claim('sub') AS sub,
       current_setting('request.jwt.claims') AS request_claims;

-- bob: his two todos.
BEGIN;
SELECT pg_temp.auth(:'bob');
SELECT id, owner, title FROM todos ORDER BY id;
COMMIT;
SELECT current_user, jwt.claims() AS claims;

-- carol's token has {"app":{"admin":true}}: every todo.
BEGIN;
SELECT pg_temp.auth(:'carol');
SELECT jwt.claim(ARRAY['app', 'admin']) AS admin;
SELECT id, owner, title FROM todos ORDER BY id;
COMMIT;

-- dave's admin claim is "yes", not true: nothing (he owns no todo).
BEGIN;
SELECT pg_temp.auth(:'dave');
SELECT count(*) FROM todos;
COMMIT;

-- A second authenticate in the same transaction replaces the claims.
BEGIN;
SELECT pg_temp.auth(:'alice');
SELECT pg_temp.auth(:'bob');
SELECT jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM todos;
COMMIT;

-- A rolled-back savepoint takes the claims and the role switch with it.
BEGIN;
SAVEPOINT s;
SELECT pg_temp.auth(:'alice');
ROLLBACK TO SAVEPOINT s;
SELECT current_user, jwt.claims() AS claims;
COMMIT;

-- Refused tokens: nothing is kept, the role does not change.
BEGIN;
-- (the detail names the time, which varies: cut)
SELECT split_part(pg_temp.auth(:'expired'), ' [', 1) AS expired;
SELECT split_part(pg_temp.auth(:'future'), ' [', 1) AS not_yet_valid;
SELECT pg_temp.auth(:'forged_kid') AS forged_with_kid;
SELECT pg_temp.auth(:'forged') AS forged_without_kid;
SELECT pg_temp.auth(:'spliced') AS spliced;
SELECT pg_temp.auth(:'revoked') AS revoked;
SELECT pg_temp.auth(:'other') AS role_not_granted;
SELECT pg_temp.auth(:'superuser_role') AS superuser_role;
SELECT pg_temp.auth(:'nosuch') AS unknown_role;
SELECT pg_temp.auth('not a token') AS malformed;
SELECT current_user, jwt.claims() AS claims, current_setting('request.jwt.claims') AS request_claims;
COMMIT;
-- The same refusals as a client sees them, with the transaction aborted.
BEGIN;
SELECT jwt.authenticate(:'revoked');
ROLLBACK;
BEGIN;
SELECT jwt.authenticate(:'other');
ROLLBACK;

-- No token and no pg_jwt.anon_role: refused.
BEGIN;
SELECT pg_temp.auth(NULL) AS null_token, pg_temp.auth('') AS empty_token;
COMMIT;
-- A token without a role claim keeps the authenticator's role.
BEGIN;
SELECT pg_temp.auth(:'alice_norole');
SELECT jwt.claim('sub') AS sub;
COMMIT;

-- With pg_jwt.anon_role (superuser-only): no token means the anon role and
-- empty claims; a token without a role claim also runs as the anon role.
RESET SESSION AUTHORIZATION;
SET pg_jwt.anon_role = 'regress_jwt_rls_anon';
SET SESSION AUTHORIZATION regress_jwt_rls_authenticator;
SELECT pg_temp.err('SET pg_jwt.anon_role = ''regress_jwt_rls_user''') AS set_anon_role;
BEGIN;
SELECT jwt.authenticate(NULL) AS claims;
SELECT current_user, jwt.claims() AS claims, jwt.claim('sub') AS sub,
       current_setting('request.jwt.claims') AS request_claims;
SELECT id, owner, title FROM todos ORDER BY id;
COMMIT;
BEGIN;
SELECT jwt.authenticate('') AS claims;
SELECT current_user, array_agg(id) AS ids FROM todos;
COMMIT;
BEGIN;
SELECT pg_temp.auth(:'alice_norole');
SELECT jwt.claim('sub') AS sub, array_agg(id) AS ids FROM todos;
COMMIT;
RESET SESSION AUTHORIZATION;
RESET pg_jwt.anon_role;

--
-- Forging. After authenticating as alice, the unprivileged role tries every
-- way plain SQL has to change the claims; jwt.claims() must stay alice's.
-- forge() runs each attempt in a subtransaction and reports its outcome,
-- the sub that jwt.claim() and jwt.claims() give after it, the todos
-- visible, and pg_jwt.trust_request_claims. (SET SESSION AUTHORIZATION is
-- not among them: this regress session logged in as a superuser, and
-- PostgreSQL lets such a session switch back whatever its current role.)
--
CREATE FUNCTION pg_temp.forge()
RETURNS TABLE (attempt text, outcome text, claim_sub text, claims_sub text, ids text, trust text)
LANGUAGE plpgsql AS $f$
DECLARE
    attempts text[] := ARRAY[
        $$SET pg_jwt.claims = '{"sub":"bob"}'$$,
        $$SET LOCAL pg_jwt.claims = '{"sub":"bob"}'$$,
        $$SET SESSION pg_jwt.claims = '{"sub":"bob"}'$$,
        $$RESET pg_jwt.claims$$,
        $$SET pg_jwt.claims TO DEFAULT$$,
        $$SELECT set_config('pg_jwt.claims', '{"sub":"bob"}', true)$$,
        $$SELECT set_config('pg_jwt.claims', '{"sub":"bob"}', false)$$,
        $$SELECT set_config('pg_jwt.claims', '', true)$$,
        $$SET pg_jwt.trust_request_claims = on$$,
        $$SELECT set_config('pg_jwt.trust_request_claims', 'off', true)$$,
        $$SELECT set_config('request.jwt.claims', '{"sub":"bob"}', true)$$,
        $$SET request.jwt.claims = '{"sub":"bob"}'$$,
        $$SET LOCAL request.jwt.claims = '{"sub":"bob","app":{"admin":true}}'$$,
        $$SELECT set_config('request.jwt.claim.sub', 'bob', true)$$,
        $$SET pg_jwt.role_claim_key = '.sub'$$,
        $$CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql SET pg_jwt.claims = '{"sub":"bob"}' AS 'SELECT 1'$$,
        $$ALTER ROLE CURRENT_USER SET pg_jwt.claims = '{"sub":"bob"}'$$,
        $$RESET ALL$$];
    a text;
    result text;
BEGIN
    FOREACH a IN ARRAY attempts LOOP
        BEGIN
            EXECUTE a;
            result := 'ok';
        EXCEPTION WHEN OTHERS THEN
            result := SQLSTATE || ': ' || SQLERRM;
        END;
        RETURN QUERY SELECT a, result, jwt.claim('sub'), jwt.claims() ->> 'sub',
            (SELECT string_agg(id::text, ',' ORDER BY id) FROM todos),
            current_setting('pg_jwt.trust_request_claims');
    END LOOP;
END
$f$;

-- Trust of request.jwt.claims off (the default).
SET SESSION AUTHORIZATION regress_jwt_rls_authenticator;
BEGIN;
SELECT pg_temp.auth(:'alice');
SELECT * FROM pg_temp.forge();
SELECT current_user, jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM todos;
COMMIT;
SELECT jwt.claims() AS claims_after_commit;
RESET request.jwt.claims;

-- Trust on (set by the superuser for this session, as ALTER ROLE ... SET
-- would at login). RESET ALL by any role reverts a superuser's SET of a
-- pg_jwt.* setting to its value at login (PostgreSQL's rule for every
-- setting), so it is the last attempt; authenticated claims are untouched.
RESET SESSION AUTHORIZATION;
SET pg_jwt.trust_request_claims = on;
SET SESSION AUTHORIZATION regress_jwt_rls_authenticator;
BEGIN;
SELECT pg_temp.auth(:'alice');
SELECT * FROM pg_temp.forge();
SELECT current_user, jwt.claim('sub') AS sub, array_agg(id ORDER BY id) AS ids FROM todos;
COMMIT;
SELECT jwt.claims() AS claims_after_commit;

-- The forging statements as a client sees them.
BEGIN;
SELECT pg_temp.auth(:'alice');
SET pg_jwt.claims = '{"sub":"bob"}';
ROLLBACK;
BEGIN;
SELECT pg_temp.auth(:'alice');
RESET pg_jwt.claims;
ROLLBACK;
BEGIN;
SELECT pg_temp.auth(:'alice');
SELECT set_config('pg_jwt.claims', '{"sub":"bob"}', true);
ROLLBACK;
-- The claims are not readable as a setting by an unprivileged role either
-- (jwt.claims() is the way to read them).
BEGIN;
SELECT pg_temp.auth(:'alice');
SELECT current_setting('pg_jwt.claims');
ROLLBACK;
RESET SESSION AUTHORIZATION;
RESET pg_jwt.trust_request_claims;

--
-- Claim accessors, on claims of every JSON type (authenticated by the
-- superuser, whose role switches to regress_jwt_rls_user).
--
SELECT jwt.issue('{"sub":"2f1e8a3c-5b6d-4e7f-8a9b-0c1d2e3f4a5b","role":"regress_jwt_rls_user",
                   "str":"h\u00e9 \"q\"","n":42,"f":1.50,"neg":-0.5e-3,"t":true,"fa":false,
                   "nul":null,"obj":{"a":[1,{"b":"x"},[true,null]],"c":{"d":"deep"}},
                   "arr":["zero","one"],"empty":"","up":"2F1E8A3C-5B6D-4E7F-8A9B-0C1D2E3F4A5B",
                   "braces":"{2f1e8a3c-5b6d-4e7f-8a9b-0c1d2e3f4a5b}",
                   "nodash":"2f1e8a3c5b6d4e7f8a9b0c1d2e3f4a5b","short":"2f1e8a3c-5b6d-4e7f-8a9b-0c1d2e3f4a5",
                   "badhex":"2f1e8a3c-5b6d-4e7f-8a9b-0c1d2e3f4a5g","numuuid":12345678}', '1 hour', 'regress-rls-k1') AS typed \gset
BEGIN;
SELECT pg_temp.auth(:'typed');
SELECT name, jwt.claim(name) AS claim, jwt.claims() ->> name AS "->>",
       jwt.claim(name) IS NOT DISTINCT FROM jwt.claims() ->> name AS same
FROM unnest(ARRAY['sub', 'str', 'n', 'f', 'neg', 't', 'fa', 'nul', 'obj', 'arr', 'empty',
                  'absent', 'Sub', '']) AS name;
SELECT jwt.claim(NULL::text) AS null_name;
-- Paths: members of nested objects and array elements by index.
SELECT path, jwt.claim(path) AS claim, jwt.claims() #>> path AS "#>>",
       jwt.claim(path) IS NOT DISTINCT FROM jwt.claims() #>> path AS same
FROM (VALUES ('{sub}'::text[]), ('{obj,c,d}'), ('{obj,a,0}'), ('{obj,a,1,b}'), ('{obj,a,2,0}'),
             ('{obj,a,2,1}'), ('{obj,a,2}'), ('{obj,a,3}'), ('{obj,a,x}'), ('{arr,1}'), ('{obj,c}'),
             ('{obj,missing}'), ('{sub,x}'), ('{n,0}'), ('{obj,a,9999999999}'), ('{nul}'),
             ('{absent,a}')) AS p (path);
SELECT jwt.claim(NULL::text[]) AS null_path, jwt.claim(ARRAY['obj', NULL]) AS null_step;
-- claim_uuid: a canonical uuid (either case), else NULL without raising.
SELECT name, jwt.claim_uuid(name) AS claim_uuid
FROM unnest(ARRAY['sub', 'up', 'braces', 'nodash', 'short', 'badhex', 'numuuid', 'n', 'obj',
                  'nul', 'absent', 'str']) AS name;
-- The accessors agree whatever order they are called in the same query.
SELECT jwt.claim('sub') AS a, jwt.claim('n') AS b, jwt.claim_uuid('sub') AS c,
       jwt.claim(ARRAY['obj', 'c', 'd']) AS d, jwt.claim('sub') AS e;
COMMIT;
SELECT jwt.claim_uuid('sub') AS after_commit;

--
-- Markings: the accessors are STABLE and PARALLEL SAFE (policies may run in
-- parallel workers); authenticate is VOLATILE, PARALLEL UNSAFE and SECURITY
-- INVOKER; authenticate is callable by PUBLIC.
--
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.prosecdef,
       p.proisstrict, has_function_privilege('regress_jwt_rls_other', p.oid, 'EXECUTE') AS public_execute
FROM pg_proc p
WHERE p.pronamespace = 'jwt'::regnamespace
  AND p.proname IN ('claims', 'claim', 'claim_uuid', 'authenticate')
ORDER BY p.oid::regprocedure::text;

-- authenticate inside a SECURITY DEFINER function: PostgreSQL forbids the
-- role switch there.
CREATE FUNCTION rls_definer_auth(token text) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
    AS $$ SELECT jwt.authenticate(token) $$;
GRANT EXECUTE ON FUNCTION rls_definer_auth(text) TO regress_jwt_rls_authenticator;
SET SESSION AUTHORIZATION regress_jwt_rls_authenticator;
BEGIN;
SELECT pg_temp.err(format('SELECT rls_definer_auth(%L)', :'alice'));
SELECT current_user, jwt.claims() AS claims;
COMMIT;
RESET SESSION AUTHORIZATION;

-- A new backend in which pg_jwt is not loaded yet: an unprivileged role's
-- SET of pg_jwt.claims makes a placeholder, which loading the library
-- re-checks with that role's rights and discards.
\c -
SET SESSION AUTHORIZATION regress_jwt_rls_authenticator;
SELECT current_setting('pg_jwt.leeway', true) AS leeway_defined;
SET pg_jwt.claims = '{"sub":"bob","role":"regress_jwt_rls_user"}';
SET pg_jwt.trust_request_claims = on;
SET request.jwt.claims = '{"sub":"bob"}';
SELECT jwt.claims() AS claims, jwt.claim('sub') AS sub;
SELECT current_setting('pg_jwt.trust_request_claims') AS trust,
       current_setting('request.jwt.claims') AS request_claims;
RESET SESSION AUTHORIZATION;

-- Cleanup.
DROP FUNCTION rls_definer_auth(text);
DROP TABLE todos;
DELETE FROM jwt.revoked WHERE jti = (jwt.decode(:'revoked')).payload ->> 'jti';
DELETE FROM jwt.keys WHERE kid = 'regress-rls-k1';
DROP OWNED BY regress_jwt_rls_authenticator, regress_jwt_rls_user, regress_jwt_rls_anon,
    regress_jwt_rls_other;
DROP ROLE regress_jwt_rls_authenticator, regress_jwt_rls_user, regress_jwt_rls_anon,
    regress_jwt_rls_other;

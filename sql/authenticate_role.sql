--
-- authenticate_role: which role jwt.authenticate leaves the transaction in,
-- for a verified token, by what its role claim (pg_jwt.role_claim_key)
-- holds. A string names the role to switch to; no claim, or JSON null, means
-- no role: with pg_jwt.anon_role unset the transaction keeps running as the
-- session user (for PostgREST-style setups, the authenticator), with it set
-- it switches to the anon role, as PostgREST does. Anything else (a number,
-- a boolean, an array, an object) is refused: it names no role, and its
-- text must not be taken for one. Roles are named regress_jwt_ar_*.
--

\i test/regress/authenticate_helper.sql

CREATE ROLE regress_jwt_ar_authenticator NOINHERIT;
CREATE ROLE regress_jwt_ar_user NOLOGIN;
CREATE ROLE regress_jwt_ar_anon NOLOGIN;
GRANT regress_jwt_ar_user, regress_jwt_ar_anon TO regress_jwt_ar_authenticator;

SELECT jwt.add_key('role-claim-secret-role-claim-secr', 'HS256', 'regress-ar-k') AS kid;
-- tok(claims): a token of the keyring's key with these claims.
CREATE FUNCTION pg_temp.tok(claims jsonb) RETURNS text LANGUAGE sql AS
$$ SELECT jwt.sign(claims || '{"exp":4102444800}', 'role-claim-secret-role-claim-secr', 'HS256', '{"kid":"regress-ar-k"}') $$;
CREATE TEMP TABLE cases (n int, what text, claims jsonb);
INSERT INTO cases VALUES
    (1, 'a role', '{"sub":"a","role":"regress_jwt_ar_user"}'),
    (2, 'no role claim', '{"sub":"a"}'),
    (3, 'role null', '{"sub":"a","role":null}'),
    (4, 'role a number', '{"sub":"a","role":42}'),
    (5, 'role true', '{"sub":"a","role":true}'),
    (6, 'role an array', '{"sub":"a","role":["regress_jwt_ar_user"]}'),
    (7, 'role an object', '{"sub":"a","role":{"name":"regress_jwt_ar_user"}}'),
    (8, 'role empty', '{"sub":"a","role":""}'),
    (9, 'role unknown', '{"sub":"a","role":"regress_jwt_ar_nosuch"}');
-- The tokens, in the cases' order, in a psql variable.
SELECT string_agg(pg_temp.tok(claims), ' ' ORDER BY n) AS tokens FROM cases \gset
GRANT SELECT ON cases TO regress_jwt_ar_authenticator;

-- run(): each case.
CREATE FUNCTION pg_temp.run(tokens text) RETURNS TABLE (what text, result text)
LANGUAGE sql AS $$
    SELECT c.what, pg_temp.auth(split_part(tokens, ' ', c.n)) FROM cases c ORDER BY c.n
$$;

-- pg_jwt.anon_role unset.
SET SESSION AUTHORIZATION regress_jwt_ar_authenticator;
SELECT * FROM pg_temp.run(:'tokens');
RESET SESSION AUTHORIZATION;

-- As a client sees it: no role claim keeps the session user for the rest of
-- the transaction, as does "role": null; a number is refused.
SET SESSION AUTHORIZATION regress_jwt_ar_authenticator;
BEGIN;
SELECT jwt.authenticate(split_part(:'tokens', ' ', 2)) ->> 'sub' AS sub;
SELECT current_user, session_user;
COMMIT;
BEGIN;
SELECT jwt.authenticate(split_part(:'tokens', ' ', 3)) -> 'role' AS role;
SELECT current_user, session_user;
COMMIT;
BEGIN;
SELECT jwt.authenticate(split_part(:'tokens', ' ', 4));
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET SESSION AUTHORIZATION;

-- pg_jwt.anon_role set: no role claim and "role": null switch to it;
-- anything that is not a string is still refused.
SET pg_jwt.anon_role = 'regress_jwt_ar_anon';
SET SESSION AUTHORIZATION regress_jwt_ar_authenticator;
SELECT * FROM pg_temp.run(:'tokens');
BEGIN;
SELECT jwt.authenticate(split_part(:'tokens', ' ', 3)) -> 'role' AS role;
SELECT current_user, session_user;
COMMIT;
RESET SESSION AUTHORIZATION;
RESET pg_jwt.anon_role;

-- A nested role claim key: JSON null, a missing step and a non-string there
-- behave the same way.
SET pg_jwt.role_claim_key = '.app.roles[0]';
SET SESSION AUTHORIZATION regress_jwt_ar_authenticator;
SELECT c.what, pg_temp.auth(pg_temp.tok(c.claims)) AS result
FROM (VALUES ('a role', '{"app":{"roles":["regress_jwt_ar_user"]}}'::jsonb),
             ('null', '{"app":{"roles":[null]}}'),
             ('empty array', '{"app":{"roles":[]}}'),
             ('no app', '{}'),
             ('a number', '{"app":{"roles":[7]}}'),
             ('an array', '{"app":{"roles":[["regress_jwt_ar_user"]]}}')) AS c(what, claims);
RESET SESSION AUTHORIZATION;
RESET pg_jwt.role_claim_key;

-- Cleanup.
DELETE FROM jwt.keys WHERE kid = 'regress-ar-k';
DROP TABLE cases;
DROP OWNED BY regress_jwt_ar_authenticator, regress_jwt_ar_user, regress_jwt_ar_anon;
DROP ROLE regress_jwt_ar_authenticator, regress_jwt_ar_user, regress_jwt_ar_anon;

--
-- issue: jwt.issue as C code of the library (1.0.1). What it adds to the
-- claims and which key it signs with, as 1.0.0 did; the token is the one
-- jwt.sign gives for the same claims and key; pg_jwt.max_ttl bounds ttl;
-- jwt.keys.signers limits a key to the roles allowed to sign with it,
-- checked against the calling role (for a SECURITY DEFINER login function,
-- its owner); the key is read as the extension owner whatever the caller's
-- search_path holds. Real roles, all named regress_jwt_issue_*. A key that
-- jwt.add_key imports signs only with may_sign => true (1.2.0; the suite
-- signing_keys tests that choice).
--

\i test/regress/helpers.sql
SET regress.err_detail = on;
-- payload(token): the decoded claims.
CREATE FUNCTION pg_temp.payload(token text) RETURNS jsonb LANGUAGE sql AS
$$ SELECT convert_from(jwt.url_decode(split_part(token, '.', 2)), 'UTF8')::jsonb $$;

-- Other suites share the database: start from an empty keyring.
TRUNCATE jwt.keys, jwt.revoked;

-- 1. The function --------------------------------------------------------------

-- C, SECURITY INVOKER (it must know the calling role), no SET clause,
-- VOLATILE, PARALLEL UNSAFE, not STRICT; not executable by PUBLIC.
SELECT p.oid::regprocedure AS function, l.lanname, p.prosrc, p.prosecdef, p.proconfig,
       p.provolatile, p.proparallel, p.proisstrict,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.oid = 'jwt.issue(jsonb, interval, text)'::regprocedure;

-- 2. What it adds, and the signature jwt.sign gives ----------------------------

SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'regress-issue-hs',
                   not_before => now() - interval '1 hour', may_sign => true) AS kid;
SELECT jwt.generate_key('ES256', 'regress-issue-es', not_before => now() - interval '2 hours') AS kid;

SET pg_jwt.issuer = 'https://issuer.example';
SELECT jwt.issue('{"sub":"alice","iss":"forged","iat":1,"exp":1,"jti":"mine"}', '10 minutes',
                 'regress-issue-hs') AS token \gset
SELECT jwt.header(:'token') AS header;
-- iss from pg_jwt.issuer, iat now in whole seconds, exp = iat + ttl, a random
-- version 4 uuid as jti: each replaces what the claims held.
SELECT p - ARRAY['iat', 'exp', 'jti'] AS claims,
       (p ->> 'exp')::bigint - (p ->> 'iat')::bigint AS ttl_seconds,
       (p ->> 'iat')::bigint = trunc(extract(epoch FROM now())) AS iat_is_now,
       jsonb_typeof(p -> 'iat') AS iat_type, jsonb_typeof(p -> 'exp') AS exp_type,
       p ->> 'jti' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' AS jti_is_uuid_v4
FROM pg_temp.payload(:'token') AS p;
-- Byte for byte the token jwt.sign(claims jsonb, private_jwk, algorithm)
-- makes of the same claims (HS256 is deterministic): one signing path.
SELECT :'token' = jwt.sign(pg_temp.payload(:'token'), k.private_jwk, k.algorithm) AS same_as_sign
FROM jwt.keys k WHERE k.kid = 'regress-issue-hs';
-- The ES256 token verifies with the published set.
SELECT (jwt.verify(t, jwt.jwks(), 'ES256')).valid AS es256_verifies, jwt.header(t) ->> 'kid' AS kid
FROM jwt.issue('{"sub":"alice"}', kid => 'regress-issue-es') AS t;
-- exp is now() + ttl in the session's time zone (a day across a daylight
-- saving change is 23 or 25 hours), as in SQL.
SET TimeZone = 'America/New_York';
SELECT (p ->> 'exp')::bigint = trunc(extract(epoch FROM now() + interval '20 hours 30 minutes')) AS exp_as_sql
FROM pg_temp.payload(jwt.issue('{}', '20 hours 30 minutes', 'regress-issue-hs')) AS p;
RESET TimeZone;
-- An iss with characters JSON escapes.
SET pg_jwt.issuer = 'https://issuer.example/"quoted"\path';
SELECT pg_temp.payload(jwt.issue('{}', kid => 'regress-issue-hs')) ->> 'iss' AS escaped_iss;
-- Without pg_jwt.issuer, the claims' own iss stays; NULL claims are {}.
RESET pg_jwt.issuer;
SELECT pg_temp.payload(jwt.issue('{"iss":"mine"}', kid => 'regress-issue-hs')) ->> 'iss' AS iss_kept,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.payload(jwt.issue(NULL, kid => 'regress-issue-hs'))) AS k) AS null_claims;
-- Claims that are not an object: jwt.sign's error.
SELECT pg_temp.err($$SELECT jwt.issue('[1]', kid => 'regress-issue-hs')$$) AS array_claims,
       pg_temp.err($$SELECT jwt.issue('"x"', kid => 'regress-issue-hs')$$) AS string_claims;

-- 3. Which key --------------------------------------------------------------------

-- Newest not_before first, then newest created_at, then kid; keys without a
-- private half, inactive, expired or not yet valid keys never sign.
SELECT jwt.add_key('secret-secret-secret-secret-sec2', 'HS256', 'regress-issue-b',
                   not_before => now() - interval '30 minutes', may_sign => true) AS kid;
SELECT jwt.add_key('secret-secret-secret-secret-sec3', 'HS256', 'regress-issue-a',
                   not_before => now() - interval '30 minutes', may_sign => true) AS kid;
SELECT jwt.generate_key('ES256', 'regress-issue-future', not_before => now() + interval '1 hour') AS kid;
SELECT jwt.generate_key('ES256', 'regress-issue-expired', not_before => now() - interval '2 days',
                        expires_at => now() - interval '1 day') AS kid;
SELECT jwt.generate_key('ES256', 'regress-issue-inactive') AS kid;
UPDATE jwt.keys SET active = false WHERE kid = 'regress-issue-inactive';
SELECT jwt.add_key(public_jwk::text, 'ES256', 'regress-issue-public') AS kid
FROM jwt.keys WHERE kid = 'regress-issue-es';
-- a and b: the same not_before and created_at (each was added in its own
-- transaction, so set here), then kid decides: a.
UPDATE jwt.keys SET not_before = now() - interval '30 minutes', created_at = now() - interval '1 minute'
WHERE kid IN ('regress-issue-a', 'regress-issue-b');
SELECT jwt.header(jwt.issue('{}')) ->> 'kid' AS newest;
UPDATE jwt.keys SET created_at = now() WHERE kid = 'regress-issue-b';
SELECT jwt.header(jwt.issue('{}')) ->> 'kid' AS newest_created;
-- The same refusals and messages as 1.0.0.
SELECT what, pg_temp.err(query) AS result
FROM (VALUES
    ('public key only', $$SELECT jwt.issue('{}', kid => 'regress-issue-public')$$),
    ('inactive key', $$SELECT jwt.issue('{}', kid => 'regress-issue-inactive')$$),
    ('expired key', $$SELECT jwt.issue('{}', kid => 'regress-issue-expired')$$),
    ('key not valid yet', $$SELECT jwt.issue('{}', kid => 'regress-issue-future')$$),
    ('no such kid', $$SELECT jwt.issue('{}', kid => 'nope')$$),
    ('a kid with control characters', $$SELECT jwt.issue('{}', kid => E'a\nb\u001bc')$$),
    ('zero ttl', $$SELECT jwt.issue('{}', '0 seconds')$$),
    ('negative ttl', $$SELECT jwt.issue('{}', '-1 hour')$$),
    ('a month less 31 days', $$SELECT jwt.issue('{}', '1 mon -31 days')$$),
    ('NULL ttl', $$SELECT jwt.issue('{}', NULL)$$)
) AS v(what, query);
BEGIN;
DELETE FROM jwt.keys WHERE private_jwk IS NOT NULL AND kid <> 'regress-issue-future';
SELECT jwt.issue('{}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- 4. pg_jwt.max_ttl ---------------------------------------------------------------

-- Default one day; superuser-only; ttl compared as PostgreSQL compares
-- intervals (a day is 24 hours, a month 30 days).
SELECT s.name, s.setting, s.unit, s.context, s.min_val, s.max_val, current_setting('pg_jwt.max_ttl') AS shown
FROM pg_settings s WHERE s.name = 'pg_jwt.max_ttl';
SELECT ttl, pg_temp.err(format('SELECT jwt.issue(%L, %L, %L)', '{}', ttl, 'regress-issue-hs')) AS result
FROM unnest(ARRAY['1 day', '24 hours', '86400 seconds', '1 day 1 second', '1 mon', '1000 years']) AS ttl;
SELECT jwt.issue('{}', '1000 years', 'regress-issue-hs');
\echo :LAST_ERROR_SQLSTATE
-- Raised by a superuser (here for the session; ALTER ROLE ... SET for a
-- login service), up to 30 days. '1 mon' counts as 30 days there, and the
-- token lives until now() + '1 mon', as in SQL.
SET pg_jwt.max_ttl = '30d';
SELECT (p ->> 'exp')::bigint = trunc(extract(epoch FROM now() + interval '1 mon')) AS one_month
FROM pg_temp.payload(jwt.issue('{}', '1 mon', 'regress-issue-hs')) AS p;
SELECT pg_temp.err($$SELECT jwt.issue('{}', '31 days', 'regress-issue-hs')$$) AS thirty_one_days;
RESET pg_jwt.max_ttl;
-- (The range in parentheses is written differently from PostgreSQL 17 on.)
SELECT split_part(pg_temp.err($$SET pg_jwt.max_ttl = 0$$), ' (', 1) AS zero,
       split_part(pg_temp.err($$SET pg_jwt.max_ttl = '-1s'$$), ' (', 1) AS negative;

-- 5. Who may sign with which key: jwt.keys.signers ----------------------------------

TRUNCATE jwt.keys;
-- login_a and login_b are two services that issue tokens; member inherits
-- login_a's privileges, noinherit is a member that does not; web calls the
-- login function; nobody is granted EXECUTE on issue and nothing else.
CREATE ROLE regress_jwt_issue_login_a NOLOGIN;
CREATE ROLE regress_jwt_issue_login_b NOLOGIN;
CREATE ROLE regress_jwt_issue_member NOLOGIN IN ROLE regress_jwt_issue_login_a;
CREATE ROLE regress_jwt_issue_noinherit NOLOGIN NOINHERIT IN ROLE regress_jwt_issue_login_a;
CREATE ROLE regress_jwt_issue_web NOLOGIN;
CREATE ROLE regress_jwt_issue_nobody NOLOGIN;
GRANT EXECUTE ON FUNCTION jwt.issue(jsonb, interval, text)
    TO regress_jwt_issue_login_a, regress_jwt_issue_login_b, regress_jwt_issue_member,
       regress_jwt_issue_noinherit, regress_jwt_issue_nobody;
-- Keys, oldest first: a shared one (signers NULL), one for login_a, one for
-- login_b, one that names a role that does not exist, one for no role.
SELECT jwt.add_key('shared-secret-shared-secret-share', 'HS256', 'regress-issue-shared',
                   not_before => now() - interval '5 hours', may_sign => true) AS kid;
SELECT jwt.add_key('login-a-secret-login-a-secret-log', 'HS256', 'regress-issue-for-a',
                   not_before => now() - interval '4 hours', may_sign => true) AS kid;
SELECT jwt.add_key('login-b-secret-login-b-secret-log', 'HS256', 'regress-issue-for-b',
                   not_before => now() - interval '3 hours', may_sign => true) AS kid;
SELECT jwt.add_key('ghost-secret-ghost-secret-ghost-s', 'HS256', 'regress-issue-ghost',
                   not_before => now() - interval '2 hours', may_sign => true) AS kid;
SELECT jwt.add_key('empty-secret-empty-secret-empty-s', 'HS256', 'regress-issue-empty',
                   not_before => now() - interval '1 hour', may_sign => true) AS kid;
UPDATE jwt.keys SET signers = ARRAY['regress_jwt_issue_login_a'] WHERE kid = 'regress-issue-for-a';
UPDATE jwt.keys SET signers = ARRAY['regress_jwt_issue_login_b', NULL] WHERE kid = 'regress-issue-for-b';
UPDATE jwt.keys SET signers = ARRAY['regress_jwt_issue_no_such_role'] WHERE kid = 'regress-issue-ghost';
UPDATE jwt.keys SET signers = '{}' WHERE kid = 'regress-issue-empty';
-- PUBLIC cannot read who may sign.
SELECT has_column_privilege('public', 'jwt.keys', 'signers', 'SELECT') AS public_reads_signers;

-- signs(role): for each key, what issue with that kid gives the role, and
-- which key issue picks without a kid.
CREATE FUNCTION pg_temp.signs(who text)
RETURNS TABLE (kid text, result text) LANGUAGE plpgsql AS $f$
DECLARE
    k text;
BEGIN
    EXECUTE format('SET SESSION AUTHORIZATION %I', who);
    FOREACH k IN ARRAY ARRAY['regress-issue-shared', 'regress-issue-for-a', 'regress-issue-for-b',
                             'regress-issue-ghost', 'regress-issue-empty'] LOOP
        kid := k;
        result := pg_temp.err(format('SELECT jwt.issue(%L, %L, %L)', '{}', '1 hour', k), false);
        RETURN NEXT;
    END LOOP;
    kid := '(none given)';
    BEGIN
        result := 'signed with ' || (jwt.header(jwt.issue('{}')) ->> 'kid');
    EXCEPTION WHEN OTHERS THEN
        result := SQLSTATE || ': ' || SQLERRM;
    END;
    RETURN NEXT;
    RESET SESSION AUTHORIZATION;
END
$f$;
SELECT 'superuser' AS who, s.* FROM pg_temp.signs(current_user) AS s
UNION ALL SELECT 'login_a', s.* FROM pg_temp.signs('regress_jwt_issue_login_a') AS s
UNION ALL SELECT 'login_b', s.* FROM pg_temp.signs('regress_jwt_issue_login_b') AS s
UNION ALL SELECT 'member', s.* FROM pg_temp.signs('regress_jwt_issue_member') AS s
UNION ALL SELECT 'noinherit', s.* FROM pg_temp.signs('regress_jwt_issue_noinherit') AS s
UNION ALL SELECT 'nobody', s.* FROM pg_temp.signs('regress_jwt_issue_nobody') AS s;
-- The refusal as a client sees it.
SET SESSION AUTHORIZATION regress_jwt_issue_login_b;
SELECT jwt.issue('{"sub":"x","role":"postgres"}', kid => 'regress-issue-for-a');
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
-- When the shared key is gone too, a role that may sign with no active key:
BEGIN;
DELETE FROM jwt.keys WHERE kid = 'regress-issue-shared';
SET SESSION AUTHORIZATION regress_jwt_issue_nobody;
SELECT jwt.issue('{}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- A SECURITY DEFINER login function, as the README's PostgREST guide shows:
-- the role that counts is its owner (login_a), not the role calling it (web,
-- which has no EXECUTE on issue and is no signer).
CREATE SCHEMA regress_jwt_issue_api AUTHORIZATION regress_jwt_issue_login_a;
GRANT USAGE ON SCHEMA regress_jwt_issue_api TO regress_jwt_issue_web;
SET SESSION AUTHORIZATION regress_jwt_issue_login_a;
CREATE FUNCTION regress_jwt_issue_api.login(username text, kid text DEFAULT NULL) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
        RETURN jwt.issue(jsonb_build_object('sub', username, 'role', 'regress_jwt_issue_web'), '15 minutes', kid);
    END $$;
REVOKE ALL ON FUNCTION regress_jwt_issue_api.login(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION regress_jwt_issue_api.login(text, text) TO regress_jwt_issue_web;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_jwt_issue_web;
SELECT jwt.header(regress_jwt_issue_api.login('alice')) ->> 'kid' AS login_signs_with,
       jwt.validate(regress_jwt_issue_api.login('alice')) ->> 'sub' AS validates,
       pg_temp.err($$SELECT regress_jwt_issue_api.login('alice', 'regress-issue-for-b')$$, false) AS login_with_b_key,
       pg_temp.err($$SELECT jwt.issue('{}')$$, false) AS web_itself;
RESET SESSION AUTHORIZATION;

-- The key is read as the extension owner with search_path pinned: a caller
-- whose search_path puts its own schema first, with an = operator on text
-- and a keys table there and in pg_temp, signs as before and none of its
-- objects runs or is read.
CREATE SCHEMA regress_jwt_issue_trap AUTHORIZATION regress_jwt_issue_login_a;
SET SESSION AUTHORIZATION regress_jwt_issue_login_a;
CREATE FUNCTION regress_jwt_issue_trap.text_eq(a text, b text) RETURNS boolean
    LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'trap operator ran'; RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR regress_jwt_issue_trap.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_jwt_issue_trap.text_eq);
CREATE TABLE regress_jwt_issue_trap.keys AS SELECT 'trap'::text AS kid;
CREATE TEMP TABLE keys AS SELECT 'trap'::text AS kid;
SET search_path = regress_jwt_issue_trap, pg_temp, public, pg_catalog;
SELECT jwt.header(jwt.issue('{}', kid => 'regress-issue-for-a')) ->> 'kid' AS named,
       jwt.header(jwt.issue('{}')) ->> 'kid' AS newest;
RESET search_path;
RESET SESSION AUTHORIZATION;

-- 6. What EXECUTE on issue amounts to, without signers ------------------------------

-- Any claims (any sub, any role, any aud) with any key that may sign and
-- whose signers are NULL, by kid: here a key another service verifies its
-- tokens with. Imported as add_key does by default, it only verifies
-- (1.2.0); 1.1.0 signed with it.
SELECT jwt.add_key('other-service-secret-other-servic', 'HS256', 'regress-issue-other-service') AS kid;
SET SESSION AUTHORIZATION regress_jwt_issue_nobody;
SELECT pg_temp.err($$SELECT jwt.issue('{"role":"postgres"}', '1 day', 'regress-issue-other-service')$$, false) AS verify_only;
RESET SESSION AUTHORIZATION;
-- Once someone lets it sign, it is as exposed as any signing key.
UPDATE jwt.keys SET may_sign = true WHERE kid = 'regress-issue-other-service';
SET SESSION AUTHORIZATION regress_jwt_issue_nobody;
SELECT jwt.validate(jwt.issue('{"sub":"admin","role":"postgres","aud":"other-service"}', '1 day',
                              'regress-issue-other-service'),
                    'other-service-secret-other-servic', audience => 'other-service') - ARRAY['iat', 'exp', 'jti'] AS accepted_by_other_service;
RESET SESSION AUTHORIZATION;
-- Limited to its own signers, the key is out of reach.
UPDATE jwt.keys SET signers = ARRAY['regress_jwt_issue_login_b'] WHERE kid = 'regress-issue-other-service';
SET SESSION AUTHORIZATION regress_jwt_issue_nobody;
SELECT pg_temp.err($$SELECT jwt.issue('{"role":"postgres"}', '1 day', 'regress-issue-other-service')$$, false) AS now_refused;
RESET SESSION AUTHORIZATION;

-- Cleanup.
DROP SCHEMA regress_jwt_issue_api CASCADE;
DROP SCHEMA regress_jwt_issue_trap CASCADE;
TRUNCATE jwt.keys, jwt.revoked;
DROP OWNED BY regress_jwt_issue_login_a, regress_jwt_issue_login_b, regress_jwt_issue_member,
    regress_jwt_issue_noinherit, regress_jwt_issue_web, regress_jwt_issue_nobody;
DROP ROLE regress_jwt_issue_member, regress_jwt_issue_noinherit, regress_jwt_issue_login_a,
    regress_jwt_issue_login_b, regress_jwt_issue_web, regress_jwt_issue_nobody;

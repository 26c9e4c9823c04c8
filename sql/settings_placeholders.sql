--
-- settings_placeholders: pg_jwt's settings are read only by C code of the
-- loaded library, never by SQL with current_setting('pg_jwt.…') (DESIGN.md
-- section 2.10). Before the library is loaded in a session, any role may SET
-- pg_jwt.anything: PostgreSQL keeps it as a placeholder, which SQL would
-- read as if a superuser had set it. Loading the library re-checks each
-- placeholder with the rights of the role that set it and discards what
-- that role may not set.
--
-- First an audit: no function of pg_jwt or pg_jwt_auth, and no install or
-- upgrade script after 1.0.0, reads a pg_jwt setting with current_setting.
-- Then, for each setting, a fresh session (\c: a new backend, the library
-- not loaded) in which an unprivileged role sets the placeholder and calls
-- the functions that use the setting: the placeholder has no effect.
-- 1.0.0's jwt.issue was plpgsql that read pg_jwt.issuer in its DECLARE
-- block, before anything loaded the library: it wrote the placeholder's iss
-- into a token signed with the real key.
--

-- 1. Audit ------------------------------------------------------------------------

-- The installed functions of both extensions (pg_jwt_auth installed for the
-- audit and rolled back).
BEGIN;
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_jwt_auth;
CREATE EXTENSION pg_jwt_auth;
RESET client_min_messages;
SELECT e.extname, count(*) AS functions,
       count(*) FILTER (WHERE pg_get_functiondef(p.oid) ~* 'current_setting\s*\(\s*''pg_jwt\.') AS reading_pg_jwt_settings
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid
WHERE e.extname IN ('pg_jwt', 'pg_jwt_auth')
GROUP BY e.extname ORDER BY e.extname;
ROLLBACK;
-- The scripts: only the shipped 1.0.0 ones (never edited again) read one,
-- in their plpgsql jwt.issue.
\set scripts `cd src && grep -l -i "current_setting *( *'pg_jwt\." *.sql | tr '\n' ' '`
SELECT :'scripts' AS scripts_reading_pg_jwt_settings;

-- 2. Set-up (as the superuser) ------------------------------------------------------

-- user: an unprivileged role allowed to call jwt.issue. target: a role user
-- may become. login owns a SECURITY DEFINER login function that web calls.
CREATE ROLE regress_jwt_ph_user NOLOGIN;
CREATE ROLE regress_jwt_ph_target NOLOGIN;
CREATE ROLE regress_jwt_ph_login NOLOGIN;
CREATE ROLE regress_jwt_ph_web NOLOGIN;
GRANT regress_jwt_ph_target TO regress_jwt_ph_user;
GRANT EXECUTE ON FUNCTION jwt.issue(jsonb, interval, text) TO regress_jwt_ph_user, regress_jwt_ph_login;
CREATE SCHEMA regress_jwt_ph_api AUTHORIZATION regress_jwt_ph_login;
GRANT USAGE ON SCHEMA regress_jwt_ph_api TO regress_jwt_ph_web;
SET SESSION AUTHORIZATION regress_jwt_ph_login;
CREATE FUNCTION regress_jwt_ph_api.login(username text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
        RETURN jwt.issue(jsonb_build_object('sub', username), '1 hour');
    END $$;
REVOKE ALL ON FUNCTION regress_jwt_ph_api.login(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION regress_jwt_ph_api.login(text) TO regress_jwt_ph_web;
RESET SESSION AUTHORIZATION;

-- The database's policy, as an administrator sets it.
ALTER DATABASE :"DBNAME" SET pg_jwt.issuer = 'https://issuer.example';
ALTER DATABASE :"DBNAME" SET pg_jwt.audience = 'api';

-- The keyring's key, and tokens made now (this session has the library).
TRUNCATE jwt.keys, jwt.revoked;
SELECT jwt.add_key('placeholder-secret-placeholder-s', 'HS256', 'regress-ph-k', may_sign => true) AS kid;
SELECT jwt.sign(jsonb_build_object('sub', 'alice', 'aud', 'api', 'iss', 'https://evil.example',
                                   'exp', trunc(extract(epoch FROM now())) + 3600),
                'placeholder-secret-placeholder-s', 'HS256', '{"kid":"regress-ph-k"}') AS evil_iss \gset
SELECT jwt.sign(jsonb_build_object('sub', 'alice', 'aud', 'other', 'iss', 'https://issuer.example',
                                   'exp', trunc(extract(epoch FROM now())) + 3600),
                'placeholder-secret-placeholder-s', 'HS256', '{"kid":"regress-ph-k"}') AS other_aud \gset
SELECT jwt.sign(jsonb_build_object('sub', 'alice', 'aud', 'api', 'iss', 'https://issuer.example',
                                   'exp', trunc(extract(epoch FROM now())) - 100),
                'placeholder-secret-placeholder-s', 'HS256', '{"kid":"regress-ph-k"}') AS expired \gset
SELECT jwt.sign(jsonb_build_object('sub', 'regress_jwt_ph_target', 'aud', 'api', 'iss', 'https://issuer.example',
                                   'exp', trunc(extract(epoch FROM now())) + 3600),
                'placeholder-secret-placeholder-s', 'HS256', '{"kid":"regress-ph-k"}') AS sub_names_role \gset
-- An attacker's own EC key: its public half as a JWK set (computed in a
-- rolled-back transaction), and a token it signed.
\set attacker_pem `cat test/keys/ec_p256.pem`
\set attacker_pub `cat test/keys/ec_p256.pub.pem`
BEGIN;
SELECT jwt.add_key(:'attacker_pub', 'ES256', 'regress-ph-attacker') IS NOT NULL AS ok;
SELECT jsonb_build_object('keys', jsonb_build_array(public_jwk))::text AS attacker_jwks
FROM jwt.keys WHERE kid = 'regress-ph-attacker' \gset
ROLLBACK;
SELECT jwt.sign('{"sub":"alice","aud":"api","iss":"https://issuer.example","exp":4102444800}',
                :'attacker_pem', 'ES256', '{"kid":"regress-ph-attacker"}') AS attacker_token \gset

-- 3. The attacks, each in a fresh session -------------------------------------------

-- pg_jwt.issuer, read by jwt.issue: the role sets the placeholder and issues.
\c -
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.issuer = 'https://evil.example';
SELECT current_setting('pg_jwt.issuer') AS placeholder_before_load;
-- (issue alone in the statement: a C function anywhere in it, such as
-- jwt.url_decode, would load the library before issue runs)
SELECT jwt.issue('{"sub":"alice"}', '1 hour', 'regress-ph-k') AS token \gset
SELECT convert_from(jwt.url_decode(split_part(:'token', '.', 2)), 'UTF8')::jsonb ->> 'iss' AS iss;
SELECT current_setting('pg_jwt.issuer') AS issuer_after_load;
RESET SESSION AUTHORIZATION;

-- pg_jwt.issuer through a SECURITY DEFINER login function (the README's
-- PostgREST login): its caller sets the placeholder.
\c -
SET SESSION AUTHORIZATION regress_jwt_ph_web;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.issuer = 'https://evil.example';
SELECT regress_jwt_ph_api.login('alice') AS token \gset
SELECT convert_from(jwt.url_decode(split_part(:'token', '.', 2)), 'UTF8')::jsonb ->> 'iss' AS iss;
RESET SESSION AUTHORIZATION;

-- pg_jwt.max_ttl, read by jwt.issue.
\c -
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.max_ttl = '2147483647';
SELECT jwt.issue('{}', '10 years', 'regress-ph-k');
SELECT current_setting('pg_jwt.max_ttl') AS max_ttl_after_load;
RESET SESSION AUTHORIZATION;

-- pg_jwt.issuer, read by jwt.validate and jwt.is_valid.
\c -
\set ECHO none
\i test/regress/helpers.sql
\set ECHO all
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.issuer = 'https://evil.example';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', :'evil_iss')) AS validate,
       jwt.is_valid(:'evil_iss') AS is_valid;
RESET SESSION AUTHORIZATION;

-- pg_jwt.audience, read by jwt.validate and jwt.is_valid.
\c -
\set ECHO none
\i test/regress/helpers.sql
\set ECHO all
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.audience = 'other';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', :'other_aud')) AS validate,
       jwt.is_valid(:'other_aud') AS is_valid;
SELECT current_setting('pg_jwt.audience') AS audience_after_load;
RESET SESSION AUTHORIZATION;

-- pg_jwt.leeway, read by jwt.validate and jwt.is_valid: five minutes would
-- accept a token that expired 100 seconds ago.
\c -
\set ECHO none
\i test/regress/helpers.sql
\set ECHO all
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.leeway = 300;
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', :'expired'), false) AS validate,
       jwt.is_valid(:'expired') AS is_valid;
SELECT current_setting('pg_jwt.leeway') AS leeway_after_load;
RESET SESSION AUTHORIZATION;

-- pg_jwt.jwks, read by jwt.validate, jwt.is_valid and jwt.authenticate: the
-- attacker's public key would verify its own token.
\c -
\set ECHO none
\i test/regress/helpers.sql
\set ECHO all
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.jwks = :'attacker_jwks';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', :'attacker_token')) AS validate,
       jwt.is_valid(:'attacker_token') AS is_valid,
       pg_temp.err(format('SELECT jwt.authenticate(%L)', :'attacker_token')) AS authenticate;
SELECT current_setting('pg_jwt.jwks') AS jwks_after_load;
RESET SESSION AUTHORIZATION;

-- pg_jwt.role_claim_key, read by jwt.authenticate: '.sub' would switch to
-- the role the token's sub names.
\c -
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.role_claim_key = '.sub';
BEGIN;
SELECT jwt.authenticate(:'sub_names_role') ->> 'sub' AS sub;
SELECT current_user;
COMMIT;
SELECT current_setting('pg_jwt.role_claim_key') AS role_claim_key_after_load;
RESET SESSION AUTHORIZATION;

-- pg_jwt.anon_role, read by jwt.authenticate: a request without a token
-- would run as that role.
\c -
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.anon_role = 'regress_jwt_ph_target';
BEGIN;
SELECT jwt.authenticate(NULL);
ROLLBACK;
SELECT current_user, current_setting('pg_jwt.anon_role') AS anon_role_after_load;
RESET SESSION AUTHORIZATION;

-- pg_jwt.claims, read by jwt.claims() and jwt.claim(): forged claims.
\c -
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.claims = '{"sub":"bob","role":"regress_jwt_ph_target"}';
SELECT jwt.claims() AS claims, jwt.claim('sub') AS sub, jwt.claim(ARRAY['role']) AS role;
RESET SESSION AUTHORIZATION;

-- pg_jwt.trust_request_claims, read by jwt.claims() and jwt.claim(): on,
-- they would take request.jwt.claims, which any role may set.
\c -
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.trust_request_claims = on;
SET request.jwt.claims = '{"sub":"bob"}';
SELECT jwt.claims() AS claims, jwt.claim('sub') AS sub;
SELECT current_setting('pg_jwt.trust_request_claims') AS trust_after_load;
RESET SESSION AUTHORIZATION;

-- pg_jwt.trust_postgraphile_claims, read by jwt.claims() and jwt.claim(): on,
-- they would take the jwt.claims.<name> settings, which any role may set.
\c -
SET SESSION AUTHORIZATION regress_jwt_ph_user;
SELECT count(*) AS pg_jwt_settings_defined FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SET pg_jwt.trust_postgraphile_claims = on;
BEGIN;
SELECT set_config('jwt.claims.sub', 'bob', true) AS set;
SELECT jwt.claims() AS claims, jwt.claim('sub') AS sub;
COMMIT;
SELECT current_setting('pg_jwt.trust_postgraphile_claims') AS trust_after_load;
RESET SESSION AUTHORIZATION;

-- Controls: the same values, set by a superuser, do take effect (each in a
-- subtransaction that is then rolled back; request.jwt.claims and
-- jwt.claims.sub are set too).
\c -
\set ECHO none
\i test/regress/helpers.sql
\set ECHO all
CREATE FUNCTION pg_temp.with_setting(name text, value text, query text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    outcome text;
BEGIN
    BEGIN
        PERFORM set_config(name, value, true), set_config('request.jwt.claims', '{"sub":"bob"}', true),
                set_config('jwt.claims.sub', 'bob', true);
        EXECUTE query INTO outcome;
        outcome := outcome || CASE WHEN current_user = session_user THEN ''
                                   ELSE ' (now as ' || current_user || ')' END;
        RAISE EXCEPTION 'undone';
    EXCEPTION WHEN OTHERS THEN
        IF outcome IS NULL THEN
            outcome := SQLSTATE || ': ' || SQLERRM;
        END IF;
    END;
    RETURN outcome;
END
$f$;
SELECT name, left(value, 24) AS value, pg_temp.with_setting(name, value, query) AS outcome
FROM (VALUES
    ('pg_jwt.issuer', 'https://evil.example',
     $$SELECT convert_from(jwt.url_decode(split_part(jwt.issue('{}', '1 hour', 'regress-ph-k'), '.', 2)), 'UTF8')::jsonb ->> 'iss'$$),
    ('pg_jwt.max_ttl', '2147483647', $$SELECT (jwt.issue('{}', '10 years', 'regress-ph-k') IS NOT NULL)::text$$),
    ('pg_jwt.issuer', 'https://evil.example', format('SELECT jwt.is_valid(%L)::text', :'evil_iss')),
    ('pg_jwt.audience', 'other', format('SELECT jwt.is_valid(%L)::text', :'other_aud')),
    ('pg_jwt.leeway', '300', format('SELECT jwt.is_valid(%L)::text', :'expired')),
    ('pg_jwt.jwks', :'attacker_jwks', format('SELECT jwt.is_valid(%L)::text', :'attacker_token')),
    ('pg_jwt.role_claim_key', '.sub', format('SELECT jwt.authenticate(%L) ->> %L', :'sub_names_role', 'sub')),
    ('pg_jwt.anon_role', 'regress_jwt_ph_target', $$SELECT jwt.authenticate(NULL)::text$$),
    ('pg_jwt.claims', '{"sub":"bob"}', $$SELECT jwt.claim('sub')$$),
    ('pg_jwt.trust_request_claims', 'on', $$SELECT jwt.claim('sub')$$),
    ('pg_jwt.trust_postgraphile_claims', 'on', $$SELECT jwt.claim('sub')$$)
) AS c(name, value, query);

-- The settings the library defines: each is a superuser's (pg_jwt.claims,
-- hidden from pg_settings, is one too). The deprecated
-- pg_jwt.claims_once_per_query and pg_jwt.row_function_rewrites, also
-- hidden, do nothing and stay settable by every role (deprecated_settings).
-- pg_jwt.cluster_key_file is read from the configuration files only.
-- pg_jwt.carrier (1.4.0), hidden too, is settable by every role: Citus
-- replays it on the workers as an ordinary role, and its value is sealed.
SELECT name, context FROM pg_settings WHERE name LIKE 'pg_jwt.%' ORDER BY name;

-- Cleanup.
ALTER DATABASE :"DBNAME" RESET pg_jwt.issuer;
ALTER DATABASE :"DBNAME" RESET pg_jwt.audience;
TRUNCATE jwt.keys, jwt.revoked;
DROP SCHEMA regress_jwt_ph_api CASCADE;
DROP OWNED BY regress_jwt_ph_user, regress_jwt_ph_target, regress_jwt_ph_login, regress_jwt_ph_web;
DROP ROLE regress_jwt_ph_user, regress_jwt_ph_target, regress_jwt_ph_login, regress_jwt_ph_web;

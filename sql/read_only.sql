--
-- read_only: pg_jwt in read-only transactions, as on a hot standby (issue
-- 16, item 8; test/standby/run runs a real standby). Verification,
-- validation, jwt.authenticate and jwt.issue write nothing and work;
-- generate_key, add_key, revoke and purge_revoked write jwt.keys or
-- jwt.revoked and refuse at once with 25006, naming themselves and saying
-- that they need a read-write transaction on the primary. Then SHOW of
-- pg_jwt's settings before its library is loaded, and with
-- session_preload_libraries. Real roles, all named regress_jwt_ro_*.
--

\i test/regress/helpers.sql
SET regress.err_detail = on;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Other suites share the database: start from an empty keyring.
TRUNCATE jwt.keys, jwt.revoked;
SELECT jwt.generate_key('HS256', 'regress-ro-k') AS kid;
SELECT jwt.revoke('regress-ro-expired', now() - interval '1 day');
SELECT jwt.issue('{"sub":"alice","role":"regress_jwt_ro_web"}') AS tok \gset

-- keyadmin may call every function that writes; issuer may issue; web is
-- the role the token names; authenticator logs in and may become web.
CREATE ROLE regress_jwt_ro_keyadmin LOGIN;
CREATE ROLE regress_jwt_ro_issuer LOGIN;
CREATE ROLE regress_jwt_ro_web NOLOGIN;
CREATE ROLE regress_jwt_ro_authenticator LOGIN NOINHERIT IN ROLE regress_jwt_ro_web;
GRANT EXECUTE ON FUNCTION jwt.generate_key(text, text, integer, timestamptz, timestamptz),
    jwt.add_key(text, text, text, timestamptz, timestamptz, boolean), jwt.revoke(text, timestamptz),
    jwt.purge_revoked() TO regress_jwt_ro_keyadmin;
GRANT EXECUTE ON FUNCTION jwt.issue(jsonb, interval, text) TO regress_jwt_ro_issuer;

-- writes(): what each writing function gives, as the role in force.
CREATE FUNCTION pg_temp.writes() RETURNS TABLE (function text, result text) LANGUAGE sql AS $$
    SELECT f, pg_temp.err(q)
    FROM (VALUES
        ('generate_key', $q$SELECT jwt.generate_key('ES256')$q$),
        ('add_key', $q$SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256')$q$),
        ('revoke', $q$SELECT jwt.revoke('regress-ro-x', now() + interval '1 hour')$q$),
        ('purge_revoked', $q$SELECT jwt.purge_revoked()$q$)
    ) AS v(f, q)
$$;

-- 1. A read-only session (default_transaction_read_only, as on a standby or
-- for a read-only role) --------------------------------------------------------------

SET default_transaction_read_only = on;
-- Writers refuse first, before any work; a role without EXECUTE gets 42501
-- before that (PostgreSQL checks EXECUTE before a function runs).
SET SESSION AUTHORIZATION regress_jwt_ro_keyadmin;
SHOW transaction_read_only;
SELECT * FROM pg_temp.writes();
SELECT jwt.purge_revoked();
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_jwt_ro_issuer;
SELECT * FROM pg_temp.writes();
RESET SESSION AUTHORIZATION;
-- Nothing was written. (PostgreSQL's own refusal of a direct write is the
-- same SQLSTATE, naming the INSERT.)
SELECT (SELECT count(*) FROM jwt.keys) AS keys, (SELECT count(*) FROM jwt.revoked) AS revoked;
SELECT pg_temp.err($$INSERT INTO jwt.revoked VALUES ('x', now())$$) AS direct_insert;
-- Readers work: verification, validation (keyring and revocation list
-- read), and issue, whose token validates.
SET SESSION AUTHORIZATION regress_jwt_ro_issuer;
SELECT jwt.validate(:'tok') ->> 'sub' AS validated, jwt.is_valid(:'tok') AS is_valid,
       (jwt.verify(:'tok', 'x', 'HS256')).valid AS verify_with_another_key,
       jwt.validate(jwt.issue('{"sub":"issued-read-only"}')) ->> 'sub' AS issued;
RESET SESSION AUTHORIZATION;
-- authenticate keeps its claims and switches role for the transaction.
SET SESSION AUTHORIZATION regress_jwt_ro_authenticator;
BEGIN;
SHOW transaction_read_only;
SELECT jwt.authenticate(:'tok') ->> 'sub' AS sub;
SELECT current_user, jwt.claim('sub');
COMMIT;
RESET SESSION AUTHORIZATION;
RESET default_transaction_read_only;

-- 2. One read-only transaction ------------------------------------------------------

BEGIN;
SET TRANSACTION READ ONLY;
SET SESSION AUTHORIZATION regress_jwt_ro_keyadmin;
SELECT jwt.revoke('regress-ro-x', now() + interval '1 hour');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SET SESSION AUTHORIZATION regress_jwt_ro_keyadmin;
SELECT jwt.generate_key('RS256', rsa_bits => 4096);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET SESSION AUTHORIZATION;
-- And read-write again: the writers work.
SET SESSION AUTHORIZATION regress_jwt_ro_keyadmin;
SELECT * FROM pg_temp.writes();
RESET SESSION AUTHORIZATION;

-- 3. SHOW before the library is loaded ----------------------------------------------

-- pg_jwt's settings exist once its library is loaded in the session: by the
-- first call of a pg_jwt C function, by LOAD, or at connection time with
-- session_preload_libraries. In a new session that has loaded nothing,
-- SHOW knows none of them. (A role of its own, so that the setting below
-- reaches no other suite.)
SELECT current_user AS superuser \gset
CREATE ROLE regress_jwt_ro_fresh LOGIN PASSWORD 'regress-jwt-ro-fresh';
\c -reuse-previous=on "user=regress_jwt_ro_fresh password=regress-jwt-ro-fresh"
SELECT count(*) AS pg_jwt_settings FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SHOW pg_jwt.leeway;
\echo :LAST_ERROR_SQLSTATE
SELECT jwt.is_valid(:'tok') AS loads_the_library;
SHOW pg_jwt.leeway;
-- session_preload_libraries, for the role (or the database): a superuser
-- sets it; the library is there from the connection on.
\c - :superuser
ALTER ROLE regress_jwt_ro_fresh SET session_preload_libraries = 'pg_jwt';
\c -reuse-previous=on "user=regress_jwt_ro_fresh password=regress-jwt-ro-fresh"
SELECT count(*) > 0 AS pg_jwt_settings FROM pg_settings WHERE name LIKE 'pg_jwt.%';
SHOW pg_jwt.leeway;
\c - :superuser

-- Cleanup.
TRUNCATE jwt.keys, jwt.revoked;
DROP OWNED BY regress_jwt_ro_keyadmin, regress_jwt_ro_issuer, regress_jwt_ro_web,
    regress_jwt_ro_authenticator, regress_jwt_ro_fresh;
DROP ROLE regress_jwt_ro_keyadmin, regress_jwt_ro_issuer, regress_jwt_ro_authenticator,
    regress_jwt_ro_web, regress_jwt_ro_fresh;

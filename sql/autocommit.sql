--
-- autocommit: jwt.authenticate outside a transaction block (issue 16, item
-- 7). What it sets (its claims, request.jwt.claims, the role) lasts until
-- the end of the transaction, as SET LOCAL does. Called directly by a
-- statement outside a transaction block, that transaction is the statement
-- itself, and nothing reaches the next one: it says so with the WARNING
-- PostgreSQL gives for SET LOCAL there (25P01). Inside a transaction block,
-- in a multi-statement query string (an implicit block), and from inside a
-- function, it does not warn, as SET LOCAL does not. The function that
-- authenticates and then queries, in one statement, is the supported
-- single-statement form. The extended query protocol is checked by
-- test/autocommit/run. Real roles, all named regress_jwt_ac_*.
--

\set VERBOSITY default
\set SHOW_CONTEXT never

-- Other suites share the database: start from an empty keyring.
TRUNCATE jwt.keys, jwt.revoked;
SELECT jwt.generate_key('HS256', 'regress-ac-k') AS kid;

-- authenticator logs in and may become web (as PostgREST's); alice's token
-- names web. Each sees its own todos (a policy on the sub claim).
CREATE ROLE regress_jwt_ac_authenticator LOGIN NOINHERIT;
CREATE ROLE regress_jwt_ac_web NOLOGIN;
GRANT regress_jwt_ac_web TO regress_jwt_ac_authenticator;
CREATE SCHEMA regress_jwt_ac;
GRANT USAGE ON SCHEMA regress_jwt_ac TO regress_jwt_ac_web, regress_jwt_ac_authenticator;
CREATE TABLE regress_jwt_ac.todos (owner text, task text);
INSERT INTO regress_jwt_ac.todos VALUES ('alice', 'write the report'), ('alice', 'water the plants'),
                                        ('bob', 'fix the bike');
ALTER TABLE regress_jwt_ac.todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON regress_jwt_ac.todos TO regress_jwt_ac_web USING (owner = jwt.claim('sub'));
GRANT SELECT ON regress_jwt_ac.todos TO regress_jwt_ac_web;
SELECT jwt.issue('{"sub":"alice","role":"regress_jwt_ac_web"}') AS tok \gset
SELECT set_config('regress.tok', :'tok', false) IS NOT NULL AS kept_for_do_blocks;

-- The RPC form: authenticate, then query, in one PL/pgSQL function (SECURITY
-- INVOKER, as jwt.authenticate must be called).
CREATE FUNCTION regress_jwt_ac.my_todos(token text) RETURNS SETOF text
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM jwt.authenticate(token);
        RETURN QUERY SELECT current_user || ': ' || t.task FROM regress_jwt_ac.todos t ORDER BY t.task;
    END $$;
-- The same as a LANGUAGE sql function.
CREATE FUNCTION regress_jwt_ac.my_todos_sql(token text) RETURNS SETOF text
    LANGUAGE sql AS $$
    SELECT jwt.authenticate(token);
    SELECT current_user || ': ' || t.task FROM regress_jwt_ac.todos t ORDER BY t.task;
    $$;
-- A function that only authenticates, and one PostgreSQL inlines into the
-- statement that calls it (a SQL-standard body, like pg_jwt_auth's
-- auth.jwt_session_init).
CREATE FUNCTION regress_jwt_ac.login_only(token text) RETURNS text
    LANGUAGE plpgsql AS $$ BEGIN RETURN jwt.authenticate(token) ->> 'sub'; END $$;
CREATE FUNCTION regress_jwt_ac.login_inlined(token text) RETURNS jsonb
    LANGUAGE sql RETURN jwt.authenticate(token);
-- PostgreSQL's own SET LOCAL inside a function, for comparison.
CREATE FUNCTION regress_jwt_ac.set_local_inside() RETURNS text
    LANGUAGE plpgsql AS $$ BEGIN SET LOCAL work_mem = '1MB'; RETURN current_setting('work_mem'); END $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA regress_jwt_ac TO regress_jwt_ac_authenticator;

-- state: what outlives a statement.
CREATE VIEW regress_jwt_ac.state AS
    SELECT current_user AS role, jwt.claims() ->> 'sub' AS claims_sub,
           nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub' AS request_claims_sub;
GRANT SELECT ON regress_jwt_ac.state TO regress_jwt_ac_authenticator, regress_jwt_ac_web;

SET SESSION AUTHORIZATION regress_jwt_ac_authenticator;

-- 1. Directly, outside a transaction block: the warning, then nothing left -----------

SELECT jwt.authenticate(:'tok') ->> 'sub' AS sub;
SELECT * FROM regress_jwt_ac.state;
-- The SQLSTATE, beside PostgreSQL's own warning for SET LOCAL there.
\set VERBOSITY sqlstate
SELECT jwt.authenticate(:'tok') ->> 'sub' AS sub;
SET LOCAL work_mem = '1MB';
\set VERBOSITY default
-- A token refused: the error only (nothing was set).
SELECT jwt.authenticate('not-a-token');
\echo :LAST_ERROR_SQLSTATE
-- No token, with an anonymous role: set for the statement only, so warned.
RESET SESSION AUTHORIZATION;
SET pg_jwt.anon_role = 'regress_jwt_ac_web';
SET SESSION AUTHORIZATION regress_jwt_ac_authenticator;
SELECT jwt.authenticate(NULL) AS anonymous_claims;
SELECT * FROM regress_jwt_ac.state;
RESET SESSION AUTHORIZATION;
RESET pg_jwt.anon_role;
SET SESSION AUTHORIZATION regress_jwt_ac_authenticator;
-- A SQL function PostgreSQL inlines is part of the calling statement: the
-- same warning.
SELECT regress_jwt_ac.login_inlined(:'tok') ->> 'sub' AS sub;

-- 2. In a transaction block: no warning, and the claims reach later statements ----

BEGIN;
SELECT jwt.authenticate(:'tok') ->> 'sub' AS sub;
SELECT * FROM regress_jwt_ac.state;
SELECT task FROM regress_jwt_ac.todos ORDER BY task;
COMMIT;
SELECT * FROM regress_jwt_ac.state;
-- A query string of several statements is one transaction (an implicit
-- block: psql -c "a; b", or a driver sending "a; b"): no warning either.
SELECT jwt.authenticate(:'tok') ->> 'sub' AS sub \; SELECT * FROM regress_jwt_ac.state;
SELECT * FROM regress_jwt_ac.state;

-- 3. From inside a function: no warning, as SET LOCAL inside a function -----------

-- The supported single-statement form: the function authenticates and then
-- queries, as web, with alice's claims, in one statement.
SELECT * FROM regress_jwt_ac.my_todos(:'tok');
SELECT * FROM regress_jwt_ac.state;
-- A LANGUAGE sql function rewrites all its statements before it runs the
-- first, row-level security included, so its query is the calling role's
-- (here: no rows, the policy is for web only): use PL/pgSQL for this form.
-- PostgreSQL 18 plans each statement when it comes to it, so there the
-- query is web's (expected/autocommit_1.out).
SELECT * FROM regress_jwt_ac.my_todos_sql(:'tok');
-- PostgreSQL does not warn for SET LOCAL inside a function either (its
-- WarnNoTransactionBlock warns only for a top-level statement).
SELECT regress_jwt_ac.set_local_inside() AS work_mem_inside;
SELECT current_setting('work_mem') <> '1MB' AS ended_with_the_statement;
-- A function that only authenticates does not warn either, though, called
-- outside a transaction block, what it set ends with the statement.
SELECT regress_jwt_ac.login_only(:'tok') AS sub;
SELECT * FROM regress_jwt_ac.state;
-- Nor a DO block.
DO $$ BEGIN PERFORM jwt.authenticate(current_setting('regress.tok')); END $$;
SELECT * FROM regress_jwt_ac.state;

RESET SESSION AUTHORIZATION;

-- Cleanup.
DROP SCHEMA regress_jwt_ac CASCADE;
TRUNCATE jwt.keys, jwt.revoked;
DROP OWNED BY regress_jwt_ac_authenticator, regress_jwt_ac_web;
DROP ROLE regress_jwt_ac_authenticator, regress_jwt_ac_web;

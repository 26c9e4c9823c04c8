--
-- fresh_session: a statement gives the same rows, errors and plan whether or
-- not pg_jwt's library is already loaded in the backend. Up to 1.0.1, loading
-- it (the first call of one of its functions in a session) installed a
-- planner hook that rewrote every later query, so the first run of a
-- statement and the runs after it could differ. The other suites call pg_jwt
-- before they look; here each case starts in a new connection that has not
-- loaded the library (no LOAD, no earlier call: `loaded` shows it) and runs
-- the same statement twice.
--
-- Roles are cluster-wide: regress_jwt_fresh_user is dropped at the end.
--

SET compute_query_id = off;

CREATE ROLE regress_jwt_fresh_user;
CREATE SCHEMA fresh;
GRANT USAGE ON SCHEMA fresh TO regress_jwt_fresh_user;

-- One token and, in a row that the queries filter out, text that is no token.
CREATE TABLE fresh.t (id int, kind text, tok text);
INSERT INTO fresh.t VALUES (1, 'jwt', jwt.sign('{"sub":"a"}', 'k')), (2, 'other', 'not-a-jwt');
ANALYZE fresh.t;

-- 1,000 todos, 100 per owner, behind a policy on the sub claim.
CREATE TABLE fresh.todos (id int, owner text);
INSERT INTO fresh.todos SELECT i, 'user' || (i % 10) FROM generate_series(1, 1000) AS i;
ANALYZE fresh.todos;
ALTER TABLE fresh.todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON fresh.todos TO regress_jwt_fresh_user USING (owner = jwt.claim('sub'));
GRANT SELECT ON fresh.todos TO regress_jwt_fresh_user;

-- loaded: whether pg_jwt's settings are defined, i.e. its library is loaded.
CREATE VIEW fresh.loaded AS
    SELECT count(*) > 0 AS loaded FROM pg_settings WHERE name LIKE 'pg_jwt.%';
GRANT SELECT ON fresh.loaded TO regress_jwt_fresh_user;

-- 1. The row that holds 'not-a-jwt' is filtered out by the query's own
-- condition, so verify never sees it (1.0.x: 1 the first time, then 22P02
-- invalid token, the hook having moved verify into the scan's filter).
\c -
SET compute_query_id = off;
SELECT loaded FROM fresh.loaded;
SELECT count(*) FROM fresh.t t, LATERAL jwt.verify(t.tok, 'k') v WHERE v.valid AND t.kind = 'jwt';
SELECT loaded FROM fresh.loaded;
SELECT count(*) FROM fresh.t t, LATERAL jwt.verify(t.tok, 'k') v WHERE v.valid AND t.kind = 'jwt';
EXPLAIN (COSTS OFF)
SELECT count(*) FROM fresh.t t, LATERAL jwt.verify(t.tok, 'k') v WHERE v.valid AND t.kind = 'jwt';

-- 2. (jwt.verify(...)).valid is planned as written, before and after the
-- first call (1.0.x: jwt._verify_valid after it).
\c -
SET compute_query_id = off;
EXPLAIN (COSTS OFF, VERBOSE)
SELECT t.id, (jwt.verify(t.tok, 'k')).valid FROM fresh.t t WHERE t.kind = 'jwt';
SELECT t.id, (jwt.verify(t.tok, 'k')).valid FROM fresh.t t WHERE t.kind = 'jwt';
SELECT loaded FROM fresh.loaded;
EXPLAIN (COSTS OFF, VERBOSE)
SELECT t.id, (jwt.verify(t.tok, 'k')).valid FROM fresh.t t WHERE t.kind = 'jwt';
SELECT t.id, (jwt.verify(t.tok, 'k')).valid FROM fresh.t t WHERE t.kind = 'jwt';

-- 3. A policy on a claim, as an unprivileged role: the same plan before and
-- after the first call (1.0.x: an InitPlan after it).
\c -
SET compute_query_id = off;
SET pg_jwt.trust_request_claims = on;
BEGIN;
SET LOCAL request.jwt.claims = '{"sub":"user3"}';
SET SESSION AUTHORIZATION regress_jwt_fresh_user;
EXPLAIN (COSTS OFF) SELECT count(*) FROM fresh.todos;
SELECT count(*), min(owner), max(owner) FROM fresh.todos;
SELECT loaded FROM fresh.loaded;
EXPLAIN (COSTS OFF) SELECT count(*) FROM fresh.todos;
SELECT count(*), min(owner), max(owner) FROM fresh.todos;
RESET SESSION AUTHORIZATION;
COMMIT;

\c -
DROP SCHEMA fresh CASCADE;
DROP ROLE regress_jwt_fresh_user;

--
-- verify_in_queries: jwt.verify and jwt.decode in the shapes queries use
-- them: in FROM (LATERAL or not) on values that change from row to row, and
-- pgjwt's (jwt.verify(...)).valid in select lists, WHERE clauses and
-- policies. Their plans, results, errors and privilege checks are
-- PostgreSQL's: a Function Scan, or the expression as written, and verify
-- runs only on the rows the query's own conditions let through.
--
-- Up to 1.0.1, a planner hook rewrote these calls: verify in FROM moved into
-- the table's scan ahead of the query's own conditions (a malformed token in
-- a row the query filters out raised 22P02), and (jwt.verify(...)).valid
-- became jwt._verify_valid(...), an internal function with its own name in
-- EXPLAIN and the statistics, its own privileges and its own cost.
--
-- Roles are cluster-wide: regress_jwt_rowfn is dropped at the end.
--

\i test/regress/helpers.sql

SET compute_query_id = off;

CREATE SCHEMA rowfn;
CREATE TABLE rowfn.tokens (id int, tok text, key text);
INSERT INTO rowfn.tokens VALUES
    (1, jwt.sign('{"sub":"a","exp":4102444800}', 'secret-1-0123456789abcdefghijklmnop'),
        'secret-1-0123456789abcdefghijklmnop'),
    (2, jwt.sign('{"sub":"b","exp":1000}', 'secret-1-0123456789abcdefghijklmnop'),
        'secret-1-0123456789abcdefghijklmnop'),                      -- expired
    (3, jwt.sign('{"sub":"c"}', 'secret-2-0123456789abcdefghijklmnop'),
        'secret-1-0123456789abcdefghijklmnop'),                      -- another key
    (4, NULL, 'secret-1-0123456789abcdefghijklmnop');                -- no token
ANALYZE rowfn.tokens;

-- 1. In FROM: a Function Scan per row.
EXPLAIN (COSTS OFF, VERBOSE)
SELECT t.id, v.valid FROM rowfn.tokens t, LATERAL jwt.verify(t.tok, t.key) v ORDER BY t.id;

-- Every column; a NULL token gives a row of NULLs (verify is STRICT).
SELECT t.id, v.header, v.payload, v.valid
FROM rowfn.tokens t, LATERAL jwt.verify(t.tok, t.key) v ORDER BY t.id;

-- Filtering on valid and reading the payload, without LATERAL.
SELECT t.id, v.payload ->> 'sub' AS sub
FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE v.valid ORDER BY t.id;

-- Column aliases, and whole-row references.
SELECT t.id, v.ok, v, row_to_json(v) ->> 'ok' AS ok_json
FROM rowfn.tokens t, jwt.verify(t.tok, t.key) AS v(h, p, ok) ORDER BY t.id;
SELECT t.id, v IS NULL AS is_null, v.* IS NULL AS all_null
FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v ORDER BY t.id;

-- Outer joins, with a condition on the function's columns.
SELECT t.id, v.valid FROM rowfn.tokens t LEFT JOIN LATERAL jwt.verify(t.tok, t.key) v ON v.valid ORDER BY t.id;
SELECT t.id, v.valid, u.id AS next_id FROM rowfn.tokens t
    CROSS JOIN LATERAL jwt.verify(t.tok, t.key) v
    FULL JOIN rowfn.tokens u ON u.id = t.id + 1 AND v.valid ORDER BY t.id, u.id;

-- The call in a sub-select, on the outer query's columns.
SELECT t.id, (SELECT v.valid FROM jwt.verify(t.tok, t.key) v) AS valid FROM rowfn.tokens t ORDER BY t.id;
SELECT t.id FROM rowfn.tokens t WHERE EXISTS
    (SELECT 1 FROM jwt.verify(t.tok, t.key) v WHERE v.valid) ORDER BY t.id;

-- The other key types (the JWK form, whose algorithm defaults to NULL, is
-- not STRICT), and decode.
SELECT t.id, v.valid FROM rowfn.tokens t,
    jwt.verify(t.tok, convert_to(t.key, 'UTF8')) v ORDER BY t.id;
SELECT t.id, v.valid FROM rowfn.tokens t,
    jwt.verify(t.tok, jsonb_build_object('kty', 'oct', 'alg', 'HS256',
                                         'k', jwt.url_encode(convert_to(t.key, 'UTF8')))) v
ORDER BY t.id;
SELECT t.id, d.header ->> 'alg' AS alg, d.payload ->> 'sub' AS sub, octet_length(d.signature) AS signature_bytes
FROM rowfn.tokens t, jwt.decode(t.tok) d ORDER BY t.id;
SELECT t.id, v.valid, v.ordinality FROM rowfn.tokens t,
    jwt.verify(t.tok, t.key) WITH ORDINALITY v ORDER BY t.id;

-- A malformed token is an error whether or not a column is read.
SELECT pg_temp.err($q$SELECT count(*) FROM (VALUES ('not-a-token')) t(tok), jwt.verify(t.tok, 'k') v$q$);
SELECT pg_temp.err($q$SELECT v.valid FROM (VALUES ('not-a-token')) t(tok), jwt.verify(t.tok, 'k') v$q$);

-- One call per row however many columns are read (statistics not yet
-- reported count too, hence the differences).
CREATE FUNCTION rowfn.calls(f regprocedure) RETURNS bigint LANGUAGE sql
    RETURN coalesce(pg_stat_get_xact_function_calls(f), 0);
BEGIN;
SET LOCAL track_functions = 'all';
SELECT rowfn.calls('jwt.verify(text, text, text)') AS before \gset
SELECT count(*) FILTER (WHERE v.valid) AS valid, count(v.header) AS headers, count(v.payload) AS payloads
FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE t.tok IS NOT NULL;
SELECT rowfn.calls('jwt.verify(text, text, text)') - :before AS calls;
COMMIT;

-- A prepared statement, and a view.
PREPARE valid_subs(text) AS
    SELECT t.id, v.payload ->> 'sub' AS sub FROM rowfn.tokens t, jwt.verify(t.tok, $1) v WHERE v.valid ORDER BY t.id;
EXECUTE valid_subs('secret-1-0123456789abcdefghijklmnop');
EXECUTE valid_subs('secret-2-0123456789abcdefghijklmnop');
DEALLOCATE valid_subs;
CREATE VIEW rowfn.valid_tokens AS
    SELECT t.id, v.payload FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE v.valid;
EXPLAIN (COSTS OFF) SELECT * FROM rowfn.valid_tokens;
SELECT * FROM rowfn.valid_tokens;

-- 2. A row the query's own condition filters out never reaches verify, so a
-- malformed token there is no error (1.0.x: 22P02 invalid token once the
-- library was loaded, verify having been moved ahead of the condition).
CREATE TABLE rowfn.mixed (id int, kind text, tok text);
INSERT INTO rowfn.mixed VALUES (1, 'jwt', jwt.sign('{"sub":"a"}', 'k')), (2, 'other', 'not-a-jwt');
ANALYZE rowfn.mixed;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM rowfn.mixed t, LATERAL jwt.verify(t.tok, 'k') v WHERE v.valid AND t.kind = 'jwt';
SELECT count(*) FROM rowfn.mixed t, LATERAL jwt.verify(t.tok, 'k') v WHERE v.valid AND t.kind = 'jwt';
SELECT count(*) FROM rowfn.mixed t, LATERAL jwt.verify(t.tok, 'k') v WHERE t.kind = 'jwt' AND v.valid;
SELECT count(*) FROM rowfn.mixed t JOIN LATERAL jwt.verify(t.tok, 'k') v ON v.valid WHERE t.kind = 'jwt';
SELECT t.id, v.payload ->> 'sub' AS sub FROM rowfn.mixed t, LATERAL jwt.verify(t.tok, 'k') v
WHERE t.kind = 'jwt' AND v.valid;
SELECT t.id, d.payload ->> 'sub' AS sub FROM rowfn.mixed t, LATERAL jwt.decode(t.tok) d
WHERE t.kind = 'jwt' AND d.header ->> 'alg' = 'HS256';
-- Without that condition, the malformed token reaches verify.
SELECT pg_temp.err($q$SELECT count(*) FROM rowfn.mixed t, LATERAL jwt.verify(t.tok, 'k') v WHERE v.valid$q$);

-- verify's own catalog properties count: with a high COST, the planner
-- evaluates the cheap condition first, whichever is written first (1.0.x:
-- jwt._verify_valid at cost 1, in the written order, raised 22P02).
SELECT procost AS verify_cost FROM pg_proc WHERE oid = 'jwt.verify(text, text, text)'::regprocedure \gset
ALTER FUNCTION jwt.verify(text, text, text) COST 10000;
EXPLAIN (COSTS OFF, VERBOSE)
SELECT t.id FROM rowfn.mixed t WHERE (jwt.verify(t.tok, 'k')).valid AND t.kind = 'jwt';
SELECT t.id FROM rowfn.mixed t WHERE (jwt.verify(t.tok, 'k')).valid AND t.kind = 'jwt';
ALTER FUNCTION jwt.verify(text, text, text) COST :verify_cost;

-- 3. (jwt.verify(...)).valid: planned and counted as verify, for each key
-- type, NULLs included.
EXPLAIN (COSTS OFF, VERBOSE)
SELECT t.id, (jwt.verify(t.tok, t.key)).valid FROM rowfn.tokens t WHERE (jwt.verify(t.tok, t.key)).valid;
CREATE VIEW rowfn.valid_by_key_type AS
SELECT t.id, (jwt.verify(t.tok, t.key)).valid AS text_key,
       (jwt.verify(t.tok, convert_to(t.key, 'UTF8'))).valid AS bytea_key,
       (jwt.verify(t.tok, jsonb_build_object('kty', 'oct', 'alg', 'HS256',
                                             'k', jwt.url_encode(convert_to(t.key, 'UTF8'))))).valid AS jwk,
       (jwt.verify(t.tok, t.key, NULL)).valid AS null_algorithm,
       (jwt.verify(t.tok, jsonb_build_object('kty', 'oct', 'alg', 'HS256',
                                             'k', jwt.url_encode(convert_to(t.key, 'UTF8'))), NULL)).valid
           AS jwk_null_algorithm
FROM rowfn.tokens t;
SELECT * FROM rowfn.valid_by_key_type ORDER BY id;
SELECT (jwt.verify(t.tok, t.key)).payload FROM rowfn.tokens t ORDER BY t.id;
SELECT pg_temp.err($q$SELECT (jwt.verify('not-a-token', 'k')).valid$q$, true);
SELECT pg_temp.err($q$SELECT (jwt.verify(t.tok, t.key, 'HS257')).valid FROM rowfn.tokens t$q$);
SELECT pg_temp.err($q$SELECT (jwt.verify(t.tok, '{"kty":"oct","k":"c2hvcnQ"}'::jsonb)).valid FROM rowfn.tokens t$q$);
-- Each row calls verify once.
BEGIN;
SET LOCAL track_functions = 'all';
SELECT rowfn.calls('jwt.verify(text, text, text)') AS verify_before \gset
SELECT count(*) FROM rowfn.tokens t WHERE (jwt.verify(t.tok, t.key)).valid;
SELECT rowfn.calls('jwt.verify(text, text, text)') - :verify_before AS verify_calls;
COMMIT;
-- No internal stand-in exists.
SELECT count(*) AS stand_ins FROM pg_proc
WHERE pronamespace = 'jwt'::regnamespace AND proname = '_verify_valid';

-- In a row-level security policy, as an unprivileged role.
CREATE ROLE regress_jwt_rowfn;
GRANT USAGE ON SCHEMA rowfn TO regress_jwt_rowfn;
CREATE TABLE rowfn.documents (id int, tok text);
INSERT INTO rowfn.documents SELECT id, tok FROM rowfn.tokens;
ALTER TABLE rowfn.documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY signed ON rowfn.documents USING ((jwt.verify(tok, 'secret-1-0123456789abcdefghijklmnop')).valid);
GRANT SELECT ON rowfn.documents TO regress_jwt_rowfn;
SET SESSION AUTHORIZATION regress_jwt_rowfn;
EXPLAIN (COSTS OFF) SELECT id FROM rowfn.documents;
SELECT id FROM rowfn.documents ORDER BY id;
RESET SESSION AUTHORIZATION;

-- 4. Privileges are those of the functions the query names. Revoking the
-- extension's internal functions from PUBLIC changes nothing for a role
-- that may run verify (1.0.x: "permission denied for function
-- _verify_valid").
CREATE TABLE rowfn.revoked_internals AS
SELECT p.oid::regprocedure AS f FROM pg_proc p
WHERE p.pronamespace = 'jwt'::regnamespace AND p.proname LIKE '\_%'
  AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a
                                   WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'));
SELECT count(*) > 0 AS some_to_revoke FROM rowfn.revoked_internals;
DO $$ DECLARE f regprocedure; BEGIN
    FOR f IN SELECT r.f FROM rowfn.revoked_internals r LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP; END $$;
SET SESSION AUTHORIZATION regress_jwt_rowfn;
SELECT (jwt.verify(jwt.sign('{}', repeat('k', 32)), repeat('k', 32))).valid AS text_key,
       (jwt.verify(jwt.sign('{}', repeat('k', 32)), convert_to(repeat('k', 32), 'UTF8'))).valid AS bytea_key;
SELECT count(*) FROM (VALUES (jwt.sign('{}', repeat('k', 32)))) t(tok),
    LATERAL jwt.verify(t.tok, repeat('k', 32)) v WHERE v.valid;
SELECT id FROM rowfn.documents ORDER BY id;
RESET SESSION AUTHORIZATION;
DO $$ DECLARE f regprocedure; BEGIN
    FOR f IN SELECT r.f FROM rowfn.revoked_internals r LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
    END LOOP; END $$;

-- Revoking verify denies it in every form; the other verify stays allowed.
REVOKE EXECUTE ON FUNCTION jwt.verify(text, text, text) FROM PUBLIC;
SET SESSION AUTHORIZATION regress_jwt_rowfn;
SELECT pg_temp.err($q$SELECT (jwt.verify(jwt.sign('{}', repeat('k', 32)), repeat('k', 32))).valid$q$);
SELECT pg_temp.err($q$SELECT count(*) FROM (VALUES (jwt.sign('{}', repeat('k', 32)))) t(tok),
                      LATERAL jwt.verify(t.tok, repeat('k', 32)) v WHERE v.valid$q$);
SELECT pg_temp.err($q$SELECT id FROM rowfn.documents$q$);
SELECT (jwt.verify(jwt.sign('{}', repeat('k', 32)), convert_to(repeat('k', 32), 'UTF8'))).valid;
RESET SESSION AUTHORIZATION;
GRANT EXECUTE ON FUNCTION jwt.verify(text, text, text) TO PUBLIC;

DROP SCHEMA rowfn CASCADE;
DROP OWNED BY regress_jwt_rowfn;
DROP ROLE regress_jwt_rowfn;

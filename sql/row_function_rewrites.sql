--
-- row_functions_in_from: jwt.verify and jwt.decode in FROM on values that
-- change from row to row run as a sub-select (a Result node per row)
-- instead of a Function Scan, which fills a tuplestore for every row
-- (pg_jwt.row_function_rewrites, on by default). The answers must be
-- those of the Function Scan in every shape: NULL arguments, column
-- aliases, whole-row references, outer joins, references from sub-selects,
-- and the function must still run exactly once per row.
--

\i test/regress/helpers.sql

-- The rewrite applies once pg_jwt is loaded in the session.
LOAD 'pg_jwt';

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

-- rowfn.same(query): the query's rows (as text, in order) are identical
-- with the rewrite on and off, and the rewrite changed the plan.
CREATE FUNCTION rowfn.rows_of(query text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE result text[];
BEGIN
    EXECUTE format('SELECT array_agg(q::text ORDER BY ordinal) FROM (%s) q WITH ORDINALITY AS o(q, ordinal)', query)
        INTO result;
    RETURN result;
EXCEPTION WHEN OTHERS THEN
    RETURN ARRAY['error ' || SQLSTATE || ': ' || SQLERRM];
END
$$;
CREATE FUNCTION rowfn.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF, VERBOSE) ' || query LOOP plan := plan || line || E'\n'; END LOOP;
    RETURN plan;
END
$$;
CREATE FUNCTION rowfn.same(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE rewritten text[]; plain text[]; rewritten_plan text; plain_plan text;
BEGIN
    rewritten := rowfn.rows_of(query);
    rewritten_plan := rowfn.plan_of(query);
    SET LOCAL pg_jwt.row_function_rewrites = off;
    plain := rowfn.rows_of(query);
    plain_plan := rowfn.plan_of(query);
    SET LOCAL pg_jwt.row_function_rewrites = on;
    RETURN CASE WHEN rewritten IS DISTINCT FROM plain THEN 'DIFFERENT: ' || rewritten::text || ' vs ' || plain::text
                WHEN rewritten_plan = plain_plan THEN 'same rows, plan not rewritten'
                ELSE 'same rows' END;
END
$$;

-- 1. The plan: a Result node per row instead of a Function Scan.
EXPLAIN (COSTS OFF, VERBOSE)
SELECT t.id, v.valid FROM rowfn.tokens t, LATERAL jwt.verify(t.tok, t.key) v ORDER BY t.id;
SET pg_jwt.row_function_rewrites = off;
EXPLAIN (COSTS OFF, VERBOSE)
SELECT t.id, v.valid FROM rowfn.tokens t, LATERAL jwt.verify(t.tok, t.key) v ORDER BY t.id;
RESET pg_jwt.row_function_rewrites;

-- Every column; a NULL token gives a row of NULLs (verify is STRICT).
SELECT t.id, v.header, v.payload, v.valid
FROM rowfn.tokens t, LATERAL jwt.verify(t.tok, t.key) v ORDER BY t.id;
SELECT rowfn.same($q$SELECT t.id, v.header, v.payload, v.valid
                     FROM rowfn.tokens t, LATERAL jwt.verify(t.tok, t.key) v ORDER BY t.id$q$);

-- Filtering on valid and reading the payload, without LATERAL.
SELECT t.id, v.payload ->> 'sub' AS sub
FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE v.valid ORDER BY t.id;
SELECT rowfn.same($q$SELECT t.id, v.payload ->> 'sub' AS sub
                     FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE v.valid ORDER BY t.id$q$);

-- Column aliases, and a whole-row reference (also through row_to_json).
SELECT t.id, v.ok, v, row_to_json(v) ->> 'ok' AS ok_json
FROM rowfn.tokens t, jwt.verify(t.tok, t.key) AS v(h, p, ok) ORDER BY t.id;
SELECT rowfn.same($q$SELECT t.id, v.ok, v, row_to_json(v)::text
                     FROM rowfn.tokens t, jwt.verify(t.tok, t.key) AS v(h, p, ok) ORDER BY t.id$q$);
SELECT rowfn.same($q$SELECT t.id, v IS NULL AS is_null, v.* IS NULL AS all_null
                     FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v ORDER BY t.id$q$);

-- Outer joins, on either side, with a condition on the function's columns.
SELECT t.id, v.valid FROM rowfn.tokens t LEFT JOIN LATERAL jwt.verify(t.tok, t.key) v ON v.valid ORDER BY t.id;
SELECT rowfn.same($q$SELECT t.id, v.valid FROM rowfn.tokens t
                     LEFT JOIN LATERAL jwt.verify(t.tok, t.key) v ON v.valid ORDER BY t.id$q$);
SELECT rowfn.same($q$SELECT t.id, v.valid, u.id FROM rowfn.tokens t
                     CROSS JOIN LATERAL jwt.verify(t.tok, t.key) v
                     FULL JOIN rowfn.tokens u ON u.id = t.id + 1 AND v.valid ORDER BY t.id, u.id$q$);

-- The call in a sub-select, on the outer query's columns; an argument that
-- is itself a sub-select.
SELECT t.id, (SELECT v.valid FROM jwt.verify(t.tok, t.key) v) AS valid FROM rowfn.tokens t ORDER BY t.id;
SELECT rowfn.same($q$SELECT t.id, (SELECT v.valid FROM jwt.verify(t.tok, t.key) v) FROM rowfn.tokens t ORDER BY t.id$q$);
SELECT rowfn.same($q$SELECT t.id, v.valid FROM rowfn.tokens t,
                     jwt.verify((SELECT u.tok FROM rowfn.tokens u WHERE u.id = t.id), t.key) v ORDER BY t.id$q$);
SELECT rowfn.same($q$SELECT t.id FROM rowfn.tokens t WHERE EXISTS
                     (SELECT 1 FROM jwt.verify(t.tok, t.key) v WHERE v.valid) ORDER BY t.id$q$);

-- The other row functions: verify with a binary secret and with a JWK
-- (whose algorithm argument defaults to NULL: not STRICT), and decode.
SELECT rowfn.same($q$SELECT t.id, v.valid FROM rowfn.tokens t,
                     jwt.verify(t.tok, convert_to(t.key, 'UTF8')) v ORDER BY t.id$q$);
SELECT rowfn.same($q$SELECT t.id, v.valid FROM rowfn.tokens t,
                     jwt.verify(t.tok, jsonb_build_object('kty', 'oct', 'alg', 'HS256',
                                                          'k', jwt.url_encode(convert_to(t.key, 'UTF8')))) v
                     ORDER BY t.id$q$);
SELECT t.id, d.header ->> 'alg' AS alg, d.payload ->> 'sub' AS sub, octet_length(d.signature) AS signature_bytes
FROM rowfn.tokens t, jwt.decode(t.tok) d ORDER BY t.id;
SELECT rowfn.same($q$SELECT t.id, d.* FROM rowfn.tokens t, jwt.decode(t.tok) d ORDER BY t.id$q$);

-- A column read through a join's alias.
SELECT rowfn.same($q$SELECT j.valid FROM (rowfn.tokens t CROSS JOIN LATERAL jwt.verify(t.tok, t.key) v) j
                     ORDER BY j.id$q$);

-- Not rewritten: WITH ORDINALITY, constant arguments, and a query that
-- reads none of the call's columns (the planner would drop the unread call,
-- and with it the error of a malformed token).
SELECT rowfn.same($q$SELECT t.id, v.valid, v.ordinality FROM rowfn.tokens t,
                     jwt.verify(t.tok, t.key) WITH ORDINALITY v ORDER BY t.id$q$);
SELECT rowfn.same($q$SELECT t.id, v.valid FROM rowfn.tokens t,
                     jwt.verify('a.b.c', 'k') v ORDER BY t.id$q$);
SELECT rowfn.same($q$SELECT count(*) FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v$q$);
SELECT pg_temp.err($q$SELECT count(*) FROM (VALUES ('not-a-token')) t(tok), jwt.verify(t.tok, 'k') v$q$);
-- A malformed token is still an error when a column is read.
SELECT pg_temp.err($q$SELECT v.valid FROM (VALUES ('not-a-token')) t(tok), jwt.verify(t.tok, 'k') v$q$);

-- Exactly one call per row however many columns are read (a sub-select
-- without OFFSET 0 would be inlined and call once per column). Function
-- statistics not yet reported count too, hence the differences.
CREATE FUNCTION rowfn.calls(f regprocedure) RETURNS bigint LANGUAGE sql
    RETURN coalesce(pg_stat_get_xact_function_calls(f), 0);
BEGIN;
SET LOCAL track_functions = 'all';
SELECT rowfn.calls('jwt.verify(text, text, text)') AS before \gset
SELECT count(*) FILTER (WHERE v.valid) AS valid, count(v.header) AS headers, count(v.payload) AS payloads
FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE t.tok IS NOT NULL;
SELECT rowfn.calls('jwt.verify(text, text, text)') - :before AS calls;
COMMIT;

-- A prepared statement keeps the rewritten plan; a view is rewritten when
-- a query on it is planned.
PREPARE valid_subs(text) AS
    SELECT t.id, v.payload ->> 'sub' AS sub FROM rowfn.tokens t, jwt.verify(t.tok, $1) v WHERE v.valid ORDER BY t.id;
EXECUTE valid_subs('secret-1-0123456789abcdefghijklmnop');
EXECUTE valid_subs('secret-2-0123456789abcdefghijklmnop');
DEALLOCATE valid_subs;
CREATE VIEW rowfn.valid_tokens AS
    SELECT t.id, v.payload FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE v.valid;
EXPLAIN (COSTS OFF) SELECT * FROM rowfn.valid_tokens;
SELECT * FROM rowfn.valid_tokens;

-- 2. (jwt.verify(...)).valid: in a select list, a WHERE clause and a
-- row-level security policy, for each key type, NULLs included.
EXPLAIN (COSTS OFF, VERBOSE)
SELECT t.id, (jwt.verify(t.tok, t.key)).valid FROM rowfn.tokens t WHERE (jwt.verify(t.tok, t.key)).valid;
-- (A view: the rewrite applies when a query on it is planned.)
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
SELECT rowfn.same($q$SELECT * FROM rowfn.valid_by_key_type ORDER BY id$q$);
SELECT rowfn.same($q$SELECT t.id FROM rowfn.tokens t WHERE (jwt.verify(t.tok, t.key)).valid ORDER BY t.id$q$);
-- The other columns are not rewritten.
SELECT rowfn.same($q$SELECT (jwt.verify(t.tok, t.key)).payload FROM rowfn.tokens t ORDER BY t.id$q$);
-- The errors are the same (rowfn.same compares them as it compares rows).
SELECT pg_temp.err($q$SELECT (jwt.verify('not-a-token', 'k')).valid$q$, true);
SELECT rowfn.same($q$SELECT (jwt.verify('not-a-token', 'k')).valid$q$);
SELECT rowfn.same($q$SELECT (jwt.verify(t.tok, t.key, 'HS257')).valid FROM rowfn.tokens t$q$);
SELECT rowfn.same($q$SELECT (jwt.verify(t.tok, '{"kty":"oct","k":"c2hvcnQ"}'::jsonb)).valid FROM rowfn.tokens t$q$);
SELECT pg_temp.err($q$SELECT (jwt.verify(t.tok, '{"kty":"oct","k":"c2hvcnQ"}'::jsonb)).valid FROM rowfn.tokens t$q$);

-- In FROM, a verify of which only valid is read is the same sub-select,
-- calling jwt._verify_valid.
EXPLAIN (COSTS OFF, VERBOSE)
SELECT count(*) FROM rowfn.tokens t, LATERAL jwt.verify(t.tok, t.key) v WHERE v.valid;
SELECT rowfn.same($q$SELECT t.id, v.valid FROM rowfn.tokens t LEFT JOIN LATERAL jwt.verify(t.tok, t.key) v
                     ON v.valid ORDER BY t.id$q$);
SELECT rowfn.same($q$SELECT count(*) FROM rowfn.tokens t, LATERAL jwt.verify(t.tok, t.key) v WHERE v.valid$q$);

-- 3. Read once, in a WHERE condition, with the call joined to one table:
-- the call is evaluated in that table's scan, as if written there.
CREATE FUNCTION rowfn.shape(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE plan text := rowfn.plan_of(query);
BEGIN
    RETURN CASE WHEN plan LIKE '%Function Scan%' THEN 'function scan'
                WHEN plan LIKE '%Result%' THEN 'sub-select'
                ELSE 'in the scan' END;
END
$$;
SELECT rowfn.shape(q) AS shape, rowfn.same(q) AS same, q AS query FROM (VALUES
    ($q$SELECT count(*) FROM rowfn.tokens t, LATERAL jwt.verify(t.tok, t.key) v WHERE v.valid$q$),
    ($q$SELECT t.id FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE v.payload ->> 'sub' = 'b' ORDER BY 1$q$),
    ($q$SELECT t.id FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE t.id > 1 AND NOT v.valid ORDER BY 1$q$),
    ($q$SELECT t.id FROM rowfn.tokens t, jwt.decode(t.tok) d WHERE d.payload ->> 'sub' = 'c' ORDER BY 1$q$),
    -- read twice, or not in the WHERE clause
    ($q$SELECT v.payload FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE v.valid$q$),
    ($q$SELECT t.id, v.valid FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v ORDER BY 1$q$),
    ($q$SELECT count(*) FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v GROUP BY v.valid HAVING v.valid$q$),
    -- evaluated only sometimes
    ($q$SELECT t.id FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v WHERE t.id = 4 OR v.valid ORDER BY 1$q$),
    ($q$SELECT t.id FROM rowfn.tokens t, jwt.verify(t.tok, t.key) v
        WHERE CASE WHEN t.id < 3 THEN v.valid END ORDER BY 1$q$),
    -- another table in the join, arguments from two tables, JOIN syntax
    ($q$SELECT t.id FROM rowfn.tokens t, rowfn.tokens u, jwt.verify(t.tok, t.key) v
        WHERE u.id = t.id AND v.valid ORDER BY 1$q$),
    ($q$SELECT t.id FROM rowfn.tokens t, jwt.verify(t.tok, (SELECT key FROM rowfn.tokens WHERE id = 1)) v
        WHERE v.valid ORDER BY 1$q$),
    ($q$SELECT t.id FROM rowfn.tokens t JOIN LATERAL jwt.verify(t.tok, t.key) v ON true WHERE v.valid$q$),
    -- the call on a sub-select rather than a table
    ($q$SELECT t.id FROM (SELECT * FROM rowfn.tokens OFFSET 0) t, jwt.verify(t.tok, t.key) v WHERE v.valid$q$)
) AS cases(q);
-- Every row reaching the filter is verified: a malformed token is an error.
SELECT pg_temp.err($q$SELECT count(*) FROM (SELECT 'not-a-token' UNION ALL SELECT 'x') t(tok),
                      LATERAL jwt.verify(t.tok, 'k') v WHERE v.valid$q$);
CREATE TABLE rowfn.malformed AS SELECT 'not-a-token'::text AS tok;
SELECT rowfn.shape($q$SELECT count(*) FROM rowfn.malformed t, LATERAL jwt.verify(t.tok, 'k') v WHERE v.valid$q$);
SELECT pg_temp.err($q$SELECT count(*) FROM rowfn.malformed t, LATERAL jwt.verify(t.tok, 'k') v WHERE v.valid$q$);
-- Once per row of the table.
BEGIN;
SET LOCAL track_functions = 'all';
SELECT rowfn.calls('jwt._verify_valid(text, text, text, regprocedure)') AS valid_before \gset
SELECT count(*) FROM rowfn.tokens t, LATERAL jwt.verify(t.tok, t.key) v WHERE v.valid;
SELECT rowfn.calls('jwt._verify_valid(text, text, text, regprocedure)') - :valid_before AS valid_only_calls;
COMMIT;

-- In a row-level security policy, as an unprivileged role.
CREATE ROLE regress_jwt_rowfn;
GRANT USAGE ON SCHEMA rowfn TO regress_jwt_rowfn;
CREATE TABLE rowfn.documents (id int, tok text);
INSERT INTO rowfn.documents SELECT id, tok FROM rowfn.tokens;
ALTER TABLE rowfn.documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY signed ON rowfn.documents USING ((jwt.verify(tok, 'secret-1-0123456789abcdefghijklmnop')).valid);
GRANT SELECT ON rowfn.documents TO regress_jwt_rowfn;
SET ROLE regress_jwt_rowfn;
EXPLAIN (COSTS OFF) SELECT id FROM rowfn.documents;
SELECT id FROM rowfn.documents ORDER BY id;
RESET ROLE;

-- Each row calls jwt._verify_valid once, verify not at all.
BEGIN;
SET LOCAL track_functions = 'all';
SELECT rowfn.calls('jwt._verify_valid(text, text, text, regprocedure)') AS valid_before,
       rowfn.calls('jwt.verify(text, text, text)') AS verify_before \gset
SELECT count(*) FROM rowfn.tokens t WHERE (jwt.verify(t.tok, t.key)).valid;
SELECT rowfn.calls('jwt._verify_valid(text, text, text, regprocedure)') - :valid_before AS valid_only_calls,
       rowfn.calls('jwt.verify(text, text, text)') - :verify_before AS verify_calls;
COMMIT;

-- Privileges: the substitute requires EXECUTE on the verify it stands for.
REVOKE EXECUTE ON FUNCTION jwt.verify(text, text, text) FROM PUBLIC;
SET ROLE regress_jwt_rowfn;
SELECT pg_temp.err($q$SELECT (jwt.verify(jwt.sign('{}', repeat('k', 32)), repeat('k', 32))).valid$q$);
SELECT pg_temp.err($q$SELECT count(*) FROM (VALUES (jwt.sign('{}', repeat('k', 32)))) t(tok),
                      LATERAL jwt.verify(t.tok, repeat('k', 32)) v WHERE v.valid$q$);
SELECT pg_temp.err($q$SELECT jwt._verify_valid(jwt.sign('{}', repeat('k', 32)), repeat('k', 32), 'HS256',
                                               'jwt.verify(text,text,text)'::regprocedure)$q$);
-- The other verify stays allowed.
SELECT (jwt.verify(jwt.sign('{}', repeat('k', 32)), convert_to(repeat('k', 32), 'UTF8'))).valid;
RESET ROLE;
GRANT EXECUTE ON FUNCTION jwt.verify(text, text, text) TO PUBLIC;
-- Called directly, it must name the verify of its key type.
SELECT pg_temp.err($q$SELECT jwt._verify_valid('a.b.c', 'k', 'HS256', 'now()'::regprocedure)$q$, true);
SELECT pg_temp.err($q$SELECT jwt._verify_valid('a.b.c', 'k', 'HS256', 'jwt.verify(text,bytea,text)'::regprocedure)$q$);
SELECT pg_temp.err($q$SELECT jwt._verify_valid('a.b.c', '{}'::jsonb, 'HS256', NULL)$q$);

-- Off: the row is built and the field taken from it.
SET pg_jwt.row_function_rewrites = off;
EXPLAIN (COSTS OFF) SELECT t.id FROM rowfn.tokens t WHERE (jwt.verify(t.tok, t.key)).valid;
RESET pg_jwt.row_function_rewrites;

DROP SCHEMA rowfn CASCADE;
DROP OWNED BY regress_jwt_rowfn;
DROP ROLE regress_jwt_rowfn;

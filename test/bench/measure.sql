-- pg_jwt benchmark: the timed run and the report. Run by test/bench/run after
-- setup.sql, with psql variables :rows and :reps.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
-- Per core, and no plan-time compilation in the figures.
SET max_parallel_workers_per_gather = 0;
SET jit = off;

\echo
\echo '== data'
SELECT count(*) AS rows,
       round(avg(octet_length(tok)), 1) AS avg_token_bytes,
       round(avg(octet_length(claims)), 1) AS avg_payload_bytes,
       round(avg(octet_length(signing_input)), 1) AS avg_signing_input_bytes,
       count(DISTINCT key) AS distinct_keys
FROM bench.source;

SELECT relname AS "table", pg_size_pretty(pg_relation_size(oid)) AS size,
       pg_relation_size(oid) <= (SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers')
                                * current_setting('block_size')::bigint / 4 AS "fits shared_buffers/4"
FROM pg_class WHERE oid IN ('bench.tokens'::regclass, 'bench.payloads'::regclass, 'bench.inputs'::regclass)
ORDER BY relname;

-- Untimed sanity checks: the verifier really checks signatures, so a count
-- of valid rows equal to :rows means every row was verified.
DO $$
DECLARE n bigint;
BEGIN
    SELECT count(*) FILTER (WHERE (jwt.verify(tok, key || 'x')).valid) INTO n FROM bench.tokens;
    IF n <> 0 THEN RAISE EXCEPTION 'jwt.verify accepted % tokens under a wrong key', n; END IF;
    SELECT count(*) FILTER (WHERE (jwt.verify(left(tok, -1) || CASE right(tok, 1) WHEN 'A' THEN 'E' ELSE 'A' END, key)).valid) INTO n FROM bench.tokens;
    IF n <> 0 THEN RAISE EXCEPTION 'jwt.verify accepted % tokens with a changed signature', n; END IF;
END
$$;

\if :explain
\echo
\echo '== plans'
SELECT format('EXPLAIN (VERBOSE, COSTS OFF) %s', query) AS explain FROM bench.cases ORDER BY ord \gexec
\endif

-- Round 0 warms caches (buffers, pg_jwt's keyed HMAC context, catalog
-- lookups) and is discarded; rounds 1..reps run every case in turn, so that
-- a burst of load elsewhere on the machine hits all cases alike.
SET bench.reps = :reps;
SET bench.rows = :rows;
DO $$
DECLARE
    reps int := current_setting('bench.reps')::int;
    nrows bigint := current_setting('bench.rows')::bigint;
    c record;
    s double precision;
BEGIN
    FOR rep IN 0..reps LOOP
        FOR c IN SELECT * FROM bench.cases ORDER BY ord LOOP
            s := bench.time_query(c.query, nrows);
            IF rep > 0 THEN
                INSERT INTO bench.timings VALUES (c.name, rep, s);
            END IF;
        END LOOP;
    END LOOP;
END
$$;

\echo
\echo '== cases'
SELECT name AS "case", query FROM bench.cases ORDER BY ord;

\echo '== per-row times (ns/row; min and median of the rounds; net = min - min of its floor)'
WITH best AS (
    SELECT name, min(seconds) AS best,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median
    FROM bench.timings GROUP BY name
)
SELECT c.name AS "case",
       round((b.best * 1e9 / :rows)::numeric, 1) AS "min",
       round((b.median * 1e9 / :rows)::numeric, 1) AS "median",
       coalesce(c.floor, '') AS "floor",
       CASE WHEN c.floor IS NULL THEN NULL
            ELSE round(((b.best - f.best) * 1e9 / :rows)::numeric, 1) END AS "net"
FROM bench.cases c
JOIN best b ON b.name = c.name
LEFT JOIN best f ON f.name = c.floor
ORDER BY c.ord;

\echo
\echo '== targets (DESIGN.md section 4)'
CREATE TEMP VIEW net AS
SELECT c.name, (min(t.seconds) - (SELECT min(seconds) FROM bench.timings WHERE name = c.floor)) * 1e9 / :rows AS ns
FROM bench.cases c JOIN bench.timings t ON t.name = c.name
WHERE c.floor IS NOT NULL
GROUP BY c.name, c.floor;

WITH r(ord, measure, numerator, target) AS (
    VALUES (1, 'verify_select / hmac', 'verify_select', 0.75),
           (2, 'verify_lateral / hmac', 'verify_lateral', 0.75),
           (3, 'sign / hmac', 'sign', 1.0)
)
SELECT r.measure AS "ratio (net ns/row)",
       round(n.ns::numeric, 1) AS "numerator",
       round(h.ns::numeric, 1) AS "hmac",
       round((n.ns / h.ns)::numeric, 3) AS "ratio",
       '<= ' || r.target AS "target",
       CASE WHEN n.ns / h.ns <= r.target THEN 'PASS' ELSE 'MISS' END AS "result"
FROM r
JOIN net n ON n.name = r.numerator
CROSS JOIN (SELECT ns FROM net WHERE name = 'hmac') h
ORDER BY r.ord;

SELECT format('bench: %s of %s targets met%s', count(*) FILTER (WHERE pass), count(*),
              coalesce(' (MISS: ' || string_agg(name, ', ') FILTER (WHERE NOT pass) || ')', ''))
           AS summary
FROM (SELECT n.name, n.ns / h.ns <= CASE n.name WHEN 'sign' THEN 1.0 ELSE 0.75 END AS pass
      FROM net n CROSS JOIN (SELECT ns FROM net WHERE name = 'hmac') h
      WHERE n.name IN ('verify_select', 'verify_lateral', 'sign')) s \gset
\echo :summary

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
BEGIN
    FOR rep IN 0..reps LOOP
        FOR c IN SELECT * FROM bench.cases ORDER BY ord LOOP
            PERFORM bench.time_query(c.name, rep, c.query, nrows);
        END LOOP;
    END LOOP;
END
$$;

-- Net ns/row: the case's minimum less its floor's minimum.
CREATE TEMP VIEW net AS
SELECT c.name,
       (b.wall - f.wall) * 1e9 / current_setting('bench.rows')::bigint AS wall_ns,
       (b.cpu - f.cpu) * 1e9 / current_setting('bench.rows')::bigint AS cpu_ns
FROM bench.cases c JOIN bench.best b ON b.name = c.name JOIN bench.best f ON f.name = c.floor;

CREATE TEMP VIEW verdict AS
SELECT r.ord, r.measure, r.numerator, r.target,
       n.wall_ns, h.wall_ns AS hmac_wall_ns, n.wall_ns / h.wall_ns AS ratio,
       n.cpu_ns / h.cpu_ns AS cpu_ratio,
       n.wall_ns / h.wall_ns <= r.target AS pass
FROM (VALUES (1, 'verify_select / hmac', 'verify_select', 1.0),
             (2, 'verify_lateral / hmac', 'verify_lateral', 1.5),
             (3, 'verify_lateral_payload / hmac', 'verify_lateral_payload', NULL),
             (4, 'sign / hmac', 'sign', 1.0)) AS r(ord, measure, numerator, target)
JOIN net n ON n.name = r.numerator
CROSS JOIN (SELECT wall_ns, cpu_ns FROM net WHERE name = 'hmac') h;

\echo
\echo '== cases'
SELECT name AS "case", query FROM bench.cases ORDER BY ord;

\echo '== per-row times, ns/row (wall clock: min and median of the rounds; on-CPU time: min;'
\echo '   net = min less the min of its floor; wait = median share of wall time spent runnable'
\echo '   but waiting for a CPU, i.e. other load on the machine)'
SELECT c.name AS "case",
       round((b.wall * 1e9 / :rows)::numeric, 1) AS "wall min",
       round((b.wall_median * 1e9 / :rows)::numeric, 1) AS "wall median",
       round((b.cpu * 1e9 / :rows)::numeric, 1) AS "cpu min",
       round((100 * b.wait_share)::numeric, 1) || ' %' AS "wait",
       coalesce(c.floor, '') AS "floor",
       round(n.wall_ns::numeric, 1) AS "net",
       round(n.cpu_ns::numeric, 1) AS "net (cpu)"
FROM bench.cases c
JOIN bench.best b ON b.name = c.name
LEFT JOIN net n ON n.name = c.name
ORDER BY c.ord;

\echo
\echo '== targets (DESIGN.md section 4; decided on wall-clock net, on-CPU ratio as a cross-check)'
SELECT measure AS "ratio of net ns/row",
       round(wall_ns::numeric, 1) AS "numerator",
       round(hmac_wall_ns::numeric, 1) AS "hmac",
       round(ratio::numeric, 3) AS "ratio",
       coalesce('<= ' || target, '(none)') AS "target",
       CASE WHEN target IS NULL THEN '' WHEN pass THEN 'PASS' ELSE 'MISS' END AS "result",
       round(cpu_ratio::numeric, 3) AS "ratio (cpu)"
FROM verdict ORDER BY ord;

-- Against pgjwt 0.2.0 on the same rows: every form at least 10 times faster
-- (net ns/row of pg_jwt <= 0.1 of pgjwt's).
\if :pgjwt
CREATE TEMP VIEW pgjwt_verdict AS
SELECT r.ord + 10 AS ord, r.measure, r.numerator, 0.1 AS target,
       n.wall_ns, p.wall_ns AS pgjwt_wall_ns, n.wall_ns / p.wall_ns AS ratio,
       n.cpu_ns / p.cpu_ns AS cpu_ratio, n.wall_ns / p.wall_ns <= 0.1 AS pass
FROM (VALUES (1, 'verify_select / pgjwt verify_select', 'verify_select', 'pgjwt_verify_select'),
             (2, 'verify_lateral / pgjwt verify_lateral', 'verify_lateral', 'pgjwt_verify_lateral'),
             (3, 'sign / pgjwt sign', 'sign', 'pgjwt_sign')) AS r(ord, measure, numerator, denominator)
JOIN net n ON n.name = r.numerator
JOIN net p ON p.name = r.denominator;
\echo
\echo '== against pgjwt 0.2.0 (same rows, same run; target: pg_jwt at least 10 x faster)'
SELECT measure AS "ratio of net ns/row", round(wall_ns::numeric, 1) AS "pg_jwt",
       round(pgjwt_wall_ns::numeric, 1) AS "pgjwt", round(ratio::numeric, 4) AS ratio,
       '<= 0.1' AS target, CASE WHEN pass THEN 'PASS' ELSE 'MISS' END AS result,
       round((1 / ratio)::numeric, 1) AS "times faster"
FROM pgjwt_verdict ORDER BY ord;
CREATE OR REPLACE TEMP VIEW verdict_all AS
SELECT ord, numerator, target, pass FROM verdict
UNION ALL SELECT ord, numerator || ' vs pgjwt', target, pass FROM pgjwt_verdict;
\else
\echo
\echo 'pgjwt: skipped (set PGJWT_SQL to pgjwt--0.2.0.sql, or have ../shared/anchors/pgjwt)'
CREATE OR REPLACE TEMP VIEW verdict_all AS SELECT ord, numerator, target, pass FROM verdict;
\endif

SELECT format('bench: %s of %s targets met%s', count(*) FILTER (WHERE pass),
              count(*) FILTER (WHERE target IS NOT NULL),
              coalesce(' (MISS: ' || string_agg(numerator, ', ' ORDER BY ord) FILTER (WHERE NOT pass) || ')', ''))
           AS summary,
       coalesce((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_seconds / seconds) > 0.05
                 FROM bench.timings), false) AS busy
FROM verdict_all \gset
\if :busy
\echo 'bench: warning: the machine was busy (the median round waited more than 5 % of its time for a CPU); figures are noisy'
\endif
\echo :summary

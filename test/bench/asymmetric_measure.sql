-- pg_jwt asymmetric benchmark: checks, the timed rounds and the report. Run
-- by test/bench/asymmetric after asymmetric_setup.sql, with psql variables
--   :rounds   the file of rounds written by the script: each round times
--             every throughput case next to its raw operation (raw_openssl
--             with \!, then the case's floor and the case with
--             bench.run_pair, or the other way round), then the key-cache
--             cases (bench.run_key_cache) and the other raw operations; the
--             file ends by loading raw_openssl's timings into
--             bench.raw_timings
--   :reps     timed rounds (round 0 is a warm-up and is discarded)
--   :explain  1: print each query's plan

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
-- Per core, and no plan-time compilation in the figures.
SET max_parallel_workers_per_gather = 0;
SET jit = off;

\echo
\echo '== data'
SELECT a.alg,
       a.verify_rows AS "verify rows",
       a.sign_rows AS "sign rows",
       round(avg(octet_length(s.claims)), 1) AS "payload bytes",
       round(avg(octet_length(s.tok)), 1) AS "token bytes",
       CASE WHEN a.deterministic THEN 'deterministic' ELSE 'randomised' END AS "signature"
FROM bench.algs a JOIN bench.source s USING (alg)
GROUP BY a.ord, a.alg, a.verify_rows, a.sign_rows, a.deterministic ORDER BY a.ord;

SELECT c.relname AS "table", pg_size_pretty(pg_relation_size(c.oid)) AS size,
       pg_relation_size(c.oid) <= (SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers')
                                  * current_setting('block_size')::bigint / 4 AS "fits shared_buffers/4",
       (SELECT count(*) FROM pg_class t WHERE t.oid = c.reltoastrelid
          AND pg_relation_size(t.oid) > 0) = 0 AS "nothing toasted"
FROM pg_class c
WHERE c.relnamespace = 'bench'::regnamespace AND c.relkind = 'r' AND c.relname ~ '^(v|s|c)_'
ORDER BY c.relname;

-- Untimed checks.
DO $$
DECLARE
    a record;
    t text;
    n bigint;
    d bigint;
    lengths bigint;
BEGIN
    -- The verifier really checks: a changed signature (one base64url
    -- character in the middle flipped) and a changed payload ("member" ->
    -- "editor", re-encoded, signature kept) are both invalid on every row.
    FOR a IN SELECT * FROM bench.algs ORDER BY ord LOOP
        t := 'v_' || lower(a.alg);
        EXECUTE format($q$
            SELECT count(*) FILTER (WHERE (jwt.verify(
                       split_part(tok, '.', 1) || '.' || split_part(tok, '.', 2) || '.' ||
                       overlay(split_part(tok, '.', 3) PLACING
                               CASE substr(split_part(tok, '.', 3), 10, 1) WHEN 'A' THEN 'B' ELSE 'A' END
                               FROM 10 FOR 1),
                       key, %L)).valid)
            FROM bench.%I$q$, a.alg, t) INTO n;
        IF n <> 0 THEN RAISE EXCEPTION 'jwt.verify accepted % % tokens with a changed signature', n, a.alg; END IF;
        EXECUTE format($q$
            SELECT count(*) FILTER (WHERE (jwt.verify(
                       split_part(tok, '.', 1) || '.' ||
                       jwt.url_encode(convert_to(replace(convert_from(jwt.url_decode(split_part(tok, '.', 2)), 'UTF8'),
                                                         '"member"', '"editor"'), 'UTF8')) || '.' ||
                       split_part(tok, '.', 3),
                       key, %L)).valid)
            FROM bench.%I$q$, a.alg, t) INTO n;
        IF n <> 0 THEN RAISE EXCEPTION 'jwt.verify accepted % % tokens with a changed payload', n, a.alg; END IF;
    END LOOP;
    -- The key-cache tables: the hit table has one key text, the miss table
    -- as many as rows, all of the same length as the hit table's key.
    FOREACH t IN ARRAY ARRAY['rs256', 'es256'] LOOP
        EXECUTE format('SELECT count(DISTINCT key), count(*) FROM bench.c_%s_hit', t) INTO d, n;
        IF d <> 1 THEN RAISE EXCEPTION 'c_%_hit has % distinct keys', t, d; END IF;
        EXECUTE format('SELECT count(DISTINCT key), count(*) FROM bench.c_%s_miss', t) INTO d, n;
        IF d <> n THEN RAISE EXCEPTION 'c_%_miss has % distinct keys in % rows', t, d, n; END IF;
        EXECUTE format('SELECT count(DISTINCT octet_length(key)) FROM (SELECT key FROM bench.c_%1$s_hit UNION ALL SELECT key FROM bench.c_%1$s_miss) k', t)
            INTO lengths;
        IF lengths <> 1 THEN RAISE EXCEPTION 'c_%_hit and c_%_miss keys differ in length', t, t; END IF;
    END LOOP;
END
$$;

\if :explain
\echo
\echo '== plans'
SELECT format('EXPLAIN (VERBOSE, COSTS OFF) %s', query) AS explain FROM bench.cases ORDER BY ord \gexec
\endif

-- Round 0 warms caches (buffers, pg_jwt's key cache, catalog lookups, the
-- raw program's code) and is discarded; rounds 1..reps time each throughput
-- case next to its raw operation, so that both sides of a round's ratio run
-- under the same load.
\i :rounds

SET bench.reps = :reps;
DO $$
DECLARE
    reps int := current_setting('bench.reps')::int;
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM bench.raw_timings WHERE rep BETWEEN 1 AND reps;
    -- verify and sign per algorithm, 2 parse, 2 EdDSA *_fresh
    IF n <> reps * (2 * (SELECT count(*) FROM bench.algs) + 4) THEN
        RAISE EXCEPTION 'raw_openssl reported % timings, expected %', n,
            reps * (2 * (SELECT count(*) FROM bench.algs) + 4);
    END IF;
END
$$;

-- Net ns/row: the case's minimum less its floor's minimum.
CREATE TEMP VIEW net AS
SELECT c.name, c.alg, c.op, c.rows,
       (b.wall - f.wall) * 1e9 / c.rows AS wall_ns,
       (b.cpu - f.cpu) * 1e9 / c.rows AS cpu_ns
FROM bench.cases c JOIN bench.best b ON b.name = c.name JOIN bench.best f ON f.name = c.floor;

-- raw_openssl: ns per operation, minimum of the rounds.
CREATE TEMP VIEW raw AS
SELECT name, min(ops) AS ops,
       min(seconds / ops) * 1e9 AS wall_ns,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds / ops) * 1e9 AS wall_median_ns,
       min(cpu_seconds / ops) * 1e9 AS cpu_ns,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY 1 - cpu_seconds / seconds) AS off_cpu_share
FROM bench.raw_timings WHERE rep > 0 GROUP BY name;

-- Per round, a throughput case and its raw operation, timed next to each
-- other (the script's rounds): the case's net ns/row (less its floor of the
-- same round) and the raw ns/op.
CREATE TEMP VIEW paired AS
SELECT c.alg, c.op, t.rep,
       (t.seconds - f.seconds) * 1e9 / c.rows AS sql_ns,
       r.seconds / r.ops * 1e9 AS raw_ns
FROM bench.cases c
JOIN bench.timings t ON t.name = c.name
JOIN bench.timings f ON f.name = c.floor AND f.rep = t.rep
JOIN bench.raw_timings r ON r.rep = t.rep AND r.name = format('raw_%s_%s', c.op, c.alg)
WHERE c.op IN ('verify', 'sign') AND t.rep > 0;

-- The ratio decided on, as in the HS256 benchmark: the minimum raw ns/op of
-- the rounds over pg_jwt's net ns/row from the minima of the case and its
-- floor, on wall clock (the on-CPU minima give the cross-check). Beside it,
-- the median and the range of the rounds' own ratios show the noise: on a
-- shared machine single rounds swing by 10-30 %, while the minima move by a
-- few per cent between runs.
CREATE TEMP VIEW throughput AS
SELECT a.ord * 2 + (o.op = 'sign')::int AS ord, a.alg, o.op, n.rows,
       n.wall_ns AS sql_ns, r.wall_ns AS raw_ns,
       r.wall_ns / n.wall_ns AS ratio,
       r.cpu_ns / n.cpu_ns AS cpu_ratio,
       p.median, p.low, p.high,
       o.target,
       r.wall_ns / n.wall_ns >= o.target AS pass,
       r.cpu_ns / n.cpu_ns >= o.target AS cpu_pass
FROM bench.algs a
CROSS JOIN (VALUES ('verify', 0.85), ('sign', 0.9)) AS o(op, target)
JOIN net n ON n.alg = a.alg AND n.op = o.op
JOIN raw r ON r.name = format('raw_%s_%s', o.op, a.alg)
JOIN (SELECT alg, op,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY raw_ns / sql_ns) AS median,
             min(raw_ns / sql_ns) AS low, max(raw_ns / sql_ns) AS high
      FROM paired GROUP BY alg, op) p ON p.alg = a.alg AND p.op = o.op;

CREATE TEMP VIEW cache AS
SELECT h.alg, h.rows, h.wall_ns AS hit_ns, m.wall_ns AS miss_ns,
       m.wall_ns / h.wall_ns AS ratio, m.cpu_ns / h.cpu_ns AS cpu_ratio,
       r.wall_ns AS raw_parse_ns,
       5.0 AS target, m.wall_ns / h.wall_ns >= 5.0 AS pass,
       m.cpu_ns / h.cpu_ns >= 5.0 AS cpu_pass
FROM net h
JOIN net m ON m.alg = h.alg AND m.op = 'cache_miss'
JOIN raw r ON r.name = 'raw_parse_' || h.alg
WHERE h.op = 'cache_hit';

\echo
\echo '== cases'
SELECT name AS "case", rows, query FROM bench.cases ORDER BY ord;

\echo '== per-row times, ns/row (wall clock: min and median of the rounds; on-CPU time: min;'
\echo '   net = min less the min of its floor; wait = median share of wall time spent runnable'
\echo '   but waiting for a CPU, i.e. other load on the machine)'
SELECT c.name AS "case", c.rows,
       round((b.wall * 1e9 / c.rows)::numeric, 1) AS "wall min",
       round((b.wall_median * 1e9 / c.rows)::numeric, 1) AS "wall median",
       round((b.cpu * 1e9 / c.rows)::numeric, 1) AS "cpu min",
       round((100 * b.wait_share)::numeric, 1) || ' %' AS "wait",
       coalesce(c.floor, '') AS "floor",
       round(n.wall_ns::numeric, 1) AS "net",
       round(n.cpu_ns::numeric, 1) AS "net (cpu)"
FROM bench.cases c
JOIN bench.best b ON b.name = c.name
LEFT JOIN net n ON n.name = c.name
ORDER BY c.ord;

\echo '== raw OpenSSL (raw_openssl, same run), ns/op: wall min and median of the rounds, on-CPU min;'
\echo '   off-cpu = median share of wall time not on a CPU'
SELECT name AS "operation", ops,
       round(wall_ns::numeric, 1) AS "wall min",
       round(wall_median_ns::numeric, 1) AS "wall median",
       round(cpu_ns::numeric, 1) AS "cpu min",
       round((100 * off_cpu_share)::numeric, 1) || ' %' AS "off-cpu"
FROM raw ORDER BY name;

\echo
\echo '== key cache: jwt.verify with a PEM public key on every row, net ns/row'
\echo '   hit: the same key text on every row; miss: a distinct text on every row (whitespace tail),'
\echo '   so every call parses the PEM; raw parse: OpenSSL decoding that PEM and preparing a context'
SELECT alg, rows,
       round(hit_ns::numeric, 1) AS "hit",
       round(miss_ns::numeric, 1) AS "miss",
       round((miss_ns - hit_ns)::numeric, 1) AS "miss - hit",
       round(raw_parse_ns::numeric, 1) AS "raw parse",
       round(ratio::numeric, 2) AS "miss / hit",
       '>= ' || target AS "target",
       CASE WHEN pass THEN 'PASS' ELSE 'MISS' END AS "result",
       round(cpu_ratio::numeric, 2) AS "ratio (cpu)",
       CASE WHEN cpu_pass THEN 'PASS' WHEN NOT cpu_pass THEN 'MISS' ELSE '' END AS "result (cpu)"
FROM cache ORDER BY alg DESC;

\echo
\echo '== throughput per core, cached key: pg_jwt (net ns/row over a bare scan) against raw OpenSSL'
\echo '   ratio = raw ns / pg_jwt ns from the minima of the rounds, the fraction of raw speed pg_jwt'
\echo '   reaches (decided on wall clock; on-CPU ratio as a cross-check); rounds = the median and the'
\echo '   range of the single rounds ratios (raw and pg_jwt timed next to each other), to show the noise'
SELECT alg, op, rows,
       round(sql_ns::numeric, 1) AS "pg_jwt ns",
       round((1e9 / sql_ns)::numeric) AS "pg_jwt ops/s",
       round(raw_ns::numeric, 1) AS "raw ns",
       round((1e9 / raw_ns)::numeric) AS "raw ops/s",
       round(ratio::numeric, 3) AS "ratio",
       '>= ' || target AS "target",
       CASE WHEN pass THEN 'PASS' ELSE 'MISS' END AS "result",
       round(cpu_ratio::numeric, 3) AS "ratio (cpu)",
       CASE WHEN cpu_pass THEN 'PASS' WHEN NOT cpu_pass THEN 'MISS' ELSE '' END AS "result (cpu)",
       round(median::numeric, 3) || ' (' || round(low::numeric, 2) || '-' || round(high::numeric, 2) || ')' AS "rounds"
FROM throughput ORDER BY ord;

SELECT format('asymmetric: %s of %s targets met%s', count(*) FILTER (WHERE pass), count(*),
              coalesce(' (MISS: ' || string_agg(what, ', ' ORDER BY ord) FILTER (WHERE NOT pass) || ')', ''))
           AS summary,
       format('asymmetric: on-CPU cross-check: %s of %s%s', count(*) FILTER (WHERE cpu_pass), count(*),
              coalesce(' (MISS: ' || string_agg(what, ', ' ORDER BY ord) FILTER (WHERE NOT cpu_pass) || ')', ''))
           AS cpu_summary,
       coalesce((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_seconds / seconds) > 0.05
                 FROM bench.timings
                 WHERE name IN (SELECT name FROM bench.cases WHERE op IS NOT NULL)), false)
       OR (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY 1 - cpu_seconds / seconds) > 0.05
           FROM bench.raw_timings WHERE rep > 0) AS busy
FROM (SELECT 0 AS ord, 'cache ' || alg AS what, pass, cpu_pass FROM cache
      UNION ALL
      SELECT ord, op || ' ' || alg, pass, cpu_pass FROM throughput) v \gset
\if :busy
\echo 'asymmetric: warning: the machine was busy (the median case waited more than 5 % of its time for a CPU,'
\echo '            or raw_openssl spent more than 5 % of its time off a CPU); figures are noisy'
\endif
\echo :cpu_summary
\echo :summary

-- pg_jwt benchmarks: the timing machinery the HS256 (setup.sql) and the
-- asymmetric (asymmetric_setup.sql) benchmarks share, included by both with
-- \ir. Needs the schema bench; the caller defines the cases.

CREATE TABLE bench.timings (
    name text NOT NULL,
    rep int NOT NULL,
    seconds double precision NOT NULL,      -- wall clock (clock_timestamp)
    cpu_seconds double precision,           -- on-CPU time of this backend, if known
    wait_seconds double precision           -- time runnable but waiting for a CPU, if known
);

\set bench_schema bench
\ir schedstat.sql

-- Runs one query, checks its count and, for rep > 0, records its times.
CREATE FUNCTION bench.time_query(name text, rep int, query text, expected bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    s0 record;
    s1 record;
    started timestamptz;
    finished timestamptz;
    n bigint;
BEGIN
    PERFORM pg_sleep(0.001);
    s0 := bench.schedstat();
    started := clock_timestamp();
    EXECUTE query INTO n;
    finished := clock_timestamp();
    PERFORM pg_sleep(0.001);
    s1 := bench.schedstat();
    IF n IS DISTINCT FROM expected THEN
        RAISE EXCEPTION 'benchmark query counted % rows, expected %', n, expected
            USING DETAIL = query;
    END IF;
    IF rep > 0 THEN
        INSERT INTO bench.timings
        VALUES (name, rep, extract(epoch FROM finished - started),
                (s1.on_cpu_ns - s0.on_cpu_ns) / 1e9, (s1.waiting_ns - s0.waiting_ns) / 1e9);
    END IF;
END
$$;

-- Per case: the minimum of the timed rounds (the figure used), the median
-- (to show the noise), the minimum on-CPU time and the median share of a
-- round spent waiting for a CPU.
CREATE VIEW bench.best AS
SELECT name,
       min(seconds) AS wall,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS wall_median,
       min(cpu_seconds) AS cpu,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_seconds / seconds) AS wait_share
FROM bench.timings GROUP BY name;

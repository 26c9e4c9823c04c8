-- pg_jwt benchmarks: <schema>.schedstat(), this backend's scheduler
-- statistics (Linux /proc/self/schedstat: time on a CPU and time waiting in
-- the run queue, in ns), or NULLs where unreadable (another OS). A
-- cross-check only: the figures that decide PASS/MISS are wall-clock times.
-- The kernel brings these counters up to date only at a tick or a context
-- switch, so a caller sleeps for a moment first, else a reading can be up
-- to a tick (4 ms) old. SECURITY DEFINER: pg_read_file is for superusers,
-- and the RLS benchmark times unprivileged roles.
--
-- Included with \ir by timing.sql and rls.sql, with psql variable
-- :bench_schema naming the schema.
CREATE FUNCTION :"bench_schema".schedstat(OUT on_cpu_ns bigint, OUT waiting_ns bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    fields text[];
BEGIN
    fields := string_to_array(trim(pg_read_file('/proc/self/schedstat')), ' ');
    on_cpu_ns := fields[1]::bigint;
    waiting_ns := fields[2]::bigint;
EXCEPTION WHEN OTHERS THEN
    on_cpu_ns := NULL;
    waiting_ns := NULL;
END
$$;

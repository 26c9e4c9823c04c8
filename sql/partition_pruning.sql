--
-- partition_pruning: a claim compared with the partition key prunes the
-- partitions when the executor starts, as for any STABLE function: EXPLAIN
-- shows "Subplans Removed: 7" and only the tenant's partition is opened.
-- Up to 1.0.1, the planner hook turned the call into an InitPlan, whose
-- value is known only at run time: every partition was initialised and
-- pruned at run time ("never executed"). The (SELECT jwt.claim(...)) form
-- that users may write themselves behaves that way, and is shown too.
--
-- Roles are cluster-wide: regress_jwt_prune_user is dropped at the end.
--

\i test/regress/helpers.sql

SET compute_query_id = off;

CREATE SCHEMA prune;
-- 8 tenants, one partition each, 100 rows each.
CREATE TABLE prune.items (tenant text NOT NULL, id int) PARTITION BY LIST (tenant);
SELECT format('CREATE TABLE prune.items_%s PARTITION OF prune.items FOR VALUES IN (%L)', i, 't' || i)
FROM generate_series(1, 8) AS i \gexec
INSERT INTO prune.items SELECT 't' || (i % 8 + 1), i FROM generate_series(1, 800) AS i;
ANALYZE prune.items;

SET pg_jwt.trust_request_claims = on;
-- Trusted request claims count only in the transaction that set them, as
-- PostgREST sets them.
BEGIN;
SELECT set_config('request.jwt.claims', '{"tenant":"t3"}', true) IS NOT NULL AS set;
SELECT jwt.claim('tenant') AS tenant;

-- plan(query): the query's EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF)
-- as text, one line per plan line.
CREATE FUNCTION prune.plan(query text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) ' || query;
END
$f$;

-- Pruned at executor start: one partition scanned, seven never opened.
EXPLAIN (COSTS OFF) SELECT count(*) FROM prune.items WHERE tenant = jwt.claim('tenant');
SELECT prune.plan($q$SELECT count(*) FROM prune.items WHERE tenant = jwt.claim('tenant')$q$);
SELECT count(*), min(tenant), max(tenant) FROM prune.items WHERE tenant = jwt.claim('tenant');

-- A generic plan of a prepared statement prunes at each execution's start,
-- with the claims of that execution.
PREPARE mine AS SELECT count(*), min(tenant) FROM prune.items WHERE tenant = jwt.claim('tenant');
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE mine;
EXECUTE mine;
SELECT set_config('request.jwt.claims', '{"tenant":"t5"}', true) IS NOT NULL AS set;
EXPLAIN (COSTS OFF) EXECUTE mine;
EXECUTE mine;
RESET plan_cache_mode;
DEALLOCATE mine;

-- The (SELECT ...) form: the claim is an InitPlan's output, known only once
-- the plan runs, so every partition is initialised and pruned at run time.
SELECT prune.plan($q$SELECT count(*) FROM prune.items WHERE tenant = (SELECT jwt.claim('tenant'))$q$);
SELECT count(*), min(tenant) FROM prune.items WHERE tenant = (SELECT jwt.claim('tenant'));

-- The same through a row-level security policy, as an unprivileged role.
CREATE ROLE regress_jwt_prune_user;
GRANT USAGE ON SCHEMA prune TO regress_jwt_prune_user;
GRANT SELECT ON prune.items TO regress_jwt_prune_user;
ALTER TABLE prune.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON prune.items TO regress_jwt_prune_user USING (tenant = jwt.claim('tenant'));
SET SESSION AUTHORIZATION regress_jwt_prune_user;
EXPLAIN (COSTS OFF) SELECT count(*) FROM prune.items;
SELECT count(*), min(tenant), max(tenant) FROM prune.items;
RESET SESSION AUTHORIZATION;
COMMIT;

-- compute_query_id adds a "Query Identifier" line to EXPLAIN VERBOSE and
-- changes nothing else in a plan.
\i test/regress/plan_text.sql
BEGIN;
SELECT set_config('request.jwt.claims', '{"tenant":"t3"}', true) IS NOT NULL AS set;
SELECT on_.plan ~ '(?n)^Query Identifier: ' AS identified,
       regexp_replace(on_.plan, '^Query Identifier: -?[0-9]+\n', '', 'n') = off_.plan AS same_plan,
       off_.plan ~ 'Subplans Removed: 7' AS pruned
FROM (VALUES ($q$SELECT count(*) FROM prune.items WHERE tenant = jwt.claim('tenant')$q$)) AS v(q),
     LATERAL pg_temp.plan_text(v.q, '{compute_query_id=on}') AS on_(plan),
     LATERAL pg_temp.plan_text(v.q, '{compute_query_id=off}') AS off_(plan);
COMMIT;

RESET pg_jwt.trust_request_claims;
DROP SCHEMA prune CASCADE;
DROP OWNED BY regress_jwt_prune_user;
DROP ROLE regress_jwt_prune_user;

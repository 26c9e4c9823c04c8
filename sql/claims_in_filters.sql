--
-- claims_in_filters: the claim accessors (jwt.claims(), jwt.claim(name),
-- jwt.claim(path), jwt.claim_uuid(name)) in row filters: WHERE and JOIN
-- conditions, EXISTS, views, CTEs, prepared statements whose claims change
-- between executions, parallel workers, row-level security policies and
-- WITH CHECK options. They are STABLE: PostgreSQL calls them per row (each
-- call served from a parse cached until the claims change), and the answers
-- are those of the claims of the moment the statement runs.
--
-- `(SELECT jwt.claim('sub'))` is the form that evaluates a claim once per
-- statement, as an InitPlan: the user writes it (1.0.x's planner hook
-- rewrote every such call into it, and so changed plans; see the
-- partition_pruning and fresh_session suites).
--
-- Roles are cluster-wide: every one is named regress_jwt_initplan_* and
-- dropped at the end.
--

\i test/regress/helpers.sql

SET compute_query_id = off;

CREATE SCHEMA initplan;
-- 1,000 rows, owners user0 .. user9 (100 rows each), teams 0 .. 2.
CREATE TABLE initplan.todos (id int, owner text, team int);
INSERT INTO initplan.todos SELECT i, 'user' || (i % 10), i % 3 FROM generate_series(1, 1000) AS i;
CREATE TABLE initplan.members (team int, member text);
INSERT INTO initplan.members VALUES (1, 'user1'), (2, 'user1'), (0, 'user2');
ANALYZE initplan.todos, initplan.members;

SET pg_jwt.trust_request_claims = on;
-- Trusted request claims count only when set in the current transaction,
-- as PostgREST sets them: the whole suite runs in one.
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"user1","team":"2","tags":["a","user3"]}', true) IS NOT NULL AS set;

-- As written: the call is in the scan's filter, evaluated per row.
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub');
SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub');
-- Wrapped in a sub-select by the user: an InitPlan, evaluated once per
-- statement, and the same rows.
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos WHERE owner = (SELECT jwt.claim('sub'));
SELECT count(*) FROM initplan.todos WHERE owner = (SELECT jwt.claim('sub'));

-- Every accessor, a path, and a call on a column's value.
SELECT count(*) FROM initplan.todos
    WHERE owner = jwt.claim(ARRAY['tags', '1']) OR team::text = jwt.claims() ->> 'team';
SELECT count(*) FROM initplan.todos WHERE jwt.claim(owner) IS NOT NULL;
SELECT count(*) FROM initplan.todos WHERE jwt.claim_uuid('sub') IS NULL;
-- Parameters of a statement or of a function.
PREPARE claim_named(text) AS SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim($1);
EXECUTE claim_named('sub');
EXECUTE claim_named('nothing');
DEALLOCATE claim_named;
CREATE FUNCTION initplan.owned_by_claim(name text) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$
BEGIN
    RETURN (SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim(name));
END
$f$;
SELECT initplan.owned_by_claim('sub'), initplan.owned_by_claim('nothing');

-- EXISTS: as a semi-join, and as a hashed sub-plan.
SELECT count(*) FROM initplan.todos t
    WHERE EXISTS (SELECT 1 FROM initplan.members m WHERE m.team = t.team AND m.member = jwt.claim('sub'));
SELECT count(*) FROM initplan.todos t
    WHERE EXISTS (SELECT 1 FROM initplan.members m WHERE m.team = t.team AND m.member = jwt.claim('sub'))
       OR t.id < 0;
SELECT count(*) FROM initplan.todos t
    WHERE EXISTS (SELECT 1 FROM initplan.members m WHERE m.team = t.team AND t.owner = jwt.claim('sub'))
       OR t.id < 0;

-- JOIN ... ON, a sub-select in the target list, a CTE, a view.
SELECT count(*) FROM initplan.todos t LEFT JOIN initplan.members m
    ON m.team = t.team AND m.member = jwt.claim('sub') WHERE m.member IS NOT NULL;
SELECT (SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub')) AS in_target_list;
WITH mine AS (SELECT * FROM initplan.todos WHERE owner = jwt.claim('sub')) SELECT count(*) FROM mine;
CREATE VIEW initplan.mine AS SELECT * FROM initplan.todos WHERE owner = jwt.claim('sub');
SELECT count(*) FROM initplan.mine;

-- A prepared statement reads the claims anew on every execution, also once
-- its plan is generic, in both forms.
PREPARE mine AS SELECT count(*), min(owner) FROM initplan.todos WHERE owner = jwt.claim('sub');
PREPARE mine_once AS SELECT count(*), min(owner) FROM initplan.todos WHERE owner = (SELECT jwt.claim('sub'));
SET plan_cache_mode = force_generic_plan;
EXECUTE mine;
EXECUTE mine_once;
SELECT set_config('request.jwt.claims', '{"sub":"user2"}', true) IS NOT NULL AS set;
EXECUTE mine;
EXECUTE mine_once;
SELECT set_config('request.jwt.claims', '{"sub":"nobody"}', true) IS NOT NULL AS set;
EXECUTE mine;
EXECUTE mine_once;
RESET plan_cache_mode;
DEALLOCATE mine;
DEALLOCATE mine_once;

-- Parallel workers read the same claims as the leader, in both forms.
SELECT set_config('request.jwt.claims', '{"sub":"user3"}', true) IS NOT NULL AS set;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub');
SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub');
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos WHERE owner = (SELECT jwt.claim('sub'));
SELECT count(*) FROM initplan.todos WHERE owner = (SELECT jwt.claim('sub'));
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- Row-level security: USING and WITH CHECK, as an unprivileged role; a
-- policy in the (SELECT ...) form plans an InitPlan.
CREATE ROLE regress_jwt_initplan_user;
GRANT USAGE ON SCHEMA initplan TO regress_jwt_initplan_user;
GRANT SELECT, INSERT, UPDATE ON initplan.todos TO regress_jwt_initplan_user;
ALTER TABLE initplan.todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON initplan.todos TO regress_jwt_initplan_user
    USING (owner = jwt.claim('sub')) WITH CHECK (owner = jwt.claim('sub'));
SET SESSION AUTHORIZATION regress_jwt_initplan_user;
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos;
SELECT count(*), min(owner), max(owner) FROM initplan.todos;
SELECT pg_temp.err($$INSERT INTO initplan.todos VALUES (2001, 'user3', 0)$$);
SELECT pg_temp.err($$INSERT INTO initplan.todos VALUES (2002, 'user4', 0)$$);
SELECT pg_temp.err($$UPDATE initplan.todos SET owner = 'user4' WHERE id = 3$$);
UPDATE initplan.todos SET team = 9 WHERE id IN (3, 4);
SELECT count(*) FROM initplan.todos WHERE team = 9;
RESET SESSION AUTHORIZATION;
SELECT id, owner, team FROM initplan.todos WHERE team = 9 OR id > 2000 ORDER BY id;
ALTER POLICY own ON initplan.todos
    USING (owner = (SELECT jwt.claim('sub'))) WITH CHECK (owner = (SELECT jwt.claim('sub')));
SET SESSION AUTHORIZATION regress_jwt_initplan_user;
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos;
SELECT count(*), min(owner), max(owner) FROM initplan.todos;
SELECT pg_temp.err($$INSERT INTO initplan.todos VALUES (2003, 'user4', 0)$$);
RESET SESSION AUTHORIZATION;
COMMIT;

RESET pg_jwt.trust_request_claims;
DROP SCHEMA initplan CASCADE;
DROP ROLE regress_jwt_initplan_user;

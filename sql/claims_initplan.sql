--
-- claims_initplan: a claim accessor with constant arguments in a row filter
-- (WHERE, JOIN ... ON, a row-level security policy, WITH CHECK) is planned
-- as an InitPlan, evaluated once per execution instead of once per row
-- (pg_jwt.claims_once_per_query, on by default). The answers must be those
-- of per-row calls in every shape the planner rewrites further: EXISTS
-- turned into a semi-join or a hashed sub-plan, parallel scans, prepared
-- statements whose claims change between executions, policies on INSERT.
--
-- Roles are cluster-wide: every one is named regress_jwt_initplan_* and
-- dropped at the end.
--

\i test/regress/helpers.sql

-- The rewrite applies once pg_jwt is loaded in the session (its first call,
-- LOAD, or session_preload_libraries); a plan made before keeps per-row calls.
LOAD 'pg_jwt';

CREATE SCHEMA initplan;
-- 1,000 rows, owners user0 .. user9 (100 rows each), teams 0 .. 2.
CREATE TABLE initplan.todos (id int, owner text, team int);
INSERT INTO initplan.todos SELECT i, 'user' || (i % 10), i % 3 FROM generate_series(1, 1000) AS i;
CREATE TABLE initplan.members (team int, member text);
INSERT INTO initplan.members VALUES (1, 'user1'), (2, 'user1'), (0, 'user2');
ANALYZE initplan.todos, initplan.members;

SET pg_jwt.trust_request_claims = on;
-- Trusted request claims count only in the transaction that set them: the
-- whole suite is one transaction.
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"user1","team":"2","tags":["a","user3"]}', true) IS NOT NULL AS set;

-- The call becomes an InitPlan; the rows are the same with the rewrite off.
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub');
SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub');
SET pg_jwt.claims_once_per_query = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub');
SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub');
RESET pg_jwt.claims_once_per_query;

-- Every accessor, and a path; a call on a column's value stays per row.
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos
    WHERE owner = jwt.claim(ARRAY['tags', '1']) OR team::text = jwt.claims() ->> 'team';
SELECT count(*) FROM initplan.todos
    WHERE owner = jwt.claim(ARRAY['tags', '1']) OR team::text = jwt.claims() ->> 'team';
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos WHERE jwt.claim(owner) IS NOT NULL;
SELECT count(*) FROM initplan.todos WHERE jwt.claim(owner) IS NOT NULL;
-- Without FROM a call runs once anyway: left alone.
EXPLAIN (COSTS OFF) SELECT jwt.claim('sub');
-- Parameters of a statement or a function are fixed for an execution too.
PREPARE claim_named(text) AS SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim($1);
EXPLAIN (COSTS OFF) EXECUTE claim_named('sub');
EXECUTE claim_named('sub');
DEALLOCATE claim_named;
CREATE FUNCTION initplan.owned_by_claim(name text) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$
BEGIN
    RETURN (SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim(name));
END
$f$;
SELECT initplan.owned_by_claim('sub'), initplan.owned_by_claim('nothing');

-- EXISTS: as a semi-join, and as a hashed sub-plan (the planner converts the
-- sub-select's WHERE to a hashed ANY, where the InitPlan stays inside).
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos t
    WHERE EXISTS (SELECT 1 FROM initplan.members m WHERE m.team = t.team AND m.member = jwt.claim('sub'));
SELECT count(*) FROM initplan.todos t
    WHERE EXISTS (SELECT 1 FROM initplan.members m WHERE m.team = t.team AND m.member = jwt.claim('sub'));
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos t
    WHERE EXISTS (SELECT 1 FROM initplan.members m WHERE m.team = t.team AND m.member = jwt.claim('sub'))
       OR t.id < 0;
SELECT count(*) FROM initplan.todos t
    WHERE EXISTS (SELECT 1 FROM initplan.members m WHERE m.team = t.team AND m.member = jwt.claim('sub'))
       OR t.id < 0;
SELECT count(*) FROM initplan.todos t
    WHERE EXISTS (SELECT 1 FROM initplan.members m WHERE m.team = t.team AND t.owner = jwt.claim('sub'))
       OR t.id < 0;
SET pg_jwt.claims_once_per_query = off;
SELECT count(*) FROM initplan.todos t
    WHERE EXISTS (SELECT 1 FROM initplan.members m WHERE m.team = t.team AND m.member = jwt.claim('sub'))
       OR t.id < 0;
SELECT count(*) FROM initplan.todos t
    WHERE EXISTS (SELECT 1 FROM initplan.members m WHERE m.team = t.team AND t.owner = jwt.claim('sub'))
       OR t.id < 0;
RESET pg_jwt.claims_once_per_query;

-- JOIN ... ON, a sub-select in the target list, a CTE, a view.
SELECT count(*) FROM initplan.todos t LEFT JOIN initplan.members m
    ON m.team = t.team AND m.member = jwt.claim('sub') WHERE m.member IS NOT NULL;
SELECT (SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub')) AS in_target_list;
WITH mine AS (SELECT * FROM initplan.todos WHERE owner = jwt.claim('sub')) SELECT count(*) FROM mine;
CREATE VIEW initplan.mine AS SELECT * FROM initplan.todos WHERE owner = jwt.claim('sub');
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.mine;
SELECT count(*) FROM initplan.mine;

-- A prepared statement evaluates the claims anew on every execution, also
-- once its plan is generic.
PREPARE mine AS SELECT count(*), min(owner) FROM initplan.todos WHERE owner = jwt.claim('sub');
SET plan_cache_mode = force_generic_plan;
EXECUTE mine;
SELECT set_config('request.jwt.claims', '{"sub":"user2"}', true) IS NOT NULL AS set;
EXECUTE mine;
SELECT set_config('request.jwt.claims', '{"sub":"nobody"}', true) IS NOT NULL AS set;
EXECUTE mine;
RESET plan_cache_mode;
DEALLOCATE mine;

-- Parallel workers get the value the leader computed.
SELECT set_config('request.jwt.claims', '{"sub":"user3"}', true) IS NOT NULL AS set;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub');
SELECT count(*) FROM initplan.todos WHERE owner = jwt.claim('sub');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- Row-level security: USING and WITH CHECK, as an unprivileged role.
CREATE ROLE regress_jwt_initplan_user;
GRANT USAGE ON SCHEMA initplan TO regress_jwt_initplan_user;
GRANT SELECT, INSERT, UPDATE ON initplan.todos TO regress_jwt_initplan_user;
ALTER TABLE initplan.todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON initplan.todos TO regress_jwt_initplan_user
    USING (owner = jwt.claim('sub')) WITH CHECK (owner = jwt.claim('sub'));
SET ROLE regress_jwt_initplan_user;
EXPLAIN (COSTS OFF) SELECT count(*) FROM initplan.todos;
SELECT count(*), min(owner), max(owner) FROM initplan.todos;
SELECT pg_temp.err($$INSERT INTO initplan.todos VALUES (2001, 'user3', 0)$$);
SELECT pg_temp.err($$INSERT INTO initplan.todos VALUES (2002, 'user4', 0)$$);
SELECT pg_temp.err($$UPDATE initplan.todos SET owner = 'user4' WHERE id = 3$$);
UPDATE initplan.todos SET team = 9 WHERE id IN (3, 4);
SELECT count(*) FROM initplan.todos WHERE team = 9;
RESET ROLE;
SELECT id, owner, team FROM initplan.todos WHERE team = 9 OR id > 2000 ORDER BY id;

-- The setting is a question of speed only: every role may change it.
SET ROLE regress_jwt_initplan_user;
SET pg_jwt.claims_once_per_query = off;
SELECT count(*) FROM initplan.todos;
RESET pg_jwt.claims_once_per_query;
RESET ROLE;
COMMIT;

RESET pg_jwt.trust_request_claims;
DROP SCHEMA initplan CASCADE;
DROP ROLE regress_jwt_initplan_user;

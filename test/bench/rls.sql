-- pg_jwt RLS benchmark: the per-row cost of a row-level-security policy keyed
-- on the request's claims. Run by test/bench/rls with psql variables :rows,
-- :owners, :reps and :explain, as a superuser, in a database of its own.
--
-- One table of :rows rows and :owners owners (no index on owner), one role
-- per policy, the same count query under each:
--   claim      owner = jwt.claim('sub')                 (a call per row, served from the cached parse)
--   wrapped    owner = (SELECT jwt.claim('sub'))          (an InitPlan: once per query)
--   setting    owner = current_setting('request.jwt.claims', true)::jsonb ->> 'sub'
--   literal    owner = 'user0042'                         (reference: the comparison alone)
--   floor      the table owner, RLS not forced: the same scan without a policy
-- Net ns/row = (min time of the case - min time of the floor) / rows.
--
-- The claims come from jwt.authenticate(token) at the start of the one
-- transaction every query runs in: pg_jwt.claims for jwt.claim(), and the
-- request.jwt.claims mirror that authenticate writes for current_setting().

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS pg_jwt;

-- Roles (cluster-wide; test/bench/rls drops them): the session user, the
-- table owner, and one role per policy.
CREATE ROLE jwt_bench_rls_authenticator NOINHERIT;
CREATE ROLE jwt_bench_rls_owner NOLOGIN;
CREATE ROLE jwt_bench_rls_claim NOLOGIN;
CREATE ROLE jwt_bench_rls_wrapped NOLOGIN;
CREATE ROLE jwt_bench_rls_setting NOLOGIN;
CREATE ROLE jwt_bench_rls_literal NOLOGIN;
GRANT jwt_bench_rls_owner, jwt_bench_rls_claim, jwt_bench_rls_wrapped,
      jwt_bench_rls_setting, jwt_bench_rls_literal TO jwt_bench_rls_authenticator;
GRANT USAGE ON SCHEMA jwt TO PUBLIC;

CREATE SCHEMA bench_rls;
GRANT USAGE ON SCHEMA bench_rls TO PUBLIC;

-- Owners user0000 .. user0999 in turn, so each owner's rows are spread over
-- every page. No index on owner: every query is a sequential scan.
CREATE TABLE bench_rls.items (id int NOT NULL, owner text NOT NULL);
INSERT INTO bench_rls.items
SELECT i, 'user' || lpad((i % :owners)::text, 4, '0') FROM generate_series(1, :rows) AS i;
ALTER TABLE bench_rls.items OWNER TO jwt_bench_rls_owner;
ALTER TABLE bench_rls.items ENABLE ROW LEVEL SECURITY;   -- not FORCE: the owner bypasses it
VACUUM (FREEZE, ANALYZE) bench_rls.items;
GRANT SELECT ON bench_rls.items TO jwt_bench_rls_claim, jwt_bench_rls_wrapped,
      jwt_bench_rls_setting, jwt_bench_rls_literal;

CREATE POLICY claim ON bench_rls.items FOR SELECT TO jwt_bench_rls_claim
    USING (owner = jwt.claim('sub'));
CREATE POLICY wrapped ON bench_rls.items FOR SELECT TO jwt_bench_rls_wrapped
    USING (owner = (SELECT jwt.claim('sub')));
CREATE POLICY setting ON bench_rls.items FOR SELECT TO jwt_bench_rls_setting
    USING (owner = current_setting('request.jwt.claims', true)::jsonb ->> 'sub');
CREATE POLICY literal ON bench_rls.items FOR SELECT TO jwt_bench_rls_literal
    USING (owner = 'user0042');

CREATE TABLE bench_rls.cases (
    ord int PRIMARY KEY,
    name text NOT NULL UNIQUE,
    role_name text NOT NULL,
    policy text NOT NULL,
    target double precision          -- net ns/row, or NULL when not a target
);
INSERT INTO bench_rls.cases (ord, name, role_name, policy, target) VALUES
 (1, 'floor',   'jwt_bench_rls_owner',   '(none: the table owner, RLS not forced)', NULL),
 (2, 'claim',   'jwt_bench_rls_claim',   $p$owner = jwt.claim('sub')$p$, NULL),
 (3, 'wrapped', 'jwt_bench_rls_wrapped', $p$owner = (SELECT jwt.claim('sub'))$p$, NULL),
 (4, 'setting', 'jwt_bench_rls_setting', $p$owner = current_setting('request.jwt.claims', true)::jsonb ->> 'sub'$p$, NULL),
 (5, 'literal', 'jwt_bench_rls_literal', $p$owner = 'user0042' (reference)$p$, NULL);
GRANT SELECT ON bench_rls.cases TO PUBLIC;

\set bench_schema bench_rls
\ir schedstat.sql

-- Round 0 warms caches and is discarded; rounds 1..reps run every case in
-- turn (interleaved, so a burst of load elsewhere hits all cases alike). Each
-- case runs as its role (SET LOCAL role) in the caller's transaction, so the
-- claims jwt.authenticate kept stay in force.
CREATE FUNCTION bench_rls.run(reps int)
RETURNS TABLE (name text, rep int, n bigint, seconds double precision,
               cpu_seconds double precision, wait_seconds double precision)
LANGUAGE plpgsql AS $$
DECLARE
    home text := current_user;
    c record;
    s0 record;
    s1 record;
    started timestamptz;
    finished timestamptz;
BEGIN
    FOR r IN 0..reps LOOP
        FOR c IN SELECT * FROM bench_rls.cases ORDER BY ord LOOP
            PERFORM set_config('role', c.role_name, true);
            PERFORM pg_sleep(0.001);
            s0 := bench_rls.schedstat();
            started := clock_timestamp();
            EXECUTE 'SELECT count(*) FROM bench_rls.items' INTO n;
            finished := clock_timestamp();
            PERFORM pg_sleep(0.001);
            s1 := bench_rls.schedstat();
            PERFORM set_config('role', home, true);
            name := c.name;
            rep := r;
            seconds := extract(epoch FROM finished - started);
            cpu_seconds := (s1.on_cpu_ns - s0.on_cpu_ns) / 1e9;
            wait_seconds := (s1.waiting_ns - s0.waiting_ns) / 1e9;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END
$$;

-- The key and the token (sub user0042, the role of the first policy).
SELECT jwt.generate_key('HS256', 'pg-jwt-bench-rls') AS kid \gset
SELECT jwt.issue('{"sub":"user0042","role":"jwt_bench_rls_claim"}', '1 hour', 'pg-jwt-bench-rls') AS token \gset
SELECT count(*) AS expected FROM bench_rls.items WHERE owner = 'user0042' \gset

\echo
\echo '== data'
SELECT count(*) AS rows, count(DISTINCT owner) AS owners, :expected AS "rows of user0042",
       pg_size_pretty(pg_relation_size('bench_rls.items')) AS size,
       current_setting('shared_buffers') AS shared_buffers,
       (SELECT count(*) FROM pg_index WHERE indrelid = 'bench_rls.items'::regclass) AS indexes
FROM bench_rls.items;

-- The timed session: an unprivileged role, one core, no JIT. Trusted
-- request claims are switched on for it by a superuser, as for PostgREST's
-- authenticator; they count only where set in the current transaction.
SET pg_jwt.trust_request_claims = on;
SET SESSION AUTHORIZATION jwt_bench_rls_authenticator;
SET max_parallel_workers_per_gather = 0;
SET jit = off;

-- Two sources of claims, each timed in its own transaction: the claims
-- jwt.authenticate verified (kept in pg_jwt's own setting, mirrored into
-- request.jwt.claims), and request.jwt.claims set by PostgREST and trusted.
CREATE TEMP TABLE samples (source text, name text, rep int, n bigint, seconds double precision,
                           cpu_seconds double precision, wait_seconds double precision);
-- jwt.authenticate switches to the token's role, which writes the samples too.
GRANT ALL ON samples TO PUBLIC;

BEGIN;
\echo
\echo '== claims from jwt.authenticate in this transaction'
SELECT jwt.authenticate(:'token') - ARRAY['iat', 'exp', 'jti'] AS "jwt.authenticate",
       current_user,
       jwt.claim('sub') AS "jwt.claim('sub')",
       current_setting('request.jwt.claims', true)::jsonb ->> 'sub' AS "request.jwt.claims ->> 'sub'";

\if :explain
\echo
\echo '== plans'
SELECT format('SET LOCAL role %I', role_name) AS set_role,
       'EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM bench_rls.items' AS explain,
       format('SET LOCAL role %I', current_user) AS reset_role
FROM bench_rls.cases ORDER BY ord \gexec
\endif

INSERT INTO samples SELECT 'authenticate', r.* FROM bench_rls.run(:reps) r;
COMMIT;

BEGIN;
\echo
\echo '== claims from request.jwt.claims, set in this transaction (PostgREST), trusted'
SELECT set_config('request.jwt.claims', '{"sub":"user0042","role":"jwt_bench_rls_claim"}', true) AS "request.jwt.claims",
       jwt.claim('sub') AS "jwt.claim('sub')";
INSERT INTO samples SELECT 'request', r.* FROM bench_rls.run(:reps) r;
COMMIT;

-- The benchmark cannot time something else: the floor counts every row,
-- every policy exactly the rows of user0042, in every round.
SET bench.rows = :rows;
SET bench.expected = :expected;
DO $$
DECLARE
    bad text;
BEGIN
    SELECT string_agg(DISTINCT format('%s/%s counted %s', s.source, s.name, s.n), '; ') INTO bad
    FROM samples s
    WHERE s.n <> CASE WHEN s.name = 'floor' THEN current_setting('bench.rows')::bigint
                      ELSE current_setting('bench.expected')::bigint END;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'rls: wrong counts: %', bad;
    END IF;
END
$$;

CREATE TEMP VIEW best AS
SELECT source, name, min(seconds) AS wall,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS wall_median,
       min(cpu_seconds) AS cpu,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_seconds / seconds) AS wait_share,
       min(n) AS n
FROM samples WHERE rep > 0 GROUP BY source, name;

-- Net ns/row of every case: its minimum less the floor's, per source.
CREATE TEMP VIEW net AS
SELECT b.source, b.name, (b.wall - f.wall) * 1e9 / current_setting('bench.rows')::bigint AS wall_ns,
       (b.cpu - f.cpu) * 1e9 / current_setting('bench.rows')::bigint AS cpu_ns
FROM best b JOIN best f ON f.source = b.source AND f.name = 'floor'
WHERE b.name <> 'floor';

\echo
\echo '== per-row times, ns/row (wall clock: min and median of the rounds; on-CPU: min;'
\echo '   net = min less the floor''s min; wait = median share of a round spent runnable'
\echo '   but waiting for a CPU)'
SELECT b.source, c.name AS "case", c.policy, b.n AS count,
       round((b.wall * 1e9 / :rows)::numeric, 1) AS "wall min",
       round((b.wall_median * 1e9 / :rows)::numeric, 1) AS "wall median",
       round((b.cpu * 1e9 / :rows)::numeric, 1) AS "cpu min",
       round((100 * b.wait_share)::numeric, 1) || ' %' AS wait,
       round(n.wall_ns::numeric, 1) AS net,
       round(n.cpu_ns::numeric, 1) AS "net (cpu)"
FROM bench_rls.cases c JOIN best b USING (name) LEFT JOIN net n ON n.source = b.source AND n.name = b.name
ORDER BY b.source, c.ord;

-- DESIGN.md section 4: the unwrapped claim against the current_setting idiom,
-- net per row; <= 0.05 with claims from jwt.authenticate, <= 0.1 with
-- trusted request.jwt.claims. The wrapped (SELECT ...) form beside it.
CREATE TEMP VIEW verdict AS
SELECT s.source, s.target,
       claim.wall_ns AS claim_ns, wrapped.wall_ns AS wrapped_ns, setting.wall_ns AS setting_ns,
       claim.wall_ns / setting.wall_ns AS ratio, wrapped.wall_ns / setting.wall_ns AS wrapped_ratio,
       claim.wall_ns / setting.wall_ns <= s.target AS pass
FROM (VALUES ('authenticate', 0.05), ('request', 0.1)) AS s(source, target)
JOIN net claim ON claim.source = s.source AND claim.name = 'claim'
JOIN net wrapped ON wrapped.source = s.source AND wrapped.name = 'wrapped'
JOIN net setting ON setting.source = s.source AND setting.name = 'setting';

\echo
\echo '== targets (net ns/row of the policy over the unprotected scan, as a ratio to the current_setting idiom)'
SELECT source AS "claims from", round(claim_ns::numeric, 1) AS "claim ns", round(setting_ns::numeric, 1) AS "idiom ns",
       round(ratio::numeric, 4) AS ratio, '<= ' || target AS target,
       CASE WHEN pass THEN 'PASS' ELSE 'MISS' END AS result,
       round(wrapped_ns::numeric, 1) AS "wrapped ns", round(wrapped_ratio::numeric, 4) AS "wrapped ratio"
FROM verdict ORDER BY target;

SELECT format('bench rls: claim/idiom %s (authenticate, target <= 0.05: %s), %s (request claims, target <= 0.1: %s); wrapped/idiom %s and %s',
              round(max(ratio) FILTER (WHERE source = 'authenticate')::numeric, 4),
              CASE WHEN bool_and(pass) FILTER (WHERE source = 'authenticate') THEN 'PASS' ELSE 'MISS' END,
              round(max(ratio) FILTER (WHERE source = 'request')::numeric, 4),
              CASE WHEN bool_and(pass) FILTER (WHERE source = 'request') THEN 'PASS' ELSE 'MISS' END,
              round(max(wrapped_ratio) FILTER (WHERE source = 'authenticate')::numeric, 4),
              round(max(wrapped_ratio) FILTER (WHERE source = 'request')::numeric, 4)) AS summary,
       coalesce((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_seconds / seconds) > 0.05
                 FROM samples WHERE rep > 0), false) AS busy
FROM verdict \gset
\if :busy
\echo 'bench rls: warning: the machine was busy (the median round waited more than 5 % of its time for a CPU); figures are noisy'
\endif
\echo :summary

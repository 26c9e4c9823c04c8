--
-- keyring_cache: how validation reads the keyring (issue 19.5) and when it
-- sees a change (13.4), in one session; the two-session cases are in
-- test/isolation, the replicated ones in test/replication.
--  * a token's kid is looked up (one read of jwt.keys), and the answer is
--    kept until the table changes, also "no such kid": garbage kids do not
--    make every call read the table again;
--  * a token without kid is tried against the newest 16 usable keys of its
--    algorithm;
--  * a key is usable from not_before until expires_at, while active;
--  * changes are seen from the next statement, also in REPEATABLE READ, and
--    in parallel workers.
--

\i test/regress/helpers.sql

-- Plans are shown below: no "Query Identifier" line whatever the server's setting.
SET compute_query_id = off;

TRUNCATE jwt.keys, jwt.revoked;
-- Reads of jwt.keys in this transaction so far (sequential and index scans).
CREATE FUNCTION pg_temp.keys_reads() RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0)
    FROM pg_stat_xact_user_tables WHERE relid = 'jwt.keys'::regclass
$$;
CREATE FUNCTION pg_temp.tok(kid text, secret text DEFAULT 'secret-secret-secret-secret-secr',
                            claims jsonb DEFAULT '{"sub":"a"}') RETURNS text LANGUAGE sql AS $$
    SELECT jwt.sign(claims, secret, 'HS256',
                    CASE WHEN kid IS NULL THEN NULL ELSE jsonb_build_object('kid', kid) END)
$$;

SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'kc-1') AS kid;
SELECT jwt.is_valid(pg_temp.tok('kc-1')) AS warm;

-- One read per kid, none when repeated, also for a kid that is not there.
-- (Counted as differences within one transaction: statistics of earlier
-- transactions may still be pending in this backend's counters.)
BEGIN;
SELECT pg_temp.keys_reads() AS r0 \gset
SELECT jwt.is_valid(pg_temp.tok('kc-1')) AS known_kid, pg_temp.keys_reads() - :r0 AS reads;
SELECT jwt.is_valid(pg_temp.tok('nope')) AS unknown_kid, pg_temp.keys_reads() - :r0 AS reads;
SELECT count(*) FILTER (WHERE jwt.is_valid(pg_temp.tok('nope'))) AS accepted,
       pg_temp.keys_reads() - :r0 AS reads
FROM generate_series(1, 100);
SELECT count(*) FILTER (WHERE jwt.is_valid(pg_temp.tok('garbage-' || i))) AS accepted,
       pg_temp.keys_reads() - :r0 AS reads_one_per_new_kid
FROM generate_series(1, 10) AS i;
COMMIT;

-- A change to jwt.keys is seen from the next statement: the unknown kid
-- becomes known, in the same REPEATABLE READ transaction.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT jwt.is_valid(pg_temp.tok('nope')) AS before_add;
SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'nope') AS kid;
SELECT jwt.is_valid(pg_temp.tok('nope')) AS after_add;
UPDATE jwt.keys SET active = false WHERE kid = 'nope';
SELECT jwt.is_valid(pg_temp.tok('nope')) AS after_withdraw;
ROLLBACK;
SELECT jwt.is_valid(pg_temp.tok('nope')) AS after_rollback;

-- not_before and expires_at: a key is usable in [not_before, expires_at).
SELECT jwt.add_key('future-future-future-future-futu', 'HS256', 'kc-future',
                   not_before => now() + interval '1 hour') AS kid;
SELECT jwt.add_key('expired-expired-expired-expired-', 'HS256', 'kc-expired',
                   not_before => now() - interval '2 hours',
                   expires_at => now() - interval '1 hour') AS kid;
SELECT why, pg_temp.err(format('SELECT jwt.validate(%L%s)', token, args), true) AS validate,
       jwt.is_valid(token) AS is_valid_now
FROM (VALUES
    ('future key, now', pg_temp.tok('kc-future', 'future-future-future-future-futu'), ''),
    ('future key, in 2 hours', pg_temp.tok('kc-future', 'future-future-future-future-futu'),
     ', now => now() + interval ''2 hours'''),
    ('future key, no kid', pg_temp.tok(NULL, 'future-future-future-future-futu'), ''),
    ('future key, no kid, in 2 hours', pg_temp.tok(NULL, 'future-future-future-future-futu'),
     ', now => now() + interval ''2 hours'''),
    ('expired key', pg_temp.tok('kc-expired', 'expired-expired-expired-expired-'), ''),
    ('expired key, 90 minutes ago', pg_temp.tok('kc-expired', 'expired-expired-expired-expired-'),
     ', now => now() - interval ''90 minutes'''),
    ('expired key, no kid', pg_temp.tok(NULL, 'expired-expired-expired-expired-'), '')
) AS c(why, token, args);

-- Without kid: the newest 16 usable keys of the token's algorithm. 17
-- more HS256 keys, each newer than the last: the oldest of them is the 17th.
TRUNCATE jwt.keys;
INSERT INTO jwt.keys (kid, algorithm, private_jwk, created_at)
SELECT 'n-' || i, 'HS256',
       jsonb_build_object('kty', 'oct', 'kid', 'n-' || i,
                          'k', jwt.url_encode(convert_to(rpad('secret-' || i, 32, '-'), 'UTF8'))),
       now() - interval '1 hour' + i * interval '1 minute'
FROM generate_series(1, 17) AS i;
SELECT i AS key, jwt.is_valid(pg_temp.tok(NULL, rpad('secret-' || i, 32, '-'))) AS no_kid,
       jwt.is_valid(pg_temp.tok('n-' || i, rpad('secret-' || i, 32, '-'))) AS with_kid
FROM generate_series(1, 17) AS i WHERE i IN (1, 2, 16, 17);
-- A token algorithm without keys: not allowed (the keyring's algorithms).
SELECT pg_temp.err(format('SELECT jwt.validate(%L)',
                          jwt.sign('{}', repeat('x', 64), 'HS512')), true) AS hs512;

-- Parallel workers read the keyring and the revocation list too (with a
-- snapshot of their own: PostgreSQL's latest-snapshot call is refused there).
-- The tokens are literals: pg_temp functions would keep the query in the leader.
SELECT pg_temp.tok('n-17', rpad('secret-17', 32, '-')) AS t17,
       pg_temp.tok('n-16', rpad('secret-16', 32, '-')) AS t16,
       pg_temp.tok('n-17', rpad('secret-17', 32, '-'), '{"sub":"a","jti":"kc-jti"}') AS t17_revoked,
       pg_temp.tok('n-16', rpad('secret-16', 32, '-'), '{"sub":"a","jti":"kc-other"}') AS t16_other \gset
-- debug_parallel_query, named force_parallel_mode before PostgreSQL 16.
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000
            THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END AS parallel_mode_setting \gset
SET :parallel_mode_setting = on;
EXPLAIN (COSTS OFF) SELECT jwt.is_valid(:'t17');
SELECT jwt.is_valid(:'t17') AS in_worker;
SELECT jwt.revoke('kc-jti', now() + interval '1 day');
SELECT jwt.is_valid(:'t17_revoked') AS revoked_in_worker, jwt.is_valid(:'t16_other') AS other_in_worker;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT jwt.is_valid(:'t16') AS rr_in_worker;
UPDATE jwt.keys SET active = false WHERE kid = 'n-16';
SELECT jwt.is_valid(:'t16') AS rr_withdrawn_in_worker;
ROLLBACK;
SELECT jwt.is_valid(:'t16') AS after_rollback_in_worker;
RESET :parallel_mode_setting;

TRUNCATE jwt.keys, jwt.revoked;

-- The extension dropped and created again in this backend: the new tables
-- are found (the backend forgets the old tables' OIDs on their invalidation).
DROP EXTENSION pg_jwt;
CREATE EXTENSION pg_jwt;
SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'kc-again') AS kid;
SELECT jwt.is_valid(pg_temp.tok('kc-again')) AS after_recreate,
       jwt.is_valid(pg_temp.tok('kc-again', claims => '{"sub":"a","jti":"j"}')) AS probe_after_recreate;
SELECT jwt.revoke('j', now() + interval '1 day');
SELECT jwt.is_valid(pg_temp.tok('kc-again', claims => '{"sub":"a","jti":"j"}')) AS revoked_after_recreate;
TRUNCATE jwt.keys, jwt.revoked;

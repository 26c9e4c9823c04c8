-- pg_jwt asymmetric benchmark: the data. Run by test/bench/asymmetric with
-- psql variables
--   :load          a file of \copy commands (written by the script) that fill
--                  bench.source from raw_openssl's reference rows
--   :rs_pub :rs_priv :p256_pub :p256_priv :p384_pub :p384_priv :ed_pub :ed_priv
--                  the PEM texts of test/keys (without their final newline,
--                  which is put back here)
--   :v_rs256 ... :s_eddsa   rows of each verify (v_) and sign (s_) case
--   :cache_rows    rows of each key-cache case
--
-- Reference tokens are made by raw_openssl with OpenSSL directly, not by
-- pg_jwt. Row i has the claims (160 bytes)
--   {"iss":"https://auth.example.com","sub":"user-<i>","aud":"pg_jwt-bench",
--    "role":"member","email":"user-<i>@example.com","iat":1700000000,"exp":4102444800}
-- and the header {"alg":"<ALG>","typ":"JWT"}.
--
-- One table per case, holding only the columns its queries read, text stored
-- PLAIN (in line, uncompressed: a 1.7 kB RSA private key next to a token would
-- otherwise be compressed, and every row would pay a decompression that is
-- neither pg_jwt's work nor in the floor).

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS pg_jwt;

CREATE SCHEMA bench;

CREATE TABLE bench.source (alg text NOT NULL, claims text NOT NULL, tok text NOT NULL);
\i :load
ALTER TABLE bench.source ADD COLUMN i int;
UPDATE bench.source SET i = substring(claims FROM '"sub":"user-([0-9]+)"')::int;

CREATE TABLE bench.keys (alg text PRIMARY KEY, pub text NOT NULL, priv text NOT NULL);
INSERT INTO bench.keys VALUES
    ('RS256', :'rs_pub' || E'\n', :'rs_priv' || E'\n'),
    ('PS256', :'rs_pub' || E'\n', :'rs_priv' || E'\n'),
    ('ES256', :'p256_pub' || E'\n', :'p256_priv' || E'\n'),
    ('ES384', :'p384_pub' || E'\n', :'p384_priv' || E'\n'),
    ('EdDSA', :'ed_pub' || E'\n', :'ed_priv' || E'\n');

-- The algorithms, their row counts, and whether a signature is deterministic
-- (RSASSA-PKCS1-v1_5 and EdDSA are; PSS and ECDSA are randomised).
CREATE TABLE bench.algs (
    ord int PRIMARY KEY,
    alg text NOT NULL UNIQUE,
    verify_rows int NOT NULL,
    sign_rows int NOT NULL,
    deterministic boolean NOT NULL
);
INSERT INTO bench.algs VALUES
    (1, 'RS256', :v_rs256, :s_rs256, true),
    (2, 'PS256', :v_ps256, :s_ps256, false),
    (3, 'ES256', :v_es256, :s_es256, false),
    (4, 'ES384', :v_es384, :s_es384, false),
    (5, 'EdDSA', :v_eddsa, :s_eddsa, true);

DO $$
DECLARE
    nrows bigint;
    need bigint;
    a record;
BEGIN
    FOR a IN SELECT * FROM bench.algs LOOP
        SELECT count(*) INTO nrows FROM bench.source WHERE alg = a.alg;
        need := greatest(a.verify_rows, a.sign_rows);
        IF nrows < need THEN
            RAISE EXCEPTION 'bench.source has % rows for %, % needed', nrows, a.alg, need;
        END IF;
    END LOOP;
END
$$;

-- The cases: each query returns one count that must equal its rows. A floor
-- is a bare scan of the same table reading the same columns and making the
-- same result comparison with stored values.
CREATE TABLE bench.cases (
    ord int PRIMARY KEY,
    name text NOT NULL UNIQUE,
    alg text,
    op text,              -- verify, sign, cache_hit, cache_miss; NULL for a floor
    floor text,           -- the case whose time is subtracted; NULL for a floor
    rows bigint NOT NULL, -- the count the query must return
    query text NOT NULL,
    warm text             -- run untimed just before the query (see run_round)
);

-- A table with the given columns, all text stored PLAIN, filled by a query.
CREATE FUNCTION bench.make_table(tab text, columns text, fill text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    col text;
BEGIN
    EXECUTE format('CREATE TABLE bench.%I (%s)', tab, columns);
    FOR col IN SELECT attname FROM pg_attribute
               WHERE attrelid = ('bench.' || tab)::regclass AND attnum > 0 AND NOT attisdropped
                 AND atttypid IN ('text'::regtype, 'json'::regtype) LOOP
        EXECUTE format('ALTER TABLE bench.%I ALTER COLUMN %I SET STORAGE PLAIN', tab, col);
    END LOOP;
    EXECUTE format('INSERT INTO bench.%I %s', tab, fill);
END
$$;

DO $$
DECLARE
    a record;
    v text;
    s text;
    ord int := 0;
BEGIN
    FOR a IN SELECT * FROM bench.algs ORDER BY ord LOOP
        -- jwt.verify(tok, key, alg): the public key, the same text on every row
        v := 'v_' || lower(a.alg);
        PERFORM bench.make_table(v, 'key text, tok text', format(
            $f$SELECT k.pub, s.tok FROM bench.source s JOIN bench.keys k USING (alg)
               WHERE s.alg = %L AND s.i <= %s ORDER BY s.i$f$, a.alg, a.verify_rows));
        INSERT INTO bench.cases VALUES
            (ord + 1, 'floor_' || v, a.alg, NULL, NULL, a.verify_rows,
             format('SELECT count(*) FILTER (WHERE key IS NOT NULL AND tok IS NOT NULL) FROM bench.%I', v)),
            (ord + 2, 'verify_' || a.alg, a.alg, 'verify', 'floor_' || v, a.verify_rows,
             format('SELECT count(*) FILTER (WHERE (jwt.verify(tok, key, %L)).valid) FROM bench.%I', a.alg, v));
        -- jwt.sign(payload, key, alg): the private key, the same text on every
        -- row. A deterministic signature must equal the reference token byte
        -- for byte; a randomised one must carry the reference header and
        -- payload (its signature is checked untimed: every one verifies).
        s := 's_' || lower(a.alg);
        -- prefix: a LIKE pattern of the reference header.payload. (its "_"
        -- escaped): starts_with() walks the text character by character in a
        -- UTF-8 database (pg_mblen, about 2 us a row here, in the floor and in
        -- the case alike), which adds noise and nothing else; LIKE compares
        -- bytes.
        PERFORM bench.make_table(s, 'key text, payload json, tok text, prefix text', format(
            $f$SELECT k.priv, s.claims::json, s.tok,
                      replace(left(s.tok, length(s.tok) - length(split_part(s.tok, '.', 3))), '_', '\_') || '%%'
               FROM bench.source s JOIN bench.keys k USING (alg)
               WHERE s.alg = %L AND s.i <= %s ORDER BY s.i$f$, a.alg, a.sign_rows));
        IF a.deterministic THEN
            INSERT INTO bench.cases VALUES
                (ord + 3, 'floor_' || s, a.alg, NULL, NULL, a.sign_rows,
                 format('SELECT count(*) FILTER (WHERE key IS NOT NULL AND payload IS NOT NULL AND tok = tok) FROM bench.%I', s)),
                (ord + 4, 'sign_' || a.alg, a.alg, 'sign', 'floor_' || s, a.sign_rows,
                 format('SELECT count(*) FILTER (WHERE jwt.sign(payload, key, %L) = tok) FROM bench.%I', a.alg, s));
        ELSE
            INSERT INTO bench.cases VALUES
                (ord + 3, 'floor_' || s, a.alg, NULL, NULL, a.sign_rows,
                 format('SELECT count(*) FILTER (WHERE key IS NOT NULL AND payload IS NOT NULL AND tok LIKE prefix) FROM bench.%I', s)),
                (ord + 4, 'sign_' || a.alg, a.alg, 'sign', 'floor_' || s, a.sign_rows,
                 format('SELECT count(*) FILTER (WHERE jwt.sign(payload, key, %L) LIKE prefix) FROM bench.%I', a.alg, s));
        END IF;
        ord := ord + 4;
    END LOOP;
END
$$;

-- The key cache (issue 3 item 3): RS256 and ES256 verification with the PEM
-- public key passed on every row. c_*_hit: the same key text on every row, so
-- every call after the first finds the parsed key in the cache. c_*_miss: the
-- same key with a different whitespace tail on every row (after the PEM's
-- final newline, a string of spaces and newlines spelling the row number in
-- binary), which the PEM reader accepts but which makes every row's key text
-- distinct; the cache is keyed on the exact text, so every call parses the
-- PEM again. Both tables hold the same tokens and keys of the same length;
-- the hit table's tail is all spaces (binary 0, a number no row has).
CREATE FUNCTION bench.key_tail(n int, width int) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    RETURN (SELECT string_agg(CASE WHEN (n >> b) & 1 = 1 THEN E'\n' ELSE ' ' END, '' ORDER BY b)
            FROM generate_series(0, width - 1) AS b);

SET bench.cache_rows = :cache_rows;
DO $$
DECLARE
    nrows int := current_setting('bench.cache_rows')::int;
    width int := greatest(11, ceil(log(2, nrows + 1))::int);
    a text;
    t text;
    ord int := 100;
BEGIN
    FOREACH a IN ARRAY ARRAY['RS256', 'ES256'] LOOP
        IF (SELECT count(*) FROM bench.source WHERE alg = a) < nrows THEN
            RAISE EXCEPTION 'bench.source has fewer than % rows for %', nrows, a;
        END IF;
        FOREACH t IN ARRAY ARRAY['hit', 'miss'] LOOP
            PERFORM bench.make_table(format('c_%s_%s', lower(a), t), 'key text, tok text', format(
                $f$SELECT k.pub || bench.key_tail(CASE %L WHEN 'hit' THEN 0 ELSE s.i END, %s), s.tok
                   FROM bench.source s JOIN bench.keys k USING (alg)
                   WHERE s.alg = %L AND s.i <= %s ORDER BY s.i$f$, t, width, a, nrows));
            INSERT INTO bench.cases VALUES
                (ord + 1, format('floor_c_%s_%s', lower(a), t), a, NULL, NULL, nrows,
                 format('SELECT count(*) FILTER (WHERE key IS NOT NULL AND tok IS NOT NULL) FROM bench.c_%s_%s', lower(a), t)),
                (ord + 2, format('cache_%s_%s', t, a), a, 'cache_' || t, format('floor_c_%s_%s', lower(a), t), nrows,
                 format('SELECT count(*) FILTER (WHERE (jwt.verify(tok, key, %L)).valid) FROM bench.c_%s_%s', a, lower(a), t));
            ord := ord + 2;
        END LOOP;
    END LOOP;
END
$$;

-- Set hint bits and the visibility map now, not during the first timed scan.
SELECT format('VACUUM (FREEZE, ANALYZE) bench.%I', relname)
FROM pg_class
WHERE relnamespace = 'bench'::regnamespace AND relkind = 'r' AND relname ~ '^(v|s|c)_'
ORDER BY relname \gexec

-- The key a cached-key case uses is put back into the key cache, untimed,
-- before each timing: the cache_miss cases parse 128 and more distinct key
-- texts per round, which evict it from the backend's LRU cache, and the next
-- round's first row would otherwise pay a parse (for an RSA private key about
-- 2 ms, 3 % of a 100-row RS256 sign case). The warm query is the case's
-- expression on the table's first row.
UPDATE bench.cases
SET warm = regexp_replace(query, '^SELECT count\(\*\) FILTER \(WHERE (.*)\) FROM (bench\.\S+)$',
                          'SELECT \1 FROM \2 LIMIT 1')
WHERE op IN ('verify', 'sign', 'cache_hit');
DO $$
BEGIN
    IF EXISTS (SELECT FROM bench.cases WHERE op IN ('verify', 'sign', 'cache_hit')
                                         AND (warm IS NULL OR warm = query)) THEN
        RAISE EXCEPTION 'a cached-key case has no warm-up query';
    END IF;
END
$$;

\ir timing.sql

-- raw_openssl's lines: round, name (raw_verify_RS256, ...), operations, wall
-- and on-CPU seconds of the timed loop.
CREATE TABLE bench.raw_timings (
    rep int NOT NULL,
    name text NOT NULL,
    ops bigint NOT NULL,
    seconds double precision NOT NULL,
    cpu_seconds double precision NOT NULL
);

-- One case of a round: its warm-up, if any, and its timing.
CREATE FUNCTION bench.run_case(rep int, c bench.cases) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF c.warm IS NOT NULL THEN
        EXECUTE c.warm;
    END IF;
    PERFORM bench.time_query(c.name, rep, c.query, c.rows);
END
$$;

-- A throughput case's part of a round: its floor, then the case. The script
-- runs raw_openssl's same operation just before or just after.
CREATE FUNCTION bench.run_pair(rep int, case_name text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    c bench.cases;
    f bench.cases;
BEGIN
    SELECT * INTO STRICT c FROM bench.cases WHERE name = case_name AND op IN ('verify', 'sign');
    SELECT * INTO STRICT f FROM bench.cases WHERE name = c.floor;
    PERFORM bench.run_case(rep, f);
    PERFORM bench.run_case(rep, c);
END
$$;

-- The key-cache cases of a round, each after its floor.
CREATE FUNCTION bench.run_key_cache(rep int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    c bench.cases;
BEGIN
    FOR c IN SELECT * FROM bench.cases
             WHERE op LIKE 'cache\_%' OR name IN (SELECT floor FROM bench.cases WHERE op LIKE 'cache\_%')
             ORDER BY ord LOOP
        PERFORM bench.run_case(rep, c);
    END LOOP;
END
$$;

-- Every case has its place in a round.
DO $$
BEGIN
    IF EXISTS (SELECT FROM bench.cases c
               WHERE c.op IS NULL
                 AND NOT EXISTS (SELECT FROM bench.cases d WHERE d.floor = c.name)) OR
       EXISTS (SELECT FROM bench.cases WHERE op NOT IN ('verify', 'sign', 'cache_hit', 'cache_miss')) THEN
        RAISE EXCEPTION 'a case would not be timed';
    END IF;
END
$$;

-- pg_jwt benchmark: the data. Run by test/bench/run with psql variables
-- :rows (row count) and :secret (the HMAC secret, the same on every row).
--
-- Every table is built from the same logical rows: row i has the claims
--   {"sub":"user-<i, 7 digits>","role":"member","exp":4102444800}
-- (55 bytes), signed with HS256 by pgcrypto, not by pg_jwt, so that the
-- tokens are an independent reference (~155 bytes each).
--
-- One table per measured function, each holding only the columns its queries
-- touch: a sequential scan of a table larger than shared_buffers/4 goes
-- through a 256 KiB ring of buffers and re-reads every page from the kernel
-- on every scan, which would add noise to both the query and its floor.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS pg_jwt;

CREATE SCHEMA bench;

-- base64url without padding, in plain SQL (pgcrypto only provides hmac).
CREATE FUNCTION bench.b64url(data bytea) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    RETURN rtrim(translate(encode(data, 'base64'), E'+/\n', '-_'), '=');

CREATE TABLE bench.source AS
SELECT i,
       :'secret'::text AS key,
       format('{"sub":"user-%s","role":"member","exp":4102444800}', lpad(i::text, 7, '0')) AS claims
FROM generate_series(1, :rows) AS i;

ALTER TABLE bench.source
    ADD COLUMN signing_input text,
    ADD COLUMN mac bytea,
    ADD COLUMN tok text;

UPDATE bench.source
SET signing_input = bench.b64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8'))
                    || '.' || bench.b64url(convert_to(claims, 'UTF8'));
UPDATE bench.source SET mac = hmac(signing_input, key, 'sha256');
UPDATE bench.source SET tok = signing_input || '.' || bench.b64url(mac);

-- jwt.verify(tok, key)
CREATE TABLE bench.tokens AS SELECT key, tok FROM bench.source ORDER BY i;
-- jwt.sign(payload, key), checked against the reference token
CREATE TABLE bench.payloads AS SELECT key, claims::json AS payload, tok FROM bench.source ORDER BY i;
-- pgcrypto's hmac(signing_input, key, 'sha256'), checked against the reference tag
CREATE TABLE bench.inputs AS SELECT key, signing_input, mac FROM bench.source ORDER BY i;

-- Set hint bits and the visibility map now, not during the first timed scan.
VACUUM (FREEZE, ANALYZE) bench.tokens, bench.payloads, bench.inputs;

-- The measurements. Each query returns one count that must equal :rows; a
-- floor is a bare scan of the same table reading the same columns. Where a
-- case checks its result against a stored column (sign: text =, hmac:
-- bytea =), its floor makes the same comparison of that column with itself,
-- so that the net time is the function's alone. (Inside an aggregate's
-- FILTER, "x = x" is evaluated as written; only a WHERE clause would turn it
-- into "x IS NOT NULL".)
CREATE TABLE bench.cases (
    ord int PRIMARY KEY,
    name text NOT NULL UNIQUE,
    floor text,            -- the case whose time is subtracted; NULL for a floor
    query text NOT NULL
);
INSERT INTO bench.cases VALUES
 (1, 'floor_tokens',   NULL,
     $q$SELECT count(*) FILTER (WHERE key IS NOT NULL AND tok IS NOT NULL) FROM bench.tokens$q$),
 (2, 'verify_select',  'floor_tokens',
     $q$SELECT count(*) FILTER (WHERE (jwt.verify(tok, key)).valid) FROM bench.tokens$q$),
 (3, 'verify_lateral', 'floor_tokens',
     $q$SELECT count(*) FROM bench.tokens t, LATERAL jwt.verify(t.tok, t.key) v WHERE v.valid$q$),
 -- Not a target: the LATERAL form reading the payload as well as valid.
 (4, 'verify_lateral_payload', 'floor_tokens',
     $q$SELECT count(v.payload) FROM bench.tokens t, LATERAL jwt.verify(t.tok, t.key) v WHERE v.valid$q$),
 -- Not a target: what a LATERAL call costs PostgreSQL by itself as a
 -- Function Scan (which materialises each call's result in a tuplestore),
 -- measured with a trivial built-in function.
 (5, 'lateral_builtin', 'floor_tokens',
     $q$SELECT count(*) FROM bench.tokens t, LATERAL octet_length(t.tok) n WHERE n > 0$q$),
 (6, 'floor_payloads', NULL,
     $q$SELECT count(*) FILTER (WHERE key IS NOT NULL AND payload IS NOT NULL AND tok = tok) FROM bench.payloads$q$),
 (7, 'sign',           'floor_payloads',
     $q$SELECT count(*) FILTER (WHERE jwt.sign(payload, key) = tok) FROM bench.payloads$q$),
 (8, 'floor_inputs',   NULL,
     $q$SELECT count(*) FILTER (WHERE key IS NOT NULL AND signing_input IS NOT NULL AND mac = mac) FROM bench.inputs$q$),
 (9, 'hmac',           'floor_inputs',
     $q$SELECT count(*) FILTER (WHERE hmac(signing_input, key, 'sha256') = mac) FROM bench.inputs$q$);

-- pgjwt 0.2.0, when test/bench/run loaded it (schema pgjwt): the same
-- three forms over the same rows and floors. pgjwt.verify returns a set, which
-- a FILTER clause does not take, so its select-list form counts from a
-- sub-select.
\if :pgjwt
INSERT INTO bench.cases VALUES
 (10, 'pgjwt_verify_select',  'floor_tokens',
     $q$SELECT count(*) FILTER (WHERE v) FROM (SELECT (pgjwt.verify(tok, key)).valid AS v FROM bench.tokens) s$q$),
 (11, 'pgjwt_verify_lateral', 'floor_tokens',
     $q$SELECT count(*) FROM bench.tokens t, LATERAL pgjwt.verify(t.tok, t.key) v WHERE v.valid$q$),
 (12, 'pgjwt_sign',           'floor_payloads',
     $q$SELECT count(*) FILTER (WHERE pgjwt.sign(payload, key) = tok) FROM bench.payloads$q$);
\endif

\ir timing.sql

--
-- hardening: the 1.0.1 security fixes of the glue and the core, each as the
-- attack it stops. Rows with many columns of one claim name (an
-- unprivileged role crashed the server); results larger than a PostgreSQL
-- value (the error skipped a C++ destructor and kept 1 GB a call); key sets
-- bounded in keys and bytes, and long key work that stops on
-- statement_timeout; RSA public exponents bounded; a refused huge payload
-- leaves no memory behind; control characters from tokens, keys and
-- arguments escaped in messages. Backend memory is read from
-- /proc/<pid>/status (VmRSS) as superuser.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE FUNCTION pg_temp.rss_mb() RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
                         'VmRSS:\s+(\d+) kB'))[1]::bigint / 1024
$$;
-- b64(text): base64url of the UTF-8 text, built without pg_jwt.
CREATE FUNCTION pg_temp.b64(data text) RETURNS text LANGUAGE sql AS
$$ SELECT rtrim(translate(encode(convert_to(data, 'UTF8'), 'base64'), E'+/\n', '-_'), '=') $$;

-- sign_columns(names): jwt.sign of a row with one column (a timestamptz)
-- for each name, through dynamic SQL.
CREATE FUNCTION pg_temp.sign_columns(names text[]) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    token text;
BEGIN
    EXECUTE format('SELECT jwt.sign(s, %L) FROM (SELECT %s FROM (SELECT now() AS e) x) s',
                   'a-32-byte-or-longer-server-secret!!',
                   (SELECT string_agg('e AS ' || quote_ident(n), ', ') FROM unnest(names) AS n))
        INTO token;
    RETURN token;
END
$f$;

DROP ROLE IF EXISTS regress_jwt_hardening;
CREATE ROLE regress_jwt_hardening LOGIN;

-- 1. A row payload with many columns of one claim name ------------------------
-- jwt.sign kept room for three exp/nbf/iat replacements and wrote one per
-- column so named: 4 columns wrote past it, 16 to 150 failed oddly, 400
-- crashed the server. Any role can do this; here an unprivileged one.
SET SESSION AUTHORIZATION regress_jwt_hardening;
-- The report's statement, 400 columns named exp: a duplicate member name (22023).
SELECT format('SELECT jwt.sign(s, %L) FROM (SELECT %s FROM (SELECT now() AS e) x) s',
              'a-32-byte-or-longer-server-secret!!', string_agg('e AS exp', ', '))
FROM generate_series(1, 400) \gexec
-- 4, 16 and 150 columns named exp; 1,000 columns named exp, nbf, iat in turn.
SELECT pg_temp.sign_columns(array_fill('exp'::text, ARRAY[4]));
SELECT pg_temp.sign_columns(array_fill('exp'::text, ARRAY[16]));
SELECT pg_temp.sign_columns(array_fill('exp'::text, ARRAY[150]));
SELECT pg_temp.sign_columns((SELECT array_agg((ARRAY['exp', 'nbf', 'iat'])[g % 3 + 1])
                             FROM generate_series(1, 1000) AS g));
-- A NULL or a text column of one of those names is a duplicate just the same.
SELECT jwt.sign(s, 'a-32-byte-or-longer-server-secret!!')
FROM (SELECT NULL::timestamptz AS exp, now() AS exp) s;
SELECT jwt.sign(s, 'a-32-byte-or-longer-server-secret!!')
FROM (SELECT now() AS iat, 'x' AS iat) s;
-- Duplicate columns of any other name are refused alike.
SELECT jwt.sign(s, 'a-32-byte-or-longer-server-secret!!') FROM (SELECT 1 AS a, 2 AS a) s;
-- One of each still becomes NumericDates.
SELECT jwt.decode(jwt.sign(s, 'a-32-byte-or-longer-server-secret!!')) AS decoded
FROM (SELECT '2026-01-01 00:00:00+00'::timestamptz AS exp, '2025-12-31'::date AS nbf,
             '2025-12-31 12:00:00.25+00'::timestamptz AS iat, 'alice' AS sub) s;
-- The backend is still here.
SELECT 'alive' AS backend;
RESET SESSION AUTHORIZATION;

-- 2. Results larger than a PostgreSQL value ------------------------------------
-- base64url of 810,000,000 bytes has 1,080,000,000 characters, more than a
-- value holds: palloc raised inside the C++ work and the error skipped the
-- destructor of the 1 GB string (backend memory 14 MB -> 3.2 GB after three
-- calls). Now the size is checked first: 54000, and memory stays flat.
SELECT pg_temp.rss_mb() AS rss_before \gset
SELECT jwt.url_encode(repeat('a', 810000000)::bytea);
SELECT jwt.url_encode(repeat('a', 810000000)::bytea);
SELECT jwt.url_encode(repeat('a', 810000000)::bytea);
SELECT pg_temp.rss_mb() - :rss_before < 100 AS url_encode_memory_flat;
-- The largest input that fits is not refused by its size (its base64url
-- text has 1,073,741,819 characters; not run here: 2 GB of memory).
-- Large values are encoded and decoded in chunks: the same text as
-- PostgreSQL's base64, and back, across the 12 MiB chunk boundary.
SELECT jwt.url_encode(b) = rtrim(translate(encode(b, 'base64'), E'+/\n', '-_'), '=') AS same_text,
       jwt.url_decode(jwt.url_encode(b)) = b AS round_trip, length(jwt.url_encode(b)) AS chars
FROM (SELECT decode(repeat('00ff7f10', 5000000), 'hex') || '\x01'::bytea AS b) AS x;
-- A character outside the alphabet in the second chunk.
SELECT jwt.url_decode(repeat('A', 16 * 1024 * 1024) || '+AAA');

-- 3. Key sets are bounded; long key work stops on statement_timeout -------------
\set ec_priv `cat test/keys/ec_p256.pem`
SELECT public_jwk - 'kid' - 'alg' - 'use' AS ec_jwk
FROM jwt._import_key_entry(:'ec_priv', 'ES256', 'x') \gset
SELECT jwt.sign('{"sub":"x"}', :'ec_priv', 'ES256') AS es_token \gset
-- 20,000 keys took 8 s to import, and statement_timeout acted only at the
-- end. Now a key set has at most 64 keys and 1 MiB: 54000 at once.
SET statement_timeout = '200ms';
SELECT clock_timestamp() AS t0 \gset
SELECT (jwt.verify(:'es_token', jsonb_build_object('keys', jsonb_agg(:'ec_jwk'::jsonb || jsonb_build_object('kid', 'k' || g))), 'ES256')).valid
FROM generate_series(1, 20000) AS g;
SELECT clock_timestamp() - :'t0'::timestamptz < interval '1 second' AS refused_at_once;
RESET statement_timeout;
-- 64 keys are accepted; 65 are not.
SELECT (jwt.verify(:'es_token', jsonb_build_object('keys', jsonb_agg(:'ec_jwk'::jsonb || jsonb_build_object('kid', 'k' || g))), 'ES256')).valid AS kidless_64
FROM generate_series(1, 64) AS g;
SELECT jwt.is_valid(:'es_token', (jsonb_build_object('keys', jsonb_agg(:'ec_jwk'::jsonb || jsonb_build_object('kid', 'k' || g))))::text)
FROM generate_series(1, 65) AS g;
-- Key material is at most 1 MiB (a secret too).
SELECT jwt.sign('{}', repeat('s', 1024 * 1024 + 1));
SELECT jwt.thumbprint(jsonb_build_object('kty', 'oct', 'k', repeat('A', 1024 * 1024)));
-- The slowest key set within the bounds: 64 RSA-8192 private keys, each
-- checked by a test signature (about 40 ms) when imported. The import stops
-- between keys when the statement times out, well within a second.
\set rsa8192 `cat test/keys/rsa8192.pem`
SELECT jsonb_build_object('keys', jsonb_agg(private_jwk || jsonb_build_object('kid', 'k' || g))) AS rsa_set
FROM jwt._import_key_entry(:'rsa8192', 'RS256', 'k'), generate_series(1, 64) AS g \gset
SELECT jwt.sign('{"sub":"x"}', :'rsa8192', 'RS256') AS rs_token \gset
SET statement_timeout = '200ms';
SELECT clock_timestamp() AS t0 \gset
SELECT (jwt.verify(:'rs_token', :'rsa_set'::jsonb, 'RS256')).valid;
SELECT clock_timestamp() - :'t0'::timestamptz < interval '700 ms' AS stopped_in_time;
RESET statement_timeout;
-- Without the timeout the same set is accepted (it takes about 3 s).
SELECT (jwt.verify(:'rs_token', :'rsa_set'::jsonb, 'RS256')).valid AS valid_with_64_keys;

-- The lists of jwt.validate are bounded too: each required claim was looked
-- for among every member of the payload (4,000 members and a million names
-- ran for seconds, deaf to statement_timeout). At most 64 elements: 54000.
SELECT jwt.sign(('{' || string_agg(format('"m%s":0', g), ',') || '}')::json,
                'a-32-byte-or-longer-server-secret!!') AS wide_token
FROM generate_series(1, 4000) AS g \gset
SET statement_timeout = '1s';
SELECT jwt.validate(:'wide_token', 'a-32-byte-or-longer-server-secret!!',
                    required => array_fill('x'::text, ARRAY[1000000]));
RESET statement_timeout;
SELECT jwt.is_valid(:'wide_token', 'a-32-byte-or-longer-server-secret!!',
                    algorithms => array_fill('HS256'::text, ARRAY[65]));
SELECT jwt.validate(:'wide_token', 'a-32-byte-or-longer-server-secret!!',
                    required => array_fill('m1'::text, ARRAY[64])) ->> 'm4000' AS required_64;

-- 4. RSA public exponents below 2^32 -------------------------------------------
-- A 3072-bit key with a 3070-bit public exponent (test/keys/README.md) made
-- each verification cost 15-18 ms. Refused wherever a key is imported.
\set big_e_pub `cat test/keys/rsa3072-big-exponent.pub.pem`
\set big_e_priv `cat test/keys/rsa3072-big-exponent.pem`
\set big_e_token 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJiaWctZXhwb25lbnQifQ.zYa1QF5Nq4uTACFdHVBxdXkNZ87pkytciQ84fHWhx-doesDw5SsDHXYJa_qXREAH-PhQyN9QFGdSfF5guw8di-s9z72FzbCW_ERCQ_Jx9DwSCC3aEEaYlNWPznNr0mas4re1qqqJ0UkSgSArXl4t31FYf3p3CLnugCWSqL8JXN2abGW26bQjORuYUulvaBekzVwXdYAk7xwM1b-upeKrR4QSlwB07Bc5CgFLR9g8OilvY4ADXK0cwSTh95GZIfuAKRz0h5bcABwO5wV2QmABn_RniNdO4K0r6MAJepP8z6y1esnGlryxGJRJmX4FH-kGywTqISXeGilJadKvFoWX2mM3SLCcwgiMEt8BN-DnP7ocog_C1eMACt6h1SYzp7Pz7uOIEBBKj7xsam1RpIXvZkeSv8E5cPJO4M4TCcyafk391DrWxacMd8kHr80Kv4AbSF1SRvY6BcfFo4A4TGejS7wBI15Aqt8BnO2s1pyUEscQnXoTlX1moKDxDeym0-AJ'
SELECT (jwt.verify(:'big_e_token', :'big_e_pub', 'RS256')).valid;
SELECT jwt.validate(:'big_e_token', :'big_e_pub');
SELECT jwt.sign('{"sub":"x"}', :'big_e_priv', 'PS256');
SELECT jwt.add_key(:'big_e_pub', 'RS256', 'big-exponent');
SELECT jwt.add_key(:'big_e_priv', 'RS256', 'big-exponent');
SELECT count(*) AS stored FROM jwt.keys WHERE kid = 'big-exponent';
-- Moduli are bounded on import as well (at most 16384 bits), before a
-- private key's self-test signature: a 20000-bit modulus took 4 s inside
-- OpenSSL, deaf to statement_timeout, and key text may hold 1 MiB (about
-- 6 million bits: hours).
SELECT jsonb_build_object('kty', 'RSA', 'e', 'AQAB',
                          'n', jwt.url_encode(decode(repeat('ff', 2500), 'hex')),
                          'd', jwt.url_encode(decode(repeat('7f', 2499), 'hex'))) AS big_rsa \gset
SET statement_timeout = '1s';
SELECT jwt.sign('{}', :'big_rsa'::text, 'RS256');
SELECT jwt.verify(:'big_e_token', :'big_rsa'::jsonb, 'RS256');
RESET statement_timeout;

-- Found by test/sqlfuzz: a NULL rsa_bits made jwt.generate_key insert a
-- row of NULLs (23502); it is no size (22023 for RSA, unused otherwise).
SELECT jwt.generate_key('RS256', 'null-bits', NULL::integer);
SELECT jwt.generate_key('HS256', 'null-bits-hs', NULL::integer) AS kid;
DELETE FROM jwt.keys WHERE kid = 'null-bits-hs';

-- 5. A refused huge payload leaves no memory behind ----------------------------
-- About 650 MB stayed allocated after jwt.sign refused a 200 MB payload:
-- it was parsed, encoded and signed before its length was checked. Now it
-- is refused by its size first, and the core's buffers do not keep it.
SELECT pg_temp.rss_mb() AS rss_before \gset
SELECT jwt.sign('{"a":"' || repeat('x', 200000000) || '"}', 'a-32-byte-or-longer-server-secret!!');
SELECT jwt.sign(('{"a":"' || repeat('x', 200000000) || '"}')::json, 'a-32-byte-or-longer-server-secret!!');
SELECT jwt.sign('{}', 'a-32-byte-or-longer-server-secret!!', 'HS256', jsonb_build_object('x', repeat('x', 200000)));
-- A jsonb key is kept (with its text) for the next row: not one too large to use.
SELECT jwt.verify(:'es_token', jsonb_build_object('kty', 'oct', 'k', repeat('A', 200000000)), 'HS256');
SELECT pg_temp.rss_mb() - :rss_before < 100 AS sign_memory_flat;
-- Just past the size check, built and then refused by the token's length.
SELECT jwt.sign('{"a":"' || repeat('x', 100000) || '"}', 'a-32-byte-or-longer-server-secret!!');

-- 6. Control characters in messages are escaped --------------------------------
-- The header's alg and a duplicate member name reached DETAIL lines raw: a
-- carriage return, an escape sequence (ESC [2J clears a terminal) or a C1
-- control (U+0085, NEXT LINE) could forge or hide log lines. Each is now
-- shown as \r, \u001b, \u0085.
SELECT pg_temp.b64('{"alg":"HS256\r\u001b[2J\u0085","typ":"JWT"}') || '.eyJzdWIiOiJ4In0.c2ln' AS cr_alg_token,
       pg_temp.b64('{"alg":"HS256","a\r\u001b[2J\u0085":1,"a\r\u001b[2J\u0085":2}') || '.eyJzdWIiOiJ4In0.c2ln' AS dup_token \gset
-- The alg, through validate (28000) and is_valid; verify only says false.
SELECT jwt.validate(:'cr_alg_token', 'a-32-byte-or-longer-server-secret!!', ARRAY['HS256']);
SELECT jwt.is_valid(:'cr_alg_token', 'a-32-byte-or-longer-server-secret!!', ARRAY['HS256']) AS is_valid,
       (jwt.verify(:'cr_alg_token', 'a-32-byte-or-longer-server-secret!!')).valid AS verify_valid;
-- The duplicate member name, through decode, header, verify and validate (22P02).
SELECT jwt.decode(:'dup_token');
SELECT jwt.header(:'dup_token');
SELECT jwt.verify(:'dup_token', 'a-32-byte-or-longer-server-secret!!');
SELECT jwt.validate(:'dup_token', 'a-32-byte-or-longer-server-secret!!');
-- ... and in a payload, a key and an argument.
SELECT jwt.decode(pg_temp.b64('{"alg":"HS256"}') || '.' || pg_temp.b64(E'{"\\u001b]0;title\\u0007":1,"\\u001b]0;title\\u0007":2}') || '.c2ln');
SELECT jwt.verify(:'cr_alg_token', '{"keys":[{"kty":"oct","kid":"a\r\n","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"},{"kty":"oct","kid":"a\r\n","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}');
SELECT jwt.sign('{}', 'a-32-byte-or-longer-server-secret!!', E'HS\r256\u001b');
SELECT jwt.verify(:'es_token', '{"kty":"EC","crv":"P-256\u0085","x":"AA","y":"AA"}', 'ES256');
-- authenticate reads the token with the configured keys and policy.
SET pg_jwt.jwks = :'ec_jwk';
SELECT jwt.authenticate(:'dup_token');
SELECT jwt.authenticate(:'cr_alg_token');
-- A setting quoted in a message is escaped alike.
SET pg_jwt.role_claim_key = E'\r\x1b[2J';
SELECT jwt.authenticate(:'es_token');
RESET pg_jwt.role_claim_key;
RESET pg_jwt.jwks;

DROP ROLE regress_jwt_hardening;

--
-- verify: jwt.verify(token, key text|bytea, algorithm DEFAULT 'HS256') ->
-- (header json, payload json, valid boolean), pgjwt-compatible.
-- Who is at fault decides the outcome: a well-formed token that is not
-- acceptable (signature, alg, exp/nbf) gives valid = false; a malformed
-- token raises 22P02; a bad algorithm or key argument raises 22023.
--

\i test/regress/helpers.sql

-- Tokens are built here independently of pg_jwt: PostgreSQL's base64 with
-- the URL-safe alphabet, and pgcrypto's hmac.
CREATE FUNCTION pg_temp.b64(data bytea) RETURNS text LANGUAGE sql AS
$$ SELECT rtrim(translate(encode(data, 'base64'), E'+/\n', '-_'), '=') $$;
CREATE FUNCTION pg_temp.b64(data text) RETURNS text LANGUAGE sql AS
$$ SELECT pg_temp.b64(convert_to(data, 'UTF8')) $$;
-- tok(header, payload, secret, hash): a compact JWS over the exact texts.
CREATE FUNCTION pg_temp.tok(header text, payload text, secret text DEFAULT 'secret',
                            hash text DEFAULT 'sha256') RETURNS text LANGUAGE sql AS $$
    SELECT s || '.' || pg_temp.b64(hmac(convert_to(s, 'UTF8'), convert_to(secret, 'UTF8'), hash))
    FROM (SELECT pg_temp.b64(header) || '.' || pg_temp.b64(payload) AS s) AS x
$$;
-- tokb(header, payload bytes): the same with a raw payload (not UTF-8 checked).
CREATE FUNCTION pg_temp.tokb(header text, payload bytea) RETURNS text LANGUAGE sql AS $$
    SELECT s || '.' || pg_temp.b64(hmac(convert_to(s, 'UTF8'), 'secret'::bytea, 'sha256'))
    FROM (SELECT pg_temp.b64(header) || '.' || pg_temp.b64(payload) AS s) AS x
$$;

-- 1. Known vectors, and the ways to call verify ----------------------------------

-- pgjwt's test vector: header and payload come back byte-for-byte.
SELECT * FROM jwt.verify('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9.TJVA95OrM7E2cBab30RMHrHDcEfxjoYZgeFONFh7HgQ', 'secret');
-- The tutorial's token (https://flaviocopes.com/jwt/).
SELECT * FROM jwt.verify('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9.MQWECYWUT7bayj8miVgsj8KdYI3ZRVS-WRRZjfZrGrw', 'secretKey');
-- HS384 and HS512 vectors (signatures computed with openssl dgst -hmac).
SELECT header, valid FROM jwt.verify('eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9.DtVnCyiYCsCbg8gUP-579IC2GJ7P3CtFw6nfTTPw-0lZUzqgWAo9QIQElyxOpoRm', 'secret', 'HS384');
SELECT header, valid FROM jwt.verify('eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9.YI0rUGDq5XdRw8vW2sDLRNFMN8Waol03iSFH8I4iLzuYK7FKHaQYWzPt0BJFGrAmKJ6SjY0mJIMZqNQJFVpkuw', 'secret', 'HS512');

-- White space, member order and escapes inside header and payload are kept
-- exactly as signed (the columns are json, not jsonb).
SELECT header::text, payload::text, valid
FROM jwt.verify(pg_temp.tok('{ "typ" : "JWT", "alg" : "HS256" }',
                            '{"z": 1,   "a": "\u00e9\n", "n": 1.50}'), 'secret');

-- The call forms: a record column, field selection, and LATERAL over a table.
SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), 'secret') AS row_value;
SELECT (jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), 'secret')).valid AS valid,
       (jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), 'secret')).payload ->> 'a' AS a;
SELECT (jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), 'secret')).*;

CREATE TABLE tokens (id int PRIMARY KEY, token text, secret text, algorithm text);
INSERT INTO tokens VALUES
    (1, pg_temp.tok('{"alg":"HS256","typ":"JWT"}', '{"sub":"alice"}'), 'secret', 'HS256'),
    (2, pg_temp.tok('{"alg":"HS256","typ":"JWT"}', '{"sub":"bob"}', 'other'), 'secret', 'HS256'),
    (3, pg_temp.tok('{"alg":"HS512"}', '{"sub":"carol"}', 'k', 'sha512'), 'k', 'HS512'),
    (4, jwt.sign('{"sub":"dave","exp":1}', 'secret'), 'secret', 'HS256');
SELECT t.id, v.payload ->> 'sub' AS sub, v.valid
FROM tokens AS t, LATERAL jwt.verify(t.token, t.secret, t.algorithm) AS v
ORDER BY t.id;
-- Only the valid ones, as an RLS-style filter would.
SELECT t.id FROM tokens AS t WHERE (jwt.verify(t.token, t.secret, t.algorithm)).valid ORDER BY t.id;

-- Round trip with jwt.sign for each algorithm and both key types.
SELECT alg, (jwt.verify(jwt.sign('{"a":1}', 'k', alg), 'k', alg)).valid AS text_key,
       (jwt.verify(jwt.sign('{"a":1}', '\x00ff'::bytea, alg), '\x00ff'::bytea, alg)).valid AS bytea_key
FROM (VALUES ('HS256'), ('HS384'), ('HS512')) AS v(alg);

-- 2. valid = false: the signature or the alg -----------------------------------

SELECT why, (jwt.verify(token, 'secret', alg)).valid
FROM (VALUES
    ('correct', pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), 'HS256'),
    ('wrong secret', pg_temp.tok('{"alg":"HS256"}', '{"a":1}', 'Secret'), 'HS256'),
    ('tampered payload',
     split_part(pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), '.', 1) || '.' || pg_temp.b64('{"a":2}')
         || '.' || split_part(pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), '.', 3), 'HS256'),
    ('tampered header',
     pg_temp.b64('{"alg":"HS256","x":1}') || '.' || split_part(pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), '.', 2)
         || '.' || split_part(pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), '.', 3), 'HS256'),
    ('signature cut short', left(pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), -3), 'HS256'),
    ('empty signature', pg_temp.b64('{"alg":"HS256"}') || '.' || pg_temp.b64('{"a":1}') || '.', 'HS256'),
    ('HS384 token verified as HS256', pg_temp.tok('{"alg":"HS384"}', '{"a":1}', 'secret', 'sha384'), 'HS256'),
    ('HS256 token verified as HS384', pg_temp.tok('{"alg":"HS256"}', '{"a":1}'), 'HS384'),
    ('header says HS256, HMAC is SHA-384', pg_temp.tok('{"alg":"HS256"}', '{"a":1}', 'secret', 'sha384'), 'HS256'),
    ('header says HS384, verified as HS384', pg_temp.tok('{"alg":"HS384"}', '{"a":1}', 'secret', 'sha384'), 'HS384'),
    ('alg none, empty signature', pg_temp.b64('{"alg":"none","typ":"JWT"}') || '.' || pg_temp.b64('{"a":1}') || '.', 'HS256'),
    ('alg none, HMAC signature', pg_temp.tok('{"alg":"none"}', '{"a":1}'), 'HS256'),
    ('alg "hs256" (case)', pg_temp.tok('{"alg":"hs256"}', '{"a":1}'), 'HS256'),
    ('alg "HS256 " (space)', pg_temp.tok('{"alg":"HS256 "}', '{"a":1}'), 'HS256'),
    ('crit with an extension', pg_temp.tok('{"alg":"HS256","crit":["exp"],"exp":1}', '{"a":1}'), 'HS256'),
    ('crit empty', pg_temp.tok('{"alg":"HS256","crit":[]}', '{"a":1}'), 'HS256'),
    ('b64 false', pg_temp.tok('{"alg":"HS256","b64":false}', '{"a":1}'), 'HS256'),
    ('b64 true', pg_temp.tok('{"alg":"HS256","b64":true}', '{"a":1}'), 'HS256')
) AS v(why, token, alg);

-- The header and payload still come back for an invalid token (as pgjwt).
SELECT header::text, payload::text, valid
FROM jwt.verify(pg_temp.b64('{"alg":"none","typ":"JWT"}') || '.' || pg_temp.b64('{"admin":true}') || '.', 'secret');

-- 3. Time claims ------------------------------------------------------------------

-- exp and nbf are JSON numbers of seconds since 1970 (fractions allowed),
-- compared with the statement's start time; anything else is invalid. iat
-- is not compared with the clock here (pgjwt does not either), but it must
-- be a number within the years 1..9999 like the others. Numbers beyond the
-- double range (1e400) are valid JSON: such a token is invalid, not an error.
SELECT claims, (jwt.verify(pg_temp.tok('{"alg":"HS256"}', claims), 'secret')).valid
FROM (VALUES
    ('{"exp":4102444800}'),
    ('{"exp":4102444800.5}'),
    ('{"exp":4.1024448e9}'),
    ('{"exp":253402300799}'),
    ('{"nbf":1}'),
    ('{"nbf":0,"exp":4102444800}'),
    ('{"nbf":-1.5}'),
    ('{"exp":1}'),
    ('{"exp":1.5}'),
    ('{"exp":0}'),
    ('{"exp":-1}'),
    ('{"nbf":4102444800}'),
    ('{"nbf":4102444800.5,"exp":4102444801}'),
    ('{"nbf":1,"exp":2}'),
    ('{"exp":"4102444800"}'),
    ('{"nbf":"1"}'),
    ('{"exp":null}'),
    ('{"exp":true}'),
    ('{"exp":[4102444800]}'),
    ('{"exp":{"t":4102444800}}'),
    ('{"exp":253402300800}'),
    ('{"exp":1e300}'),
    ('{"exp":-1e300}'),
    ('{"nbf":-62135596801}'),
    ('{"nbf":1e300}'),
    ('{"iat":1,"exp":4102444800}'),
    ('{"sub":"no time claims"}'),
    ('{"exp":1e400}'),
    ('{"exp":-1e400}'),
    ('{"nbf":1E400}'),
    ('{"exp":123456789012345678901234567890}'),
    ('{"exp":-62135596800}'),
    ('{"exp":253402300799.5}'),
    ('{"nbf":-62135596800,"exp":253402300799}'),
    ('{"iat":4102444800}'),
    ('{"iat":-62135596800}'),
    ('{"iat":"1"}'),
    ('{"iat":null}'),
    ('{"iat":1e300}'),
    ('{"iat":1e400}'),
    ('{"iat":-62135596801}')
) AS v(claims);

-- Relative to now: the statement's start time is the clock.
SELECT (jwt.verify(pg_temp.tok('{"alg":"HS256"}',
            format('{"exp":%s}', extract(epoch FROM statement_timestamp()) + 2)), 'secret')).valid
           AS exp_in_2_seconds,
       (jwt.verify(pg_temp.tok('{"alg":"HS256"}',
            format('{"exp":%s}', extract(epoch FROM statement_timestamp()) - 2)), 'secret')).valid
           AS exp_2_seconds_ago,
       (jwt.verify(pg_temp.tok('{"alg":"HS256"}',
            format('{"nbf":%s}', extract(epoch FROM statement_timestamp()) + 2)), 'secret')).valid
           AS nbf_in_2_seconds,
       (jwt.verify(pg_temp.tok('{"alg":"HS256"}',
            format('{"nbf":%s}', extract(epoch FROM statement_timestamp()) - 2)), 'secret')).valid
           AS nbf_2_seconds_ago;

-- A row signed with a timestamptz exp verifies while exp is ahead.
SELECT (jwt.verify(jwt.sign(r, 'secret'), 'secret')).valid AS future_row,
       (jwt.verify(jwt.sign(p, 'secret'), 'secret')).valid AS past_row
FROM (SELECT 'alice' AS sub, statement_timestamp() + interval '1 hour' AS exp) AS r,
     (SELECT 'alice' AS sub, statement_timestamp() - interval '1 hour' AS exp) AS p;

-- 4. Malformed tokens: 22P02 ----------------------------------------------------------

SELECT why, pg_temp.err(format('SELECT jwt.verify(%L, %L)', token, 'secret'), true) AS result
FROM (VALUES
    ('standard base64 (the tutorial''s token with + and =)',
     'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9.MQWECYWUT7bayj8miVgsj8KdYI3ZRVS+WRRZjfZrGrw='),
    ('padding in the header', 'eyJhbGciOiJIUzI1NiJ9==.e30.'),
    ('two parts', 'eyJhbGciOiJIUzI1NiJ9.e30'),
    ('four parts', 'eyJhbGciOiJIUzI1NiJ9.e30.AA.AA'),
    ('JWE, five parts', 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..aXZpdml2aXZpdg.Y2lwaGVydGV4dA.dGFndGFndGFndGFn'),
    ('JWE header in three parts', pg_temp.tok('{"alg":"HS256","enc":"A128GCM"}', '{}')),
    ('empty string', ''),
    ('dots only', '..'),
    ('empty header', '.e30.'),
    ('leading space', ' ' || pg_temp.tok('{"alg":"HS256"}', '{}')),
    ('trailing newline', pg_temp.tok('{"alg":"HS256"}', '{}') || E'\n'),
    ('non-zero trailing bits in the payload', pg_temp.b64('{"alg":"HS256"}') || '.e31.'),
    ('header not JSON', pg_temp.tok('not json', '{}')),
    ('header a JSON array', pg_temp.tok('[{"alg":"HS256"}]', '{}')),
    ('header without alg', pg_temp.tok('{"typ":"JWT"}', '{}')),
    ('header alg not a string', pg_temp.tok('{"alg":256}', '{}')),
    ('header alg null', pg_temp.tok('{"alg":null}', '{}')),
    ('header typ not a string', pg_temp.tok('{"alg":"HS256","typ":1}', '{}')),
    ('header kid not a string', pg_temp.tok('{"alg":"HS256","kid":7}', '{}')),
    ('header crit not an array', pg_temp.tok('{"alg":"HS256","crit":"exp"}', '{}')),
    ('header crit holds a number', pg_temp.tok('{"alg":"HS256","crit":[1]}', '{}')),
    ('header b64 not a boolean', pg_temp.tok('{"alg":"HS256","b64":"false"}', '{}')),
    ('header with duplicate alg', pg_temp.tok('{"alg":"HS256","alg":"none"}', '{}')),
    ('header with \u0000', pg_temp.tok('{"alg":"HS256","kid":"a\u0000"}', '{}')),
    ('payload empty', pg_temp.b64('{"alg":"HS256"}') || '..'),
    ('payload not JSON', pg_temp.tok('{"alg":"HS256"}', '{"a":1')),
    ('payload trailing data', pg_temp.tok('{"alg":"HS256"}', '{"a":1}{}')),
    ('payload a JSON array', pg_temp.tok('{"alg":"HS256"}', '[1,2]')),
    ('payload a string', pg_temp.tok('{"alg":"HS256"}', '"sub"')),
    ('payload null', pg_temp.tok('{"alg":"HS256"}', 'null')),
    ('payload with duplicate members', pg_temp.tok('{"alg":"HS256"}', '{"exp":1,"exp":4102444800}')),
    ('payload with nested duplicates', pg_temp.tok('{"alg":"HS256"}', '{"o":{"k":1,"k":2}}')),
    ('payload with \u0000 in a value', pg_temp.tok('{"alg":"HS256"}', '{"sub":"admin\u0000x"}')),
    ('payload with \u0000 in a name', pg_temp.tok('{"alg":"HS256"}', '{"\u0000":1}')),
    ('payload with a lone surrogate', pg_temp.tok('{"alg":"HS256"}', '{"a":"\ud800"}')),
    ('payload with a control character', pg_temp.tok('{"alg":"HS256"}', E'{"a":"\t"}')),
    ('payload with single quotes', pg_temp.tok('{"alg":"HS256"}', '{''a'':1}'))
) AS v(why, token);

-- Bytes that are not UTF-8 in the payload.
SELECT pg_temp.err($$SELECT jwt.verify(pg_temp.tokb('{"alg":"HS256"}', '\x7b2261223a22ff227d'), 'secret')$$, true) AS invalid_utf8;

-- Nesting: 64 levels are accepted, 65 are refused (payload and header).
SELECT (jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{"a":' || repeat('[', 63) || repeat(']', 63) || '}'), 'secret')).valid AS depth_64;
SELECT pg_temp.err($$SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{"a":' || repeat('[', 64) || repeat(']', 64) || '}'), 'secret')$$, true) AS payload_depth_65;
SELECT pg_temp.err($$SELECT jwt.verify(pg_temp.tok('{"alg":"HS256","x":' || repeat('{"y":', 64) || '1' || repeat('}', 64) || '}', '{}'), 'secret')$$, true) AS header_depth_65;

-- Size: a token of up to 64 KiB is read; one byte more is refused before
-- anything else is looked at.
SELECT length(t) AS bytes, (jwt.verify(t, 'secret')).valid
FROM jwt.sign('{"a":"' || repeat('x', 49000) || '"}', 'secret') AS t;
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L)',
                          'eyJhbGciOiJIUzI1NiJ9.' || repeat('A', 65536 - 21 - 1) || '.', 'secret'), true) AS exactly_64_kib;
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L)',
                          'eyJhbGciOiJIUzI1NiJ9.' || repeat('A', 65536 - 21) || '.', 'secret'), true) AS one_byte_more;
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L)', repeat('x', 1000000), 'secret'), true) AS one_megabyte;

-- 5. Caller faults: 22023 --------------------------------------------------------------

-- Unknown algorithms (case-sensitive; 'none' is never accepted).
SELECT to_json(alg) AS algorithm,
       pg_temp.err(format('SELECT jwt.verify(%L, %L, %L)',
                          pg_temp.tok('{"alg":"HS256"}', '{}'), 'secret', alg)) AS result
FROM (VALUES ('none'), ('hs256'), ('RS1'), (''), ('HS256 ')) AS v(alg);

-- Keys that cannot be an HMAC secret.
SELECT pg_temp.err($$SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'), '')$$, true) AS empty_text_key,
       pg_temp.err($$SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'), ''::bytea)$$, true) AS empty_bytea_key;
SELECT pg_temp.err($$SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'),
                       E'  -----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n')$$, true) AS pem_key;
SELECT pg_temp.err($$SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'),
                       'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host')$$, true) AS openssh_key;
-- A JWK or JWKS with public key material (the message depends on how far
-- the key is parsed; the contract is the SQLSTATE).
SELECT pg_temp.err($$SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'),
                       '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}')$$)
           LIKE '22023: %' AS jwk_key_22023,
       pg_temp.err($$SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'), ' {"keys":[]}')$$)
           LIKE '22023: %' AS jwks_key_22023;

-- The caller's fault is reported before the token's.
SELECT pg_temp.err($$SELECT jwt.verify('not a token', 'secret', 'nope')$$) AS bad_alg_and_token,
       pg_temp.err($$SELECT jwt.verify('not a token', '')$$) AS empty_key_and_bad_token;

-- 6. NULLs and the bytea key -----------------------------------------------------------

-- STRICT: any NULL argument gives a NULL row.
SELECT jwt.verify(NULL, 'secret') IS NULL AS null_token,
       jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'), NULL::text) IS NULL AS null_key,
       jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'), 'secret', NULL) IS NULL AS null_algorithm,
       jwt.verify('garbage', NULL::bytea) IS NULL AS null_bytea_key;

-- A bytea key is the raw secret: the same bytes as text verify the same token,
-- and a binary secret (NUL bytes included) works.
SELECT (jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'), '\x736563726574'::bytea)).valid AS bytes_of_secret,
       (jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'), '\x736563726575'::bytea)).valid AS other_bytes,
       (jwt.verify(jwt.sign('{"a":1}', '\x0000ff'::bytea), '\x0000ff'::bytea)).valid AS binary_secret,
       (jwt.verify(jwt.sign('{"a":1}', '\x0000ff'::bytea), '\x0000'::bytea)).valid AS binary_prefix;

-- 7. Keys as JWK text and jsonb ---------------------------------------------------------

-- Key text that is a JSON object is a JWK (or JWK set) with HS* too: an oct
-- JWK verifies what its raw secret signed; in a set, the token's kid picks
-- the key, and a kid the set lacks makes the token invalid.
SELECT (jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{"a":1}', 'secret-secret-secret-secret-secr'),
                   '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}')).valid AS oct_jwk_text,
       (jwt.verify(pg_temp.tok('{"alg":"HS256","kid":"b"}', '{"a":1}', 'secret-secret-secret-secret-secr'),
                   '{"keys":[{"kty":"oct","kid":"a","k":"b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXItb3Q"},{"kty":"oct","kid":"b","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}')).valid
           AS set_by_kid,
       (jwt.verify(pg_temp.tok('{"alg":"HS256","kid":"a"}', '{"a":1}', 'secret-secret-secret-secret-secr'),
                   '{"keys":[{"kty":"oct","kid":"a","k":"b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXItb3Q"},{"kty":"oct","kid":"b","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}')).valid
           AS set_wrong_kid,
       (jwt.verify(pg_temp.tok('{"alg":"HS256","kid":"c"}', '{"a":1}', 'secret-secret-secret-secret-secr'),
                   '{"keys":[{"kty":"oct","kid":"a","k":"b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXItb3Q"},{"kty":"oct","kid":"b","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}')).valid
           AS set_unknown_kid,
       (jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{"a":1}', 'secret-secret-secret-secret-secr'),
                   '{"keys":[{"kty":"oct","kid":"a","k":"b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXItb3Q"},{"kty":"oct","kid":"b","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}')).valid
           AS set_no_kid_tries_each;
-- The jsonb key must be a JWK or JWK set object: a JSON string, array,
-- number or null is 22023 (a SQL NULL key gives NULL).
SELECT to_json(k) AS key, pg_temp.err(format('SELECT jwt.verify(%L, %L::jsonb, %L)',
                                             pg_temp.tok('{"alg":"HS256"}', '{}'), k, 'HS256'), true) AS result
FROM (VALUES ('"secret"'), ('[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]'), ('42'), ('null')) AS v(k);
SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'), NULL::jsonb) IS NULL AS null_jsonb_key;

-- A PEM block after a byte order mark, and an RFC 4716 SSH2 public key, are
-- no HMAC secrets.
SELECT pg_temp.err($$SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'),
                       E'\uFEFF-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n')$$, true) AS bom_pem_key,
       pg_temp.err($$SELECT jwt.verify(pg_temp.tok('{"alg":"HS256"}', '{}'),
                       E'---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----')$$, true) AS ssh2_key;

-- A name quoted in a message is cut at a character boundary (algorithm
-- names after 32 bytes, kids after 64).
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L, %L)', pg_temp.tok('{"alg":"HS256"}', '{}'), 'secret',
                          'ä' || repeat('€', 20))) AS long_algorithm;
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L)', pg_temp.tok('{"alg":"HS256"}', '{}'),
                          jsonb_build_object('keys', jsonb_build_array(
                              jsonb_build_object('kty', 'oct', 'kid', 'x' || repeat('é', 40), 'k', 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I'),
                              jsonb_build_object('kty', 'oct', 'kid', 'x' || repeat('é', 40), 'k', 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I')))::text))
           AS long_duplicate_kid;

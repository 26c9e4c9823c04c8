--
-- sign: jwt.sign(payload anycompatible, key text|bytea, algorithm DEFAULT
-- 'HS256', header jsonb DEFAULT NULL). Exact tokens against published
-- vectors and openssl, every payload type (untyped literal, text, json,
-- jsonb, varchar, a row), the header argument, NULLs, and every caller
-- fault (22023) including key confusion.
--

\i test/regress/helpers.sql

-- sqlstate(query): only the SQLSTATE (or 'ok'), where the message is not the
-- contract.
CREATE FUNCTION pg_temp.sqlstate(query text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE query;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$f$;

-- part(token, n): the decoded text of the header (1) or payload (2).
CREATE FUNCTION pg_temp.part(token text, n int) RETURNS text LANGUAGE sql AS
$$ SELECT convert_from(jwt.url_decode(split_part(token, '.', n)), 'UTF8') $$;

-- hmac_ok(token, key, hash): the signature recomputed with pgcrypto's hmac
-- and PostgreSQL's own base64, independently of pg_jwt.
CREATE FUNCTION pg_temp.hmac_ok(token text, key bytea, hash text DEFAULT 'sha256')
RETURNS boolean LANGUAGE sql AS $$
    SELECT split_part(token, '.', 3) = rtrim(translate(encode(
        hmac(convert_to(split_part(token, '.', 1) || '.' || split_part(token, '.', 2), 'UTF8'),
             key, hash), 'base64'), E'+/\n', '-_'), '=')
$$;

-- 1. Exact tokens ------------------------------------------------------------

-- The tutorial's token (https://flaviocopes.com/jwt/) and pgjwt's test vector.
SELECT jwt.sign('{"username":"Flavio"}', 'secretKey');
SELECT jwt.sign('{"sub":"1234567890","name":"John Doe","admin":true}', 'secret');
SELECT jwt.sign('{"sub":"1234567890","name":"John Doe","admin":true}', 'secret')
     = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9.TJVA95OrM7E2cBab30RMHrHDcEfxjoYZgeFONFh7HgQ'
       AS pgjwt_vector;

-- HS384 and HS512 of the same claims. The expected signatures were computed
-- in the shell with
--   printf '%s.%s' "$header" "$payload" | openssl dgst -sha384 -hmac secret -binary | basenc --base64url
-- (and -sha512), the '=' padding removed.
SELECT jwt.sign('{"sub":"1234567890","name":"John Doe","admin":true}', 'secret', 'HS384')
     = 'eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9.DtVnCyiYCsCbg8gUP-579IC2GJ7P3CtFw6nfTTPw-0lZUzqgWAo9QIQElyxOpoRm'
       AS hs384_matches_openssl,
       jwt.sign('{"sub":"1234567890","name":"John Doe","admin":true}', 'secret', 'HS512')
     = 'eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9.YI0rUGDq5XdRw8vW2sDLRNFMN8Waol03iSFH8I4iLzuYK7FKHaQYWzPt0BJFGrAmKJ6SjY0mJIMZqNQJFVpkuw'
       AS hs512_matches_openssl;

-- Named arguments, and the header each algorithm writes ({"alg","typ"} in
-- pgjwt's order).
SELECT alg, pg_temp.part(t, 1) AS header,
       pg_temp.hmac_ok(t, 'secret', lower(replace(alg, 'HS', 'sha'))) AS signature_ok
FROM (VALUES ('HS256'), ('HS384'), ('HS512')) AS v(alg),
     LATERAL jwt.sign(payload => '{"a":1}', key => 'secret', algorithm => alg) AS t;

-- 2. Payload types -------------------------------------------------------------

-- Untyped literal, text, json and varchar are signed byte-for-byte (spaces
-- kept, so the same token); jsonb is signed in its minified form.
SELECT kind, pg_temp.part(t, 2) AS payload, t AS token
FROM (VALUES
    ('untyped', jwt.sign('{"a": 1,  "b" : [1, 2]}', 'secret')),
    ('text',    jwt.sign('{"a": 1,  "b" : [1, 2]}'::text, 'secret')),
    ('json',    jwt.sign('{"a": 1,  "b" : [1, 2]}'::json, 'secret')),
    ('varchar', jwt.sign('{"a": 1,  "b" : [1, 2]}'::varchar, 'secret')),
    ('jsonb',   jwt.sign('{"a": 1,  "b" : [1, 2]}'::jsonb, 'secret'))
) AS v(kind, t);

-- json keeps member order and escapes as written; jsonb normalises both.
SELECT pg_temp.part(jwt.sign('{"z":1,"a":"\u00e9\n"}'::json, 'secret'), 2) AS json_payload,
       pg_temp.part(jwt.sign('{"z":1,"a":"\u00e9\n"}'::jsonb, 'secret'), 2) AS jsonb_payload;

-- A json value's syntax was checked by PostgreSQL; pg_jwt still applies its
-- strict rules to it (and decides them by a walk of the text where it can,
-- src/core/json.cpp): duplicate names, also nested or spelled with an
-- escape, U+0000 and more than 64 levels are refused as for text, and what
-- is accepted is signed byte for byte, as the same text would be.
SELECT jwt.sign('{"a":1,"a":2}'::json, 'secret');
SELECT jwt.sign('{"x":[{"b":1,"c":2,"b":3}]}'::json, 'secret');
SELECT jwt.sign('{"a":1,"\u0061":2}'::json, 'secret');
SELECT jwt.sign('{"a":"x\u0000"}'::json, 'secret');
SELECT jwt.sign(('{"a":' || repeat('[', 64) || repeat(']', 64) || '}')::json, 'secret');
SELECT jwt.sign('[1]'::json, 'secret');
SELECT p AS payload, jwt.sign(p::json, 'secret') = jwt.sign(p, 'secret') AS same_as_text
FROM (VALUES (' { "a" : [1, {"b": "c"}], "d": null, "e": -1.5e3 } '),
             ('{"a":' || repeat('[', 63) || repeat(']', 63) || '}'),
             ('{"é":"\u00e9","url":"https:\/\/x"}'),
             ('{' || (SELECT string_agg(format('"m%s":%s', i, i), ',') FROM generate_series(1, 20) i) || '}')) AS v(p);

-- Every token above carries an HMAC that pgcrypto agrees with.
SELECT pg_temp.hmac_ok(jwt.sign('{"a": 1,  "b" : [1, 2]}'::json, 'secret'), 'secret') AS json_ok,
       pg_temp.hmac_ok(jwt.sign('{"a": 1,  "b" : [1, 2]}'::jsonb, 'secret'), 'secret') AS jsonb_ok;

-- 3. Rows: columns become claims -----------------------------------------------

-- timestamptz / timestamp / date columns named exp, nbf, iat become
-- NumericDate numbers (seconds since 1970, fractions kept; timestamp and
-- date are taken as UTC, as extract(epoch ...) does); every other timestamp
-- column stays row_to_json's ISO string; NULL columns are JSON null.
CREATE TABLE users (
    id          int PRIMARY KEY,
    name        text,
    exp         timestamptz,
    nbf         timestamp,
    iat         date,
    created_at  timestamptz,
    updated_at  timestamp,
    birthday    date,
    profile     jsonb
);
INSERT INTO users VALUES
    (1, 'Flavio', '2030-01-01 00:00:00.5+00', '2030-01-01 00:00:00', '2030-01-01',
     '2030-01-01 00:00:00+00', '2030-01-01 00:00:00', '2000-02-29', '{"roles": ["a", "b"]}'),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (3, 'quote " and \ backslash', '2030-01-01 00:00:00.123456+00', '1969-12-31 23:59:59',
     '1969-12-31', NULL, NULL, NULL, 'null'),
    (4, 'Zoë', '2038-01-19 03:14:08-00', '2001-09-09 01:46:40', '2286-11-20',
     '1999-12-31 23:59:59.999999+00', NULL, NULL, '{}');

SELECT id, pg_temp.part(jwt.sign(u, 'secret'), 2) AS payload
FROM users AS u ORDER BY id;

-- The NumericDates agree with extract(epoch ...).
SELECT id,
       (pg_temp.part(jwt.sign(u, 'secret'), 2)::jsonb ->> 'exp')::numeric = extract(epoch FROM exp) AS exp_ok,
       (pg_temp.part(jwt.sign(u, 'secret'), 2)::jsonb ->> 'nbf')::numeric = extract(epoch FROM nbf) AS nbf_ok,
       (pg_temp.part(jwt.sign(u, 'secret'), 2)::jsonb ->> 'iat')::numeric = extract(epoch FROM iat) AS iat_ok
FROM users AS u WHERE id <> 2 ORDER BY id;

-- Several rows in one statement: one token each, each verifiable.
SELECT id, jwt.sign(u, 'secret') AS token FROM users AS u ORDER BY id;
SELECT id, pg_temp.hmac_ok(jwt.sign(u, 'secret'), 'secret') AS signature_ok,
       (jwt.verify(jwt.sign(u, 'secret'), 'secret')).payload::text
           = pg_temp.part(jwt.sign(u, 'secret'), 2) AS verify_returns_claims
FROM users AS u ORDER BY id;

-- A row built in the query, and an anonymous record (columns f1, f2).
SELECT pg_temp.part(jwt.sign(r, 'secret'), 2) AS payload
FROM (SELECT 'alice' AS sub, timestamptz '2030-01-01 00:00:00+00' AS exp) AS r;
SELECT pg_temp.part(jwt.sign(ROW(1, 'x'), 'secret'), 2) AS payload;

-- Only the exact lower-case names are NumericDates; "EXP" stays a string.
SELECT pg_temp.part(jwt.sign(r, 'secret'), 2) AS payload
FROM (SELECT timestamptz '2030-01-01 00:00:00+00' AS "EXP", 1 AS other) AS r;

-- An infinite exp/nbf/iat has no NumericDate: 22023.
SELECT pg_temp.err($$SELECT jwt.sign(r, 'secret')
                     FROM (SELECT timestamptz 'infinity' AS exp) AS r$$, true) AS infinite_exp;
SELECT pg_temp.err($$SELECT jwt.sign(r, 'secret')
                     FROM (SELECT timestamp '-infinity' AS nbf) AS r$$, true) AS infinite_nbf;
SELECT pg_temp.err($$SELECT jwt.sign(r, 'secret')
                     FROM (SELECT date 'infinity' AS iat) AS r$$, true) AS infinite_iat;

-- 4. The header argument -------------------------------------------------------

-- Extra members come after alg and typ (in jsonb's key order: shorter keys
-- first); typ may be replaced, or removed with null; alg may be repeated
-- with the same value.
SELECT h AS header_argument, pg_temp.part(jwt.sign('{"a":1}', 'secret', 'HS256', h::jsonb), 1) AS header
FROM (VALUES
    ('{"kid":"key-1"}'),
    ('{"kid":"key-1","x5t":"abc","cty":"JWT"}'),
    ('{"typ":"at+jwt"}'),
    ('{"typ":"at+jwt","kid":"k"}'),
    ('{"typ":null}'),
    ('{"alg":"HS256","kid":"k"}'),
    ('{}')
) AS v(h);
SELECT pg_temp.part(jwt.sign('{"a":1}', 'secret', 'HS512', '{"alg":"HS512"}'), 1) AS hs512_header;
SELECT jwt.sign('{"a":1}', 'secret', header => '{"kid":"k"}') AS named_header;

-- A NULL header is no header argument.
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', NULL) = jwt.sign('{"a":1}', 'secret') AS null_header;

-- A different alg, or a member pg_jwt cannot honour, or no object: 22023.
SELECT h AS header_argument, pg_temp.err(format(
           $$SELECT jwt.sign('{"a":1}', 'secret', 'HS256', %L)$$, h), true) AS result
FROM (VALUES
    ('{"alg":"HS384"}'),
    ('{"alg":"none"}'),
    ('{"alg":"hs256"}'),
    ('{"alg":null}'),
    ('{"crit":["exp"]}'),
    ('{"b64":false}'),
    ('[1]'),
    ('"HS256"')
) AS v(h);

-- 5. Keys ----------------------------------------------------------------------

-- A bytea secret signs with its raw bytes: same token as the text secret
-- with the same bytes; a binary secret with NUL and 0xff bytes works.
SELECT jwt.sign('{"a":1}', '\x736563726574'::bytea) = jwt.sign('{"a":1}', 'secret') AS same_as_text;
SELECT jwt.sign('{"a":1}', '\x00ff00ff'::bytea) AS binary_key_token,
       pg_temp.hmac_ok(jwt.sign('{"a":1}', '\x00ff00ff'::bytea), '\x00ff00ff') AS signature_ok,
       pg_temp.hmac_ok(jwt.sign('{"a":1}', '\x00ff00ff'::bytea, 'HS384'), '\x00ff00ff', 'sha384') AS hs384_ok;

-- Any non-empty raw text is a secret (as in pgjwt, PyJWT and jose), also
-- white space only, and JSON that is not an object.
SELECT pg_temp.hmac_ok(jwt.sign('{"a":1}', ' '), ' ') AS space_secret,
       pg_temp.hmac_ok(jwt.sign('{"a":1}', '[1,2]'), '[1,2]') AS json_array_secret,
       pg_temp.hmac_ok(jwt.sign('{"a":1}', 'ssh-rsaAAAA'), 'ssh-rsaAAAA') AS not_quite_openssh;

-- The empty secret is refused, text or bytea: 22023.
SELECT pg_temp.err($$SELECT jwt.sign('{"a":1}', '')$$, true) AS empty_text,
       pg_temp.err($$SELECT jwt.sign('{"a":1}', ''::bytea)$$, true) AS empty_bytea;

-- Key confusion: public key material given as an HS* secret is refused with
-- 22023, also after leading/trailing white space, and for HS384/HS512. The
-- full errors for a PEM block and an OpenSSH key:
SELECT pg_temp.err($$SELECT jwt.sign('{"a":1}', E'-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n')$$, true) AS pem;
SELECT pg_temp.err($$SELECT jwt.sign('{"a":1}', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC8WdxHi04Wa2Ut0XSZ+g7I+0RP1TRGGlfAI3l1eCls1 demo@example')$$, true) AS openssh;
-- and the SQLSTATE for every kind of public key material (the message
-- depends on how far the key is parsed; the contract is 22023):
SELECT what, alg, pg_temp.sqlstate(format($$SELECT jwt.sign('{"a":1}', %L, %L)$$, key, alg)) AS sqlstate
FROM (VALUES
    ('PEM public key', 'HS256', E'-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsRgRiHYOrsdY5v+L3TRL4jhiTPGT\n5N7Sm8f23O1rmU9zOrUU8krPJ/k0BIusdcAvqg2ZQsJc2FeXKa97eB6tWg==\n-----END PUBLIC KEY-----\n'),
    ('PEM, leading white space', 'HS384', E' \n\t-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsRgRiHYOrsdY5v+L3TRL4jhiTPGT\n5N7Sm8f23O1rmU9zOrUU8krPJ/k0BIusdcAvqg2ZQsJc2FeXKa97eB6tWg==\n-----END PUBLIC KEY-----\n'),
    ('PEM certificate', 'HS512', E'-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'),
    ('PEM after a byte order mark', 'HS256', E'\uFEFF-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsRgRiHYOrsdY5v+L3TRL4jhiTPGT\n5N7Sm8f23O1rmU9zOrUU8krPJ/k0BIusdcAvqg2ZQsJc2FeXKa97eB6tWg==\n-----END PUBLIC KEY-----\n'),
    ('SSH2 public key (RFC 4716)', 'HS256', E'---- BEGIN SSH2 PUBLIC KEY ----\nComment: "demo@example"\nAAAAC3NzaC1lZDI1NTE5AAAAIC8WdxHi04Wa2Ut0XSZ+g7I+0RP1TRGGlfAI3l1eCls1\n---- END SSH2 PUBLIC KEY ----\n'),
    ('SSH2 key after a byte order mark', 'HS384', E'\uFEFF---- BEGIN SSH2 PUBLIC KEY ----\nAAAAC3NzaC1lZDI1NTE5AAAAIC8WdxHi04Wa2Ut0XSZ+g7I+0RP1TRGGlfAI3l1eCls1\n---- END SSH2 PUBLIC KEY ----\n'),
    ('EC JWK', 'HS256', '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw","use":"enc","kid":"1"}'),
    ('EC JWK, leading white space', 'HS384', E'\r\n  {"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}'),
    ('JWKS', 'HS256', '{"keys":[{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}]}'),
    ('empty JWKS', 'HS512', '{"keys":[]}'),
    ('OpenSSH ed25519', 'HS256', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC8WdxHi04Wa2Ut0XSZ+g7I+0RP1TRGGlfAI3l1eCls1 demo@example'),
    ('OpenSSH, leading white space', 'HS256', E'\t ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host\n'),
    ('OpenSSH ecdsa', 'HS384', 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY=')
) AS v(what, alg, key);

-- Key text that is a JSON object is read as a JWK with an HS* algorithm
-- too: an oct JWK signs with its decoded secret (so the same token as that
-- secret given raw), and its kid goes into the header; asymmetric JWKs, oct
-- JWKs shorter than the hash, JWKs for another alg and JWK sets are 22023.
SELECT jwt.sign('{"a":1}', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}')
     = jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr') AS oct_jwk_text_is_its_secret,
       jwt.sign('{"a":1}', E' \n{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}')
     = jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr') AS after_white_space,
       pg_temp.hmac_ok(jwt.sign('{"a":1}', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'),
                       'secret-secret-secret-secret-secr') AS pgcrypto_agrees;
SELECT pg_temp.part(jwt.sign('{"a":1}', '{"kty":"oct","kid":"k-1","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'), 1)
           AS header_with_jwk_kid;
SELECT what, alg, pg_temp.err(format($$SELECT jwt.sign('{"a":1}', %L, %L)$$, key, alg), true) AS result
FROM (VALUES
    ('oct JWK of 31 bytes', 'HS256', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlYw"}'),
    ('oct JWK of 32 bytes for HS384', 'HS384', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'),
    ('oct JWK for HS512', 'HS256', '{"kty":"oct","alg":"HS512","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'),
    ('EC JWK', 'HS256', '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}'),
    ('JWK set', 'HS256', '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}'),
    ('not JSON after all', 'HS256', '{secret}')
) AS v(what, alg, key);

-- 6. Algorithms ----------------------------------------------------------------

-- Unknown or wrongly spelt algorithms are the caller's fault: 22023
-- (names are case-sensitive; 'none' never signs). The detail, which lists
-- the supported algorithms, is left out here as that list grows.
SELECT to_json(alg) AS algorithm,
       pg_temp.err(format($$SELECT jwt.sign('{"a":1}', 'secret', %L)$$, alg)) AS result
FROM (VALUES ('hs256'), ('none'), ('None'), ('RS1'), (''), (' HS256'), ('HS256 '), ('HS-256')) AS v(alg);

-- 7. NULLs -----------------------------------------------------------------------

-- A NULL payload, key or algorithm gives NULL (sign is not STRICT only
-- because the header may be NULL).
SELECT jwt.sign(NULL::text, 'secret') IS NULL AS null_text_payload,
       jwt.sign(NULL::jsonb, 'secret') IS NULL AS null_jsonb_payload,
       jwt.sign(NULL, 'secret') IS NULL AS null_untyped_payload,
       jwt.sign('{"a":1}', NULL::text) IS NULL AS null_text_key,
       jwt.sign('{"a":1}', NULL::bytea) IS NULL AS null_bytea_key,
       jwt.sign('{"a":1}', 'secret', NULL) IS NULL AS null_algorithm;
-- NULL wins over an invalid argument elsewhere.
SELECT jwt.sign('[1]', NULL::text) IS NULL AS null_key_bad_payload,
       jwt.sign(NULL::text, '') IS NULL AS null_payload_empty_key,
       jwt.sign('{"a":1}', 'secret', NULL, '{"alg":"HS384"}') IS NULL AS null_alg_bad_header;

-- 8. Payloads that are not a JSON object ---------------------------------------

-- Types that cannot hold a JSON object: 22023.
SELECT pg_temp.err($$SELECT jwt.sign(1, 'secret')$$, true) AS int_payload;
SELECT pg_temp.err($$SELECT jwt.sign(1.5, 'secret')$$) AS numeric_payload,
       pg_temp.err($$SELECT jwt.sign(true, 'secret')$$) AS boolean_payload,
       pg_temp.err($$SELECT jwt.sign(ARRAY['a'], 'secret')$$) AS array_payload,
       pg_temp.err($$SELECT jwt.sign('{"a":1}'::bytea, 'secret')$$) AS bytea_payload;

-- JSON that is not one strict JSON object. The payload is the caller's
-- argument, so the messages say "payload" (not "token payload"): text that
-- does not parse as JSON is 22P02 (as PostgreSQL's own json input), and
-- well-formed JSON that cannot be a claims set (not an object, duplicate
-- names, U+0000, too deep) is the caller's fault, 22023.
SELECT to_json(p) AS payload, pg_temp.err(format('SELECT jwt.sign(%L::%s, %L)', p, t, 'secret'), true) AS result
FROM (VALUES
    ('[1,2]', 'text'),
    ('[1,2]', 'jsonb'),
    ('42', 'json'),
    ('"a string"', 'text'),
    ('null', 'jsonb'),
    ('', 'text'),
    ('{"a":1', 'text'),
    ('{"a":1} {"b":2}', 'text'),
    ('{a:1}', 'text'),
    ('{"a":1,"a":2}', 'text'),
    ('{"a":1,"a":2}', 'json'),
    ('{"o":{"b":1,"b":1}}', 'text'),
    ('{"a":"\u0000"}', 'json'),
    ('{"a\u0000":1}', 'text')
) AS v(p, t);

-- Depth: 64 levels of nesting are accepted, 65 are refused.
SELECT pg_temp.err($$SELECT jwt.sign('{"a":' || repeat('[', 63) || repeat(']', 63) || '}', 'secret')$$) AS depth_64,
       pg_temp.err($$SELECT jwt.sign('{"a":' || repeat('[', 64) || repeat(']', 64) || '}', 'secret')$$, true) AS depth_65;
-- The header argument obeys the same cap, as a caller fault.
SELECT pg_temp.err($$SELECT jwt.sign('{"a":1}', 'secret', 'HS256',
                       ('{"x":' || repeat('[', 64) || repeat(']', 64) || '}')::jsonb)$$, true) AS header_depth_65;

-- A token can be at most 64 KiB: a payload that would make it longer is
-- refused with 22023.
SELECT length(jwt.sign('{"a":"' || repeat('x', 49000) || '"}', 'secret')) AS near_limit;
SELECT pg_temp.err($$SELECT jwt.sign('{"a":"' || repeat('x', 49100) || '"}', 'secret')$$, true) AS over_limit;

-- 9. Numbers are signed exactly -------------------------------------------------

-- Integers beyond 64 bits, decimals beyond double precision and exponents
-- beyond the double range are valid JSON: text and json payloads are signed
-- byte-for-byte, jsonb in its own (numeric) spelling, a row's numeric
-- column as row_to_json writes it, and the header argument keeps its digits.
SELECT pg_temp.part(jwt.sign('{"big":123456789012345678901234567890,"neg":-98765432109876543210,"pi":3.14159265358979323846264338327950288,"huge":1e400,"tiny":-1E-400}', 'secret'), 2)
           AS text_payload;
SELECT pg_temp.part(jwt.sign('{"big":123456789012345678901234567890,"pi":3.14159265358979323846264338327950288,"x":1.50}'::json, 'secret'), 2)
           AS json_payload;
SELECT pg_temp.part(jwt.sign('{"big": 123456789012345678901234567890, "pi": 3.14159265358979323846264338327950288, "x": 1.50, "e": 1e40}'::jsonb, 'secret'), 2)
           AS jsonb_payload;
SELECT pg_temp.part(jwt.sign(r, 'secret'), 2) AS row_payload
FROM (SELECT 123456789012345678901234567890::numeric AS n, 0.1::numeric(20, 18) AS d,
             18446744073709551616::numeric AS two_to_64) AS r;
SELECT pg_temp.part(jwt.sign('{"a":1}', 'secret', 'HS256', '{"x5t#S256":"abc","n":123456789012345678901234567890,"f":0.10}'), 1)
           AS header;
-- A jsonb payload with a number of 401 digits comes back whole, and each
-- of these tokens verifies with its exact payload.
SELECT pg_temp.part(t, 2) = '{"huge":1' || repeat('0', 400) || '}' AS jsonb_1e400_whole,
       (jwt.verify(t, 'secret')).payload::text = pg_temp.part(t, 2) AS verify_returns_it,
       (jwt.verify(t, 'secret')).valid AS valid
FROM jwt.sign('{"huge":1e400}'::jsonb, 'secret') AS t;
SELECT (jwt.verify(t, 'secret')).valid AS valid, (jwt.verify(t, 'secret')).payload::text AS payload
FROM jwt.sign('{"big":123456789012345678901234567890,"huge":1e400}', 'secret') AS t;

-- 10. Domains, char(n), dates before 1970 ---------------------------------------

-- A domain over jsonb, json or text is signed as its base type; a domain
-- over timestamptz or date named exp/nbf/iat in a row becomes a NumericDate.
CREATE DOMAIN claims_jsonb AS jsonb CHECK (jsonb_typeof(VALUE) = 'object');
CREATE DOMAIN claims_json AS json;
CREATE DOMAIN claims_text AS text;
CREATE DOMAIN expiry AS timestamptz;
CREATE DOMAIN issued_on AS date;
SELECT pg_temp.part(jwt.sign('{"b": 2, "a": 1}'::claims_jsonb, 'secret'), 2) AS jsonb_domain,
       pg_temp.part(jwt.sign('{"b": 2, "a": 1}'::claims_json, 'secret'), 2) AS json_domain,
       pg_temp.part(jwt.sign('{"b": 2, "a": 1}'::claims_text, 'secret'), 2) AS text_domain;
SELECT pg_temp.part(jwt.sign(r, 'secret'), 2) AS row_with_domains
FROM (SELECT 'alice'::claims_text AS sub, '2030-01-01 00:00:00.5+00'::expiry AS exp,
             '2030-01-01'::issued_on AS iat, '{"r":1}'::claims_jsonb AS extra) AS r;
-- A domain's value obeys its base type's rules; a domain over a type that
-- cannot hold a JSON object is refused under the domain's own name.
SELECT pg_temp.err($$SELECT jwt.sign('[1]'::claims_json, 'secret')$$) AS json_domain_array;
CREATE DOMAIN small_number AS int;
SELECT pg_temp.err($$SELECT jwt.sign(1::small_number, 'secret')$$, true) AS int_domain;

-- char(n) pads with blanks that are not part of the value: the same token
-- as the unpadded text (inner blanks are kept).
SELECT jwt.sign('{"a":1}'::char(20), 'secret') = jwt.sign('{"a":1}', 'secret') AS char_n_padding_dropped,
       pg_temp.part(jwt.sign('{"a": 1}'::char(12), 'secret'), 2) AS inner_blank_kept,
       jwt.sign('{"a":1}'::varchar(20), 'secret') = jwt.sign('{"a":1}', 'secret') AS varchar_same;

-- Times before 1970 with fractions of a second: NumericDates are negative
-- and exact (-0.5 is half a second before 1970, not -1.5 or +0.5).
SELECT pg_temp.part(jwt.sign(r, 'secret'), 2) AS payload,
       (pg_temp.part(jwt.sign(r, 'secret'), 2)::jsonb ->> 'exp')::numeric = extract(epoch FROM r.exp) AS exp_ok,
       (pg_temp.part(jwt.sign(r, 'secret'), 2)::jsonb ->> 'nbf')::numeric = extract(epoch FROM r.nbf) AS nbf_ok,
       (pg_temp.part(jwt.sign(r, 'secret'), 2)::jsonb ->> 'iat')::numeric = extract(epoch FROM r.iat) AS iat_ok
FROM (VALUES
    (timestamptz '1969-12-31 23:59:59.5+00', timestamp '1969-12-31 23:59:59.999999', date '1969-12-31'),
    (timestamptz '1900-01-01 00:00:00.25+00', timestamp '0001-01-01 00:00:00.000001', date '0001-01-01'),
    (timestamptz '1970-01-01 00:00:00.000001+00', timestamp '1970-01-01 00:00:00', date '1970-01-02')
) AS r(exp, nbf, iat);

-- 11. Header members that must be strings ---------------------------------------

-- typ, kid and cty must be strings (typ may be null, which removes it);
-- enc would make the token a JWE: 22023.
SELECT h AS header_argument, pg_temp.err(format(
           $$SELECT jwt.sign('{"a":1}', 'secret', 'HS256', %L)$$, h), true) AS result
FROM (VALUES
    ('{"typ":1}'),
    ('{"typ":["JWT"]}'),
    ('{"kid":7}'),
    ('{"kid":null}'),
    ('{"cty":{"a":1}}'),
    ('{"enc":"A128GCM"}')
) AS v(h);

-- Messages quote a name at most 32 bytes long, cut at a character boundary.
SELECT pg_temp.err(format($$SELECT jwt.sign('{"a":1}', 'secret', %L)$$, repeat('é', 40))) AS long_algorithm,
       pg_temp.err(format($$SELECT jwt.sign('{"a":1}', 'secret', %L)$$, 'x' || repeat('é', 40))) AS odd_offset;

-- A row with a duplicate column name is the caller's payload fault (22023),
-- with or without timestamp columns to rewrite.
SELECT pg_temp.err($$SELECT jwt.sign(r, 'secret') FROM (SELECT 1 AS a, 2 AS a, timestamptz '2030-01-01 00:00:00+00' AS exp) r$$) AS duplicate_with_exp,
       pg_temp.err($$SELECT jwt.sign(r, 'secret') FROM (SELECT 1 AS a, 2 AS a) r$$) AS duplicate_without_exp;

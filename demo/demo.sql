-- pg_jwt walkthrough: sign a token per row, verify one, refuse a tampered
-- one, decode one. Run with `make demo`.
\set ECHO queries
CREATE EXTENSION pg_jwt;

\echo
\echo '== 1. A users table; every row becomes a token (its columns are the claims).'
CREATE TABLE users (sub text, name text, role text, exp timestamptz);
INSERT INTO users VALUES
    ('u1', 'Ada',   'admin',  '2099-01-01 00:00:00+00'),
    ('u2', 'Brian', 'reader', '2099-01-01 00:00:00+00'),
    ('u3', 'Chen',  'reader', '2000-01-01 00:00:00+00');  -- already expired
CREATE TABLE tokens AS
    SELECT sub, jwt.sign(u, 'a-long-random-server-secret-of-32+bytes') AS token FROM users u;
SELECT sub, token FROM tokens;

\echo
\echo '== 2. Verify them: valid is false for Chen, whose exp has passed.'
SELECT t.sub, v.valid, v.payload
FROM tokens t, LATERAL jwt.verify(t.token, 'a-long-random-server-secret-of-32+bytes') v;

\echo
\echo '== 3. Tamper with Brian''s token: make him an admin, keep the signature.'
WITH parts AS (
    SELECT string_to_array(token, '.') AS p FROM tokens WHERE sub = 'u2'
), forged AS (
    SELECT p[1] || '.' ||
           jwt.url_encode(convert_to(replace(convert_from(jwt.url_decode(p[2]), 'UTF8'),
                                             '"reader"', '"admin"'), 'UTF8')) ||
           '.' || p[3] AS token
    FROM parts
)
SELECT v.payload, v.valid
FROM forged, LATERAL jwt.verify(forged.token, 'a-long-random-server-secret-of-32+bytes') v;

\echo
\echo '== 4. Decode without verifying (for routing only: never trust this output).'
SELECT header, payload FROM jwt.decode((SELECT token FROM tokens WHERE sub = 'u1'));

\echo
\echo '== 5. A malformed token is an error, not a false: standard base64 with padding.'
\set ON_ERROR_STOP 0
SELECT * FROM jwt.verify('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9.MQWECYWUT7bayj8miVgsj8KdYI3ZRVS+WRRZjfZrGrw=', 'secretKey');
\echo
\echo 'Done: the cluster is dropped now.'

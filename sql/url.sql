--
-- url: jwt.url_encode(bytea) and jwt.url_decode(text), base64url as JOSE
-- uses it (RFC 4648 section 5, RFC 7515 section 2): no padding on output,
-- and a strict decoder that refuses every non-canonical spelling with 22P02.
--

\i test/regress/helpers.sql

-- Every input length modulo 3 (so every output length modulo 4: 0, 2, 3),
-- with bytes that use both URL-safe characters '-' (62) and '_' (63), and
-- the round trip back to the same bytes.
SELECT n,
       jwt.url_encode(substr('\xfbffbf00010203'::bytea, 1, n)) AS encoded,
       jwt.url_decode(jwt.url_encode(substr('\xfbffbf00010203'::bytea, 1, n))) AS decoded
FROM generate_series(0, 7) AS n;

-- Every byte value at lengths 0..300 (all three tails): the encoding equals
-- PostgreSQL's own base64 with '+/' mapped to '-_' and the padding and line
-- breaks removed, and decoding it gives the same bytes back.
WITH data AS (
    SELECT n, coalesce(decode(string_agg(lpad(to_hex((i * 7 + n) % 256), 2, '0'), ''), 'hex'),
                       ''::bytea) AS bytes
    FROM generate_series(0, 300) AS n
    LEFT JOIN LATERAL generate_series(1, n) AS i ON true
    GROUP BY n
)
SELECT count(*) AS cases,
       count(*) FILTER (WHERE jwt.url_encode(bytes)
                              <> rtrim(translate(encode(bytes, 'base64'), E'+/\n', '-_'), '='))
           AS encode_mismatches,
       count(*) FILTER (WHERE jwt.url_decode(jwt.url_encode(bytes)) <> bytes) AS decode_mismatches
FROM data;

-- Empty input is empty output both ways; NULL is NULL (STRICT).
SELECT jwt.url_encode(''::bytea) = '' AS empty_encodes,
       jwt.url_decode('') = ''::bytea AS empty_decodes,
       jwt.url_encode(NULL) IS NULL AS null_encodes,
       jwt.url_decode(NULL) IS NULL AS null_decodes;

-- A JOSE header and the tutorial's payload, as every JWT library spells them.
SELECT jwt.url_encode(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8')) AS header,
       jwt.url_encode(convert_to('{"username":"Flavio"}', 'UTF8')) AS payload,
       convert_from(jwt.url_decode('eyJ1c2VybmFtZSI6IkZsYXZpbyJ9'), 'UTF8') AS decoded;

-- Canonical tails decode: 2 characters give 1 byte, 3 give 2.
SELECT jwt.url_decode('YQ') AS a, jwt.url_decode('YWI') AS ab,
       jwt.url_decode('YWJj') AS abc, jwt.url_decode('YWJjZA') AS abcd,
       jwt.url_decode('-w') AS fb, jwt.url_decode('-_8') AS fbff;

-- Strictness: each of these is refused with 22P02 (invalid_text_representation).
-- The full error once, with its detail:
SELECT pg_temp.err($$SELECT jwt.url_decode('YQ==')$$, true) AS result;
-- and every case (the input shown as a JSON string, so white space is visible):
SELECT to_json(input) AS input, why, pg_temp.err(format('SELECT jwt.url_decode(%L)', input)) AS result
FROM (VALUES
    ('YQ==',      'padding, 1-byte tail'),
    ('YWI=',      'padding, 2-byte tail'),
    ('YQ=',       'partial padding'),
    ('====',      'padding only'),
    ('YWJjZA==',  'padding after a full group'),
    ('+/8',       'standard alphabet + and /'),
    ('YW+j',      'standard alphabet + inside a group'),
    ('YW/j',      'standard alphabet / inside a group'),
    ('YW I',      'inner space'),
    (' YWJj',     'leading space'),
    (E'YWJj\n',   'trailing newline'),
    (E'YW\tJj',   'tab'),
    ('Y',         'length 1 mod 4'),
    ('YWJjZ',     'length 1 mod 4 after a full group'),
    ('YR',        'non-zero trailing bits, 2-character tail'),
    ('-_',        'non-zero trailing bits, URL-safe characters'),
    ('YWJ',       'non-zero trailing bits, 3-character tail'),
    ('YWJjZB',    'non-zero trailing bits after a full group'),
    ('YW.j',      'a dot'),
    ('YWJ€',      'a non-ASCII character')
) AS v(input, why);

--
-- decode: jwt.decode(token) -> (header jsonb, payload jsonb, signature bytea)
-- and jwt.header(token) -> jsonb read a token WITHOUT verifying it (for
-- routing, e.g. picking a key by kid). Malformed tokens raise 22P02. Also
-- the catalogue markings of every function in schema jwt.
--

\i test/regress/helpers.sql

-- b64(text): base64url of the UTF-8 bytes, built without pg_jwt.
CREATE FUNCTION pg_temp.b64(data text) RETURNS text LANGUAGE sql AS
$$ SELECT rtrim(translate(encode(convert_to(data, 'UTF8'), 'base64'), E'+/\n', '-_'), '=') $$;

-- 1. Reading tokens -------------------------------------------------------------

-- The tutorial's token: header, payload and the raw 32-byte HMAC.
SELECT * FROM jwt.decode('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9.MQWECYWUT7bayj8miVgsj8KdYI3ZRVS-WRRZjfZrGrw');

-- Nothing is verified: a wrong signature, an empty one, alg none, an expired
-- token, and an algorithm pg_jwt does not know all decode.
SELECT header, payload, signature
FROM (VALUES
    ('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9.AAAA'),
    ('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9.'),
    (pg_temp.b64('{"alg":"none"}') || '.' || pg_temp.b64('{"admin":true}') || '.'),
    (pg_temp.b64('{"alg":"HS256"}') || '.' || pg_temp.b64('{"exp":1}') || '.c2ln'),
    (pg_temp.b64('{"alg":"XY999","kid":"k"}') || '.' || pg_temp.b64('{}') || '.c2ln')
) AS v(token), LATERAL jwt.decode(token);

-- The columns are jsonb: normalised (key order, white space, escapes), and
-- usable with the jsonb operators.
SELECT header, payload, payload ->> 'sub' AS sub, (payload -> 'n')::numeric AS n
FROM jwt.decode(pg_temp.b64('{ "typ":"JWT", "alg":"HS256" }') || '.'
                || pg_temp.b64('{"sub": "\u00e9", "n": 1.50, "a": [1, {"b": null}]}') || '.');

-- Numbers beyond 64 bits and beyond the double range are valid JSON and
-- are read whole (jsonb holds them as numeric).
SELECT payload -> 'big' AS big, payload -> 'pi' AS pi, length(payload ->> 'huge') AS huge_digits,
       payload -> 'tiny' = '1e-400'::jsonb AS tiny_exact
FROM jwt.decode(pg_temp.b64('{"alg":"HS256"}') || '.'
                || pg_temp.b64('{"big":123456789012345678901234567890,"pi":3.14159265358979323846264338327950288,"huge":1e400,"tiny":1e-400}') || '.');

-- Field selection on the record.
SELECT (jwt.decode(jwt.sign('{"sub":"alice","role":"admin"}', 'secret'))).payload ->> 'role' AS role,
       length((jwt.decode(jwt.sign('{"a":1}', 'secret', 'HS512'))).signature) AS hs512_signature_bytes;

-- jwt.header reads the header alone, e.g. the kid to choose a key by.
SELECT jwt.header(pg_temp.b64('{"alg":"RS256","typ":"JWT","kid":"2024-05-key"}') || '.' || pg_temp.b64('{}') || '.c2ln') AS header,
       jwt.header(pg_temp.b64('{"alg":"RS256","typ":"JWT","kid":"2024-05-key"}') || '.' || pg_temp.b64('{}') || '.c2ln') ->> 'kid' AS kid;
SELECT jwt.header(jwt.sign('{"a":1}', 'secret', 'HS256', '{"kid":"k-1"}')) ->> 'kid' AS kid_from_sign;
-- jwt.header does not parse the payload (only its base64url).
SELECT jwt.header(pg_temp.b64('{"alg":"HS256"}') || '.' || pg_temp.b64('not json') || '.') AS header_of_odd_payload;

-- NULL in, NULL out (STRICT).
SELECT jwt.decode(NULL) IS NULL AS decode_null, jwt.header(NULL) IS NULL AS header_null;

-- 2. Malformed tokens: 22P02 ---------------------------------------------------------

SELECT why, pg_temp.err(format('SELECT jwt.decode(%L)', token), true) AS decode,
            pg_temp.err(format('SELECT jwt.header(%L)', token)) AS header
FROM (VALUES
    ('empty string', ''),
    ('one part', 'abc'),
    ('two parts', 'eyJhbGciOiJIUzI1NiJ9.e30'),
    ('four parts', 'eyJhbGciOiJIUzI1NiJ9.e30.AA.AA'),
    ('JWE, five parts', 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..aXY.Y2k.dGFn'),
    ('JWE header in three parts', pg_temp.b64('{"alg":"dir","enc":"A128GCM"}') || '.e30.'),
    ('empty header', '.e30.'),
    ('standard base64 signature', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6IkZsYXZpbyJ9.MQWECYWUT7bayj8miVgsj8KdYI3ZRVS+WRRZjfZrGrw='),
    ('padding in the payload', 'eyJhbGciOiJIUzI1NiJ9.e30=.'),
    ('header not JSON', pg_temp.b64('alg') || '.e30.'),
    ('header an array', pg_temp.b64('["alg"]') || '.e30.'),
    ('header without alg', pg_temp.b64('{"typ":"JWT"}') || '.e30.'),
    ('header kid not a string', pg_temp.b64('{"alg":"HS256","kid":1}') || '.e30.'),
    ('header with duplicate kid', pg_temp.b64('{"alg":"HS256","kid":"a","kid":"b"}') || '.e30.'),
    ('header with \u0000', pg_temp.b64('{"alg":"HS256","kid":"\u0000"}') || '.e30.'),
    ('payload not JSON', pg_temp.b64('{"alg":"HS256"}') || '.' || pg_temp.b64('{') || '.'),
    ('payload an array', pg_temp.b64('{"alg":"HS256"}') || '.' || pg_temp.b64('[]') || '.'),
    ('payload with duplicates', pg_temp.b64('{"alg":"HS256"}') || '.' || pg_temp.b64('{"sub":"a","sub":"b"}') || '.'),
    ('payload with \u0000', pg_temp.b64('{"alg":"HS256"}') || '.' || pg_temp.b64('{"sub":"\u0000"}') || '.'),
    ('payload with a lone surrogate', pg_temp.b64('{"alg":"HS256"}') || '.' || pg_temp.b64('{"sub":"\udc00"}') || '.')
) AS v(why, token);

-- Depth and size caps are fixed constants (decode is IMMUTABLE).
SELECT pg_temp.err($$SELECT jwt.decode(pg_temp.b64('{"alg":"HS256"}') || '.' || pg_temp.b64('{"a":' || repeat('[', 64) || repeat(']', 64) || '}') || '.')$$, true) AS payload_depth_65;
SELECT pg_temp.err(format('SELECT jwt.decode(%L)', 'eyJhbGciOiJIUzI1NiJ9.' || repeat('A', 65536) || '.'), true) AS decode_too_long,
       pg_temp.err(format('SELECT jwt.header(%L)', 'eyJhbGciOiJIUzI1NiJ9.' || repeat('A', 65536) || '.')) AS header_too_long;

-- 3. Catalogue markings ----------------------------------------------------------------

-- sign VOLATILE (ES/PS signatures are random), verify STABLE (it reads the
-- clock), decode/header/url_* IMMUTABLE; all PARALLEL SAFE; STRICT except
-- sign (whose header may be NULL) and verify with a jsonb key (whose NULL
-- algorithm means the JWK's alg). (Functions added later are checked by
-- their own suites; the comment check below covers every function.)
SELECT p.oid::regprocedure AS function,
       p.provolatile AS volatility, p.proisstrict AS strict, p.proparallel AS parallel,
       p.prosecdef AS security_definer, pg_get_function_result(p.oid) AS result
FROM pg_proc AS p
WHERE p.pronamespace = 'jwt'::regnamespace
  AND p.proname IN ('sign', 'verify', 'decode', 'header', 'url_encode', 'url_decode')
ORDER BY p.proname, p.oid::regprocedure::text;

-- The markings the design requires, as one check per rule.
SELECT bool_and(provolatile = 'v') FILTER (WHERE proname = 'sign') AS sign_volatile,
       bool_and(provolatile = 's') FILTER (WHERE proname = 'verify') AS verify_stable,
       bool_and(provolatile = 'i') FILTER (WHERE proname IN ('decode', 'header', 'url_encode', 'url_decode'))
           AS readers_immutable,
       bool_and(proparallel = 's') AS all_parallel_safe,
       bool_and(proisstrict) FILTER (WHERE proname <> 'sign'
                                       AND p.oid <> 'jwt.verify(text,jsonb,text)'::regprocedure)
           AS strict_where_null_means_null
FROM pg_proc AS p
WHERE pronamespace = 'jwt'::regnamespace
  AND proname IN ('sign', 'verify', 'decode', 'header', 'url_encode', 'url_decode');

-- Every function in schema jwt has a COMMENT.
SELECT p.oid::regprocedure AS function_without_comment
FROM pg_proc AS p
WHERE p.pronamespace = 'jwt'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT count(*) > 0 AS has_functions,
       count(*) FILTER (WHERE obj_description(oid, 'pg_proc') IS NOT NULL) = count(*) AS all_commented
FROM pg_proc WHERE pronamespace = 'jwt'::regnamespace;

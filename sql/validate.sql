--
-- validate: jwt.validate (strict: the claims, else an error with SQLSTATE,
-- message and detail) and jwt.is_valid (false for every token fault), rule
-- by rule at the boundary second, with explicit times: exp, nbf, iat,
-- max_age with leeway; iss; aud (RFC 7519 section 4.1.3); required
-- claims; typ; crit; the algorithm allow-list; NumericDate forms and
-- ranges; key sources (argument, secret, keyring, pg_jwt.jwks);
-- revocation; the superuser-only settings.
--
-- Times: T = 2026-01-01T00:00:00Z = 1767225600 seconds since 1970.
--

\i test/regress/helpers.sql
SET regress.err_detail = on;
-- run(query): the query's one value as text, or the error as err() gives it.
CREATE FUNCTION pg_temp.run(query text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    result text;
    detail text;
BEGIN
    EXECUTE query INTO result;
    RETURN coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' [' || nullif(detail, '') || ']', '');
END
$f$;
-- vt(token, args): jwt.validate and jwt.is_valid of the token with the
-- 32-byte secret as key, at T unless args name another now, and args (SQL
-- text of further named arguments) appended.
CREATE FUNCTION pg_temp.vt(token text, args text DEFAULT '', OUT validate text, OUT is_valid text)
LANGUAGE plpgsql AS $f$
DECLARE
    call text := format('(%L, %L', token, 'secret-secret-secret-secret-secr')
        || CASE WHEN args LIKE '%now =>%' THEN '' ELSE ', now => ''2026-01-01 00:00:00+00''' END
        || CASE WHEN args = '' THEN '' ELSE ', ' || args END || ')';
BEGIN
    validate := pg_temp.err('SELECT jwt.validate' || call);
    is_valid := pg_temp.run('SELECT jwt.is_valid' || call);
END
$f$;
-- v(claims, args): the same for an HS256 token of these claims.
CREATE FUNCTION pg_temp.v(claims text, args text DEFAULT '', OUT validate text, OUT is_valid text)
LANGUAGE sql AS $$ SELECT * FROM pg_temp.vt(jwt.sign(claims, 'secret-secret-secret-secret-secr'), args) $$;
-- b64(text) and tok(header, payload): a token built without pg_jwt (for
-- headers that jwt.sign refuses to write), HMAC-SHA256 with the 32-byte secret.
CREATE FUNCTION pg_temp.b64(data text) RETURNS text LANGUAGE sql AS
$$ SELECT rtrim(translate(encode(convert_to(data, 'UTF8'), 'base64'), E'+/\n', '-_'), '=') $$;
CREATE FUNCTION pg_temp.tok(header text, payload text) RETURNS text LANGUAGE sql AS $$
    SELECT s || '.' || rtrim(translate(encode(hmac(convert_to(s, 'UTF8'), 'secret-secret-secret-secret-secr'::bytea, 'sha256'),
                                              'base64'), E'+/\n', '-_'), '=')
    FROM (SELECT pg_temp.b64(header) || '.' || pg_temp.b64(payload) AS s) AS x
$$;

-- The keyring is shared with other suites: start empty.
TRUNCATE jwt.keys, jwt.revoked;

-- 1. A valid token: the claims come back as jsonb ------------------------------

SELECT jwt.validate(jwt.sign('{"sub":"alice","n":1.50,"exp":1767225601}', 'secret-secret-secret-secret-secr'),
                    'secret-secret-secret-secret-secr', now => '2026-01-01 00:00:00+00') AS claims;
SELECT jwt.is_valid(jwt.sign('{"sub":"alice"}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr') AS is_valid,
       jwt.validate(NULL) IS NULL AS null_token_validate, jwt.is_valid(NULL) IS NULL AS null_token_is_valid;
-- Without now, the statement's start time is the clock.
SELECT jwt.is_valid(jwt.sign(format('{"exp":%s}', trunc(extract(epoch FROM statement_timestamp())) + 60), 'secret-secret-secret-secret-secr'),
                    'secret-secret-secret-secret-secr') AS exp_in_a_minute,
       jwt.is_valid(jwt.sign(format('{"exp":%s}', trunc(extract(epoch FROM statement_timestamp())) - 60), 'secret-secret-secret-secret-secr'),
                    'secret-secret-secret-secret-secr') AS exp_a_minute_ago;

-- 2. exp, nbf, iat and max_age at the boundary second ------------------------------

-- exp: expired when now >= exp + leeway. nbf: not yet valid when now <
-- nbf - leeway. iat: refused when iat > now + leeway. max_age: too old when
-- now - iat > max_age + leeway; without iat it cannot be checked.
SELECT why, claims, args, r.validate, r.is_valid
FROM (VALUES
    ('exp one second ahead', '{"exp":1767225601}', ''),
    ('exp now', '{"exp":1767225600}', ''),
    ('exp a second ago', '{"exp":1767225599}', ''),
    ('exp half a second ahead', '{"exp":1767225600.5}', ''),
    ('exp half a second ago', '{"exp":1767225599.5}', ''),
    ('exp a microsecond ahead', '{"exp":1767225600.000001}', ''),
    ('exp 29 s ago, leeway 30 s', '{"exp":1767225571}', 'leeway => ''30 s'''),
    ('exp 30 s ago, leeway 30 s', '{"exp":1767225570}', 'leeway => ''30 s'''),
    ('exp 4 min 59 s ago, leeway 5 min', '{"exp":1767225301}', 'leeway => ''5 min'''),
    ('exp 5 min ago, leeway 5 min', '{"exp":1767225300}', 'leeway => ''5 min'''),
    ('nbf now', '{"nbf":1767225600}', ''),
    ('nbf a second ahead', '{"nbf":1767225601}', ''),
    ('nbf half a second ahead', '{"nbf":1767225600.5}', ''),
    ('nbf 30 s ahead, leeway 30 s', '{"nbf":1767225630}', 'leeway => ''30 s'''),
    ('nbf 31 s ahead, leeway 30 s', '{"nbf":1767225631}', 'leeway => ''30 s'''),
    ('nbf = exp = now', '{"nbf":1767225600,"exp":1767225600}', ''),
    ('iat now', '{"iat":1767225600}', ''),
    ('iat a second ahead', '{"iat":1767225601}', ''),
    ('iat 30 s ahead, leeway 30 s', '{"iat":1767225630}', 'leeway => ''30 s'''),
    ('iat 31 s ahead, leeway 30 s', '{"iat":1767225631}', 'leeway => ''30 s'''),
    ('iat long ago', '{"iat":0}', ''),
    ('max_age 1 h, iat 1 h ago', '{"iat":1767222000}', 'max_age => ''1 hour'''),
    ('max_age 1 h, iat 1 h 1 s ago', '{"iat":1767221999}', 'max_age => ''1 hour'''),
    ('max_age 1 h, iat 1 h 10 s ago, leeway 10 s', '{"iat":1767221990}', 'max_age => ''1 hour'', leeway => ''10 s'''),
    ('max_age 1 h, iat 1 h 11 s ago, leeway 10 s', '{"iat":1767221989}', 'max_age => ''1 hour'', leeway => ''10 s'''),
    ('max_age 1.5 s, iat 2 s ago', '{"iat":1767225598}', 'max_age => ''1.5 s'''),
    ('max_age 0, iat now', '{"iat":1767225600}', 'max_age => ''0'''),
    ('max_age 1 day, no iat', '{"sub":"alice"}', 'max_age => ''1 day'''),
    ('max_age negative', '{"iat":1767225600}', 'max_age => ''-1 s'''),
    ('every claim in bounds', '{"iat":1767225000,"nbf":1767225000,"exp":1767226000}', 'max_age => ''1 hour''')
) AS c(why, claims, args), LATERAL pg_temp.v(c.claims, c.args) AS r;

-- 3. NumericDate forms -----------------------------------------------------------------

-- Numbers only (fractions allowed), between the years 1 and 9999; beyond
-- 2^53 and beyond the double range (1e400, valid JSON) they are out of
-- range; strings, arrays, null and booleans are not numbers.
SELECT claims, r.validate, r.is_valid
FROM (VALUES
    ('{"exp":1.767225601e9}'),
    ('{"exp":17672256010e-1}'),
    ('{"exp":9007199254740993}'),
    ('{"exp":123456789012345678901234567890}'),
    ('{"exp":1e400}'),
    ('{"nbf":-1e400}'),
    ('{"iat":1E400}'),
    ('{"exp":253402300799}'),
    ('{"exp":253402300800}'),
    ('{"nbf":-62135596800}'),
    ('{"nbf":-62135596801}'),
    ('{"nbf":-1}'),
    ('{"exp":-1}'),
    ('{"exp":-0.5}'),
    ('{"iat":-86400.25}'),
    ('{"exp":"1767225601"}'),
    ('{"nbf":"0"}'),
    ('{"iat":"2026-01-01T00:00:00Z"}'),
    ('{"exp":[1767225601]}'),
    ('{"exp":null}'),
    ('{"nbf":true}'),
    ('{"iat":{}}')
) AS c(claims), LATERAL pg_temp.v(c.claims) AS r;

-- Details carry ISO 8601 UTC times whatever TimeZone and DateStyle say, and
-- whatever offset now is written with.
SET TimeZone = 'Asia/Kolkata';
SET DateStyle = 'SQL, DMY';
SELECT r.validate FROM pg_temp.v('{"exp":1767225599.5}', 'now => ''2026-01-01 05:30:00+05:30''') AS r;
SELECT r.validate FROM pg_temp.v('{"nbf":1767225601}', 'now => ''2025-12-31 20:30:00-03:30''') AS r;
SET TimeZone = 'America/St_Johns';
SELECT r.validate FROM pg_temp.v('{"iat":1767225601}') AS r;
SELECT r.validate FROM pg_temp.v('{"iat":1767221999}', 'max_age => ''1 hour''') AS r;
RESET TimeZone;
RESET DateStyle;

-- 4. iss, aud, required claims, jti -------------------------------------------------------

-- iss: exact match when an issuer is expected. aud: a string or an array
-- of strings that must contain the expected audience; when none is
-- expected, a token with an audience is refused (RFC 7519 section 4.1.3);
-- anything else in aud is invalid either way.
SELECT why, claims, args, r.validate, r.is_valid
FROM (VALUES
    ('iss matches', '{"iss":"https://a.example"}', 'issuer => ''https://a.example'''),
    ('iss with a trailing slash', '{"iss":"https://a.example/"}', 'issuer => ''https://a.example'''),
    ('iss in other case', '{"iss":"HTTPS://A.EXAMPLE"}', 'issuer => ''https://a.example'''),
    ('iss missing', '{"sub":"alice"}', 'issuer => ''https://a.example'''),
    ('iss a number', '{"iss":1}', 'issuer => ''1'''),
    ('iss an array', '{"iss":["https://a.example"]}', 'issuer => ''https://a.example'''),
    ('iss present, none expected', '{"iss":"https://a.example"}', ''),
    ('aud string matches', '{"aud":"api"}', 'audience => ''api'''),
    ('aud array contains it', '{"aud":["web","api"]}', 'audience => ''api'''),
    ('aud array lacks it', '{"aud":["web","app"]}', 'audience => ''api'''),
    ('aud in other case', '{"aud":"API"}', 'audience => ''api'''),
    ('aud empty array', '{"aud":[]}', 'audience => ''api'''),
    ('aud missing', '{"sub":"alice"}', 'audience => ''api'''),
    ('aud present, none expected', '{"aud":"api"}', ''),
    ('aud empty array, none expected', '{"aud":[]}', ''),
    ('aud a number', '{"aud":1}', 'audience => ''1'''),
    ('aud an array with a number', '{"aud":["api",1]}', 'audience => ''api'''),
    ('aud null', '{"aud":null}', 'audience => ''api'''),
    ('aud an object', '{"aud":{"api":true}}', ''),
    ('required present', '{"sub":"alice","role":"reader"}', 'required => ARRAY[''sub'', ''role'']'),
    ('required, one missing', '{"sub":"alice"}', 'required => ARRAY[''sub'', ''role'']'),
    ('required, present as null', '{"sub":null}', 'required => ARRAY[''sub'']'),
    ('required exp, present', '{"exp":1767225601}', 'required => ARRAY[''exp'']'),
    ('required exp, missing', '{"sub":"alice"}', 'required => ARRAY[''exp'']'),
    ('required in other case', '{"sub":"alice"}', 'required => ARRAY[''SUB'']'),
    ('required empty list', '{"sub":"alice"}', 'required => ARRAY[]::text[]'),
    ('required with a NULL', '{"sub":"alice"}', 'required => ARRAY[NULL]'),
    ('required, a long name cut in a message', '{"sub":"alice"}', format('required => ARRAY[%L]', repeat('ü', 40))),
    ('jti a string', '{"jti":"abc"}', ''),
    ('jti a number', '{"jti":1}', ''),
    ('all together', '{"iss":"i","aud":["a","b"],"sub":"s","exp":1767225601,"nbf":1767225600,"iat":1767225600}',
     'issuer => ''i'', audience => ''b'', required => ARRAY[''sub''], max_age => ''1 min''')
) AS c(why, claims, args), LATERAL pg_temp.v(c.claims, c.args) AS r;

-- 5. The header: typ, crit, b64, alg -------------------------------------------------------

-- typ matches case-insensitively, with or without "application/" (RFC 7515
-- section 4.1.9); crit (no extension is understood) and b64 are refused.
SELECT why, r.validate, r.is_valid
FROM (VALUES
    ('typ JWT, expected JWT', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'typ => ''JWT'''),
    ('typ JWT, expected jwt', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'typ => ''jwt'''),
    ('typ JWT, expected application/jwt', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'typ => ''application/jwt'''),
    ('typ application/JWT, expected JWT', jwt.sign('{}', 'secret-secret-secret-secret-secr', 'HS256', '{"typ":"application/JWT"}'), 'typ => ''JWT'''),
    ('typ at+jwt, expected Application/AT+JWT', jwt.sign('{}', 'secret-secret-secret-secret-secr', 'HS256', '{"typ":"at+jwt"}'), 'typ => ''Application/AT+JWT'''),
    ('typ JWT, expected at+jwt', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'typ => ''at+jwt'''),
    ('typ at+jwt, none expected', jwt.sign('{}', 'secret-secret-secret-secret-secr', 'HS256', '{"typ":"at+jwt"}'), ''),
    ('no typ, expected JWT', jwt.sign('{}', 'secret-secret-secret-secret-secr', 'HS256', '{"typ":null}'), 'typ => ''JWT'''),
    ('crit with an extension', pg_temp.tok('{"alg":"HS256","crit":["exp"],"exp":1}', '{}'), ''),
    ('crit empty', pg_temp.tok('{"alg":"HS256","crit":[]}', '{}'), ''),
    ('b64 false', pg_temp.tok('{"alg":"HS256","b64":false}', '{}'), ''),
    ('b64 true', pg_temp.tok('{"alg":"HS256","b64":true}', '{}'), ''),
    ('alg none, no signature', pg_temp.b64('{"alg":"none"}') || '.' || pg_temp.b64('{}') || '.', ''),
    ('alg hs256 (case)', pg_temp.tok('{"alg":"hs256"}', '{}'), ''),
    ('a long alg cut in a message', pg_temp.tok(format('{"alg":"x%s"}', repeat('é', 20)), '{}'), ''),
    ('signature of another secret', jwt.sign('{}', 'secret-secret-secret-secret-secR'), ''),
    ('enc in the header', pg_temp.tok('{"alg":"HS256","enc":"A128GCM"}', '{}'), ''),
    ('two parts', 'eyJhbGciOiJIUzI1NiJ9.e30', ''),
    ('payload not an object', pg_temp.tok('{"alg":"HS256"}', '[]'), ''),
    ('payload with duplicate exp', pg_temp.tok('{"alg":"HS256"}', '{"exp":1,"exp":1767225601}'), '')
) AS c(why, token, args), LATERAL pg_temp.vt(c.token, c.args) AS r;

-- 6. The algorithm allow-list ------------------------------------------------------------------

-- The caller's list, else the key's own algorithm (a raw secret: HS256).
-- A token whose alg is not allowed is refused (28000) before its
-- signature is looked at; a list the key fits none of is the caller's
-- fault (22023). The 64-byte secret fits HS256, HS384 and HS512.
SELECT why, pg_temp.err(format('SELECT jwt.validate(%L, %L, %s)', token, key, args)) AS validate,
       pg_temp.run(format('SELECT jwt.is_valid(%L, %L, %s)', token, key, args)) AS is_valid
FROM (VALUES
    ('HS256 token, default list', jwt.sign('{}', repeat('0123456789abcdef', 4)), repeat('0123456789abcdef', 4), 'NULL'),
    ('HS512 token, default list', jwt.sign('{}', repeat('0123456789abcdef', 4), 'HS512'), repeat('0123456789abcdef', 4), 'NULL'),
    ('HS512 token, HS512 allowed', jwt.sign('{}', repeat('0123456789abcdef', 4), 'HS512'), repeat('0123456789abcdef', 4), 'ARRAY[''HS512'']'),
    ('HS256 token, HS512 allowed', jwt.sign('{}', repeat('0123456789abcdef', 4)), repeat('0123456789abcdef', 4), 'ARRAY[''HS512'']'),
    ('HS384 token, HS256 and HS512 allowed', jwt.sign('{}', repeat('0123456789abcdef', 4), 'HS384'), repeat('0123456789abcdef', 4), 'ARRAY[''HS256'', ''HS512'']'),
    ('HS512 token, HS256 and HS512 allowed', jwt.sign('{}', repeat('0123456789abcdef', 4), 'HS512'), repeat('0123456789abcdef', 4), 'ARRAY[''HS256'', ''HS512'']'),
    ('HS512 token, both allowed, 32-byte secret', jwt.sign('{}', 'secret-secret-secret-secret-secr-secret-secret-secret-secret-se', 'HS512'), 'secret-secret-secret-secret-secr', 'ARRAY[''HS256'', ''HS512'']'),
    ('HS512 allowed, 32-byte secret', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', 'ARRAY[''HS512'']'),
    ('unknown algorithm in the list', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', 'ARRAY[''HS256'', ''hs512'']'),
    ('none in the list', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', 'ARRAY[''none'']'),
    ('RS256 allowed, secret given', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', 'ARRAY[''RS256'']'),
    ('empty list: the default', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', 'ARRAY[]::text[]')
) AS c(why, token, key, args);

-- 7. Keys: arguments -------------------------------------------------------------------------------

-- Secrets shorter than the hash are refused (22023), text or bytea; a
-- binary secret goes in the secret argument; key and secret are exclusive;
-- the leeway is 0 to 5 minutes.
SELECT why, pg_temp.err(query) AS result
FROM (VALUES
    ('31-byte secret', format('SELECT jwt.validate(%L, %L)', jwt.sign('{}', 'secret-secret-secret-secret-sec'), 'secret-secret-secret-secret-sec')),
    ('32-byte secret', format('SELECT jwt.validate(%L, %L)', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr')),
    ('32-byte secret for HS384', format('SELECT jwt.validate(%L, %L, ARRAY[%L])', jwt.sign('{}', 'secret-secret-secret-secret-secr', 'HS384'), 'secret-secret-secret-secret-secr', 'HS384')),
    ('48-byte secret for HS384', format('SELECT jwt.validate(%L, %L, ARRAY[%L])', jwt.sign('{}', repeat('x', 48), 'HS384'), repeat('x', 48), 'HS384')),
    ('binary secret of 32 bytes', format('SELECT jwt.validate(%L, secret => %L::bytea)', jwt.sign('{}', decode(repeat('00ff', 16), 'hex')), '\x' || repeat('00ff', 16))),
    ('binary secret of 31 bytes', format('SELECT jwt.validate(%L, secret => %L::bytea)', jwt.sign('{}', decode(repeat('00ff', 16), 'hex')), '\x' || repeat('00ff', 15) || '00')),
    ('binary secret, another one', format('SELECT jwt.validate(%L, secret => %L::bytea)', jwt.sign('{}', decode(repeat('00ff', 16), 'hex')), '\x' || repeat('ff00', 16))),
    ('empty secret', format('SELECT jwt.validate(%L, secret => %L::bytea)', jwt.sign('{}', 'secret-secret-secret-secret-secr'), '\x')),
    ('key and secret', format('SELECT jwt.validate(%L, %L, secret => %L::bytea)', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', '\x00')),
    ('PEM public key as HS256 secret', format('SELECT jwt.validate(%L, %L, ARRAY[%L])', jwt.sign('{}', 'secret-secret-secret-secret-secr'),
                                              E'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAgGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY=\n-----END PUBLIC KEY-----\n', 'HS256')),
    ('leeway 5 min', format('SELECT jwt.validate(%L, %L, leeway => %L)', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', '5 min')),
    ('leeway 5 min 1 s', format('SELECT jwt.validate(%L, %L, leeway => %L)', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', '5 min 1 s')),
    ('leeway 300.000001 s', format('SELECT jwt.validate(%L, %L, leeway => %L)', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', '300.000001 s')),
    ('leeway 1 day', format('SELECT jwt.validate(%L, %L, leeway => %L)', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', '1 day')),
    ('leeway -1 s', format('SELECT jwt.validate(%L, %L, leeway => %L)', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', '-1 s')),
    ('leeway 0', format('SELECT jwt.validate(%L, %L, leeway => %L)', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', '0')),
    ('is_valid, 31-byte secret', format('SELECT jwt.is_valid(%L, %L)', jwt.sign('{}', 'secret-secret-secret-secret-sec'), 'secret-secret-secret-secret-sec')),
    ('is_valid, leeway -1 s', format('SELECT jwt.is_valid(%L, %L, leeway => %L)', jwt.sign('{}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', '-1 s'))
) AS c(why, query);

-- A key text may be a JWK or a JWK set (kid selects), or PEM.
SELECT why, pg_temp.err(format('SELECT jwt.validate(%L, %L)', token, key)) AS validate
FROM (VALUES
    ('oct JWK', jwt.sign('{}', 'secret-secret-secret-secret-secr'), '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'),
    ('oct JWK naming HS384', jwt.sign('{}', 'secret-secret-secret-secret-secr'),
     '{"kty":"oct","alg":"HS384","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}'),
    ('JWK set, kid b', jwt.sign('{}', 'secret-secret-secret-secret-secr', 'HS256', '{"kid":"b"}'),
     '{"keys":[{"kty":"oct","kid":"a","k":"b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXItb3Q"},{"kty":"oct","kid":"b","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}'),
    ('JWK set, kid a', jwt.sign('{}', 'secret-secret-secret-secret-secr', 'HS256', '{"kid":"a"}'),
     '{"keys":[{"kty":"oct","kid":"a","k":"b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXItb3Q"},{"kty":"oct","kid":"b","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}'),
    ('Ed25519 PEM', jwt.sign('{}', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHsh2UQiRH6Qa5wmCE/cN00uQt4e3SqjYchDBC4EF7T5\n-----END PRIVATE KEY-----\n', 'EdDSA'),
     E'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAgGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY=\n-----END PUBLIC KEY-----\n'),
    ('Ed25519 PEM, Ed25519 token', jwt.sign('{}', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHsh2UQiRH6Qa5wmCE/cN00uQt4e3SqjYchDBC4EF7T5\n-----END PRIVATE KEY-----\n', 'Ed25519'),
     E'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAgGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY=\n-----END PUBLIC KEY-----\n')
) AS c(why, token, key);

-- 8. Keys: the keyring and the pg_jwt.jwks setting ----------------------------------------------

-- No key argument, an empty keyring and no setting: nothing to validate with.
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', jwt.sign('{}', 'secret-secret-secret-secret-secr'))) AS no_keys;
SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'hs-1') AS kid;
SELECT jwt.add_key(repeat('0123456789abcdef', 4), 'HS512', 'hs-2') AS kid;
SELECT why, pg_temp.err(format('SELECT jwt.validate(%L%s)', token, args)) AS validate,
       pg_temp.run(format('SELECT jwt.is_valid(%L%s)', token, args)) AS is_valid
FROM (VALUES
    ('kid hs-1', jwt.sign('{"sub":"a"}', 'secret-secret-secret-secret-secr', 'HS256', '{"kid":"hs-1"}'), ''),
    ('no kid: the keys are tried', jwt.sign('{"sub":"a"}', 'secret-secret-secret-secret-secr'), ''),
    ('HS512 with kid hs-2', jwt.sign('{"sub":"a"}', repeat('0123456789abcdef', 4), 'HS512', '{"kid":"hs-2"}'), ''),
    ('kid hs-2 on an HS256 token', jwt.sign('{"sub":"a"}', 'secret-secret-secret-secret-secr', 'HS256', '{"kid":"hs-2"}'), ''),
    ('unknown kid', jwt.sign('{"sub":"a"}', 'secret-secret-secret-secret-secr', 'HS256', '{"kid":"hs-9"}'), ''),
    ('another secret', jwt.sign('{"sub":"a"}', 'secret-secret-secret-secret-secR', 'HS256', '{"kid":"hs-1"}'), ''),
    ('HS384: no keyring key for it', jwt.sign('{"sub":"a"}', repeat('x', 48), 'HS384'), ''),
    ('HS256 only allowed, HS512 token', jwt.sign('{"sub":"a"}', repeat('0123456789abcdef', 4), 'HS512', '{"kid":"hs-2"}'), ', algorithms => ARRAY[''HS256'']')
) AS c(why, token, args);

-- The pg_jwt.jwks setting: public keys for validation after the keyring.
SET pg_jwt.jwks = '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"gGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY","kid":"ed-1"}]}';
SELECT why, pg_temp.err(format('SELECT jwt.validate(%L)', token)) AS validate
FROM (VALUES
    ('EdDSA, kid ed-1', jwt.sign('{"sub":"e"}', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHsh2UQiRH6Qa5wmCE/cN00uQt4e3SqjYchDBC4EF7T5\n-----END PRIVATE KEY-----\n', 'EdDSA', '{"kid":"ed-1"}')),
    ('EdDSA, no kid', jwt.sign('{"sub":"e"}', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHsh2UQiRH6Qa5wmCE/cN00uQt4e3SqjYchDBC4EF7T5\n-----END PRIVATE KEY-----\n', 'EdDSA')),
    ('EdDSA, unknown kid', jwt.sign('{"sub":"e"}', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHsh2UQiRH6Qa5wmCE/cN00uQt4e3SqjYchDBC4EF7T5\n-----END PRIVATE KEY-----\n', 'EdDSA', '{"kid":"ed-2"}')),
    ('HS256 from the keyring still', jwt.sign('{"sub":"a"}', 'secret-secret-secret-secret-secr', 'HS256', '{"kid":"hs-1"}')),
    ('ES256: no key for it', pg_temp.b64('{"alg":"ES256"}') || '.' || pg_temp.b64('{}') || '.' || repeat('A', 86))
) AS c(why, token);
-- Secrets do not belong in a setting every role can read; a setting that
-- is not a JWK set is the caller's fault.
SET pg_jwt.jwks = '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', jwt.sign('{}', 'secret-secret-secret-secret-secr', 'HS256', '{"kid":"hs-1"}'))) AS oct_in_setting;
SET pg_jwt.jwks = '{"keys":';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', jwt.sign('{}', 'secret-secret-secret-secret-secr', 'HS256', '{"kid":"hs-1"}'))) AS invalid_setting;
-- The parsed setting is kept while its text stays the same: each change,
-- including back to a text seen before, is read anew.
SET pg_jwt.jwks = '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"gGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY","kid":"ed-1"}]}';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', jwt.sign('{"sub":"e"}', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHsh2UQiRH6Qa5wmCE/cN00uQt4e3SqjYchDBC4EF7T5\n-----END PRIVATE KEY-----\n', 'EdDSA', '{"kid":"ed-1"}'))) AS setting_again;
SET pg_jwt.jwks = '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"j9wtROX6DS86L-dQFWxmqv6E7Rikhe4dS-_e6qG_e1s","kid":"ed-1"}]}';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', jwt.sign('{"sub":"e"}', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHsh2UQiRH6Qa5wmCE/cN00uQt4e3SqjYchDBC4EF7T5\n-----END PRIVATE KEY-----\n', 'EdDSA', '{"kid":"ed-1"}'))) AS setting_with_another_key;
RESET pg_jwt.jwks;

-- The pg_jwt.audience, pg_jwt.issuer and pg_jwt.leeway settings are the
-- defaults of the arguments; an argument overrides them.
SET pg_jwt.audience = 'api';
SET pg_jwt.issuer = 'https://a.example';
SET pg_jwt.leeway = 30;
SELECT why, claims, args, r.validate, r.is_valid
FROM (VALUES
    ('audience and issuer from the settings', '{"aud":"api","iss":"https://a.example"}', ''),
    ('aud missing', '{"iss":"https://a.example"}', ''),
    ('iss missing', '{"aud":"api"}', ''),
    ('audience argument wins', '{"aud":"web","iss":"https://a.example"}', 'audience => ''web'''),
    ('exp 29 s ago: leeway from the setting', '{"aud":"api","iss":"https://a.example","exp":1767225571}', ''),
    ('exp 29 s ago, leeway argument 0', '{"aud":"api","iss":"https://a.example","exp":1767225571}', 'leeway => ''0''')
) AS c(why, claims, args), LATERAL pg_temp.v(c.claims, c.args) AS r;
RESET pg_jwt.audience;
RESET pg_jwt.issuer;
RESET pg_jwt.leeway;

-- Settings that loosen or redirect a check are superuser-only; every role
-- can read them.
CREATE ROLE regress_jwt_plain NOLOGIN;
SET ROLE regress_jwt_plain;
SELECT setting, pg_temp.err(format('SET %s = %L', setting, value)) AS set_result,
       pg_temp.err(format('SELECT set_config(%L, %L, false)', setting, value)) AS set_config,
       current_setting(setting) AS current_value
FROM (VALUES ('pg_jwt.leeway', '300'), ('pg_jwt.audience', 'x'), ('pg_jwt.issuer', 'x'),
             ('pg_jwt.jwks', '{"keys":[]}')) AS v(setting, value);
RESET ROLE;
DROP ROLE regress_jwt_plain;
SELECT name, context, vartype, min_val, max_val, unit FROM pg_settings
WHERE name IN ('pg_jwt.leeway', 'pg_jwt.audience', 'pg_jwt.issuer', 'pg_jwt.jwks') ORDER BY name;

-- 9. Revocation ---------------------------------------------------------------------------------

-- jwt.revoke(jti, until): strict validation refuses the token while now <
-- until (now being the now argument, else the statement's start); after
-- that it is accepted again. Tokens without a jti cannot be revoked.
SELECT jwt.revoke('jti-1', '2026-01-01 01:00:00+00');
SELECT jti, until AT TIME ZONE 'UTC' AS until_utc FROM jwt.revoked;
SELECT why, now, r.validate, r.is_valid
FROM (VALUES
    ('before until', '2026-01-01 00:00:00+00'),
    ('a microsecond before until', '2026-01-01 00:59:59.999999+00'),
    ('at until', '2026-01-01 01:00:00+00'),
    ('after until', '2026-01-01 01:00:01+00')
) AS c(why, now), LATERAL pg_temp.v('{"jti":"jti-1","exp":1767240000}', format('now => %L', c.now)) AS r;
SELECT why, r.validate, r.is_valid
FROM (VALUES
    ('another jti', '{"jti":"jti-2"}'),
    ('no jti', '{"sub":"alice"}'),
    ('jti differs in case', '{"jti":"JTI-1"}')
) AS c(why, claims), LATERAL pg_temp.v(c.claims) AS r;
-- Revoking again keeps the later until.
SELECT jwt.revoke('jti-1', '2026-01-01 00:30:00+00');
SELECT jwt.revoke('jti-1', '2026-01-01 02:00:00+00');
SELECT jti, until AT TIME ZONE 'UTC' AS until_utc FROM jwt.revoked;
SELECT r.validate FROM pg_temp.v('{"jti":"jti-1","exp":1767240000}', 'now => ''2026-01-01 01:30:00+00''') AS r;
-- The revocation list is read in this backend as soon as it changes.
SELECT r.is_valid AS before_delete FROM pg_temp.v('{"jti":"jti-1"}') AS r;
DELETE FROM jwt.revoked;
SELECT r.is_valid AS after_delete FROM pg_temp.v('{"jti":"jti-1"}') AS r;
SELECT jwt.revoke('jti-1', 'infinity');
SELECT r.is_valid AS revoked_again FROM pg_temp.v('{"jti":"jti-1"}') AS r;
-- jwt.verify (pgjwt-compatible) does not consult the list.
SELECT (jwt.verify(jwt.sign('{"jti":"jti-1"}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr')).valid AS verify_ignores_it;
-- purge_revoked deletes the entries whose until has passed (by the clock).
TRUNCATE jwt.revoked;
SELECT jwt.revoke('gone', now() - interval '1 day'), jwt.revoke('just-gone', now()),
       jwt.revoke('kept', now() + interval '1 day');
SELECT jwt.purge_revoked() AS purged;
SELECT jti FROM jwt.revoked ORDER BY jti;
SELECT jwt.purge_revoked() AS purged_again;
-- NULL arguments: revoke is STRICT.
SELECT jwt.revoke(NULL, now()) IS NULL AS null_jti, jwt.revoke('x', NULL) IS NULL AS null_until;
SELECT count(*) AS entries FROM jwt.revoked;

TRUNCATE jwt.keys, jwt.revoked;

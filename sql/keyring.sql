--
-- keyring: jwt.keys with jwt.generate_key, jwt.add_key, jwt.thumbprint
-- (RFC 7638), jwt.jwks(), jwt.issue(), key rotation through not_before and
-- expires_at, and the privileges around private key material, checked with
-- real unprivileged roles.
--

\i test/regress/helpers.sql
SET regress.err_detail = on;
-- part(token, n): the decoded header (1) or payload (2) as jsonb.
CREATE FUNCTION pg_temp.part(token text, n int) RETURNS jsonb LANGUAGE sql AS
$$ SELECT convert_from(jwt.url_decode(split_part(token, '.', n)), 'UTF8')::jsonb $$;
-- bytes(jwk, member): the length of a base64url member, decoded.
CREATE FUNCTION pg_temp.bytes(jwk jsonb, member text) RETURNS int LANGUAGE sql AS
$$ SELECT length(jwt.url_decode(jwk ->> member)) $$;

\set rsa2048 `cat test/keys/rsa2048.pem`
\set rsa2048_pub `cat test/keys/rsa2048.pub.pem`
\set rsa1024_pub `cat test/keys/rsa1024.pub.pem`
\set p256 `cat test/keys/ec_p256.pem`
\set ed25519_pub `cat test/keys/ed25519.pub.pem`

-- Other suites share the database: start from an empty keyring.
TRUNCATE jwt.keys, jwt.revoked;

-- 1. Thumbprints (RFC 7638) ---------------------------------------------------

-- The RFC 7638 section 3.1 example key, and the RFC 8037 appendix A.3
-- Ed25519 example.
SELECT jwt.thumbprint('{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}')
           AS rfc7638,
       jwt.thumbprint('{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}') AS rfc8037;
SELECT jwt.thumbprint('{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}')
     = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' AS rfc7638_matches,
       jwt.thumbprint('{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}')
     = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' AS rfc8037_matches;
-- Only the required members count, in any order: optional members and the
-- private half change nothing. (Expected values computed with Python.)
SELECT jwt.thumbprint('{"y":"ZJOJbXso6B3_Vhe5UiG2qyLDEEBJVmrlJVTt_SidITk","x":"ChSbL_GlWzXewqAxdO6Vxcc7xUoEI1kTBvOyQd4DvcU","crv":"P-256","kty":"EC"}')
     = '63jLMHsgtm4RlWMPmXspylkHm3jPOQfFWIyTF7GlOFk' AS ec_public,
       jwt.thumbprint('{"kty":"EC","crv":"P-256","x":"ChSbL_GlWzXewqAxdO6Vxcc7xUoEI1kTBvOyQd4DvcU","y":"ZJOJbXso6B3_Vhe5UiG2qyLDEEBJVmrlJVTt_SidITk","d":"Tl86OUb3avkuHBjrBNZ7Ydc_QFJkV4c3Z2nARt2DyFU","kid":"x","use":"sig","alg":"ES256"}')
     = '63jLMHsgtm4RlWMPmXspylkHm3jPOQfFWIyTF7GlOFk' AS ec_private_with_extras,
       jwt.thumbprint('{"kty":"OKP","crv":"Ed25519","x":"gGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY","d":"eyHZRCJEfpBrnCYIT9w3TS5C3h7dKqNhyEMELgQXtPk"}')
     = 'JrW1KjJ0Ry8InGg07HnpisGXtkZ7Q9gmHaZ08g0g7DA' AS okp_private;
-- Not one JWK: 22023.
SELECT what, pg_temp.err(format('SELECT jwt.thumbprint(%L)', jwk)) AS result
FROM (VALUES
    ('a JWK set', '{"keys":[{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}'),
    ('no kty', '{"crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'),
    ('x too short', '{"crv":"Ed25519","kty":"OKP","x":"11qYAYKx"}'),
    ('an array', '[]')
) AS v(what, jwk);

-- 2. generate_key ----------------------------------------------------------------

-- Every algorithm family (RSA 2048 bits by default, once 3072): the kid
-- returned, what the row holds, and the sizes of the key members.
SELECT alg, jwt.generate_key(alg, 'gen-' || lower(alg)) AS kid
FROM (VALUES ('RS256'), ('PS256'), ('ES256'), ('ES384'), ('ES512'), ('ES256K'),
             ('EdDSA'), ('Ed25519'), ('Ed448'), ('HS256'), ('HS384'), ('HS512')) AS v(alg);
SELECT jwt.generate_key('RS384', 'gen-rsa3072', 3072) AS kid;
SELECT kid, algorithm, active, not_before = created_at AS valid_from_creation, expires_at,
       (SELECT string_agg(m, ',' ORDER BY m) FROM jsonb_object_keys(public_jwk) AS m) AS public_members,
       (SELECT string_agg(m, ',' ORDER BY m) FROM jsonb_object_keys(private_jwk) AS m) AS private_members,
       public_jwk ->> 'kty' AS kty, public_jwk ->> 'crv' AS crv,
       coalesce(pg_temp.bytes(public_jwk, 'n'), pg_temp.bytes(public_jwk, 'x')) AS public_bytes,
       -- d of RSA has no fixed width (minimal octets, RFC 7518 section 6.3.2.1)
       CASE WHEN private_jwk ->> 'kty' = 'RSA' THEN NULL
            ELSE coalesce(pg_temp.bytes(private_jwk, 'd'), pg_temp.bytes(private_jwk, 'k')) END AS private_bytes,
       public_jwk ->> 'kid' = kid AND private_jwk ->> 'kid' = kid AS kid_in_jwks,
       coalesce(public_jwk ->> 'alg', algorithm) = algorithm AND private_jwk ->> 'alg' = algorithm AS alg_in_jwks
FROM jwt.keys ORDER BY kid;

-- Each generated key signs (jwt.issue with its kid) and its public JWK (or
-- for HMAC the keyring itself) verifies.
SELECT kid, algorithm, jwt.header(t) ->> 'kid' = kid AS kid_in_header, jwt.header(t) ->> 'alg' AS alg,
       CASE WHEN public_jwk IS NULL THEN NULL ELSE (jwt.verify(t, public_jwk)).valid END AS verify_public_jwk,
       jwt.is_valid(t) AS keyring_validates
FROM jwt.keys, LATERAL jwt.issue('{"sub":"alice"}', '1 hour', kid) AS t
ORDER BY kid;

-- Without a kid: the RFC 7638 thumbprint of the public key, or for HMAC
-- keys a random one (a thumbprint of a secret would allow guessing it).
SELECT jwt.generate_key('ES256') AS es256_kid \gset
SELECT kid = :'es256_kid' AS found, kid = jwt.thumbprint(public_jwk) AS kid_is_thumbprint,
       public_jwk ->> 'kid' = kid AS kid_in_jwk
FROM jwt.keys WHERE kid NOT LIKE 'gen-%' AND algorithm = 'ES256';
SELECT length(kid) AS hmac_kid_length, kid ~ '^[A-Za-z0-9_-]+$' AS base64url,
       kid <> jwt.generate_key('HS256') AS two_differ
FROM (SELECT jwt.generate_key('HS256') AS kid) AS g;

-- Caller faults.
SELECT what, pg_temp.err(query) AS result
FROM (VALUES
    ('RSA of 1024 bits', $$SELECT jwt.generate_key('RS256', 'x', 1024)$$),
    ('RSA of 8192 bits', $$SELECT jwt.generate_key('PS256', 'x', 8192)$$),
    ('unknown algorithm', $$SELECT jwt.generate_key('none', 'x')$$),
    ('a kid that exists', $$SELECT jwt.generate_key('ES256', 'gen-es256')$$)
) AS v(what, query);

-- 3. add_key -----------------------------------------------------------------------

TRUNCATE jwt.keys;
-- A private PEM (kid: its thumbprint), a public PEM (verifies only), a
-- public JWK whose kid is taken, a private JWK with a kid argument that
-- wins and may sign (1.2.0: add_key's keys only verify unless may_sign),
-- secrets (text and oct JWK).
SELECT jwt.add_key(:'p256', 'ES256') AS private_pem;
SELECT jwt.add_key(:'rsa2048_pub', 'RS256', 'rsa-public') AS public_pem;
SELECT jwt.add_key('{"kty":"OKP","crv":"Ed25519","x":"gGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY","kid":"ed-from-jwk"}', 'EdDSA') AS public_jwk;
SELECT jwt.add_key('{"kty":"OKP","crv":"Ed25519","x":"gGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY","d":"eyHZRCJEfpBrnCYIT9w3TS5C3h7dKqNhyEMELgQXtPk","kid":"ignored"}', 'Ed25519', 'ed-private', may_sign => true) AS private_jwk;
SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'hs-text') AS text_secret;
SELECT jwt.add_key('{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}', 'HS384', 'hs-jwk') AS oct_jwk;
SELECT kid, algorithm, public_jwk - 'n' AS public_jwk_without_n, private_jwk IS NOT NULL AS has_private,
       (SELECT string_agg(m, ',' ORDER BY m) FROM jsonb_object_keys(private_jwk) AS m) AS private_members,
       may_sign
FROM jwt.keys ORDER BY kid;
-- The secret is kept as given (its JWK "k" is its base64url).
SELECT private_jwk ->> 'k' = jwt.url_encode('secret-secret-secret-secret-secr') AS secret_kept
FROM jwt.keys WHERE kid = 'hs-text';
-- What was added works: the private keys sign, the public ones verify.
SELECT (jwt.verify(jwt.issue('{"a":1}', kid => 'ed-private'), jwt.jwks(), 'Ed25519')).valid AS ed_private_signs,
       jwt.is_valid(jwt.sign('{"a":1}', :'rsa2048', 'RS256', '{"kid":"rsa-public"}')) AS rsa_public_verifies,
       jwt.is_valid(jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr', 'HS256', '{"kid":"hs-text"}')) AS hs_text_verifies;

-- Caller faults: 22023 (a kid that exists: 23505).
SELECT what, pg_temp.err(query) AS result
FROM (VALUES
    ('secret shorter than the hash', $$SELECT jwt.add_key('short-secret', 'HS256')$$),
    ('32-byte secret for HS384', $$SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS384')$$),
    ('empty secret', $$SELECT jwt.add_key('', 'HS256')$$),
    ('PEM public key as an HMAC secret', format('SELECT jwt.add_key(%L, %L)', :'rsa2048_pub', 'HS256')),
    ('OpenSSH key as an HMAC secret', $$SELECT jwt.add_key('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC8WdxHi04Wa2Ut0XSZ+g7I+0RP1TRGGlfAI3l1eCls1', 'HS256')$$),
    ('RSA-1024', format('SELECT jwt.add_key(%L, %L)', :'rsa1024_pub', 'RS256')),
    ('EC key for RS256', format('SELECT jwt.add_key(%L, %L)', :'p256', 'RS256')),
    ('Ed25519 key for Ed448', format('SELECT jwt.add_key(%L, %L)', :'ed25519_pub', 'Ed448')),
    ('JWK for another alg', $$SELECT jwt.add_key('{"kty":"OKP","crv":"Ed25519","x":"gGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY","alg":"Ed448"}', 'EdDSA')$$),
    ('JWK with use enc', $$SELECT jwt.add_key('{"kty":"OKP","crv":"Ed25519","x":"gGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY","use":"enc"}', 'EdDSA')$$),
    ('a JWK set of no usable key', $$SELECT jwt.add_key('{"keys":[{"kty":"OKP","crv":"Ed25519","x":"gGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY","use":"enc"}]}', 'EdDSA')$$),
    ('neither PEM nor JWK', $$SELECT jwt.add_key('not a key', 'ES256')$$),
    ('unknown algorithm', $$SELECT jwt.add_key('secret-secret-secret-secret-secr', 'hs256')$$),
    ('a kid that exists', $$SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'hs-text')$$)
) AS v(what, query);

-- 4. jwt.jwks() --------------------------------------------------------------------------

-- Published: active, unexpired asymmetric keys, also those not yet valid
-- (published ahead of use). Never HMAC keys, inactive or expired keys, and
-- never a private member.
TRUNCATE jwt.keys;
SELECT jwt.generate_key('ES256', 'es-current') IS NOT NULL AS ok;
SELECT jwt.generate_key('EdDSA', 'ed-next', not_before => now() + interval '1 day') IS NOT NULL AS ok;
SELECT jwt.generate_key('ES256K', 'es-inactive') IS NOT NULL AS ok;
UPDATE jwt.keys SET active = false WHERE kid = 'es-inactive';
SELECT jwt.generate_key('ES384', 'es-expired', not_before => now() - interval '2 days',
                        expires_at => now() - interval '1 day') IS NOT NULL AS ok;
SELECT jwt.generate_key('ES512', 'es-expiring', expires_at => now() + interval '1 hour') IS NOT NULL AS ok;
SELECT jwt.generate_key('HS256', 'hs-secret') IS NOT NULL AS ok;
SELECT jwt.add_key(:'rsa2048_pub', 'PS256', 'ps-public') IS NOT NULL AS ok;
SELECT k ->> 'kid' AS kid, k ->> 'alg' AS alg, k ->> 'use' AS use, k ->> 'kty' AS kty,
       (SELECT string_agg(m, ',' ORDER BY m) FROM jsonb_object_keys(k) AS m) AS members
FROM jsonb_array_elements(jwt.jwks() -> 'keys') AS k ORDER BY 1;
SELECT jsonb_typeof(jwt.jwks() -> 'keys') AS keys_type,
       (SELECT count(*) FROM jsonb_array_elements(jwt.jwks() -> 'keys') AS k
        WHERE k ?| ARRAY['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) AS private_members;
-- An empty keyring publishes an empty set.
BEGIN;
DELETE FROM jwt.keys;
SELECT jwt.jwks() AS empty_keyring;
ROLLBACK;

-- 5. jwt.issue() ------------------------------------------------------------------------------

SET pg_jwt.issuer = 'https://issuer.example';
SELECT jwt.issue('{"sub":"alice","role":"reader","iss":"forged","exp":1}', '10 minutes', 'es-current') AS token \gset
SELECT pg_temp.part(:'token', 1) AS header;
SELECT p - 'iat' - 'exp' - 'jti' AS claims,
       (p ->> 'exp')::numeric - (p ->> 'iat')::numeric AS ttl_seconds,
       (p ->> 'iat')::numeric BETWEEN extract(epoch FROM now()) - 60 AND extract(epoch FROM now()) AS iat_is_now,
       p ->> 'iat' ~ '^[0-9]+$' AS iat_whole_seconds,
       p ->> 'jti' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' AS jti_is_uuid,
       jsonb_typeof(p -> 'iat') AS iat_type
FROM pg_temp.part(:'token', 2) AS p;
-- Verified with the published set, strictly with the set as the key, and
-- strictly with the keyring (no key argument).
SELECT (jwt.verify(:'token', jwt.jwks(), 'ES256')).valid AS verify_jwks,
       jwt.validate(:'token', jwt.jwks()::text, issuer => 'https://issuer.example') - 'iat' - 'exp' - 'jti' AS validate_jwks,
       jwt.validate(:'token') ->> 'sub' AS validate_keyring;
-- Each call has its own jti.
SELECT count(DISTINCT pg_temp.part(jwt.issue('{}', kid => 'es-current'), 2) ->> 'jti') AS distinct_jti
FROM generate_series(1, 5);
-- Without pg_jwt.issuer, the claims' iss stays.
RESET pg_jwt.issuer;
SELECT pg_temp.part(jwt.issue('{"iss":"mine"}', kid => 'es-current'), 2) ->> 'iss' AS iss_kept;
-- Keys that cannot sign: not found.
SELECT what, pg_temp.err(query) AS result
FROM (VALUES
    ('public key only', $$SELECT jwt.issue('{}', kid => 'ps-public')$$),
    ('inactive key', $$SELECT jwt.issue('{}', kid => 'es-inactive')$$),
    ('expired key', $$SELECT jwt.issue('{}', kid => 'es-expired')$$),
    ('key not valid yet', $$SELECT jwt.issue('{}', kid => 'ed-next')$$),
    ('no such kid', $$SELECT jwt.issue('{}', kid => 'nope')$$),
    ('zero ttl', $$SELECT jwt.issue('{}', '0 seconds')$$),
    ('negative ttl', $$SELECT jwt.issue('{}', '-1 hour')$$),
    ('NULL ttl', $$SELECT jwt.issue('{}', NULL)$$)
) AS v(what, query);
BEGIN;
DELETE FROM jwt.keys WHERE private_jwk IS NOT NULL AND kid <> 'ed-next';
SELECT pg_temp.err($$SELECT jwt.issue('{}')$$) AS no_signing_key;
ROLLBACK;

-- 6. Rotation ----------------------------------------------------------------------------------

-- The old key signs until the new one's not_before; the new one is
-- published ahead of time; tokens of the old key keep verifying until its
-- expires_at.
TRUNCATE jwt.keys;
SELECT jwt.generate_key('ES256', 'k-old', not_before => now() - interval '1 day',
                        expires_at => now() + interval '1 hour') AS old_key;
BEGIN;
-- Valid from half a second from now: not yet within this transaction
-- (now() is its start).
SELECT jwt.generate_key('ES256', 'k-new', not_before => clock_timestamp() + interval '0.5 seconds') AS new_key;
SELECT jwt.issue('{"sub":"alice"}', '1 day') AS old_token \gset
SELECT jwt.header(:'old_token') ->> 'kid' AS signed_by,
       (SELECT array_agg(k ->> 'kid' ORDER BY k ->> 'kid') FROM jsonb_array_elements(jwt.jwks() -> 'keys') AS k) AS published;
COMMIT;
SELECT pg_sleep(0.6);
SELECT jwt.issue('{"sub":"alice"}', '1 day') AS new_token \gset
SELECT jwt.header(:'new_token') ->> 'kid' AS signed_by;
-- Both tokens verify, with the keyring and with the published set.
SELECT jwt.is_valid(:'old_token') AS old_keyring, jwt.is_valid(:'new_token') AS new_keyring,
       (jwt.verify(:'old_token', jwt.jwks(), 'ES256')).valid AS old_jwks,
       (jwt.verify(:'new_token', jwt.jwks(), 'ES256')).valid AS new_jwks;
-- Half an hour on, the old key still verifies; two hours on (past its
-- expires_at, the tokens themselves still unexpired) it is gone.
SELECT jwt.is_valid(:'old_token', now => now() + interval '30 minutes') AS old_in_30_min,
       jwt.is_valid(:'old_token', now => now() + interval '2 hours') AS old_in_2_hours,
       jwt.is_valid(:'new_token', now => now() + interval '2 hours') AS new_in_2_hours;
SELECT pg_temp.err(format('SELECT jwt.validate(%L, now => now() + interval %L)', :'old_token', '2 hours')) AS old_in_2_hours;
-- Deactivating a key takes effect at once, in this backend too.
UPDATE jwt.keys SET active = false WHERE kid = 'k-old';
SELECT jwt.is_valid(:'old_token') AS old_after_deactivation, jwt.is_valid(:'new_token') AS new_after_deactivation,
       (SELECT array_agg(k ->> 'kid') FROM jsonb_array_elements(jwt.jwks() -> 'keys') AS k) AS published;

-- 7. Privileges, with real roles ----------------------------------------------------------------

SELECT jwt.generate_key('HS256', 'k-hmac') IS NOT NULL AS ok;
SELECT jwt.issue('{"sub":"bob"}', kid => 'k-hmac') AS hmac_token \gset
CREATE ROLE regress_jwt_reader NOLOGIN;
CREATE ROLE regress_jwt_issuer NOLOGIN;
-- The extension's schema must be usable by these roles. (jwt itself is
-- created without USAGE for PUBLIC: see the report.)
GRANT USAGE ON SCHEMA jwt TO regress_jwt_reader, regress_jwt_issuer;
GRANT EXECUTE ON FUNCTION jwt.issue(jsonb, interval, text) TO regress_jwt_issuer;

SET ROLE regress_jwt_reader;
-- The public columns are readable; private_jwk, the revocation list and
-- every change are not.
SELECT kid, algorithm, public_jwk IS NOT NULL AS has_public_jwk, active FROM jwt.keys ORDER BY kid;
SELECT jsonb_array_length(jwt.jwks() -> 'keys') AS published_keys;
SELECT what, pg_temp.err(query, false) AS result
FROM (VALUES
    ('SELECT private_jwk', $$SELECT private_jwk FROM jwt.keys$$),
    ('SELECT *', $$SELECT * FROM jwt.keys$$),
    ('SELECT revoked', $$SELECT * FROM jwt.revoked$$),
    ('INSERT a key', $$INSERT INTO jwt.keys (kid, algorithm, public_jwk) VALUES ('x', 'ES256', '{}')$$),
    ('UPDATE a key', $$UPDATE jwt.keys SET active = true$$),
    ('DELETE keys', $$DELETE FROM jwt.keys$$),
    ('INSERT a revocation', $$INSERT INTO jwt.revoked VALUES ('x', now())$$),
    ('issue', $$SELECT jwt.issue('{}')$$),
    ('generate_key', $$SELECT jwt.generate_key('ES256')$$),
    ('add_key', $$SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256')$$),
    ('revoke', $$SELECT jwt.revoke('x', now())$$),
    ('purge_revoked', $$SELECT jwt.purge_revoked()$$),
    ('_generate_key_entry', $$SELECT * FROM jwt._generate_key_entry('HS256', 0, NULL)$$),
    ('_import_key_entry', $$SELECT * FROM jwt._import_key_entry('secret-secret-secret-secret-secr', 'HS256', NULL)$$),
    ('SET pg_jwt.issuer', $$SET pg_jwt.issuer = 'mine'$$)
) AS v(what, query);
-- Yet validation with the keyring works for this role, HMAC keys included
-- (read as the extension owner), without exposing them.
SELECT jwt.validate(:'hmac_token') ->> 'sub' AS hmac_from_keyring, jwt.is_valid(:'new_token') AS es256_from_keyring;
RESET ROLE;

SET ROLE regress_jwt_issuer;
-- Granted EXECUTE on issue: it mints tokens, and still reads no private key.
SELECT jwt.header(t) ->> 'kid' AS kid, (jwt.verify(t, jwt.jwks(), 'ES256')).valid AS valid_jwks,
       jwt.is_valid(t) AS valid_keyring
FROM jwt.issue('{"sub":"carol"}', kid => 'k-new') AS t;
-- Without a kid, the newest signing key (here the HMAC one).
SELECT jwt.header(t) ->> 'kid' AS kid, jwt.validate(t) ->> 'sub' AS sub
FROM jwt.issue('{"sub":"carol"}') AS t;
SELECT pg_temp.err($$SELECT private_jwk FROM jwt.keys$$, false) AS select_private,
       pg_temp.err($$SELECT jwt.generate_key('ES256')$$, false) AS generate_key,
       pg_temp.err($$SELECT * FROM jwt._generate_key_entry('ES256', 0, NULL)$$, false) AS generate_entry;
RESET ROLE;

-- The catalogue agrees: EXECUTE on the key and revocation functions is not
-- granted to PUBLIC, and private_jwk is the one column PUBLIC cannot read.
SELECT p.oid::regprocedure AS function, has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute,
       p.prosecdef AS security_definer
FROM pg_proc AS p
WHERE p.pronamespace = 'jwt'::regnamespace
  AND p.proname IN ('issue', 'generate_key', 'add_key', 'revoke', 'purge_revoked', '_generate_key_entry',
                    '_import_key_entry', 'jwks', 'thumbprint')
ORDER BY p.proname;
SELECT a.attname AS column, has_column_privilege('public', 'jwt.keys'::regclass, a.attname, 'SELECT') AS public_select
FROM pg_attribute AS a WHERE a.attrelid = 'jwt.keys'::regclass AND a.attnum > 0 ORDER BY a.attnum;

DROP OWNED BY regress_jwt_reader, regress_jwt_issuer;
DROP ROLE regress_jwt_reader;
DROP ROLE regress_jwt_issuer;
TRUNCATE jwt.keys, jwt.revoked;

-- Arguments are checked before a row is written: a failed constraint would
-- print the row, private key included, in its DETAIL.
SELECT pg_temp.err($$SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'k', expires_at => now() - interval '1 day')$$) AS window_add,
       pg_temp.err($$SELECT jwt.generate_key('ES256', 'k2', expires_at => now() - interval '1 day')$$) AS window_generate;
SELECT pg_temp.err($$SELECT jwt.add_key(NULL, 'HS256')$$) AS null_key,
       pg_temp.err($$SELECT jwt.add_key('secret-secret-secret-secret-secr', NULL)$$) AS null_algorithm,
       pg_temp.err($$SELECT jwt.generate_key(NULL)$$) AS null_generate,
       pg_temp.err($$SELECT jwt.generate_key('ES256', not_before => NULL)$$) AS null_not_before;
SELECT count(*) AS rows_written FROM jwt.keys;

-- Every role may use the schema (the unrestricted functions and public columns).
SELECT has_schema_privilege('public', 'jwt', 'USAGE') AS public_usage;

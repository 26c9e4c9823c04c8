--
-- provider_key_sets: key sets as identity providers publish them (RFC 7517
-- section 5: a consumer ignores the keys it does not understand). A
-- Keycloak realm's set with its RSA-OAEP encryption key, keys of types and
-- curves no signature uses (X25519, AKP) and algorithms pg_jwt does not
-- implement, in the pg_jwt.jwks setting, in key arguments and in
-- jwt.add_key; a set with no usable key, named key by key; duplicate kids
-- among the kept keys of one type only; a set whose keys name different
-- algorithms with algorithm NULL; Firebase's certificate map; self-hosted
-- Supabase's set, which mixes its EC public key with its HS256 oct key, and
-- its anon key (no aud) beside user tokens (aud "authenticated").
--

\i test/regress/helpers.sql
SET regress.err_detail = on;

\set rsa2048 `cat test/keys/rsa2048.pem`
\set rsa2048_pub `cat test/keys/rsa2048.pub.pem`
\set rsa3072 `cat test/keys/rsa3072.pem`
\set rsa3072_pub `cat test/keys/rsa3072.pub.pem`
\set p256 `cat test/keys/ec_p256.pem`
\set p256_pub `cat test/keys/ec_p256.pub.pem`

-- Other suites share the database: start from an empty keyring.
TRUNCATE jwt.keys, jwt.revoked;

-- The public JWKs of the fixed keys, without alg, kid and use.
CREATE TEMP TABLE pub AS
SELECT name, (SELECT public_jwk - 'alg' - 'kid' - 'use' FROM jwt._import_key_entry(pem, alg, 'x')) AS jwk
FROM (VALUES ('rsa2048', :'rsa2048_pub', 'RS256'), ('rsa3072', :'rsa3072_pub', 'RS256'),
             ('p256', :'p256_pub', 'ES256')) AS v(name, pem, alg);

-- 1. Keycloak ---------------------------------------------------------------------------------
-- A realm's /protocol/openid-connect/certs: the RSA-OAEP key it encrypts
-- with ("use":"enc") before the RS256 key it signs with, both with x5c.
SELECT jsonb_build_object('keys', jsonb_build_array(
           (SELECT jwk FROM pub WHERE name = 'rsa3072')
               || '{"kid":"kc-enc","alg":"RSA-OAEP","use":"enc","x5c":["MIIC"],"x5t":"a","x5t#S256":"b"}',
           (SELECT jwk FROM pub WHERE name = 'rsa2048')
               || '{"kid":"kc-sig","alg":"RS256","use":"sig","x5c":["MIIC"],"x5t":"c","x5t#S256":"d"}'))
       AS keycloak \gset
SELECT jwt.sign('{"sub":"kc-user","exp":4102444800}', :'rsa2048', 'RS256', '{"kid":"kc-sig"}') AS kc_token \gset
SELECT jwt.sign('{"sub":"kc-user","exp":4102444800}', :'rsa2048', 'RS256') AS kc_token_no_kid \gset
SELECT jwt.sign('{"sub":"kc-user","exp":4102444800}', :'rsa3072', 'RS256', '{"kid":"kc-enc"}') AS kc_token_enc \gset

-- In pg_jwt.jwks: validation without algorithms uses the RS256 key; a token
-- naming the encryption key is refused, and the message names that key.
SET pg_jwt.jwks = :'keycloak';
SELECT why, pg_temp.err(format('SELECT jwt.validate(%L)', token)) AS validate,
       jwt.is_valid(token) AS is_valid
FROM (VALUES ('kid kc-sig', :'kc_token'), ('no kid', :'kc_token_no_kid'),
             ('kid kc-enc', :'kc_token_enc')) AS v(why, token);
SELECT jwt.validate(:'kc_token') ->> 'sub' AS sub;

-- As a key argument: text and jsonb, with and without an algorithm.
RESET pg_jwt.jwks;
SELECT (jwt.verify(:'kc_token', :'keycloak', 'RS256')).valid AS text_rs256,
       (jwt.verify(:'kc_token', :'keycloak'::jsonb, 'RS256')).valid AS jsonb_rs256,
       (jwt.verify(:'kc_token', :'keycloak'::jsonb)).valid AS jsonb_null,
       (jwt.verify(:'kc_token_no_kid', :'keycloak'::jsonb)).valid AS jsonb_null_no_kid,
       (jwt.verify(:'kc_token_enc', :'keycloak'::jsonb)).valid AS enc_kid,
       jwt.validate(:'kc_token', :'keycloak') ->> 'sub' AS validate_text;
SELECT pg_temp.err(format('SELECT jwt.validate(%L, %L)', :'kc_token_enc', :'keycloak')) AS validate_enc_kid;

-- More keys a signature verifier cannot use, around the signing key: an
-- X25519 key (ECDH-ES), a post-quantum AKP key, an alg pg_jwt does not
-- implement, key_ops of encryption, an alg that does not fit the key's type.
SELECT jsonb_build_object('keys', (:'keycloak'::jsonb -> 'keys') || jsonb_build_array(
           '{"kty":"OKP","crv":"X25519","kid":"ecdh","use":"enc","alg":"ECDH-ES","x":"DWuXweJA5DDY3RSvBkle09LOhOmPPaQRrr68z05FDU4"}'::jsonb,
           '{"kty":"AKP","kid":"pq","alg":"ML-DSA-44","pub":"AAAA"}'::jsonb,
           (SELECT jwk FROM pub WHERE name = 'rsa3072') || '{"kid":"oaep256","alg":"RSA-OAEP-256"}',
           (SELECT jwk FROM pub WHERE name = 'p256') || '{"kid":"wrap","key_ops":["wrapKey"]}',
           (SELECT jwk FROM pub WHERE name = 'p256') || '{"kid":"mismatch","alg":"RS256"}'))
       AS busy \gset
SET pg_jwt.jwks = :'busy';
SELECT jwt.validate(:'kc_token') ->> 'sub' AS setting_sub;
RESET pg_jwt.jwks;
SELECT (jwt.verify(:'kc_token', :'busy'::jsonb)).valid AS busy_null,
       (jwt.verify(:'kc_token', :'busy', 'RS256')).valid AS busy_rs256,
       jwt.validate(:'kc_token_no_kid', :'busy') ->> 'sub' AS busy_validate;
SELECT kid, pg_temp.err(format('SELECT jwt.validate(%L, %L)',
                               jwt.sign('{"exp":4102444800}', :'rsa2048', 'RS256', jsonb_build_object('kid', kid)),
                               :'busy')) AS token_naming_it
FROM unnest(ARRAY['ecdh', 'pq', 'oaep256', 'wrap', 'mismatch']) AS kid;

-- 2. A set with no usable key -------------------------------------------------------------------
-- Still an error, and every key is named with its position and kid.
SELECT jsonb_build_object('keys', jsonb_build_array(
           (:'keycloak'::jsonb -> 'keys' -> 0),
           '{"kty":"OKP","crv":"X25519","kid":"ecdh","x":"DWuXweJA5DDY3RSvBkle09LOhOmPPaQRrr68z05FDU4"}'::jsonb,
           '{"kty":"AKP","alg":"ML-DSA-44","pub":"AAAA"}'::jsonb))
       AS unusable \gset
SET pg_jwt.jwks = :'unusable';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', :'kc_token')) AS in_setting;
SELECT pg_temp.err(format('SELECT jwt.validate(%L, algorithms => %L)', :'kc_token', '{RS256}')) AS in_setting_rs256;
RESET pg_jwt.jwks;
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L, %L)', :'kc_token', :'unusable', 'RS256')) AS verify_rs256;
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L::jsonb)', :'kc_token', :'unusable')) AS verify_null;
SELECT pg_temp.err(format('SELECT jwt.validate(%L, %L)', :'kc_token', :'unusable')) AS validate;
SELECT pg_temp.err(format('SELECT jwt.add_key(%L, NULL)', :'unusable')) AS add_key;
-- The same as the client sees it.
SELECT jwt.verify(:'kc_token', :'unusable', 'RS256');

-- 3. Duplicate kids ------------------------------------------------------------------------------
-- Counted among the keys kept: an encryption key may share the signing
-- key's kid; keys of different types may share one (RFC 7517 section 4.5),
-- and the token's algorithm picks the key of its family; two kept RSA keys
-- of one kid are refused.
SELECT jsonb_build_object('keys', jsonb_build_array(
           (SELECT jwk FROM pub WHERE name = 'rsa3072') || '{"kid":"k1","use":"enc"}',
           (SELECT jwk FROM pub WHERE name = 'rsa2048') || '{"kid":"k1"}')) AS enc_shares \gset
SELECT jsonb_build_object('keys', jsonb_build_array(
           (SELECT jwk FROM pub WHERE name = 'p256') || '{"kid":"k1","alg":"ES256"}',
           (SELECT jwk FROM pub WHERE name = 'rsa2048') || '{"kid":"k1","alg":"RS256"}')) AS types_share \gset
SELECT jsonb_build_object('keys', jsonb_build_array(
           (SELECT jwk FROM pub WHERE name = 'rsa3072') || '{"kid":"k1"}',
           (SELECT jwk FROM pub WHERE name = 'rsa2048') || '{"kid":"k1"}')) AS two_rsa \gset
SELECT jwt.sign('{"sub":"rs","exp":4102444800}', :'rsa2048', 'RS256', '{"kid":"k1"}') AS rs_k1 \gset
SELECT jwt.sign('{"sub":"es","exp":4102444800}', :'p256', 'ES256', '{"kid":"k1"}') AS es_k1 \gset
SELECT (jwt.verify(:'rs_k1', :'enc_shares', 'RS256')).valid AS enc_shares_rs,
       (jwt.verify(:'rs_k1', :'types_share', 'RS256')).valid AS types_share_rs,
       (jwt.verify(:'es_k1', :'types_share', 'ES256')).valid AS types_share_es,
       (jwt.verify(:'es_k1', :'types_share'::jsonb)).valid AS types_share_null_es,
       (jwt.verify(:'rs_k1', :'types_share'::jsonb)).valid AS types_share_null_rs;
SET pg_jwt.jwks = :'types_share';
SELECT jwt.validate(:'rs_k1') ->> 'sub' AS setting_rs, jwt.validate(:'es_k1') ->> 'sub' AS setting_es;
SET pg_jwt.jwks = :'two_rsa';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', :'rs_k1')) AS setting_two_rsa;
RESET pg_jwt.jwks;
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L, %L)', :'rs_k1', :'two_rsa', 'RS256')) AS verify_two_rsa;

-- 4. Keys naming different algorithms, algorithm NULL ------------------------------------------
-- Each key verifies with its own alg only; the token's alg picks among the
-- algorithms the keys name, and a token of another algorithm is invalid.
SELECT jsonb_build_object('keys', jsonb_build_array(
           (SELECT jwk FROM pub WHERE name = 'rsa2048') || '{"kid":"r","alg":"RS256"}',
           (SELECT jwk FROM pub WHERE name = 'p256') || '{"kid":"e","alg":"ES256"}',
           (SELECT jwk FROM pub WHERE name = 'rsa3072') || '{"kid":"p","alg":"PS256"}')) AS mixed \gset
SELECT why, (jwt.verify(token, :'mixed'::jsonb)).valid, jwt.is_valid(token, :'mixed')
FROM (VALUES
    ('RS256, kid r', jwt.sign('{"exp":4102444800}', :'rsa2048', 'RS256', '{"kid":"r"}')),
    ('ES256, kid e', jwt.sign('{"exp":4102444800}', :'p256', 'ES256', '{"kid":"e"}')),
    ('PS256, kid p', jwt.sign('{"exp":4102444800}', :'rsa3072', 'PS256', '{"kid":"p"}')),
    ('ES256, no kid', jwt.sign('{"exp":4102444800}', :'p256', 'ES256')),
    ('RS256 by the PS256 key', jwt.sign('{"exp":4102444800}', :'rsa3072', 'RS256', '{"kid":"p"}')),
    ('RS384 (named by no key)', jwt.sign('{"exp":4102444800}', :'rsa2048', 'RS384', '{"kid":"r"}')),
    ('HS256 naming the EC key', jwt.sign('{"exp":4102444800}', 'secret-secret-secret-secret-secr', 'HS256', '{"kid":"e"}'))
) AS v(why, token);
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L::jsonb)', :'kc_token',
                          jsonb_build_object('keys', jsonb_build_array((SELECT jwk FROM pub WHERE name = 'rsa2048')))))
       AS no_key_names_an_alg;

-- 5. Firebase ------------------------------------------------------------------------------------
-- https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com
-- maps each kid to an X.509 certificate. This one is self-signed, made for
-- this test with `openssl req -x509 -newkey rsa:2048 -nodes -days 36500`.
\set firebase_cert '-----BEGIN CERTIFICATE-----\nMIIDRTCCAi2gAwIBAgIUaHGoIffIyMsuUl4lZzW22S63V+swDQYJKoZIhvcNAQEL\nBQAwMTEvMC0GA1UEAwwmc2VjdXJldG9rZW4uc3lzdGVtLmdzZXJ2aWNlYWNjb3Vu\ndC5jb20wIBcNMjYxMjA2MDY0NjM0WhgPMjEyNjExMTIwNjQ2MzRaMDExLzAtBgNV\nBAMMJnNlY3VyZXRva2VuLnN5c3RlbS5nc2VydmljZWFjY291bnQuY29tMIIBIjAN\nBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqdTsyhwHD4rDCsjHiX5voOwQpJj5\nKZ8f6zvx3ydwxGnjAvlYZ8fObANylH0cuRhfBP4nJeBeteKFmXiY4tmdvTvZu0/n\nHnXwEhYi8SQ+3xVPYQnP/6g9RSzZSZ0FAqa18/snLuFj+m98Gor9F5RT8mHV5bXv\n/TDEbphrnTHz4RXH3IZ5NOMxTnDEdwTmwc2gW6vfVcHuWV2L2C5WhrHFjtPsRhx9\n8wFAK/J8ikq2nB2f6SGZt2yQW23Uwxfh+dwsLeVXJjqU8w3mIzjs8119fjK0d678\njUK+u5wR3rPVSP4m8PT8RP3SsjTTsLlvknU2jcQSTjBUpCYAiOEiKnAxxQIDAQAB\no1MwUTAdBgNVHQ4EFgQUwJQg0l/MUt/XQldZU7gjQvGfGNYwHwYDVR0jBBgwFoAU\nwJQg0l/MUt/XQldZU7gjQvGfGNYwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0B\nAQsFAAOCAQEAFpKnx4OOoEo2Gr0tptGJ3JhP/KK/pR4CACUtim1vBr8bdFmMUvDc\n4wxihGbLl6QW9lZb2A/LRDAaHFXirvgsWM3Yhz9bbp55CWSlfWmLqKfnWGskrs8n\n7SzPwEXuT0bt5AGC1lRcqw1Qpa7FO+ZWIPjmTtwzHBYfWCZH+fl8p1IfY5ESqnip\nY5ZGShmNB8+KxTEiv1FDi5cjg9bJkpZXVM5+AUn+0ARRnQcc2HJY7BjnD7MyYII0\nQ7WKlbd2+GSGVdrisaW1F83f3fFcmqV6bU12lXfg++fYhR4yGG1ia/xiifEBoeeA\nsazHSylMEBtUUvP8uB0DrGGgAMigUpF1zw==\n-----END CERTIFICATE-----\n'
-- Its private key (PKCS#8), to sign as Firebase would.
\set firebase_key '-----BEGIN PRIVATE KEY-----\nMIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCp1OzKHAcPisMK\nyMeJfm+g7BCkmPkpnx/rO/HfJ3DEaeMC+Vhnx85sA3KUfRy5GF8E/icl4F614oWZ\neJji2Z29O9m7T+cedfASFiLxJD7fFU9hCc//qD1FLNlJnQUCprXz+ycu4WP6b3wa\niv0XlFPyYdXlte/9MMRumGudMfPhFcfchnk04zFOcMR3BObBzaBbq99Vwe5ZXYvY\nLlaGscWO0+xGHH3zAUAr8nyKSracHZ/pIZm3bJBbbdTDF+H53Cwt5VcmOpTzDeYj\nOOzzXX1+MrR3rvyNQr67nBHes9VI/ibw9PxE/dKyNNOwuW+SdTaNxBJOMFSkJgCI\n4SIqcDHFAgMBAAECggEANMK5bXCXoPRy8368vrJQ66Vq5je/8HZG7EWLNtCB8AMV\nS287T8J7FoNbrVXQ/o/btSlf8BxsUAU3jB4zIQaKQqe9VLvWCViKZJQL9u5Tuepc\n5sCtpbcWkc8FEiF91P0Fue5klePfs4W/AF/9kL279qj+UobbL8VewR0JEaTbJymi\n6fyxgDSN7pFyahbvq3HF1oeA+IOaWtpcfzb+ELd1iJwqgMbQEnKb/CfNa/Z3266K\n55qiu4pEe/43FbER9uH3DS5qfT2b1u0mOIiXDgLgftQVPnu9VdL2W2DSPqZpJ1SJ\nTQV3naUS0djqA7DQ2DbU2q7xA9T8lwKNNLBsHEZ/YQKBgQDl1MxI5A4o5sbOMdZn\nqhc0BeYDLZECgD90QU4pzCb/VGL4wIKrsGZN15BSo6OlejPsU5AAF2kHaXCc9QvN\nZPkrqO5PPh2sncXe5ZYPjlt/TKgVV5qk6BBIUjYsFHytodJ3AX+mc9rYBAj+woXW\n8TaBtT5ngJNkRfhwYkt6chE7dwKBgQC9Kz2DvkxBMty/TdC5mxBvP5N4ksIi49JB\ng+vG1dU7g7/f8gUJ+ImqOPm7aA/vAXFQU2lvgEPpbq+f92Mx9EvxV1RICWgihHIC\nis2e2HXKRJiNY6nFKuBt+6pUCuLdC0lAqfdwiNrADOElWBYqxfbSZmfyY1Cv1v8j\nbFKnDr6TowKBgESXYKx0W4F7dmO9XfasPaaKCB50r+1mJwnkH5a71funzK3ejmD9\nEVsz9V+kdMeDFBH40mYklnTe0/wT6gTPmMmd7hl6OVL190LRlBpqawYv844DCiUj\nGRDscDxxlNAhFnXr3ZPoyaxkb+bQWS9P5+uIEurC5bosY7vuqgYOGvR7AoGAR7jt\nSdYM82tlZuMKEFVKleN09nIuSSw3u79Y1bqdbkM1rKMGZhFloLSZewSpheT2IY5+\nm1f2Z7sfu3cAlSAa6xZBTk7CvNOapnwaGe/YOSho7rKq26a2EP0qR1MZUNXGoE3R\nE0nQJqC7fH05al5EhuFs5+nf3cuWUMfxToW4nCECgYBYzIcT1NsQKHlgbg+/nfvN\nLqCL6Dk6RNR7DUthZhwJDvnz8bBZ1iZE1UgLtrXtXtlu69Y4i5IwUz7dCiLyaQZo\nC/ZLV7M3x5Fc1wGnfkWHL5G3dU0C1/5M0ZJCktstUSEpWTSautTguWmIvQuiURc4\nLTBHXB47Pb+TFtFcgBTtyg==\n-----END PRIVATE KEY-----\n'
SELECT jsonb_build_object('0b8c2e4f', :'firebase_cert', '1f3d5a7c', :'rsa2048_pub') AS not_a_map,
       jsonb_build_object('0b8c2e4f', :'firebase_cert',
                          '9e7d6c5b', E'-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') AS firebase
\gset
-- An ID token of project "pg-jwt-test", as Firebase Auth issues it.
SELECT jwt.sign('{"iss":"https://securetoken.google.com/pg-jwt-test","aud":"pg-jwt-test","auth_time":1767225600,"user_id":"fb-user","sub":"fb-user","iat":1767225600,"exp":4102444800}',
                :'firebase_key', 'RS256', '{"kid":"0b8c2e4f"}') AS fb_token \gset
SELECT (jwt.verify(:'fb_token', :'firebase', 'RS256')).valid AS text_rs256,
       (jwt.verify(:'fb_token', :'firebase'::jsonb, 'RS256')).valid AS jsonb_rs256,
       jwt.validate(:'fb_token', :'firebase', audience => 'pg-jwt-test',
                    issuer => 'https://securetoken.google.com/pg-jwt-test') ->> 'sub' AS validate_sub;
-- The map's certificates carry no alg: verify needs it named.
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L::jsonb)', :'fb_token', :'firebase')) AS verify_null;
-- The certificate that does not decode is skipped, and named when a token names it.
SELECT pg_temp.err(format('SELECT jwt.validate(%L, %L)',
                          jwt.sign('{"exp":4102444800}', :'firebase_key', 'RS256', '{"kid":"9e7d6c5b"}'),
                          :'firebase')) AS broken_certificate;
-- An object whose members are not all certificates is no map.
SELECT pg_temp.err(format('SELECT jwt.verify(%L, %L, %L)', :'fb_token', :'not_a_map', 'RS256')) AS not_a_map;
-- In pg_jwt.jwks, and in the keyring.
SET pg_jwt.jwks = :'firebase';
SELECT jwt.validate(:'fb_token', audience => 'pg-jwt-test') ->> 'user_id' AS setting_user_id;
RESET pg_jwt.jwks;
SELECT jwt.add_key(:'firebase', NULL) AS firebase_kids;
SELECT kid, algorithm, public_jwk ->> 'kty' AS kty, public_jwk ->> 'use' AS use, private_jwk IS NULL AS public_only
FROM jwt.keys ORDER BY kid;
SELECT jwt.validate(:'fb_token', audience => 'pg-jwt-test') ->> 'sub' AS keyring_sub;
TRUNCATE jwt.keys;

-- 6. jwt.add_key of a whole set ---------------------------------------------------------------
-- Every usable key becomes its own row, with its own kid and algorithm; the
-- others are reported by a NOTICE each. jwt.jwks() then publishes what
-- consumers can use: the signing key, never the encryption key.
SELECT jwt.add_key(:'keycloak', NULL) AS keycloak_kids;
SELECT kid, algorithm, public_jwk - 'n' AS public_jwk FROM jwt.keys ORDER BY kid;
SELECT jsonb_path_query_array(jwt.jwks(), '$.keys[*].kid') AS published,
       jsonb_path_query_array(jwt.jwks(), '$.keys[*].use') AS uses;
SELECT (jwt.verify(:'kc_token', jwt.jwks())).valid AS verified_with_jwks,
       jwt.validate(:'kc_token') ->> 'sub' AS keyring_sub;
TRUNCATE jwt.keys;
-- With an algorithm: the keys that fit it.
SELECT jwt.add_key(:'mixed', 'ES256') AS es256_only;
SELECT kid, algorithm FROM jwt.keys ORDER BY kid;
TRUNCATE jwt.keys;
-- A kid belongs to one key, not to a set; keys of different types sharing a
-- kid cannot both be rows of jwt.keys.
SELECT why, pg_temp.err(query) AS add_key
FROM (VALUES
    ('a kid for a set', format('SELECT jwt.add_key(%L, NULL, %L)', :'keycloak', 'one-kid')),
    ('an EC and an RSA key of one kid', format('SELECT jwt.add_key(%L, NULL)', :'types_share')),
    ('a secret without algorithm', format('SELECT jwt.add_key(%L, NULL)', 'secret-secret-secret-secret-secr'))
) AS v(why, query);
SELECT count(*) AS rows_after_refusals FROM jwt.keys;

-- 7. Supabase (self-hosted) ------------------------------------------------------------------
-- utils/add-new-auth-keys.sh writes JWT_JWKS, the set PostgREST verifies
-- with: the EC public key (a uuid kid, key_ops verify, "ext") and the
-- legacy HS256 JWT_SECRET as an oct key without kid (here the secret of
-- Supabase's .env.example).
SELECT jsonb_build_object('keys', jsonb_build_array(
           (SELECT jwk FROM pub WHERE name = 'p256')
               || '{"kid":"6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","use":"sig","key_ops":["verify"],"alg":"ES256","ext":true}',
           jsonb_build_object('kty', 'oct', 'alg', 'HS256',
                              'k', jwt.url_encode('super-secret-jwt-token-with-at-least-32-characters-long'))))
       AS supabase \gset
-- Tokens: the legacy anon key (HS256, no aud), the asymmetric anon key
-- (ES256, no aud), a user's access token (ES256, aud "authenticated").
SELECT jwt.sign('{"role":"anon","iss":"supabase","iat":1767225600,"exp":4102444800}',
                'super-secret-jwt-token-with-at-least-32-characters-long') AS anon_hs256,
       jwt.sign('{"role":"anon","iss":"supabase","iat":1767225600,"exp":4102444800}', :'p256', 'ES256',
                '{"kid":"6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}') AS anon_es256,
       jwt.sign('{"aud":"authenticated","role":"authenticated","sub":"0b6e1c2a-5d4f-4e3b-9a8c-7d6e5f4a3b2c","iss":"http://localhost:8000/auth/v1","iat":1767225600,"exp":4102444800}',
                :'p256', 'ES256', '{"kid":"6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}') AS user_es256
\gset
-- The whole set is not a setting: its oct key is a secret.
SET pg_jwt.jwks = :'supabase';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', :'anon_hs256')) AS whole_set_in_setting;
RESET pg_jwt.jwks;
-- Way 1: jwt.add_key of the whole set, algorithm NULL: two rows, the EC
-- key under its kid (published by jwt.jwks()), the oct key under a random
-- kid (never published).
SELECT split_part(jwt.add_key(:'supabase', NULL), ', ', 1) AS first_kid;
SELECT algorithm, kid = '6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' AS set_kid, length(kid) AS kid_length,
       public_jwk IS NOT NULL AS published, private_jwk IS NOT NULL AS has_private
FROM jwt.keys ORDER BY algorithm;
SELECT jsonb_path_query_array(jwt.jwks(), '$.keys[*].kid') AS published;
TRUNCATE jwt.keys;
-- Way 2: the EC public key in pg_jwt.jwks, the oct key in the keyring
-- (jwt.add_key of the set for HS256 takes only the oct key).
SELECT set_config('pg_jwt.jwks',
                  jsonb_build_object('keys', jsonb_path_query_array(:'supabase'::jsonb, '$.keys[*] ? (@.kty != "oct")'))::text,
                  false) IS NOT NULL AS setting_set;
SELECT length(jwt.add_key(:'supabase', 'HS256')) AS oct_kid_length;
SELECT algorithm, public_jwk IS NULL AS unpublished FROM jwt.keys;
-- Either way, the keys verify what Supabase issues. The anon key has no
-- aud, user tokens have aud "authenticated", and pg_jwt applies one
-- expected audience to every token (RFC 7519 section 4.1.3): the anon key
-- is validated without an audience, user tokens with one.
SELECT why, pg_temp.err(format('SELECT jwt.validate(%L, audience => %L)', token, audience)) AS validate
FROM (VALUES
    ('legacy anon key, no audience', :'anon_hs256', NULL),
    ('asymmetric anon key, no audience', :'anon_es256', NULL),
    ('user token, audience authenticated', :'user_es256', 'authenticated'),
    ('user token, no audience', :'user_es256', NULL),
    ('anon key, audience authenticated', :'anon_es256', 'authenticated')
) AS v(why, token, audience);
-- The same through the settings: with pg_jwt.audience = 'authenticated',
-- user tokens pass and the anon key fails; validate it separately.
SET pg_jwt.audience = 'authenticated';
SELECT pg_temp.err(format('SELECT jwt.validate(%L)', :'user_es256')) AS user_token,
       pg_temp.err(format('SELECT jwt.validate(%L)', :'anon_es256')) AS anon_key;
RESET pg_jwt.audience;
-- Validating each kind with its own rule: the unverified aud only picks the
-- rule; the signature, exp and the rest are checked either way.
CREATE FUNCTION pg_temp.supabase_claims(token text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN (jwt.decode(token)).payload ? 'aud'
                THEN jwt.validate(token, audience => 'authenticated')
                ELSE jwt.validate(token, required => ARRAY['role']) END
$$;
SELECT pg_temp.supabase_claims(:'anon_hs256') ->> 'role' AS legacy_anon,
       pg_temp.supabase_claims(:'anon_es256') ->> 'role' AS anon,
       pg_temp.supabase_claims(:'user_es256') ->> 'role' AS user_role;
SELECT pg_temp.err(format('SELECT pg_temp.supabase_claims(%L)',
                          jwt.sign('{"aud":"other","role":"authenticated","exp":4102444800}', :'p256', 'ES256',
                                   '{"kid":"6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}'))) AS other_audience,
       pg_temp.err(format('SELECT pg_temp.supabase_claims(%L)',
                          jwt.sign('{"role":"anon","exp":4102444800}', 'not-the-supabase-secret-0123456789abcdef'))) AS forged_anon;
RESET pg_jwt.jwks;
TRUNCATE jwt.keys;

-- 8. Who may import ---------------------------------------------------------------------------
-- _import_key_entries is internal: not executable by PUBLIC, like add_key.
CREATE ROLE regress_jwt_keysets LOGIN;
SET SESSION AUTHORIZATION regress_jwt_keysets;
SELECT pg_temp.err(format('SELECT * FROM jwt._import_key_entries(%L, NULL, NULL)', :'keycloak'), false) AS entries,
       pg_temp.err(format('SELECT jwt.add_key(%L, NULL)', :'keycloak'), false) AS add_key;
RESET SESSION AUTHORIZATION;
DROP ROLE regress_jwt_keysets;

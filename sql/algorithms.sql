--
-- algorithms: every asymmetric JOSE algorithm (RFC 7518 RS/PS/ES, RFC 8812
-- ES256K, RFC 8037 EdDSA, RFC 9864 Ed25519/Ed448) with the fixed keys of
-- test/keys (read with psql backticks: pg_regress runs psql in the
-- directory `make installcheck` ran in, the repository root), every key
-- format, deterministic tokens checked against PyJWT 2.6, and the attacks
-- of DESIGN.md section 3: key confusion, alg none, curve and key-type
-- confusion, psychic and malformed ECDSA signatures, wrong lengths, weak
-- RSA keys, embedded header keys, and JWK / JWK set rules.
--

\i test/regress/helpers.sql
SET regress.err_detail = on;

-- b64(text): base64url of the UTF-8 bytes, built without pg_jwt.
CREATE FUNCTION pg_temp.b64(data text) RETURNS text LANGUAGE sql AS
$$ SELECT rtrim(translate(encode(convert_to(data, 'UTF8'), 'base64'), E'+/\n', '-_'), '=') $$;
-- resign(token, signature bytes): the token's header and payload with
-- another signature.
CREATE FUNCTION pg_temp.resign(token text, signature bytea) RETURNS text LANGUAGE sql AS
$$ SELECT split_part(token, '.', 1) || '.' || split_part(token, '.', 2) || '.' || jwt.url_encode(signature) $$;
-- sig(token): the signature bytes.
CREATE FUNCTION pg_temp.sig(token text) RETURNS bytea LANGUAGE sql AS
$$ SELECT jwt.url_decode(split_part(token, '.', 3)) $$;

-- 1. The keys -----------------------------------------------------------------

\set rsa2048 `cat test/keys/rsa2048.pem`
\set rsa2048_pub `cat test/keys/rsa2048.pub.pem`
\set rsa2048_pkcs1 `cat test/keys/rsa2048.pkcs1.pem`
\set rsa2048_pkcs1_pub `cat test/keys/rsa2048.pkcs1.pub.pem`
\set rsa2048_cert `cat test/keys/rsa2048.cert.pem`
\set rsa3072 `cat test/keys/rsa3072.pem`
\set rsa3072_pub `cat test/keys/rsa3072.pub.pem`
\set rsa1024 `cat test/keys/rsa1024.pem`
\set rsa1024_pub `cat test/keys/rsa1024.pub.pem`
\set p256 `cat test/keys/ec_p256.pem`
\set p256_pub `cat test/keys/ec_p256.pub.pem`
\set p256_sec1 `cat test/keys/ec_p256.sec1.pem`
\set p384 `cat test/keys/ec_p384.pem`
\set p384_pub `cat test/keys/ec_p384.pub.pem`
\set p384_sec1 `cat test/keys/ec_p384.sec1.pem`
\set p521 `cat test/keys/ec_p521.pem`
\set p521_pub `cat test/keys/ec_p521.pub.pem`
\set p521_sec1 `cat test/keys/ec_p521.sec1.pem`
\set k256 `cat test/keys/ec_secp256k1.pem`
\set k256_pub `cat test/keys/ec_secp256k1.pub.pem`
\set k256_sec1 `cat test/keys/ec_secp256k1.sec1.pem`
\set ed25519 `cat test/keys/ed25519.pem`
\set ed25519_pub `cat test/keys/ed25519.pub.pem`
\set ed448 `cat test/keys/ed448.pem`
\set ed448_pub `cat test/keys/ed448.pub.pem`

-- Each key: its private PEM (PKCS#8), public PEM (SPKI), the other
-- private form (PKCS#1 RSA / SEC1 EC) and its public JWK (computed with
-- Python's cryptography package from the same files); two private JWKs.
CREATE TEMP TABLE k (name text PRIMARY KEY, private_pem text, public_pem text, other_pem text, jwk jsonb,
                     private_jwk jsonb);
INSERT INTO k VALUES
    ('rsa2048', :'rsa2048', :'rsa2048_pub', :'rsa2048_pkcs1', '{"kty":"RSA","n":"3OHNxThXUOf4VIBOapch1Uvwr9fgUgtgI6Zk_8A9cmmY6BM97BO2yIxhHxnF-MEw029Zh-VcUxP5L0MZTdntBDNWXaBAJq4Vec5s67SBK1JNDjzDavFHC9IMqipFYh8gCEnuww_qkx4TNA1pwfk1vWG_ifhhxlZ1VNfb-wdrydUDaCT2ICamMbanMJdCAYBTw9qVbdXhAwz58EgnL0WDPhOVORBBs7xiMmPVbV6lLcKqCZtodWv7BKx2sHW8FuxJ6XeTiurxR1Mvr7_6pot64fNLPyEuDWu6FKhM995l8wWQIJZoh8rhENxKbGmhWJ38gGD-XWVipkpupnIblJ0zbQ","e":"AQAB"}'),
    ('rsa3072', :'rsa3072', :'rsa3072_pub', NULL, '{"kty":"RSA","n":"vCdVbJ3rprTDBdx90z7BNDgxQA5HqXodvbKESvTO2TnUJz-yeVFvJ3hhG07fbyfR6LiNF0gilXNPuIq4cC_MUCL1_US10UQVY338dfrsZwEfV-Q2dXpc3MUlxmFM5Er9lLPrA7hRmCJxLJwLYRXPSlHH-0VRK20yKuvgvGAgzI2C_i3Xc8gn-XAX0CogyIv2Cq0QJHfX_kmAxKdHV6Q59KtmX6QS7UPofz7CrQgjZ92gkWYPDgay-W6YyAMDAeRQtyYn0Y4klmbRd2byixqj9otjaQdcNaKrD11wHJbZa63WnjsPhQxp2K1ur5xaOzwEM9rKi8j6XvC_Me2-arn5ffaNXjBzLU5pvgAndg_N9RCB_oqWJNK8Plqk-WiitK7MylfvGBrfNhZ68rzPVz9LyjCj8fOHDZ7xx-pAEtmpnwxCMP7riZblPo-xah1AmYSZ0Rtr_xkf3LQhLJ9K6-rXUxktYrFMwEIhsXQIKnueDggEWMZhEYmJA7yHI9eZgy8n","e":"AQAB"}'),
    ('p256', :'p256', :'p256_pub', :'p256_sec1', '{"kty":"EC","crv":"P-256","x":"ChSbL_GlWzXewqAxdO6Vxcc7xUoEI1kTBvOyQd4DvcU","y":"ZJOJbXso6B3_Vhe5UiG2qyLDEEBJVmrlJVTt_SidITk"}'),
    ('p384', :'p384', :'p384_pub', :'p384_sec1', '{"kty":"EC","crv":"P-384","x":"RwkTnGI_tOXwdbI-kTc6v90Fcll4n-IEEfTWY1OGop3mmO9yQdqPgsIqC2yhdvEt","y":"1l26vgRsammh4-TCq95Rx-5AL9TTbcRI2fnF5khk8mMOfuKB7XP_4XjzA0T5OkoY"}'),
    ('p521', :'p521', :'p521_pub', :'p521_sec1', '{"kty":"EC","crv":"P-521","x":"AV8mClorIi0PMI33u54rhycfCg8amszCronUmPRp7EICVIGJVD01w2p8hdEvYhiaVWIyLGkFpjabn_d0F33WWYQ0","y":"AVVgBsJJuXoHlLW0yaAUP8QKtTrycHOhrNzI5ZV9y7fot8KukjHLthX6Y_2WBORtQy2NSV9ee0vm74URer6CY9ps"}'),
    ('secp256k1', :'k256', :'k256_pub', :'k256_sec1', '{"kty":"EC","crv":"secp256k1","x":"Dvoexp-noWQfQ0_-QZBGHS1Kr_XQL-I_Fv2s8z-MU-Q","y":"ySwIx66bMKOIwjN6jBKJ-QX0NfBWHgouWbOW-mHrKb8"}'),
    ('ed25519', :'ed25519', :'ed25519_pub', NULL, '{"kty":"OKP","crv":"Ed25519","x":"gGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY"}'),
    ('ed448', :'ed448', :'ed448_pub', NULL, '{"kty":"OKP","crv":"Ed448","x":"Q12Xv-WmD0ZLGbfVzW9aSbC7P_3QY9OepNxR8Mlq6vYnvpvBksrUni0LvFx83wElihHZJ7UrisOA"}');
UPDATE k SET private_jwk = '{"kty":"OKP","crv":"Ed25519","x":"gGlik4668AkumETePfTujrzQ0Q7CRAjCalqEOpVAfyY","d":"eyHZRCJEfpBrnCYIT9w3TS5C3h7dKqNhyEMELgQXtPk"}' WHERE name = 'ed25519';
UPDATE k SET private_jwk = '{"kty":"EC","crv":"P-256","x":"ChSbL_GlWzXewqAxdO6Vxcc7xUoEI1kTBvOyQd4DvcU","y":"ZJOJbXso6B3_Vhe5UiG2qyLDEEBJVmrlJVTt_SidITk","d":"Tl86OUb3avkuHBjrBNZ7Ydc_QFJkV4c3Z2nARt2DyFU"}' WHERE name = 'p256';
SELECT name, split_part(private_pem, E'\n', 1) AS private_pem, split_part(public_pem, E'\n', 1) AS public_pem,
       split_part(other_pem, E'\n', 1) AS other_pem, jwk ->> 'kty' AS kty, jwk ->> 'crv' AS crv
FROM k ORDER BY name;

-- Every algorithm with the key it is for (EdDSA with both curves).
CREATE TEMP TABLE a (alg text, name text, PRIMARY KEY (alg, name));
INSERT INTO a VALUES
    ('RS256', 'rsa2048'), ('RS384', 'rsa2048'), ('RS512', 'rsa2048'),
    ('PS256', 'rsa2048'), ('PS384', 'rsa2048'), ('PS512', 'rsa3072'),
    ('ES256', 'p256'), ('ES384', 'p384'), ('ES512', 'p521'), ('ES256K', 'secp256k1'),
    ('EdDSA', 'ed25519'), ('EdDSA', 'ed448'), ('Ed25519', 'ed25519'), ('Ed448', 'ed448');

-- 2. Sign with the private key, verify with every form of the public key ------

-- One token per algorithm, signed with the PKCS#8 private key, verified
-- with: the SPKI public key, the private key itself (through its public
-- half), the public JWK as text, as jsonb (algorithm given), as jsonb
-- carrying its "alg" (algorithm NULL: the JWK's), and in a JWK set.
CREATE TEMP TABLE t AS
SELECT a.alg, a.name, jwt.sign('{"sub":"alice"}', k.private_pem, a.alg) AS token
FROM a JOIN k USING (name);
SELECT t.alg, t.name, jwt.header(t.token) AS header, length(pg_temp.sig(t.token)) AS sig_bytes,
       (jwt.verify(t.token, k.public_pem, t.alg)).valid AS spki,
       (jwt.verify(t.token, k.private_pem, t.alg)).valid AS private_pem,
       (jwt.verify(t.token, k.jwk::text, t.alg)).valid AS jwk_text,
       (jwt.verify(t.token, k.jwk, t.alg)).valid AS jwk_jsonb,
       (jwt.verify(t.token, k.jwk || jsonb_build_object('alg', t.alg))).valid AS jwk_own_alg,
       (jwt.verify(t.token, jsonb_build_object('keys', jsonb_build_array(k.jwk)), t.alg)).valid AS jwks,
       (jwt.verify(t.token, k.public_pem, t.alg)).payload::text AS payload
FROM t JOIN k USING (name) ORDER BY t.alg, t.name;

-- A jsonb key that changes from row to row: each RSA token against both RSA
-- public JWKs in turn, valid exactly with its own (the text of the last
-- jsonb key is reused only for a byte-identical key).
SELECT t.alg, t.name AS signed_with, k.name AS verified_with, (jwt.verify(t.token, k.jwk, t.alg)).valid
FROM t JOIN k ON k.name IN ('rsa2048', 'rsa3072')
WHERE t.alg ~ '^(RS|PS)' ORDER BY t.alg, k.name;

-- The other private forms sign too: PKCS#1 for RSA (verified with the
-- PKCS#1 public key and with the X.509 certificate), SEC1 for EC; and the
-- certificate verifies the PKCS#8-signed tokens.
SELECT alg,
       (jwt.verify(jwt.sign('{"sub":"alice"}', :'rsa2048_pkcs1', alg), :'rsa2048_pkcs1_pub', alg)).valid AS pkcs1_to_pkcs1,
       (jwt.verify(jwt.sign('{"sub":"alice"}', :'rsa2048_pkcs1', alg), :'rsa2048_cert', alg)).valid AS pkcs1_to_cert,
       (jwt.verify(jwt.sign('{"sub":"alice"}', :'rsa2048', alg), :'rsa2048_cert', alg)).valid AS pkcs8_to_cert,
       (jwt.verify(jwt.sign('{"sub":"alice"}', :'rsa2048', alg), :'rsa2048_pkcs1_pub', alg)).valid AS pkcs8_to_pkcs1
FROM (VALUES ('RS256'), ('RS384'), ('RS512'), ('PS256'), ('PS384'), ('PS512')) AS v(alg);
SELECT a.alg, (jwt.verify(jwt.sign('{"sub":"alice"}', k.other_pem, a.alg), k.public_pem, a.alg)).valid AS sec1_signs
FROM a JOIN k USING (name) WHERE a.alg LIKE 'ES%' ORDER BY a.alg;

-- A token verifies only under its own algorithm, even with the right key:
-- the token's alg must equal the caller's.
SELECT t.alg AS signed_as, other AS verified_as, (jwt.verify(t.token, k.public_pem, other)).valid
FROM t JOIN k USING (name),
     LATERAL (VALUES (CASE t.alg WHEN 'RS256' THEN 'RS384' WHEN 'RS384' THEN 'PS384' WHEN 'RS512' THEN 'PS512'
                                 WHEN 'PS256' THEN 'RS256' WHEN 'PS384' THEN 'PS512' WHEN 'PS512' THEN 'RS512'
                                 WHEN 'EdDSA' THEN CASE t.name WHEN 'ed25519' THEN 'Ed25519' ELSE 'Ed448' END
                                 WHEN 'Ed25519' THEN 'EdDSA' WHEN 'Ed448' THEN 'EdDSA' END)) AS v(other)
WHERE other IS NOT NULL ORDER BY t.alg, t.name;

-- Tampering with the payload invalidates every algorithm's signature.
SELECT t.alg, t.name,
       (jwt.verify(split_part(t.token, '.', 1) || '.' || pg_temp.b64('{"sub":"mallory"}') || '.' || split_part(t.token, '.', 3),
                   k.public_pem, t.alg)).valid AS tampered
FROM t JOIN k USING (name) ORDER BY t.alg, t.name;

-- 3. Deterministic and randomised signatures -----------------------------------

-- RSASSA-PKCS1-v1_5 and EdDSA are deterministic: the exact tokens, equal to
-- what PyJWT 2.6 produces for the same claims and key.
SELECT jwt.sign('{"sub":"alice","admin":false}', :'rsa2048', 'RS256') AS rs256_token;
SELECT jwt.sign('{"sub":"alice","admin":false}', :'rsa2048', 'RS256')
     = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImFkbWluIjpmYWxzZX0.wwUV6nsZG5tDCPoCFKtfHpSjh-E41L1evm_nXCnp54peTJhmfBO_xntP1NfPpuFgT3pihwDIzd_4iAnibjzyP7qCH8dMHjoJ1Irz86d5tmMsu3GH_Shzq23yvymO5wxzLTenJrObZAzXg4G04CnToPZ7HeRAQH8i9j1qkyRJspdMZQ3Fim3WosUG7uQweLGKE6ibJ-gKaDPFNr0cvVJPUi1BT1IFriZQI5zT3eP2rCN3E_JhnWke8OxOR0V7jjCqcAs4uZ0_vWinH65YDLehhQJIY0ikRSacVKYmnkDUsT1aDAxXQsD0A2nlUfAb6AUG-C5d05Hqjps0CBUt-LKrKA' AS rs256_matches_pyjwt;
SELECT jwt.sign('{"sub":"alice","admin":false}', :'ed25519', 'EdDSA') AS eddsa_token;
SELECT jwt.sign('{"sub":"alice","admin":false}', :'ed25519', 'EdDSA')
     = 'eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImFkbWluIjpmYWxzZX0.rY_ly2e1h9WrW11P6F8DClNUZsT4kVsFWvRZwAsuAgPa3l7NSBSaUh1pBKWbNWc92xV_3vo9jO7BFKxOtqjKAQ' AS eddsa_matches_pyjwt,
       jwt.sign('{"sub":"alice","admin":false}', (SELECT private_jwk FROM k WHERE name = 'ed25519'), 'EdDSA')
     = 'eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImFkbWluIjpmYWxzZX0.rY_ly2e1h9WrW11P6F8DClNUZsT4kVsFWvRZwAsuAgPa3l7NSBSaUh1pBKWbNWc92xV_3vo9jO7BFKxOtqjKAQ' AS private_jwk_same_token;
-- The same input gives the same token; for ES* and PS* (randomised) two
-- signatures differ and both verify.
SELECT a.alg, a.name,
       jwt.sign('{"sub":"alice"}', k.private_pem, a.alg) = jwt.sign('{"sub":"alice"}', k.private_pem, a.alg) AS same_token,
       (SELECT count(DISTINCT tok) FROM (SELECT jwt.sign('{"sub":"alice"}', k.private_pem, a.alg) AS tok
                                         FROM generate_series(1, 2)) AS s) AS distinct_of_2,
       (SELECT bool_and((jwt.verify(tok, k.public_pem, a.alg)).valid)
        FROM (SELECT jwt.sign('{"sub":"alice"}', k.private_pem, a.alg) AS tok FROM generate_series(1, 2)) AS s) AS both_verify
FROM a JOIN k USING (name) ORDER BY a.alg, a.name;

-- 4. Key confusion: an RS256 public key as an HMAC secret -----------------------

-- The forged token is HS256 with the public key's PEM text (as the file
-- holds it, with and without its final newline) as the HMAC secret.
CREATE TEMP TABLE forged AS
SELECT what, s || '.' || rtrim(translate(encode(hmac(convert_to(s, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256'), 'base64'),
                                          E'+/\n', '-_'), '=') AS token
FROM (SELECT pg_temp.b64('{"alg":"HS256","typ":"JWT"}') || '.' || pg_temp.b64('{"sub":"admin"}') AS s) AS x,
     (VALUES ('PEM', :'rsa2048_pub'), ('PEM and newline', :'rsa2048_pub' || E'\n')) AS v(what, secret);
SELECT f.what, v.call, pg_temp.err(format(v.query, f.token, v.key)) AS result
FROM forged AS f,
     (VALUES
        ('verify HS256, PEM key', 'SELECT jwt.verify(%L, %L, ''HS256'')', :'rsa2048_pub'),
        ('verify default algorithm, PEM key', 'SELECT jwt.verify(%L, %L)', :'rsa2048_pub'),
        ('verify HS256, JWK text', 'SELECT jwt.verify(%L, %L, ''HS256'')', (SELECT jwk::text FROM k WHERE name = 'rsa2048')),
        ('verify HS256, jsonb JWK', 'SELECT jwt.verify(%L, %L::jsonb, ''HS256'')', (SELECT jwk::text FROM k WHERE name = 'rsa2048')),
        ('validate, HS256 allowed', 'SELECT jwt.validate(%L, %L, algorithms => ARRAY[''HS256''])', :'rsa2048_pub'),
        ('validate, the key''s algorithm', 'SELECT jwt.validate(%L, %L)', :'rsa2048_pub')
     ) AS v(call, query, key)
ORDER BY f.what, v.call;
-- Verified as RS256 the forgery is simply invalid; is_valid says false even
-- when HS256 is allowed beside RS256 (the key fits RS256 only).
SELECT f.what, (jwt.verify(f.token, :'rsa2048_pub', 'RS256')).valid AS verify_rs256,
       jwt.is_valid(f.token, :'rsa2048_pub', ARRAY['HS256', 'RS256']) AS is_valid_hs_and_rs,
       pg_temp.err(format('SELECT jwt.validate(%L, %L, ARRAY[%L, %L])', f.token, :'rsa2048_pub', 'HS256', 'RS256')) AS validate_hs_and_rs
FROM forged AS f ORDER BY f.what;

-- 5. alg none, in every letter case, for every algorithm family ----------------

-- Empty signature, and the signature of a real token for the same claims:
-- never valid; the strict API names the reason.
CREATE TEMP TABLE families AS
SELECT alg, name, key FROM (VALUES
    ('HS256', 'secret', 'secret-secret-secret-secret-secr'),
    ('RS256', 'rsa2048', :'rsa2048_pub'),
    ('PS256', 'rsa2048', :'rsa2048_pub'),
    ('ES256', 'p256', :'p256_pub'),
    ('ES256K', 'secp256k1', :'k256_pub'),
    ('EdDSA', 'ed25519', :'ed25519_pub'),
    ('Ed448', 'ed448', :'ed448_pub')) AS v(alg, name, key);
SELECT f.alg, n.none,
       (jwt.verify(pg_temp.b64(format('{"alg":"%s","typ":"JWT"}', n.none)) || '.' || pg_temp.b64('{"sub":"alice"}') || '.',
                   f.key, f.alg)).valid AS empty_signature,
       (jwt.verify(pg_temp.b64(format('{"alg":"%s","typ":"JWT"}', n.none)) || '.' || pg_temp.b64('{"sub":"alice"}') || '.'
                       || split_part(coalesce(t.token, jwt.sign('{"sub":"alice"}', f.key, f.alg)), '.', 3),
                   f.key, f.alg)).valid AS real_signature,
       jwt.is_valid(pg_temp.b64(format('{"alg":"%s"}', n.none)) || '.' || pg_temp.b64('{"sub":"alice"}') || '.', f.key) AS is_valid
FROM families AS f LEFT JOIN t ON t.alg = f.alg AND t.name = f.name
     CROSS JOIN (VALUES ('none'), ('None'), ('NONE'), ('nOnE')) AS n(none)
ORDER BY f.alg, n.none;
SELECT f.alg, pg_temp.err(format('SELECT jwt.validate(%L, %L)',
           pg_temp.b64('{"alg":"none"}') || '.' || pg_temp.b64('{"sub":"alice"}') || '.', f.key)) AS validate_none
FROM families AS f ORDER BY f.alg;
-- And "none" as the caller's algorithm is no algorithm at all: 22023.
SELECT n.none, pg_temp.err(format('SELECT jwt.verify(%L, %L, %L)',
           pg_temp.b64('{"alg":"none"}') || '.' || pg_temp.b64('{"sub":"alice"}') || '.', :'rsa2048_pub', n.none), false) AS verify_as_none
FROM (VALUES ('none'), ('None'), ('NONE'), ('nOnE')) AS n(none);

-- 6. Keys that do not fit the algorithm: 22023 --------------------------------------

SELECT why, pg_temp.err(format('SELECT jwt.verify(%L, %L, %L)', tok, key, alg)) AS verify,
       pg_temp.err(format('SELECT jwt.sign(%L, %L, %L)', '{"sub":"alice"}', private_key, alg), false) AS sign
FROM (VALUES
    ('EC key with RS256', (SELECT token FROM t WHERE alg = 'ES256'), :'p256_pub', :'p256', 'RS256'),
    ('EC key with PS256', (SELECT token FROM t WHERE alg = 'ES256'), :'p256_pub', :'p256', 'PS256'),
    ('Ed25519 key with RS256', (SELECT token FROM t WHERE alg = 'Ed25519'), :'ed25519_pub', :'ed25519', 'RS256'),
    ('RSA key with ES256', (SELECT token FROM t WHERE alg = 'RS256'), :'rsa2048_pub', :'rsa2048', 'ES256'),
    ('RSA key with EdDSA', (SELECT token FROM t WHERE alg = 'RS256'), :'rsa2048_pub', :'rsa2048', 'EdDSA'),
    ('EC key with EdDSA', (SELECT token FROM t WHERE alg = 'ES256'), :'p256_pub', :'p256', 'EdDSA'),
    ('P-521 key with ES256', (SELECT token FROM t WHERE alg = 'ES512'), :'p521_pub', :'p521', 'ES256'),
    ('P-256 key with ES512', (SELECT token FROM t WHERE alg = 'ES256'), :'p256_pub', :'p256', 'ES512'),
    ('P-384 key with ES256', (SELECT token FROM t WHERE alg = 'ES384'), :'p384_pub', :'p384', 'ES256'),
    ('secp256k1 key with ES256', (SELECT token FROM t WHERE alg = 'ES256K'), :'k256_pub', :'k256', 'ES256'),
    ('P-256 key with ES256K', (SELECT token FROM t WHERE alg = 'ES256'), :'p256_pub', :'p256', 'ES256K'),
    ('Ed448 key with Ed25519', (SELECT token FROM t WHERE alg = 'Ed448'), :'ed448_pub', :'ed448', 'Ed25519'),
    ('Ed25519 key with Ed448', (SELECT token FROM t WHERE alg = 'Ed25519'), :'ed25519_pub', :'ed25519', 'Ed448'),
    ('RSA-1024 key with RS256', (SELECT token FROM t WHERE alg = 'RS256'), :'rsa1024_pub', :'rsa1024', 'RS256'),
    ('RSA-1024 key with PS256', (SELECT token FROM t WHERE alg = 'PS256'), :'rsa1024_pub', :'rsa1024', 'PS256')
) AS v(why, tok, key, private_key, alg);

-- RSA JWKs with a public exponent of 1 (or even) are refused; 65537 and 3 fit.
SELECT e, pg_temp.err(format('SELECT jwt.verify(%L, %L::jsonb, %L)',
                             (SELECT token FROM t WHERE alg = 'RS256'),
                             (SELECT jwk FROM k WHERE name = 'rsa2048') || jsonb_build_object('e', e), 'RS256')) AS result
FROM (VALUES ('AQ'), ('Ag'), ('AAE'), ('Aw'), ('AQAB')) AS v(e);

-- 7. ECDSA signatures that are not r || s in [1, n-1], and wrong lengths ---------

-- r = s = 0 ("psychic signatures", CVE-2022-21449), r = s = n, r = 0 with a
-- real s, and an all-zero EdDSA signature: never valid.
SELECT alg, what, (jwt.verify(pg_temp.b64(format('{"alg":"%s"}', alg)) || '.' || pg_temp.b64('{"sub":"admin"}')
                                  || '.' || jwt.url_encode(signature), key, alg)).valid
FROM (VALUES
    ('ES256', 'r = s = 0', :'p256_pub', decode(repeat('00', 64), 'hex')),
    ('ES384', 'r = s = 0', :'p384_pub', decode(repeat('00', 96), 'hex')),
    ('ES512', 'r = s = 0', :'p521_pub', decode(repeat('00', 132), 'hex')),
    ('ES256K', 'r = s = 0', :'k256_pub', decode(repeat('00', 64), 'hex')),
    ('ES256', 'r = s = n', :'p256_pub',
     decode(repeat('FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551', 2), 'hex')),
    ('ES384', 'r = s = n', :'p384_pub',
     decode(repeat('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973', 2), 'hex')),
    ('ES512', 'r = s = n', :'p521_pub',
     decode(repeat('01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409', 2), 'hex')),
    ('ES256K', 'r = s = n', :'k256_pub',
     decode(repeat('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141', 2), 'hex')),
    ('ES256', 'r = 0, s of a real signature', :'p256_pub',
     decode(repeat('00', 32), 'hex') || substring(pg_temp.sig((SELECT token FROM t WHERE alg = 'ES256')) FROM 33)),
    ('ES256', 'r = s = n + 1', :'p256_pub',
     decode(repeat('FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632552', 2), 'hex')),
    ('ES256', 'r = s = 2^256 - 1', :'p256_pub', decode(repeat('FF', 64), 'hex')),
    ('EdDSA', 'all zero, 64 bytes', :'ed25519_pub', decode(repeat('00', 64), 'hex')),
    ('Ed448', 'all zero, 114 bytes', :'ed448_pub', decode(repeat('00', 114), 'hex'))
) AS v(alg, what, key, signature);

-- A DER-encoded ECDSA signature (what OpenSSL and Java produce natively) is
-- not the JOSE form: the token below carries a correct signature of its
-- input by the P-256 key, DER-encoded, and is invalid; the same signature
-- as raw r || s verifies. Both were made with Python's cryptography.
SELECT (jwt.verify('eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.MEQCIH0q7eGu7sKLBQ5czxmfloGyGVNUZDFE5qz7iBmerLZkAiAcKdyWboI_OY1GAuk7UOSOenPkrP6gqVqUQiIm5rV-Tw', :'p256_pub', 'ES256')).valid AS der_signature,
       length(pg_temp.sig('eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.MEQCIH0q7eGu7sKLBQ5czxmfloGyGVNUZDFE5qz7iBmerLZkAiAcKdyWboI_OY1GAuk7UOSOenPkrP6gqVqUQiIm5rV-Tw')) AS der_bytes,
       (jwt.verify('eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.fSrt4a7uwosFDlzPGZ-WgbIZU1RkMUTmrPuIGZ6stmQcKdyWboI_OY1GAuk7UOSOenPkrP6gqVqUQiIm5rV-Tw', :'p256_pub', 'ES256')).valid AS raw_signature;

-- A signature one byte short or one byte long (a zero byte before or after)
-- is invalid for every algorithm, as is the empty one.
SELECT t.alg, t.name,
       (jwt.verify(t.token, k.public_pem, t.alg)).valid AS original,
       (jwt.verify(pg_temp.resign(t.token, substring(pg_temp.sig(t.token) FROM 1 FOR length(pg_temp.sig(t.token)) - 1)),
                   k.public_pem, t.alg)).valid AS one_short,
       (jwt.verify(pg_temp.resign(t.token, substring(pg_temp.sig(t.token) FROM 2)), k.public_pem, t.alg)).valid AS first_byte_cut,
       (jwt.verify(pg_temp.resign(t.token, pg_temp.sig(t.token) || '\x00'::bytea), k.public_pem, t.alg)).valid AS one_long,
       (jwt.verify(pg_temp.resign(t.token, '\x00'::bytea || pg_temp.sig(t.token)), k.public_pem, t.alg)).valid AS zero_prefixed,
       (jwt.verify(pg_temp.resign(t.token, ''::bytea), k.public_pem, t.alg)).valid AS empty
FROM t JOIN k USING (name) ORDER BY t.alg, t.name;

-- 8. Keys in the token header never select the key ---------------------------------

-- An attacker signs with their own key (RSA-3072) and embeds its public
-- JWK, a jku and x5u pointing at their server and their certificate in
-- x5c: against the real key (RSA-2048, as PEM, JWK or JWK set) the token is
-- invalid; only the attacker's own key verifies it.
CREATE TEMP TABLE attack AS
SELECT jwt.sign('{"sub":"admin"}', :'rsa3072', 'RS256',
                jsonb_build_object('jwk', (SELECT jwk FROM k WHERE name = 'rsa3072'),
                                   'jku', 'https://attacker.example/jwks.json',
                                   'x5u', 'https://attacker.example/cert.pem',
                                   'x5c', jsonb_build_array('MIIDoTCCAgmgAwIBAgIBATANBgkqhkiG9w0BAQsFADATMREwDwYDVQQDDAhhdHRhY2tlcjAgFw0yNjAxMDEwMDAwMDBaGA8yMTI2MDEwMTAwMDAwMFowEzERMA8GA1UEAwwIYXR0YWNrZXIwggGiMA0GCSqGSIb3DQEBAQUAA4IBjwAwggGKAoIBgQC8J1VsneumtMMF3H3TPsE0ODFADkepeh29soRK9M7ZOdQnP7J5UW8neGEbTt9vJ9HouI0XSCKVc0+4irhwL8xQIvX9RLXRRBVjffx1+uxnAR9X5DZ1elzcxSXGYUzkSv2Us+sDuFGYInEsnAthFc9KUcf7RVErbTIq6+C8YCDMjYL+LddzyCf5cBfQKiDIi/YKrRAkd9f+SYDEp0dXpDn0q2ZfpBLtQ+h/PsKtCCNn3aCRZg8OBrL5bpjIAwMB5FC3JifRjiSWZtF3ZvKLGqP2i2NpB1w1oqsPXXAcltlrrdaeOw+FDGnYrW6vnFo7PAQz2sqLyPpe8L8x7b5qufl99o1eMHMtTmm+ACd2D831EIH+ipYk0rw+WqT5aKK0rszKV+8YGt82FnryvM9XP0vKMKPx84cNnvHH6kAS2amfDEIw/uuJluU+j7FqHUCZhJnRG2v/GR/ctCEsn0rr6tdTGS1isUzAQiGxdAgqe54OCARYxmERiYkDvIcj15mDLycCAwEAATANBgkqhkiG9w0BAQsFAAOCAYEAH9qJCIigJR+t6vFo2y8jEWv7cEP+qdqOfbsK0bDU6kpaUxcg8j/2dNQIRjchHJYpKreYfXJIY0Ew6RLChzxzat+dgCE8QNPQPpl0pM2RUJyfp7QWcdRdG4GNlZUhUk6VXETb3zCKLuP6Y+yONGP1iZQ5t8dmbcjyaQf/7fzh/ZCy+JMS4BvNAaKeshvgFbwZcPcuoMiFEQuivIYLnB3nqV8P/9/DzeDrmbw+ZHI2f1jvXrShstG8dwUIOsLjlyaQAQqN3C3Xud3Xr/3bi1R61+/zxU3YDSk4JvJNpvCKrUR5/DtQSZ8hJgyKNji7Hqh8D2IJaGjSJIZja0AntINel5dYigFpxgB06khco/MDvGj4KNYw+s+g+RW4pitJMq4JkzQxFhn51xQiwgKFIBNo9GYvNUcaA3bnP2BOf/QBFITx4c0Ai7VEK4OC5TluNm4kBSPGA2OV0Nd60pXZnFts0owME3LajZFO01DOTs9EixgWt5qjJ9W9zixzLljDWaPY'))) AS token;
SELECT jwt.header(token) - 'jwk' - 'x5c' AS header, jwt.header(token) -> 'jwk' ->> 'kty' AS embedded_kty,
       (jwt.verify(token, :'rsa2048_pub', 'RS256')).valid AS real_pem,
       (jwt.verify(token, (SELECT jwk FROM k WHERE name = 'rsa2048'), 'RS256')).valid AS real_jwk,
       (jwt.verify(token, jsonb_build_object('keys', jsonb_build_array((SELECT jwk FROM k WHERE name = 'rsa2048'))), 'RS256')).valid AS real_jwks,
       jwt.is_valid(token, :'rsa2048_pub') AS is_valid_real,
       (jwt.verify(token, :'rsa3072_pub', 'RS256')).valid AS attacker_key
FROM attack;
SELECT pg_temp.err(format('SELECT jwt.validate(%L, %L)', token, :'rsa2048_pub')) AS validate_real FROM attack;
-- Each member alone, and an EdDSA variant (an Ed448 key embedded, the real
-- key Ed25519).
SELECT member, (jwt.verify(jwt.sign('{"sub":"admin"}', :'rsa3072', 'RS256', jsonb_build_object(member, value)),
                           :'rsa2048_pub', 'RS256')).valid AS valid
FROM (VALUES ('jwk', (SELECT jwk FROM k WHERE name = 'rsa3072')),
             ('jku', '"https://attacker.example/jwks.json"'::jsonb),
             ('x5u', '"https://attacker.example/cert.pem"'::jsonb),
             ('x5c', jsonb_build_array('MIIDoTCCAgmgAwIBAgIBATANBgkqhkiG9w0BAQsFADATMREwDwYDVQQDDAhhdHRhY2tlcjAgFw0yNjAxMDEwMDAwMDBaGA8yMTI2MDEwMTAwMDAwMFowEzERMA8GA1UEAwwIYXR0YWNrZXIwggGiMA0GCSqGSIb3DQEBAQUAA4IBjwAwggGKAoIBgQC8J1VsneumtMMF3H3TPsE0ODFADkepeh29soRK9M7ZOdQnP7J5UW8neGEbTt9vJ9HouI0XSCKVc0+4irhwL8xQIvX9RLXRRBVjffx1+uxnAR9X5DZ1elzcxSXGYUzkSv2Us+sDuFGYInEsnAthFc9KUcf7RVErbTIq6+C8YCDMjYL+LddzyCf5cBfQKiDIi/YKrRAkd9f+SYDEp0dXpDn0q2ZfpBLtQ+h/PsKtCCNn3aCRZg8OBrL5bpjIAwMB5FC3JifRjiSWZtF3ZvKLGqP2i2NpB1w1oqsPXXAcltlrrdaeOw+FDGnYrW6vnFo7PAQz2sqLyPpe8L8x7b5qufl99o1eMHMtTmm+ACd2D831EIH+ipYk0rw+WqT5aKK0rszKV+8YGt82FnryvM9XP0vKMKPx84cNnvHH6kAS2amfDEIw/uuJluU+j7FqHUCZhJnRG2v/GR/ctCEsn0rr6tdTGS1isUzAQiGxdAgqe54OCARYxmERiYkDvIcj15mDLycCAwEAATANBgkqhkiG9w0BAQsFAAOCAYEAH9qJCIigJR+t6vFo2y8jEWv7cEP+qdqOfbsK0bDU6kpaUxcg8j/2dNQIRjchHJYpKreYfXJIY0Ew6RLChzxzat+dgCE8QNPQPpl0pM2RUJyfp7QWcdRdG4GNlZUhUk6VXETb3zCKLuP6Y+yONGP1iZQ5t8dmbcjyaQf/7fzh/ZCy+JMS4BvNAaKeshvgFbwZcPcuoMiFEQuivIYLnB3nqV8P/9/DzeDrmbw+ZHI2f1jvXrShstG8dwUIOsLjlyaQAQqN3C3Xud3Xr/3bi1R61+/zxU3YDSk4JvJNpvCKrUR5/DtQSZ8hJgyKNji7Hqh8D2IJaGjSJIZja0AntINel5dYigFpxgB06khco/MDvGj4KNYw+s+g+RW4pitJMq4JkzQxFhn51xQiwgKFIBNo9GYvNUcaA3bnP2BOf/QBFITx4c0Ai7VEK4OC5TluNm4kBSPGA2OV0Nd60pXZnFts0owME3LajZFO01DOTs9EixgWt5qjJ9W9zixzLljDWaPY'))) AS v(member, value);
SELECT (jwt.verify(jwt.sign('{"sub":"admin"}', :'ed448', 'EdDSA', jsonb_build_object('jwk', (SELECT jwk FROM k WHERE name = 'ed448'))),
                   :'ed25519_pub', 'EdDSA')).valid AS eddsa_embedded_jwk;

-- 9. JWK and JWK set rules --------------------------------------------------------------

-- A JWK's alg, use and key_ops bind it: another alg, use "enc", key_ops
-- without the operation are 22023 (whatever the token).
SELECT why, pg_temp.err(format('SELECT jwt.verify(%L, %L::jsonb, %L)', (SELECT token FROM t WHERE alg = 'RS256'),
                               (SELECT jwk FROM k WHERE name = 'rsa2048') || extra::jsonb, alg)) AS result
FROM (VALUES
    ('alg RS384 used for RS256', '{"alg":"RS384"}', 'RS256'),
    ('alg RS256 used for PS256', '{"alg":"RS256"}', 'PS256'),
    ('alg "rs256" (case)', '{"alg":"rs256"}', 'RS256'),
    ('use enc', '{"use":"enc"}', 'RS256'),
    ('key_ops sign only', '{"key_ops":["sign"]}', 'RS256'),
    ('key_ops empty', '{"key_ops":[]}', 'RS256'),
    ('alg RS256, use sig, key_ops verify: fits', '{"alg":"RS256","use":"sig","key_ops":["verify"]}', 'RS256')
) AS v(why, extra, alg);
SELECT pg_temp.err(format('SELECT jwt.sign(%L, %L::jsonb, %L)', '{"a":1}',
                          (SELECT private_jwk FROM k WHERE name = 'ed25519') || '{"key_ops":["verify"]}', 'EdDSA')) AS sign_with_verify_only_key;

-- Sets: a duplicate kid is refused; a mix of oct and asymmetric keys is a
-- set like any other (1.2.0), each key bound to its family by its kty, so
-- an RS256 token meets the RSA key and an HS256 token the oct key only;
-- oct keys shorter than the hash do not fit.
SELECT why, pg_temp.err(format('SELECT jwt.verify(%L, %L::jsonb, %L)', tok, jwks, alg)) AS result
FROM (VALUES
    ('duplicate kid', (SELECT token FROM t WHERE alg = 'RS256'),
     jsonb_build_object('keys', jsonb_build_array((SELECT jwk FROM k WHERE name = 'rsa2048') || '{"kid":"a"}',
                                                  (SELECT jwk FROM k WHERE name = 'rsa3072') || '{"kid":"a"}')), 'RS256'),
    ('oct and RSA keys', (SELECT token FROM t WHERE alg = 'RS256'),
     jsonb_build_object('keys', jsonb_build_array((SELECT jwk FROM k WHERE name = 'rsa2048'),
                                                  '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'::jsonb)), 'RS256'),
    ('oct and RSA keys, verified as HS256', jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr'),
     jsonb_build_object('keys', jsonb_build_array((SELECT jwk FROM k WHERE name = 'rsa2048'),
                                                  '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'::jsonb)), 'HS256'),
    ('oct key of 32 bytes for HS512', jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr', 'HS512'),
     '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'::jsonb, 'HS512'),
    ('oct key of 47 bytes for HS384', jwt.sign('{"a":1}', 'secret-secret-secret-secret-secret-secret-secre', 'HS384'),
     jsonb_build_object('kty', 'oct', 'k', jwt.url_encode('secret-secret-secret-secret-secret-secret-secre')), 'HS384'),
    ('oct key of 48 bytes for HS384: fits', jwt.sign('{"a":1}', 'secret-secret-secret-secret-secret-secret-secret', 'HS384'),
     jsonb_build_object('kty', 'oct', 'k', jwt.url_encode('secret-secret-secret-secret-secret-secret-secret')), 'HS384')
) AS v(why, tok, jwks, alg);

-- kid selects: a kid the set lacks is an invalid token (not an error); a
-- kid naming the right key verifies; a token without kid tries the keys in
-- order, at most 16 of them.
CREATE TEMP TABLE sets AS
SELECT jsonb_build_object('keys', jsonb_build_array(
           (SELECT jwk FROM k WHERE name = 'rsa3072') || '{"kid":"old"}',
           (SELECT jwk FROM k WHERE name = 'rsa2048') || '{"kid":"new"}')) AS with_kids,
       jsonb_build_object('keys', (SELECT jsonb_agg((SELECT jwk FROM k WHERE name = 'rsa3072')) FROM generate_series(1, 15))
                                  || jsonb_build_array((SELECT jwk FROM k WHERE name = 'rsa2048'))) AS sixteenth,
       jsonb_build_object('keys', (SELECT jsonb_agg((SELECT jwk FROM k WHERE name = 'rsa3072')) FROM generate_series(1, 16))
                                  || jsonb_build_array((SELECT jwk FROM k WHERE name = 'rsa2048'))) AS seventeenth;
SELECT why, (jwt.verify(jwt.sign('{"sub":"alice"}', :'rsa2048', 'RS256', header), keys, 'RS256')).valid
FROM sets, LATERAL (VALUES
    ('kid names the signing key', '{"kid":"new"}'::jsonb, with_kids),
    ('kid names another key of the set', '{"kid":"old"}'::jsonb, with_kids),
    ('kid not in the set', '{"kid":"gone"}'::jsonb, with_kids),
    ('kid differs in case', '{"kid":"NEW"}'::jsonb, with_kids),
    ('kid with a trailing space', '{"kid":"new "}'::jsonb, with_kids),
    ('no kid: keys tried in order', NULL, with_kids),
    ('no kid: the right key is the 16th', NULL, sixteenth),
    ('no kid: the right key is the 17th', NULL, seventeenth)
) AS v(why, header, keys);
-- The strict API says why.
SELECT pg_temp.err(format('SELECT jwt.validate(%L, %L)',
                          jwt.sign('{"sub":"alice"}', :'rsa2048', 'RS256', '{"kid":"gone"}'), with_kids)) AS unknown_kid
FROM sets;

-- 10. jsonb keys: algorithm NULL means the JWK's alg, and its kid is named ----------

SELECT jwt.header(tok) AS header,
       (jwt.verify(tok, (SELECT jwk FROM k WHERE name = 'ed25519') || '{"alg":"EdDSA","kid":"ed-1"}')).valid AS verify_own_alg,
       (jwt.verify(tok, jsonb_build_object('keys', jsonb_build_array(
                            (SELECT jwk FROM k WHERE name = 'ed448') || '{"alg":"EdDSA","kid":"ed-0"}',
                            (SELECT jwk FROM k WHERE name = 'ed25519') || '{"alg":"EdDSA","kid":"ed-1"}')))).valid AS verify_set_own_alg,
       tok = jwt.sign('{"sub":"alice","admin":false}', :'ed25519', 'EdDSA', '{"kid":"ed-1"}') AS same_as_pem_with_kid
FROM jwt.sign('{"sub":"alice","admin":false}',
              (SELECT private_jwk FROM k WHERE name = 'ed25519') || '{"alg":"EdDSA","kid":"ed-1"}') AS tok;
SELECT jwt.header(jwt.sign('{"a":1}', (SELECT private_jwk FROM k WHERE name = 'p256') || '{"alg":"ES256","kid":"ec-1"}')) AS es256_header,
       jwt.header(jwt.sign('{"a":1}', (SELECT private_jwk FROM k WHERE name = 'p256') || '{"alg":"ES256","kid":"ec-1"}', NULL, '{"kid":"override"}')) AS header_argument_kid,
       jwt.header(jwt.sign('{"a":1}', (SELECT private_jwk FROM k WHERE name = 'p256')::text, 'ES256')) AS jwk_text_without_kid;
-- Without an alg in the JWK (or a set whose keys disagree) the algorithm
-- must be given; given, it must agree with the JWK's.
SELECT pg_temp.err(format('SELECT jwt.sign(%L, %L::jsonb)', '{"a":1}', (SELECT private_jwk FROM k WHERE name = 'p256')::text)) AS sign_no_alg,
       pg_temp.err(format('SELECT jwt.verify(%L, %L::jsonb)', (SELECT token FROM t WHERE alg = 'ES256'),
                          (SELECT jwk FROM k WHERE name = 'p256'))) AS verify_no_alg,
       pg_temp.err(format('SELECT jwt.sign(%L, %L::jsonb, %L)', '{"a":1}',
                          (SELECT private_jwk FROM k WHERE name = 'p256') || '{"alg":"ES256"}', 'ES384')) AS sign_other_alg;

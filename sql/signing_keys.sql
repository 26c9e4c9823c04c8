--
-- signing_keys: which keys jwt.issue signs with (issue 16, items 2 and 3).
-- 1.1.0 signed with any key that had a private half, so an HMAC secret
-- imported with jwt.add_key only to verify a third party's tokens became the
-- key that jwt.issue used when it was the newest. In 1.2.0, jwt.keys.may_sign
-- says which keys sign: generate_key's do; add_key's only with
-- may_sign => true. And generate_key's HMAC secrets are printable base64url
-- text (43, 64 or 86 characters) that other software takes as its secret.
-- Real roles, all named regress_jwt_sk_*.
--

\i test/regress/helpers.sql
SET regress.err_detail = on;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Other suites share the database: start from an empty keyring.
TRUNCATE jwt.keys, jwt.revoked;

-- 1. The column and the functions ---------------------------------------------------

-- may_sign: NOT NULL, false unless said; only a key with a private half may
-- sign; PUBLIC cannot read it (like signers).
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid) AS default_value,
       has_column_privilege('public', 'jwt.keys', 'may_sign', 'SELECT') AS public_reads
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = 'jwt.keys'::regclass AND a.attname = 'may_sign';
SELECT conname, pg_get_constraintdef(oid) AS definition
FROM pg_constraint WHERE conrelid = 'jwt.keys'::regclass AND conname = 'keys_may_sign_check';
-- add_key takes may_sign, defaulted to false; still SECURITY DEFINER with
-- search_path pinned, not executable by PUBLIC. generate_key keeps its
-- signature. issue is 1.2.0's C function.
SELECT p.oid::regprocedure AS function, pg_get_function_arguments(p.oid) AS arguments,
       p.prosecdef, p.proconfig, p.provolatile, p.proparallel,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
FROM pg_proc p
WHERE p.pronamespace = 'jwt'::regnamespace AND p.proname IN ('add_key', 'generate_key')
ORDER BY 1;
SELECT p.prosrc FROM pg_proc p WHERE p.oid = 'jwt.issue(jsonb, interval, text)'::regprocedure;

-- 2. Who may sign ----------------------------------------------------------------------

-- generate_key's keys sign, every family.
SELECT alg, jwt.generate_key(alg, 'regress-sk-gen-' || lower(alg)) AS kid
FROM (VALUES ('HS256'), ('ES256'), ('EdDSA'), ('RS256')) AS v(alg);
-- add_key's keys verify only, secrets and private keys included, unless
-- may_sign => true; a public key never signs.
SELECT jwt.add_key('third-party-secret-third-party-se', 'HS256', 'regress-sk-add-secret') AS kid;
SELECT jwt.add_key('own-secret-own-secret-own-secret-', 'HS256', 'regress-sk-add-secret-signs',
                   may_sign => true) AS kid;
SELECT jwt.add_key(private_jwk::text, 'ES256', 'regress-sk-add-private') AS kid
FROM jwt.keys WHERE kid = 'regress-sk-gen-es256';
SELECT jwt.add_key(private_jwk::text, 'ES256', 'regress-sk-add-private-signs', may_sign => true) AS kid
FROM jwt.keys WHERE kid = 'regress-sk-gen-es256';
SELECT jwt.add_key(public_jwk::text, 'ES256', 'regress-sk-add-public') AS kid
FROM jwt.keys WHERE kid = 'regress-sk-gen-es256';
SELECT kid, algorithm, private_jwk IS NOT NULL AS has_private, may_sign
FROM jwt.keys ORDER BY kid;
-- Refused before anything is written: a public key that should sign, and a
-- NULL may_sign.
SELECT what, pg_temp.err(query) AS result
FROM (VALUES
    ('public key, may_sign', format('SELECT jwt.add_key(%L, %L, %L, may_sign => true)',
                                    (SELECT public_jwk::text FROM jwt.keys WHERE kid = 'regress-sk-gen-es256'),
                                    'ES256', 'x')),
    ('may_sign NULL', $$SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'x', may_sign => NULL)$$)
) AS v(what, query);
SELECT jwt.add_key(public_jwk::text, 'ES256', 'x', may_sign => true)
FROM jwt.keys WHERE kid = 'regress-sk-gen-es256';
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS keys_after_refusals FROM jwt.keys WHERE kid = 'x';
-- The table holds the rule too: the extension owner cannot mark a public
-- key as signing.
SELECT pg_temp.err($$UPDATE jwt.keys SET may_sign = true WHERE kid = 'regress-sk-add-public'$$, false) AS update_public;

-- 3. What jwt.issue picks --------------------------------------------------------------

-- The generated keys are older than everything else; the newest key with a
-- private half is the third party's secret, which may not sign.
UPDATE jwt.keys SET not_before = now() - interval '3 hours' WHERE kid LIKE 'regress-sk-gen-%';
UPDATE jwt.keys SET not_before = now() - interval '2 hours' WHERE kid = 'regress-sk-gen-hs256';
UPDATE jwt.keys SET not_before = now() - interval '1 hour'
WHERE kid IN ('regress-sk-add-secret-signs', 'regress-sk-add-private-signs');
UPDATE jwt.keys SET not_before = now() - interval '1 minute'
WHERE kid IN ('regress-sk-add-secret', 'regress-sk-add-private', 'regress-sk-add-public');
-- Without a kid: the newest key that may sign (latest not_before, then
-- created_at, then kid), never the verify-only keys that are newer.
SELECT jwt.header(jwt.issue('{}')) ->> 'kid' AS picked;
-- Those gone, the next: the generated HS256 key.
BEGIN;
UPDATE jwt.keys SET active = false WHERE kid IN ('regress-sk-add-secret-signs', 'regress-sk-add-private-signs');
SELECT jwt.header(jwt.issue('{}')) ->> 'kid' AS picked;
ROLLBACK;
-- Naming a key: every key that may sign signs; a verify-only key is refused
-- (22023, the caller named an unusable key), a public key as before.
SELECT kid, pg_temp.err(format('SELECT jwt.issue(%L, %L, %L)', '{}', '1 hour', kid), false) AS result
FROM jwt.keys ORDER BY kid;
SELECT jwt.issue('{"sub":"x"}', kid => 'regress-sk-add-secret');
\echo :LAST_ERROR_SQLSTATE
-- The verify-only secret still verifies: validation does not look at may_sign.
SELECT jwt.validate(jwt.sign('{"sub":"third-party"}', 'third-party-secret-third-party-se', 'HS256',
                             '{"kid":"regress-sk-add-secret"}')) ->> 'sub' AS verified;
-- A keyring whose only keys with a private half may not sign.
BEGIN;
DELETE FROM jwt.keys WHERE may_sign;
SELECT jwt.issue('{}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- The owner lets a key sign by marking it; it signs from the next statement.
BEGIN;
UPDATE jwt.keys SET may_sign = true WHERE kid = 'regress-sk-add-secret';
SELECT jwt.header(jwt.issue('{}')) ->> 'kid' AS picked_once_marked;
ROLLBACK;

-- 4. As the roles that use it ---------------------------------------------------------

-- issuer: EXECUTE on issue only. keyadmin: EXECUTE on add_key only (what
-- the README warns it amounts to: its keys verify at once).
CREATE ROLE regress_jwt_sk_issuer LOGIN;
CREATE ROLE regress_jwt_sk_keyadmin LOGIN;
GRANT EXECUTE ON FUNCTION jwt.issue(jsonb, interval, text) TO regress_jwt_sk_issuer;
GRANT EXECUTE ON FUNCTION jwt.add_key(text, text, text, timestamptz, timestamptz, boolean)
    TO regress_jwt_sk_keyadmin;
-- The key administrator adds a partner's secret, to verify the partner's
-- tokens, after everything else.
SET SESSION AUTHORIZATION regress_jwt_sk_keyadmin;
SELECT jwt.add_key('partner-secret-partner-secret-par', 'HS256', 'regress-sk-partner') AS kid;
SELECT pg_temp.err($$SELECT may_sign FROM jwt.keys$$, false) AS reads_may_sign;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_jwt_sk_issuer;
-- The issuer's tokens are still signed with the newest key that may sign,
-- never with the partner's secret, which the partner's tokens verify with.
SELECT jwt.header(jwt.issue('{"sub":"alice"}')) ->> 'kid' AS issuer_signs_with,
       pg_temp.err($$SELECT jwt.issue('{"sub":"admin"}', kid => 'regress-sk-partner')$$, false) AS with_partner_key,
       jwt.is_valid(jwt.sign('{"sub":"partner-user"}', 'partner-secret-partner-secret-par', 'HS256',
                             '{"kid":"regress-sk-partner"}')) AS partner_tokens_verify;
RESET SESSION AUTHORIZATION;

-- 5. Generated HMAC secrets are printable text (item 3) ---------------------------------

-- The secret is the text whose base64url is private_jwk's "k": the owner
-- reads it out with convert_from(jwt.url_decode(private_jwk ->> 'k'), 'UTF8').
-- 43, 64 and 86 characters of the base64url alphabet (the base64url form of
-- 32, 48 and 64 random bytes), and different every time.
CREATE TEMP TABLE generated AS
SELECT alg, jwt.generate_key(alg) AS kid
FROM (VALUES ('HS256'), ('HS384'), ('HS512'), ('HS256'), ('HS384'), ('HS512')) AS v(alg);
CREATE TEMP TABLE secrets AS
SELECT g.alg, g.kid, convert_from(jwt.url_decode(k.private_jwk ->> 'k'), 'UTF8') AS secret
FROM generated g JOIN jwt.keys k ON k.kid = g.kid;
SELECT alg, count(*) AS keys, min(length(secret)) AS min_length, max(length(secret)) AS max_length,
       bool_and(secret ~ '^[A-Za-z0-9_-]+$') AS base64url_alphabet,
       bool_and(octet_length(jwt.url_decode(secret)) = length(secret) * 3 / 4) AS base64url_of_random_bytes,
       count(DISTINCT secret) AS distinct_secrets
FROM secrets GROUP BY alg ORDER BY alg;
-- A token jwt.issue signs with such a key verifies with the text as the
-- secret, as PostgREST's jwt-secret, PostGraphile's --jwt-secret or
-- Supabase's JWT_SECRET would be given it, and is the token jwt.sign makes
-- with the text.
SELECT s.alg, count(*) AS tokens,
       bool_and((jwt.verify(t.token, s.secret, s.alg)).valid) AS verify_with_text,
       bool_and(jwt.validate(t.token, key => s.secret, algorithms => ARRAY[s.alg]) ->> 'sub' = 'alice') AS validate_with_text,
       bool_and(t.token = jwt.sign((jwt.decode(t.token)).payload, s.secret, s.alg,
                                   jsonb_build_object('kid', s.kid))) AS same_as_sign_with_text
FROM secrets s, LATERAL (SELECT jwt.issue('{"sub":"alice"}', kid => s.kid) AS token) t
GROUP BY s.alg ORDER BY s.alg;

-- Cleanup.
TRUNCATE jwt.keys, jwt.revoked;
DROP OWNED BY regress_jwt_sk_issuer, regress_jwt_sk_keyadmin;
DROP ROLE regress_jwt_sk_issuer, regress_jwt_sk_keyadmin;

--
-- search_path_attack: nothing that pg_jwt runs with rights other than the
-- caller's (SPI as the extension owner, SECURITY DEFINER functions) resolves
-- a name through the caller's search_path (DESIGN.md section 2.7).
--
-- An unprivileged role plants, in its own session:
--  * domains in pg_temp named after every type pg_jwt's statements use
--    (PostgreSQL searches pg_temp first for types and relations unless
--    pg_temp is named in search_path), each with a CHECK that reports;
--  * views in pg_temp named like pg_jwt's tables and some catalogs;
--  * functions, aggregates and operators in a schema of its own, put before
--    pg_catalog in search_path.
-- Every planted object, if it ever ran, would print a WARNING naming itself
-- and the role it runs as, and try ALTER ROLE ... SUPERUSER (which works
-- when it runs as the extension owner, a superuser). Then the role calls
-- every function of pg_jwt and pg_jwt_auth (the list is checked against
-- pg_proc, so a new function fails this suite until it is called here);
-- the restricted ones through a role granted EXECUTE. The expected output
-- has no WARNING, and the role is still not a superuser.
--
-- Issue 13.1 (keyring read parsed with the caller's search_path: a domain
-- pg_temp.text saw every keyring JWK and made the caller a superuser) and
-- 13.2 (the revocation probe's "=" resolved in the caller's schema).
--
-- Every statement this file runs after planting names its operators,
-- functions and types schema-qualified, so that a WARNING could only come
-- from pg_jwt's own SQL. Roles are cluster-wide: named regress_jwt_spa_*.
--

\set SHOW_CONTEXT never
CREATE EXTENSION pg_jwt_auth;
TRUNCATE jwt.keys, jwt.revoked;

-- Every function of both extensions must be called below (by signature).
SELECT p.oid::regprocedure AS not_called_here
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
WHERE e.extname IN ('pg_jwt', 'pg_jwt_auth')
  AND p.oid::regprocedure::text <> ALL (ARRAY[
    'jwt.url_encode(bytea)', 'jwt.url_decode(text)',
    'jwt.sign(anycompatible,text,text,jsonb)', 'jwt.sign(anycompatible,bytea,text,jsonb)',
    'jwt.sign(anycompatible,jsonb,text,jsonb)',
    'jwt.verify(text,text,text)', 'jwt.verify(text,bytea,text)', 'jwt.verify(text,jsonb,text)',
    'jwt.decode(text)', 'jwt.header(text)', 'jwt.thumbprint(jsonb)',
    'jwt._generate_key_entry(text,integer,text)', 'jwt._import_key_entry(text,text,text)',
    'jwt._import_key_entries(text,text,text)',
    'jwt._check_key_window(text,timestamp with time zone,timestamp with time zone)',
    'jwt._check_writable(text)',  -- called by generate_key, add_key, revoke and purge_revoked below
    'jwt.generate_key(text,text,integer,timestamp with time zone,timestamp with time zone)',
    'jwt.add_key(text,text,text,timestamp with time zone,timestamp with time zone,boolean)',
    'jwt.jwks()', 'jwt.issue(jsonb,interval,text)',
    'jwt._invalidate_cache()',  -- fired by every write to jwt.keys and jwt.revoked below
    'jwt.revoke(text,timestamp with time zone)', 'jwt.purge_revoked()',
    'jwt.validate(text,text,text[],text,text,interval,interval,text[],text,timestamp with time zone,bytea)',
    'jwt.is_valid(text,text,text[],text,text,interval,interval,text[],text,timestamp with time zone,bytea)',
    'jwt.claims()', 'jwt.claim(text)', 'jwt.claim(text[])', 'jwt.claim_uuid(text)',
    'jwt.authenticate(text)', 'jwt.request_token(text,text)', 'jwt.forward_request_claims()',
    'jwt.refresh_issuers(boolean)', 'jwt._issuer_key_counts(text,text[])',
    'auth.uid()', 'auth.user_id()', 'auth.role()', 'auth.email()', 'auth.jwt()', 'auth.session()',
    'auth.jwt_session_init(text)', 'auth.init()'])
ORDER BY 1;

-- The keyring holds one active HMAC key, and the revocation list one
-- unexpired entry (the preconditions of both attacks).
SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'spa-k1', may_sign => true) AS kid;
SELECT jwt.revoke('spa-revoked', '2999-01-01 00:00:00+00');
SELECT jwt.revoke('spa-expired', '2000-01-01 00:00:00+00');
SELECT jwt.sign('{"sub":"a1b2c3d4-0000-4000-8000-000000000001","jti":"spa-1","email":"a@example.com","role":"regress_jwt_spa_attacker"}',
                'secret-secret-secret-secret-secr', 'HS256', '{"kid":"spa-k1"}') AS tok \gset
SELECT jwt.sign('{"sub":"x","jti":"spa-revoked"}', 'secret-secret-secret-secret-secr', 'HS256',
                '{"kid":"spa-k1"}') AS tok_revoked \gset
SELECT jwt.sign('{"sub":"y","jti":"spa-2"}', 'secret-secret-secret-secret-secr') AS tok_nokid \gset
-- A configured issuer with a fetched set (test/keys/ec_p256.pem's public
-- key), whose URL nothing listens on (jwt.refresh_issuers fails at once).
\set spa_issuer_priv `cat test/keys/ec_p256.pem`
INSERT INTO jwt.issuers (issuer, url, audiences) VALUES ('https://spa.example/', 'https://127.0.0.1:1/jwks', '{api}');
INSERT INTO jwt.issuer_keys (issuer, url, jwks, kids, key_algorithms, fetched_at, attempted_at, next_refresh)
SELECT 'https://spa.example/', 'https://127.0.0.1:1/jwks',
       jsonb_build_object('keys', jsonb_build_array((jwt._import_key_entry(:'spa_issuer_priv', 'ES256', 'spa-i')).public_jwk)),
       '{spa-i}', '{ES256}', now(), now(), now();
SELECT jwt.sign('{"iss":"https://spa.example/","sub":"issued","aud":"api"}', :'spa_issuer_priv', 'ES256', '{"kid":"spa-i"}') AS tok_issuer \gset

CREATE ROLE regress_jwt_spa_attacker LOGIN;       -- no privilege beyond PUBLIC's
CREATE ROLE regress_jwt_spa_keyadmin LOGIN;       -- EXECUTE on the restricted functions
GRANT EXECUTE ON FUNCTION jwt.generate_key(text, text, integer, timestamptz, timestamptz),
    jwt.add_key(text, text, text, timestamptz, timestamptz, boolean), jwt.revoke(text, timestamptz),
    jwt.purge_revoked(), jwt.issue(jsonb, interval, text), jwt.refresh_issuers(boolean),
    jwt._generate_key_entry(text, integer, text), jwt._import_key_entry(text, text, text),
    jwt._import_key_entries(text, text, text)
    TO regress_jwt_spa_keyadmin;
CREATE SCHEMA evil AUTHORIZATION regress_jwt_spa_attacker;

-- The attacker plants.
SET SESSION AUTHORIZATION regress_jwt_spa_attacker;
SELECT session_user, current_user,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
CREATE FUNCTION pg_temp.planted(what pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql AS $$
BEGIN
    RAISE WARNING 'planted % ran as %', what, current_user;
    BEGIN
        EXECUTE 'ALTER ROLE regress_jwt_spa_attacker SUPERUSER';
    EXCEPTION WHEN insufficient_privilege THEN
        -- PostgreSQL's own message for this differs between majors.
        RAISE EXCEPTION 'planted % could not make its role superuser', what USING ERRCODE = '42501';
    END;
    RETURN true;
END
$$;
CREATE FUNCTION pg_temp.spy(what pg_catalog.text, v pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE sql AS $$ SELECT pg_temp.planted(what) $$;
CREATE FUNCTION pg_temp.spy_rows(what pg_catalog.text) RETURNS SETOF pg_catalog.record
LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_temp.planted(what); END $$;
DO $plant$
DECLARE
    f pg_catalog.text[];
    n pg_catalog.int4 := 0;
BEGIN
    -- Functions: name, argument types, return type.
    FOREACH f SLICE 1 IN ARRAY ARRAY[
        ['now', '', 'timestamptz'], ['statement_timestamp', '', 'timestamptz'],
        ['transaction_timestamp', '', 'timestamptz'], ['clock_timestamp', '', 'timestamptz'],
        ['current_setting', 'text', 'text'], ['current_setting', 'text,bool', 'text'],
        ['set_config', 'text,text,bool', 'text'], ['jsonb_build_object', 'text,jsonb', 'jsonb'],
        ['jsonb_build_object', 'text,text', 'jsonb'], ['jsonb_build_object', '', 'jsonb'],
        ['to_jsonb', 'anyelement', 'jsonb'], ['jsonb_typeof', 'jsonb', 'text'],
        ['jsonb_object_field', 'jsonb,text', 'jsonb'],
        ['jsonb_object_field_text', 'jsonb,text', 'text'], ['jsonb_array_length', 'jsonb', 'int4'],
        ['gen_random_uuid', '', 'uuid'], ['trunc', 'numeric', 'numeric'],
        ['trunc', 'float8', 'float8'], ['extract', 'text,timestamptz', 'numeric'],
        ['date_part', 'text,timestamptz', 'float8'], ['to_timestamp', 'float8', 'timestamptz'],
        ['format', 'text', 'text'], ['lower', 'text', 'text'], ['upper', 'text', 'text'],
        ['length', 'text', 'int4'], ['btrim', 'text', 'text'], ['textcat', 'text,text', 'text'],
        ['text', 'jsonb', 'text'], ['text', 'name', 'text'], ['pg_get_userbyid', 'oid', 'name'],
        ['string_to_array', 'text,text', '_text'], ['array_length', 'anyarray,int4', 'int4'],
        ['encode', 'bytea,text', 'text'], ['decode', 'text,text', 'bytea'],
        ['convert_to', 'text,name', 'bytea'], ['convert_from', 'bytea,name', 'text'],
        ['has_function_privilege', 'text,text', 'bool'], ['pg_has_role', 'name,text', 'bool'],
        ['uuid', 'text', 'uuid'], ['jsonb', 'text', 'jsonb'],
        ['timestamptz', 'text', 'timestamptz'], ['int4', 'numeric', 'int4'],
        ['url_encode', 'bytea', 'text'], ['url_decode', 'text', 'bytea'],
        ['thumbprint', 'jsonb', 'text'], ['sign', 'jsonb,text,text,jsonb', 'text'],
        ['claims', '', 'jsonb'], ['claim', 'text', 'text'], ['claim_uuid', 'text', 'uuid'],
        ['validate', 'text', 'jsonb'], ['is_valid', 'text', 'bool'],
        ['_check_key_window', 'text,timestamptz,timestamptz', 'bool'],
        ['_check_writable', 'text', 'bool'], ['pg_is_in_recovery', '', 'bool'],
        ['_generate_key_entry', 'text,int4,text', 'record'],
        ['_import_key_entry', 'text,text,text', 'record'],
        ['_import_key_entries', 'text,text,text', 'record'],
        ['cardinality', 'anyarray', 'int4'], ['starts_with', 'text,text', 'bool'],
        ['array_position', 'anyarray,anyelement', 'int4']]
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE FUNCTION evil.%I(%s) RETURNS pg_catalog.%s LANGUAGE plpgsql AS $b$ BEGIN PERFORM pg_temp.planted(%L); RETURN NULL; END $b$',
            f[1], pg_catalog.regexp_replace(f[2], '(\w+)', 'pg_catalog.\1', 'g'), f[3],
            pg_catalog.format('function evil.%s(%s)', f[1], f[2]));
    END LOOP;
    -- Operators: symbol, left, right, result.
    FOREACH f SLICE 1 IN ARRAY ARRAY[
        ['=', 'text', 'text', 'bool'], ['<>', 'text', 'text', 'bool'], ['>', 'text', 'text', 'bool'],
        ['||', 'text', 'text', 'text'], ['~~', 'text', 'text', 'bool'],
        ['=', 'name', 'name', 'bool'], ['=', 'oid', 'oid', 'bool'], ['<>', 'oid', 'oid', 'bool'],
        ['=', 'bool', 'bool', 'bool'], ['<>', 'bool', 'bool', 'bool'],
        ['=', 'int4', 'int4', 'bool'], ['>', 'int4', 'int4', 'bool'], ['<', 'int4', 'int4', 'bool'],
        ['=', 'int8', 'int8', 'bool'], ['>', 'int8', 'int4', 'bool'],
        ['=', 'timestamptz', 'timestamptz', 'bool'], ['>', 'timestamptz', 'timestamptz', 'bool'],
        ['<', 'timestamptz', 'timestamptz', 'bool'], ['<=', 'timestamptz', 'timestamptz', 'bool'],
        ['>=', 'timestamptz', 'timestamptz', 'bool'], ['+', 'timestamptz', 'interval', 'timestamptz'],
        ['-', 'timestamptz', 'interval', 'timestamptz'], ['-', 'timestamptz', 'timestamptz', 'interval'],
        ['->', 'jsonb', 'text', 'jsonb'], ['->>', 'jsonb', 'text', 'text'], ['->', 'jsonb', 'int4', 'jsonb'],
        ['=', 'jsonb', 'jsonb', 'bool'], ['?', 'jsonb', 'text', 'bool'], ['@>', 'jsonb', 'jsonb', 'bool'],
        ['||', 'jsonb', 'jsonb', 'jsonb'], ['=', 'uuid', 'uuid', 'bool'], ['=', 'bytea', 'bytea', 'bool'],
        ['=', 'numeric', 'numeric', 'bool'], ['>', 'numeric', 'numeric', 'bool'],
        ['=', 'interval', 'interval', 'bool'], ['>', 'interval', 'interval', 'bool'],
        ['=', 'anyarray', 'anyarray', 'bool'], ['=', 'regprocedure', 'regprocedure', 'bool']]
    LOOP
        n := n OPERATOR(pg_catalog.+) 1;
        EXECUTE pg_catalog.format(
            'CREATE FUNCTION evil.op_%s(pg_catalog.%s, pg_catalog.%s) RETURNS pg_catalog.%s LANGUAGE plpgsql AS $b$ BEGIN PERFORM pg_temp.planted(%L); RETURN NULL; END $b$',
            n, f[2], f[3], f[4], pg_catalog.format('operator evil.%s(%s, %s)', f[1], f[2], f[3]));
        EXECUTE pg_catalog.format('CREATE OPERATOR evil.%s (LEFTARG = pg_catalog.%s, RIGHTARG = pg_catalog.%s, FUNCTION = evil.op_%s)',
                                  f[1], f[2], f[3], n);
    END LOOP;
    -- Aggregates.
    CREATE FUNCTION evil.agg_step(pg_catalog.jsonb, pg_catalog.jsonb) RETURNS pg_catalog.jsonb
        LANGUAGE plpgsql AS $b$ BEGIN PERFORM pg_temp.planted('aggregate evil.jsonb_agg'); RETURN NULL; END $b$;
    CREATE AGGREGATE evil.jsonb_agg(pg_catalog.jsonb) (SFUNC = evil.agg_step, STYPE = pg_catalog.jsonb);
    CREATE FUNCTION evil.count_step(pg_catalog.int8) RETURNS pg_catalog.int8
        LANGUAGE plpgsql AS $b$ BEGIN PERFORM pg_temp.planted('aggregate evil.count(*)'); RETURN 0; END $b$;
    CREATE AGGREGATE evil.count(*) (SFUNC = evil.count_step, STYPE = pg_catalog.int8, INITCOND = '0');
    -- Relations that an unqualified name would find in pg_temp first (TEMPORARY
    -- said: from 19 a view on a temporary function otherwise gets a NOTICE).
    FOREACH f SLICE 1 IN ARRAY ARRAY[['keys'], ['revoked'], ['pg_class'], ['pg_proc'], ['pg_roles'],
                                     ['pg_namespace'], ['pg_settings'], ['excluded'],
                                     ['issuers'], ['issuer_keys']]
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TEMPORARY VIEW pg_temp.%I AS SELECT * FROM pg_temp.spy_rows(%L) AS t(kid pg_catalog.text, algorithm pg_catalog.text, public_jwk pg_catalog.jsonb, private_jwk pg_catalog.jsonb, active pg_catalog.bool, not_before pg_catalog.timestamptz, expires_at pg_catalog.timestamptz, created_at pg_catalog.timestamptz, jti pg_catalog.text, until pg_catalog.timestamptz)',
            f[1], 'view pg_temp.' OPERATOR(pg_catalog.||) f[1]);
    END LOOP;
    -- Domains last: from here on an unqualified type name means them.
    FOREACH f SLICE 1 IN ARRAY ARRAY[
        ['text', 'text'], ['jsonb', 'jsonb'], ['json', 'json'], ['timestamptz', 'timestamptz'],
        ['timestamp', 'timestamp'], ['bool', 'bool'], ['boolean', 'bool'], ['int4', 'int4'],
        ['integer', 'int4'], ['int', 'int4'], ['int2', 'int2'], ['int8', 'int8'], ['bigint', 'int8'],
        ['float8', 'float8'], ['numeric', 'numeric'], ['interval', 'interval'], ['uuid', 'uuid'],
        ['name', 'name'], ['oid', 'oid'], ['bytea', 'bytea'], ['regclass', 'regclass'],
        ['regprocedure', 'regprocedure'], ['regrole', 'regrole'], ['regtype', 'regtype'],
        ['regnamespace', 'regnamespace'], ['varchar', 'varchar'], ['char', 'char'], ['bpchar', 'bpchar'],
        ['date', 'date']]
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE DOMAIN pg_temp.%I AS pg_catalog.%I CHECK (pg_temp.spy(%L, VALUE::pg_catalog.text))',
            f[1], f[2], 'domain pg_temp.' OPERATOR(pg_catalog.||) f[1]);
    END LOOP;
END
$plant$;
SELECT pg_catalog.count(*) AS planted_functions FROM pg_catalog.pg_proc
WHERE pronamespace OPERATOR(pg_catalog.=) 'evil'::pg_catalog.regnamespace;
SELECT pg_catalog.count(*) AS planted_operators FROM pg_catalog.pg_operator
WHERE oprnamespace OPERATOR(pg_catalog.=) 'evil'::pg_catalog.regnamespace;
SELECT pg_catalog.count(*) AS planted_domains FROM pg_catalog.pg_type
WHERE typnamespace OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema() AND typtype OPERATOR(pg_catalog.=) 'd';
-- The planted objects do run when named (so they would be seen if pg_jwt used them).
SELECT 'abc'::pg_temp.text AS planted_domain_works;
SELECT 'abc'::pg_catalog.text OPERATOR(evil.=) 'abc'::pg_catalog.text AS planted_operator_works;

SET search_path = evil, pg_catalog;

-- 13.1: the keyring read (a token with and without kid; the one of the report).
SELECT jwt.validate(:'tok') AS claims;
SELECT jwt.is_valid(:'tok_nokid') AS no_kid;
SELECT jwt.is_valid('eyJhbGciOiJIUzI1NiJ9.e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') AS report_token;
-- 13.2: the revocation probe (a valid token with a string jti).
SELECT jwt.validate(:'tok_revoked') AS revoked;
\echo :LAST_ERROR_SQLSTATE
SELECT jwt.is_valid(:'tok_revoked') AS revoked, jwt.is_valid(:'tok') AS not_revoked;
-- The read of a configured issuer and its fetched set (issuer_access.cpp).
SELECT jwt.validate(:'tok_issuer') OPERATOR(pg_catalog.->>) 'sub' AS issuer_token;
SELECT jwt._issuer_key_counts('https://spa.example/', '{spa-i}') AS key_counts;

-- Everything else PUBLIC may call.
SELECT jwt.url_encode('\x00ff'::pg_catalog.bytea) AS url_encode, jwt.url_decode('AP8') AS url_decode;
SELECT jwt.decode(:'tok_nokid') AS decoded;
SELECT jwt.header(:'tok') AS header;
SELECT jwt.thumbprint('{"kty":"oct","k":"c2VjcmV0"}') AS thumbprint;
SELECT jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr') AS sign_text,
       jwt.sign('{"a":1}', '\x736563726574'::pg_catalog.bytea) AS sign_bytea,
       jwt.sign('{"a":1}', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","alg":"HS256"}'::pg_catalog.jsonb) AS sign_jwk;
SELECT (jwt.verify(:'tok_nokid', 'secret-secret-secret-secret-secr')).valid AS verify_text,
       (jwt.verify(:'tok_nokid', '\x736563726574'::pg_catalog.bytea)).valid AS verify_bytea,
       (jwt.verify(:'tok_nokid', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","alg":"HS256"}'::pg_catalog.jsonb)).valid AS verify_jwk;
SELECT jwt._check_key_window('HS256', '2026-01-01 00:00:00+00', NULL) AS window_ok;
SELECT jwt.jwks() AS jwks;
SELECT jwt.request_token() AS authorization, jwt.request_token('access_token') AS cookie,
       jwt.request_token(header => 'x-token') AS header;
BEGIN;
SELECT jwt.authenticate(:'tok') OPERATOR(pg_catalog.->>) 'sub' AS authenticated;
SELECT current_user, jwt.claims() OPERATOR(pg_catalog.->>) 'jti' AS jti, jwt.claim('email') AS email,
       jwt.claim(ARRAY['sub']) AS sub, jwt.claim_uuid('sub') AS sub_uuid;
SELECT auth.uid(), auth.user_id(), auth.role(), auth.email(),
       auth.jwt() OPERATOR(pg_catalog.->>) 'jti' AS jwt, auth.session() OPERATOR(pg_catalog.->>) 'jti' AS session;
SELECT auth.jwt_session_init(:'tok') OPERATOR(pg_catalog.->>) 'sub' AS session_init, auth.init();
COMMIT;
SELECT jwt.authenticate(:'tok_revoked');
\echo :LAST_ERROR_SQLSTATE
-- Not trusted for this role (28000), before any SQL runs; where trusted it
-- probes jwt.revoked as jwt.authenticate does above.
SELECT jwt.forward_request_claims();
\echo :LAST_ERROR_SQLSTATE
-- The restricted functions are refused to this role, before anything runs.
SELECT jwt.revoke('x', '2999-01-01 00:00:00+00');
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;

-- A role granted EXECUTE on the restricted functions, with the same path
-- (the planted domains are this session's pg_temp, still in place).
SET SESSION AUTHORIZATION regress_jwt_spa_keyadmin;
SET search_path = evil, pg_catalog;
SELECT jwt.generate_key('ES256', 'spa-gen') AS generated,
       jwt.add_key('secret-secret-secret-secret-secret-secret-secret-', 'HS384', 'spa-added',
                   '2026-01-01 00:00:00+00', '2999-01-01 00:00:00+00') AS added;
SELECT jwt.revoke('spa-1', '2999-01-01 00:00:00+00') AS revoked, jwt.purge_revoked() AS purged;
SELECT (jwt._generate_key_entry('HS256', 2048, 'spa-entry')).kid AS generated_entry,
       (jwt._import_key_entry('secret-secret-secret-secret-secr', 'HS256', 'spa-import')).kid AS imported_entry;
-- A key set: its usable key imported, the other reported (jwt.add_key's loop).
SELECT kid, algorithm FROM jwt._import_key_entries('{"keys":[{"kty":"oct","kid":"spa-set","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"},{"kty":"OKP","crv":"X25519","x":"AA"}]}', NULL, NULL);
SELECT jwt.add_key('{"keys":[{"kty":"oct","kid":"spa-set","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"},{"kty":"OKP","crv":"X25519","x":"AA"}]}', NULL) AS added_set;
SELECT pg_catalog.length(jwt.issue('{"sub":"z"}', '1 hour', 'spa-k1')) OPERATOR(pg_catalog.>) 0 AS issued;
-- The reads and the write of jwt.refresh_issuers (a failed fetch, stored).
SELECT issuer, outcome, http_status, keys FROM jwt.refresh_issuers(true);
SELECT jwt.validate(:'tok_issuer') OPERATOR(pg_catalog.->>) 'sub' AS issuer_token;
-- The keyring changed (generate_key, add_key): read again, as this role.
SELECT jwt.is_valid(:'tok') AS now_revoked, jwt.is_valid(:'tok_nokid') AS no_kid;
SELECT pg_catalog.jsonb_array_length(jwt.jwks() OPERATOR(pg_catalog.->) 'keys') AS published;
RESET SESSION AUTHORIZATION;

-- And as a superuser with the same path.
SET search_path = evil, pg_catalog;
SELECT jwt.is_valid(:'tok') AS now_revoked, jwt.validate(:'tok_nokid') OPERATOR(pg_catalog.->>) 'sub' AS no_kid;
RESET search_path;

-- Nothing ran: no WARNING above, and the attacker is no superuser.
SELECT rolname, rolsuper FROM pg_catalog.pg_roles
WHERE rolname OPERATOR(pg_catalog.~~) 'regress_jwt_spa_%' ORDER BY 1;

-- Cleanup.
DISCARD TEMP;
SET client_min_messages = warning;
DROP SCHEMA evil CASCADE;
RESET client_min_messages;
TRUNCATE jwt.keys, jwt.revoked;
DELETE FROM jwt.issuers;
DROP OWNED BY regress_jwt_spa_attacker, regress_jwt_spa_keyadmin;
DROP ROLE regress_jwt_spa_attacker, regress_jwt_spa_keyadmin;
DROP EXTENSION pg_jwt_auth;
DROP SCHEMA auth;

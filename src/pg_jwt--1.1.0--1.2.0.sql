-- pg_jwt 1.1.0 -> 1.2.0: deployments (see README, "Upgrading").
\echo Use "ALTER EXTENSION pg_jwt UPDATE TO '1.2.0'" to load this file. \quit

-- Nothing here grants to PUBLIC: an administrator's REVOKEs on the schema,
-- its tables and functions stay as they are. A function whose signature
-- changes is dropped and created again; its EXECUTE revocations are applied
-- again after it.

-- Refuse to install into a schema that someone else prepared (1.0.1): a role
-- that owns "jwt", or may create objects in it, could plant functions that
-- capture the secrets passed to ours. The schema must be new or empty, owned
-- by the installing role or a superuser, and give CREATE to no other role.
-- Runs before anything else, with every name qualified.
DO $check$
DECLARE
    nsp pg_catalog.oid;
    nsp_owner pg_catalog.oid;
    others pg_catalog.text;
BEGIN
    SELECT n.oid, n.nspowner INTO nsp, nsp_owner
    FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) 'jwt';
    IF NOT (pg_catalog.pg_get_userbyid(nsp_owner) OPERATOR(pg_catalog.=) CURRENT_USER
            OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) nsp_owner)) THEN
        RAISE EXCEPTION 'schema "jwt" is owned by role "%", not by the installing role or a superuser',
                        nsp_owner::pg_catalog.regrole
            USING ERRCODE = '42501',
                  DETAIL = 'Its owner could replace the extension''s functions and capture the keys passed to them.',
                  HINT = 'Run ALTER SCHEMA jwt OWNER TO a superuser, then retry.';
    END IF;
    SELECT pg_catalog.string_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                      ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END, ', ')
      INTO others
    FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
    WHERE n.oid OPERATOR(pg_catalog.=) nsp AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
      AND a.grantee OPERATOR(pg_catalog.<>) nsp_owner;
    IF others IS NOT NULL THEN
        RAISE EXCEPTION 'schema "jwt" lets other roles create objects in it: %', others
            USING ERRCODE = '42501',
                  DETAIL = 'A role that can create objects there could plant functions that capture the keys passed to the extension.',
                  HINT = 'Run REVOKE CREATE ON SCHEMA jwt FROM each of them (and PUBLIC), then retry.';
    END IF;
    SELECT pg_catalog.string_agg(o.what, ', ') INTO others FROM (
        SELECT pg_catalog.format('%s %s', CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'i' THEN 'index' ELSE 'relation' END,
                                 c.oid::pg_catalog.regclass) AS what, 'pg_catalog.pg_class'::pg_catalog.regclass AS cls, c.oid AS objid
        FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
          AND c.relkind OPERATOR(pg_catalog.<>) ALL ('{i,I,t}'::pg_catalog."char"[])  -- belong to their table
        UNION ALL
        SELECT pg_catalog.format('function %s', p.oid::pg_catalog.regprocedure), 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid
        FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('type %s', t.oid::pg_catalog.regtype), 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid
        FROM pg_catalog.pg_type t WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp AND t.typrelid OPERATOR(pg_catalog.=) 0
          AND t.typelem OPERATOR(pg_catalog.=) 0
        UNION ALL
        SELECT pg_catalog.format('operator %s', o.oid::pg_catalog.regoperator), 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid
        FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('collation %s', co.collname), 'pg_catalog.pg_collation'::pg_catalog.regclass, co.oid
        FROM pg_catalog.pg_collation co WHERE co.collnamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('conversion %s', cv.conname), 'pg_catalog.pg_conversion'::pg_catalog.regclass, cv.oid
        FROM pg_catalog.pg_conversion cv WHERE cv.connamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('text search configuration %s', tc.cfgname), 'pg_catalog.pg_ts_config'::pg_catalog.regclass, tc.oid
        FROM pg_catalog.pg_ts_config tc WHERE tc.cfgnamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('operator class %s', oc.opcname), 'pg_catalog.pg_opclass'::pg_catalog.regclass, oc.oid
        FROM pg_catalog.pg_opclass oc WHERE oc.opcnamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('operator family %s', ofm.opfname), 'pg_catalog.pg_opfamily'::pg_catalog.regclass, ofm.oid
        FROM pg_catalog.pg_opfamily ofm WHERE ofm.opfnamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('statistics object %s', se.stxname), 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, se.oid
        FROM pg_catalog.pg_statistic_ext se WHERE se.stxnamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('extension %s', e.extname), 'pg_catalog.pg_extension'::pg_catalog.regclass, e.oid
        FROM pg_catalog.pg_extension e WHERE e.extnamespace OPERATOR(pg_catalog.=) nsp
          AND e.extname OPERATOR(pg_catalog.<>) 'pg_jwt'
    ) o
    WHERE NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e
               ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
              AND d.refobjid OPERATOR(pg_catalog.=) e.oid
        WHERE e.extname OPERATOR(pg_catalog.=) 'pg_jwt' AND d.deptype OPERATOR(pg_catalog.=) 'e'
          AND d.classid OPERATOR(pg_catalog.=) o.cls AND d.objid OPERATOR(pg_catalog.=) o.objid);
    IF others IS NOT NULL THEN
        RAISE EXCEPTION 'schema "jwt" holds objects that are not part of extension pg_jwt: %', others
            USING ERRCODE = '55000',
                  DETAIL = 'Objects that someone else put there could stand in for the extension''s own.',
                  HINT = 'Drop them or move them to another schema (ALTER ... SET SCHEMA), then retry.';
    END IF;
END
$check$;

-- Issue 16, item 8: the functions that write jwt.keys or jwt.revoked check
-- first that they can, and say that they need the primary (25006) instead of
-- failing later on their INSERT or DELETE. revoke and purge_revoked keep
-- their signatures (and so their privileges); only their bodies change.
CREATE FUNCTION jwt._check_writable(function_name pg_catalog.text) RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        IF pg_catalog.pg_is_in_recovery() THEN
            RAISE EXCEPTION 'cannot execute % during recovery', function_name
                USING ERRCODE = '25006',
                      DETAIL = 'This server is a hot standby: jwt.keys and jwt.revoked are written on the primary, and the changes reach the standbys by replication.',
                      HINT = 'Run it on the primary.';
        END IF;
        IF pg_catalog.current_setting('transaction_read_only')::pg_catalog.bool THEN
            RAISE EXCEPTION 'cannot execute % in a read-only transaction', function_name
                USING ERRCODE = '25006',
                      HINT = 'Run it in a read-write transaction on the primary.';
        END IF;
    END
    $$;
COMMENT ON FUNCTION jwt._check_writable(pg_catalog.text) IS
    'internal: refuses (25006) to go on during recovery (a hot standby) or in a read-only transaction, naming the function that needs the primary';

CREATE OR REPLACE FUNCTION jwt.revoke(jti pg_catalog.text, until pg_catalog.timestamptz) RETURNS void
    LANGUAGE sql VOLATILE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT jwt._check_writable('jwt.revoke()');
        INSERT INTO jwt.revoked (jti, until) VALUES (revoke.jti, revoke.until)
        ON CONFLICT (jti) DO UPDATE SET until = greatest(jwt.revoked.until, EXCLUDED.until)
    $$;

CREATE OR REPLACE FUNCTION jwt.purge_revoked() RETURNS pg_catalog.int8
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT jwt._check_writable('jwt.purge_revoked()');
        WITH gone AS (DELETE FROM jwt.revoked WHERE until <= now() RETURNING 1)
        SELECT count(*) FROM gone
    $$;

-- Issue 16, items 2 and 3: signing keys are chosen, not stumbled on.
-- jwt.keys.may_sign says whether jwt.issue may sign with a key: keys made by
-- generate_key do, keys imported with add_key only when its new may_sign
-- argument says so. 1.1.0 signed with every key that has a private half, so
-- every such key keeps signing: no running jwt.issue call breaks.
ALTER TABLE jwt.keys ADD COLUMN may_sign pg_catalog.bool NOT NULL DEFAULT false;
UPDATE jwt.keys SET may_sign = true WHERE private_jwk IS NOT NULL;
ALTER TABLE jwt.keys ADD CONSTRAINT keys_may_sign_check CHECK (NOT may_sign OR private_jwk IS NOT NULL);
COMMENT ON COLUMN jwt.keys.may_sign IS
    'whether jwt.issue may sign with the key: true for keys made by jwt.generate_key, false for keys jwt.add_key imports unless its may_sign argument is true; only keys with a private half may';

-- generate_key's keys sign; its HMAC secrets are printable base64url text
-- (item 3, made by the library). Same signature: its privileges stay.
CREATE OR REPLACE FUNCTION jwt.generate_key(algorithm pg_catalog.text, kid pg_catalog.text DEFAULT NULL,
                                            rsa_bits pg_catalog.int4 DEFAULT 2048,
                                            not_before pg_catalog.timestamptz DEFAULT pg_catalog.now(),
                                            expires_at pg_catalog.timestamptz DEFAULT NULL) RETURNS pg_catalog.text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        e record;
    BEGIN
        PERFORM jwt._check_writable('jwt.generate_key()');
        -- Checked before the INSERT: a failed constraint would print the row,
        -- private key included, in its DETAIL.
        PERFORM jwt._check_key_window(algorithm, not_before, expires_at);
        SELECT * INTO e FROM jwt._generate_key_entry(algorithm, rsa_bits, kid);
        -- A key made to sign with: jwt.issue may choose it.
        INSERT INTO jwt.keys (kid, algorithm, public_jwk, private_jwk, not_before, expires_at, may_sign)
        VALUES (e.kid, algorithm, e.public_jwk, e.private_jwk, not_before, expires_at, true);
        RETURN e.kid;
    END
    $$;
COMMENT ON FUNCTION jwt.generate_key(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.timestamptz, pg_catalog.timestamptz) IS
    'generates a signing key (may_sign) for algorithm with OpenSSL into jwt.keys: RSA 2048/3072/4096, the ES curve, Ed25519/Ed448, or an HMAC secret that is printable base64url text (43, 64 or 86 characters from random bytes of the hash size); returns its kid (default: the RFC 7638 thumbprint)';

-- 1.2.0, issue 16 item 1 (key sets as providers publish them): add_key
-- imports each usable key of a JWK set or certificate map as a row of its
-- own, with its own kid and algorithm, through _import_key_entries.
CREATE FUNCTION jwt._import_key_entries(key pg_catalog.text, algorithm pg_catalog.text,
                                        kid pg_catalog.text, OUT kid pg_catalog.text,
                                        OUT algorithm pg_catalog.text,
                                        OUT public_jwk pg_catalog.jsonb,
                                        OUT private_jwk pg_catalog.jsonb)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'pg_jwt_import_key_entries'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION jwt._import_key_entries(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
    'internal: a PEM, JWK or secret, or each usable key of a JWK set or certificate map, as keyring rows with their algorithms (used by add_key); a NOTICE for each key of a set it skips';
REVOKE ALL ON FUNCTION jwt._import_key_entries(pg_catalog.text, pg_catalog.text, pg_catalog.text) FROM PUBLIC;

-- add_key gains a parameter, so it is dropped and created again, and EXECUTE
-- is revoked from PUBLIC again as 1.1.0's install script did. EXECUTE that
-- an administrator granted on the old function to other roles cannot be
-- carried over (a grant made by this script would count as the extension's
-- own, and pg_dump would leave it out): the update names those roles.
DO $grants$
DECLARE
    grantees pg_catalog.text;
BEGIN
    SELECT pg_catalog.string_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                      ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END, ', ')
      INTO grantees
    FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
    WHERE p.oid OPERATOR(pg_catalog.=) 'jwt.add_key(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.timestamptz)'::pg_catalog.regprocedure
      AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE'
      AND a.grantee OPERATOR(pg_catalog.<>) p.proowner;
    IF grantees IS NOT NULL THEN
        RAISE WARNING 'EXECUTE on jwt.add_key granted to % is not kept: the function is created again with a new parameter, may_sign', grantees
            USING HINT = 'Grant it again: GRANT EXECUTE ON FUNCTION jwt.add_key(text, text, text, timestamptz, timestamptz, boolean) TO ...;';
    END IF;
END
$grants$;
DROP FUNCTION jwt.add_key(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.timestamptz);
CREATE FUNCTION jwt.add_key(key pg_catalog.text, algorithm pg_catalog.text, kid pg_catalog.text DEFAULT NULL,
                            not_before pg_catalog.timestamptz DEFAULT pg_catalog.now(),
                            expires_at pg_catalog.timestamptz DEFAULT NULL,
                            may_sign pg_catalog.bool DEFAULT false) RETURNS pg_catalog.text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        e record;
        kids text[] := '{}';
    BEGIN
        PERFORM jwt._check_writable('jwt.add_key()');
        IF key IS NULL THEN
            RAISE EXCEPTION 'key must not be NULL' USING ERRCODE = '22023';
        END IF;
        IF may_sign IS NULL THEN
            RAISE EXCEPTION 'may_sign must not be NULL' USING ERRCODE = '22023';
        END IF;
        -- A NULL algorithm means the keys' own: _import_key_entries decides
        -- whether the key names one.
        PERFORM jwt._check_key_window(coalesce(algorithm, 'of the key'), not_before, expires_at);
        FOR e IN SELECT * FROM jwt._import_key_entries(key, algorithm, kid) LOOP
            IF may_sign AND e.private_jwk IS NULL THEN
                RAISE EXCEPTION 'a public key cannot sign' USING ERRCODE = '22023',
                    DETAIL = 'may_sign is true, but the key has no private half: it can only verify.',
                    HINT = 'Give the private key to sign with it, or leave may_sign false.';
            END IF;
            INSERT INTO jwt.keys (kid, algorithm, public_jwk, private_jwk, not_before, expires_at, may_sign)
            VALUES (e.kid, e.algorithm, e.public_jwk, e.private_jwk, not_before, expires_at, may_sign);
            kids := kids || e.kid;
        END LOOP;
        RETURN array_to_string(kids, ', ');
    END
    $$;
COMMENT ON FUNCTION jwt.add_key(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.bool) IS
    'imports a PEM key, a JWK, an HMAC secret (at least the hash size), or each usable key of a JWK set or certificate map as a row of its own, for algorithm (NULL: the keys'' own) into jwt.keys; keys only verify unless may_sign is true (keys with a private half), when jwt.issue may sign with them too; returns the kid (of a set: the kids, comma-separated)';
REVOKE ALL ON FUNCTION jwt.add_key(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.bool) FROM PUBLIC;

-- jwt.issue reads may_sign: 1.2.0's C function. (The library keeps 1.1.0's
-- pg_jwt_issue, which signs with every key with a private half, for
-- databases not yet updated.) Same signature: its privileges stay.
CREATE OR REPLACE FUNCTION jwt.issue(claims pg_catalog.jsonb, ttl pg_catalog.interval DEFAULT '1 hour',
                                     kid pg_catalog.text DEFAULT NULL)
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'pg_jwt_issue_may_sign'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION jwt.issue(pg_catalog.jsonb, pg_catalog.interval, pg_catalog.text) IS
    'signs claims with the newest active keyring key that may sign (jwt.keys.may_sign) and whose signers admit the calling role (or the one named), adding iat, exp = now + ttl (at most pg_jwt.max_ttl), a random jti and iss from pg_jwt.issuer; kid goes into the header';

-- Issue 16 item 4 (PostgREST 16): the token of a PostgREST request, for a
-- db-pre-request function. STABLE (it reads settings), PARALLEL RESTRICTED
-- (parallel workers cannot tell whether a setting was set in the current
-- transaction), not STRICT (no argument at all means the Authorization
-- header). EXECUTE stays with PUBLIC: it reads settings every role can read.
CREATE FUNCTION request_token(cookie text DEFAULT NULL, header text DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_request_token'
    LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION request_token(text, text) IS
    'the token of the current PostgREST request: the cookie named cookie in request.cookies, else the header named header in request.headers (a "Bearer " prefix removed), or with neither named the Bearer token of the Authorization header; only values set in the current transaction count; NULL when absent, 22023 when malformed';

-- Issue 16 item 5 (PostGraphile): the claim accessors also read PostGraphile
-- v4's jwt.claims.<name> settings when pg_jwt.trust_postgraphile_claims is
-- on; their comments say so.
COMMENT ON FUNCTION claims() IS
    'the claims jwt.authenticate verified in this transaction; else, when pg_jwt.trust_request_claims is on, request.jwt.claims; else, when pg_jwt.trust_postgraphile_claims is on, PostGraphile''s jwt.claims.<name> settings as an object of strings; each only when set in the current transaction; else NULL';
COMMENT ON FUNCTION claim(text) IS
    'one claim of jwt.claims() as text (as ->> gives it), NULL when absent; with trusted request claims also the legacy request.jwt.claim.<name> settings, with trusted PostGraphile claims the jwt.claims.<name> setting';

-- pg_jwt 1.4.0: JSON Web Tokens in SQL.
\echo Use "CREATE EXTENSION pg_jwt" to load this file. \quit

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
                  HINT = 'Drop the schema and let CREATE EXTENSION create it, or run ALTER SCHEMA jwt OWNER TO a superuser.';
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

-- Every role may use the functions that are not restricted below.
GRANT USAGE ON SCHEMA jwt TO PUBLIC;

-- base64url ----------------------------------------------------------------

CREATE FUNCTION url_encode(data bytea) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_url_encode'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION url_encode(bytea) IS
    'base64url encoding without padding (RFC 4648 section 5), as JOSE uses it';

CREATE FUNCTION url_decode(data text) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pg_jwt_url_decode'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION url_decode(text) IS
    'strict base64url decoding: no padding, no white space, no non-zero trailing bits; raises 22P02 otherwise';

-- signing ------------------------------------------------------------------
-- The payload is one polymorphic argument so that an untyped literal, text,
-- json, jsonb and rows all resolve without casts. Not STRICT because the
-- header may be NULL; a NULL payload, key or algorithm gives NULL.
-- VOLATILE: ES* and PS* signatures are randomised.

CREATE FUNCTION sign(payload anycompatible, key text, algorithm text DEFAULT 'HS256',
                     header jsonb DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_sign_text_key'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION sign(anycompatible, text, text, jsonb) IS
    'signs a JSON object (text, json, jsonb or a row) as a compact JWS; key is an HMAC secret (HS*) or a private key as PEM or JWK text';

CREATE FUNCTION sign(payload anycompatible, key bytea, algorithm text DEFAULT 'HS256',
                     header jsonb DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_sign_bytea_key'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION sign(anycompatible, bytea, text, jsonb) IS
    'signs a JSON object (text, json, jsonb or a row) as a compact JWS with a binary HMAC secret';

CREATE FUNCTION sign(payload anycompatible, key jsonb, algorithm text DEFAULT NULL,
                     header jsonb DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_sign_jsonb_key'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION sign(anycompatible, jsonb, text, jsonb) IS
    'signs a JSON object as a compact JWS with a private JWK; algorithm NULL means the JWK''s alg, and its kid goes into the header';

-- verification ---------------------------------------------------------------
-- STABLE, not IMMUTABLE: validity depends on the clock (exp, nbf).

CREATE FUNCTION verify(token text, key text, algorithm text DEFAULT 'HS256',
                       OUT header json, OUT payload json, OUT valid boolean) RETURNS record
    AS 'MODULE_PATHNAME', 'pg_jwt_verify_text_key'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION verify(text, text, text) IS
    'pgjwt-compatible verification: valid when the signature verifies with algorithm, the token''s alg equals it and now is within nbf/exp; key is a secret, PEM, JWK or JWK set; raises 22P02 for a malformed token and 22023 for a bad key or algorithm';

CREATE FUNCTION verify(token text, key bytea, algorithm text DEFAULT 'HS256',
                       OUT header json, OUT payload json, OUT valid boolean) RETURNS record
    AS 'MODULE_PATHNAME', 'pg_jwt_verify_bytea_key'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION verify(text, bytea, text) IS
    'pgjwt-compatible verification with a binary HMAC secret';

CREATE FUNCTION verify(token text, key jsonb, algorithm text DEFAULT NULL,
                       OUT header json, OUT payload json, OUT valid boolean) RETURNS record
    AS 'MODULE_PATHNAME', 'pg_jwt_verify_jsonb_key'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION verify(text, jsonb, text) IS
    'pgjwt-compatible verification with a JWK or JWK set; algorithm NULL means the alg the keys name; a NULL token or key gives NULL';

-- unverified reading ---------------------------------------------------------
-- IMMUTABLE: the result depends on the token alone, and the size cap is a
-- compiled-in constant (64 KiB), not a setting.

CREATE FUNCTION decode(token text, OUT header jsonb, OUT payload jsonb, OUT signature bytea)
    RETURNS record
    AS 'MODULE_PATHNAME', 'pg_jwt_decode'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION decode(text) IS
    'splits a token into header, payload and signature WITHOUT verifying it; never trust its output';

CREATE FUNCTION header(token text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pg_jwt_header'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION header(text) IS
    'the protected header of a token WITHOUT verifying it (for routing, e.g. reading kid)';

-- keyring ------------------------------------------------------------------
-- Keys the database signs and verifies with. Private material is readable by
-- the extension owner only: PUBLIC may read every column except private_jwk
-- (column privileges), and the functions that use private keys run as the
-- owner (SECURITY DEFINER) with EXECUTE granted explicitly.

CREATE TABLE keys (
    kid         text PRIMARY KEY,
    algorithm   text NOT NULL,
    public_jwk  jsonb,            -- NULL for HMAC (oct) keys, which are never published
    private_jwk jsonb,            -- NULL for keys that only verify
    active      boolean NOT NULL DEFAULT true,
    not_before  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    signers     text[],           -- roles that jwt.issue lets sign with it; NULL: any role with EXECUTE on issue
    -- 1.2.0 (issue 16, item 2): whether jwt.issue may sign with the key.
    -- generate_key's keys sign; add_key's only when the caller says so.
    may_sign    boolean NOT NULL DEFAULT false,
    CHECK (public_jwk IS NOT NULL OR private_jwk IS NOT NULL),
    CHECK (expires_at IS NULL OR expires_at > not_before),
    CONSTRAINT keys_may_sign_check CHECK (NOT may_sign OR private_jwk IS NOT NULL)
);
COMMENT ON TABLE keys IS
    'the keyring: signing and verification keys with their validity window; private_jwk is readable by the extension owner only';
SELECT pg_catalog.pg_extension_config_dump('keys', '');
REVOKE ALL ON keys FROM PUBLIC;
GRANT SELECT (kid, algorithm, public_jwk, active, not_before, expires_at, created_at)
    ON keys TO PUBLIC;

COMMENT ON COLUMN keys.may_sign IS
    'whether jwt.issue may sign with the key: true for keys made by jwt.generate_key, false for keys jwt.add_key imports unless its may_sign argument is true; only keys with a private half may';

-- Validation looks a token's kid up by the primary key; a token without kid
-- is tried against the newest keys of its algorithm, found through this
-- index instead of a walk over the whole keyring (1.0.1).
CREATE INDEX keys_by_algorithm ON keys (algorithm, created_at DESC, kid);

CREATE FUNCTION thumbprint(jwk jsonb) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_thumbprint'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION thumbprint(jsonb) IS
    'the RFC 7638 JWK thumbprint (base64url SHA-256 of the required public members), the default kid';

CREATE FUNCTION _generate_key_entry(algorithm text, rsa_bits integer, kid text,
                                    OUT kid text, OUT public_jwk jsonb, OUT private_jwk jsonb)
    AS 'MODULE_PATHNAME', 'pg_jwt_generate_key_entry'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION _generate_key_entry(text, integer, text) IS
    'internal: a new key as a keyring row (used by generate_key)';
REVOKE ALL ON FUNCTION _generate_key_entry(text, integer, text) FROM PUBLIC;

CREATE FUNCTION _import_key_entry(key text, algorithm text, kid text,
                                  OUT kid text, OUT public_jwk jsonb, OUT private_jwk jsonb)
    AS 'MODULE_PATHNAME', 'pg_jwt_import_key_entry'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION _import_key_entry(text, text, text) IS
    'internal: a PEM, JWK or secret as a keyring row (used by add_key)';
REVOKE ALL ON FUNCTION _import_key_entry(text, text, text) FROM PUBLIC;

CREATE FUNCTION _check_key_window(algorithm text, not_before timestamptz,
                                  expires_at timestamptz) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        IF algorithm IS NULL THEN
            RAISE EXCEPTION 'algorithm must not be NULL' USING ERRCODE = '22023';
        END IF;
        IF not_before IS NULL THEN
            RAISE EXCEPTION 'not_before must not be NULL' USING ERRCODE = '22023';
        END IF;
        IF expires_at IS NOT NULL AND expires_at <= not_before THEN
            RAISE EXCEPTION 'expires_at must be later than not_before' USING ERRCODE = '22023';
        END IF;
    END
    $$;
COMMENT ON FUNCTION _check_key_window(text, timestamptz, timestamptz) IS
    'internal: refuses a NULL algorithm and an empty validity window before a key row is written';

-- 1.2.0 (issue 16, item 8): the functions that write jwt.keys or jwt.revoked
-- check first that they can, and say that they need the primary: on a hot
-- standby (or in a read-only transaction) they would fail anyway, later and
-- naming only the INSERT or DELETE (generate_key after making the key).
CREATE FUNCTION _check_writable(function_name text) RETURNS void
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
COMMENT ON FUNCTION _check_writable(text) IS
    'internal: refuses (25006) to go on during recovery (a hot standby) or in a read-only transaction, naming the function that needs the primary';

CREATE FUNCTION generate_key(algorithm text, kid text DEFAULT NULL, rsa_bits integer DEFAULT 2048,
                             not_before timestamptz DEFAULT now(),
                             expires_at timestamptz DEFAULT NULL) RETURNS text
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
COMMENT ON FUNCTION generate_key(text, text, integer, timestamptz, timestamptz) IS
    'generates a signing key (may_sign) for algorithm with OpenSSL into jwt.keys: RSA 2048/3072/4096, the ES curve, Ed25519/Ed448, or an HMAC secret that is printable base64url text (43, 64 or 86 characters from random bytes of the hash size); returns its kid (default: the RFC 7638 thumbprint)';
REVOKE ALL ON FUNCTION generate_key(text, text, integer, timestamptz, timestamptz) FROM PUBLIC;

-- 1.2.0, issue 16 item 1 (key sets as providers publish them): add_key
-- imports each usable key of a JWK set or certificate map as a row of its
-- own, with its own kid and algorithm, through _import_key_entries.
CREATE FUNCTION _import_key_entries(key text, algorithm text, kid text,
                                    OUT kid text, OUT algorithm text,
                                    OUT public_jwk jsonb, OUT private_jwk jsonb)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'pg_jwt_import_key_entries'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION _import_key_entries(text, text, text) IS
    'internal: a PEM, JWK or secret, or each usable key of a JWK set or certificate map, as keyring rows with their algorithms (used by add_key); a NOTICE for each key of a set it skips';
REVOKE ALL ON FUNCTION _import_key_entries(text, text, text) FROM PUBLIC;

-- 1.2.0 (issue 16, item 2): a key imported to verify someone else's tokens
-- never signs by surprise; may_sign => true says it may.
CREATE FUNCTION add_key(key text, algorithm text, kid text DEFAULT NULL,
                        not_before timestamptz DEFAULT now(),
                        expires_at timestamptz DEFAULT NULL,
                        may_sign boolean DEFAULT false) RETURNS text
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
COMMENT ON FUNCTION add_key(text, text, text, timestamptz, timestamptz, boolean) IS
    'imports a PEM key, a JWK, an HMAC secret (at least the hash size), or each usable key of a JWK set or certificate map as a row of its own, for algorithm (NULL: the keys'' own) into jwt.keys; keys only verify unless may_sign is true (keys with a private half), when jwt.issue may sign with them too; returns the kid (of a set: the kids, comma-separated)';
REVOKE ALL ON FUNCTION add_key(text, text, text, timestamptz, timestamptz, boolean) FROM PUBLIC;

CREATE FUNCTION jwks() RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT jsonb_build_object('keys', coalesce(jsonb_agg(public_jwk ORDER BY created_at, kid), '[]'::jsonb))
        FROM jwt.keys
        WHERE active AND public_jwk IS NOT NULL
          AND (expires_at IS NULL OR expires_at > now())
    $$;
COMMENT ON FUNCTION jwks() IS
    'the public JWK set of the active, unexpired asymmetric keys (never private members, never HMAC keys), for /.well-known/jwks.json; keys not yet valid are published ahead of use';

-- 1.2.0 (issue 16, item 2): signs only with keys that may sign
-- (jwt.keys.may_sign). The library keeps 1.1.0's pg_jwt_issue, which has no
-- such column to read, for databases not yet updated.
CREATE FUNCTION issue(claims jsonb, ttl interval DEFAULT '1 hour', kid text DEFAULT NULL)
    RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_issue_may_sign'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION issue(jsonb, interval, text) IS
    'signs claims with the newest active keyring key that may sign (jwt.keys.may_sign) and whose signers admit the calling role (or the one named), adding iat, exp = now + ttl (at most pg_jwt.max_ttl), a random jti and iss from pg_jwt.issuer; kid goes into the header';
REVOKE ALL ON FUNCTION issue(jsonb, interval, text) FROM PUBLIC;

-- change tracking -------------------------------------------------------------
-- Backends keep copies of jwt.keys and of whether jwt.revoked is empty; this
-- trigger tells every backend that its copy is stale (relcache invalidation).

CREATE FUNCTION _invalidate_cache() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pg_jwt_invalidate_cache'
    LANGUAGE C;
COMMENT ON FUNCTION _invalidate_cache() IS
    'internal: tells every backend that its cached copy of jwt.keys or jwt.revoked is stale';

-- Row-level, and enabled ALWAYS: logical replication's apply process fires
-- only row triggers, and only those enabled ALWAYS or REPLICA, so a change
-- replicated to a subscriber reaches its backends too. PostgreSQL merges the
-- repeated invalidations of one command. TRUNCATE has only a statement form.
CREATE TRIGGER keys_changed AFTER INSERT OR UPDATE OR DELETE ON keys
    FOR EACH ROW EXECUTE FUNCTION _invalidate_cache();
CREATE TRIGGER keys_truncated AFTER TRUNCATE ON keys
    FOR EACH STATEMENT EXECUTE FUNCTION _invalidate_cache();
ALTER TABLE keys ENABLE ALWAYS TRIGGER keys_changed;
ALTER TABLE keys ENABLE ALWAYS TRIGGER keys_truncated;

-- revocation -------------------------------------------------------------------

CREATE TABLE revoked (
    jti   text PRIMARY KEY,
    until timestamptz NOT NULL
);
COMMENT ON TABLE revoked IS
    'denylist of token ids (jti): strict validation refuses them until "until" (normally the token''s exp)';
SELECT pg_catalog.pg_extension_config_dump('revoked', '');
REVOKE ALL ON revoked FROM PUBLIC;

CREATE TRIGGER revoked_changed AFTER INSERT OR UPDATE OR DELETE ON revoked
    FOR EACH ROW EXECUTE FUNCTION _invalidate_cache();
CREATE TRIGGER revoked_truncated AFTER TRUNCATE ON revoked
    FOR EACH STATEMENT EXECUTE FUNCTION _invalidate_cache();
ALTER TABLE revoked ENABLE ALWAYS TRIGGER revoked_changed;
ALTER TABLE revoked ENABLE ALWAYS TRIGGER revoked_truncated;

CREATE FUNCTION revoke(jti text, until timestamptz) RETURNS void
    LANGUAGE sql VOLATILE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT jwt._check_writable('jwt.revoke()');
        INSERT INTO jwt.revoked (jti, until) VALUES (revoke.jti, revoke.until)
        ON CONFLICT (jti) DO UPDATE SET until = greatest(jwt.revoked.until, EXCLUDED.until)
    $$;
COMMENT ON FUNCTION revoke(text, timestamptz) IS
    'puts a token id on the denylist until the given time (normally the token''s exp); every backend refuses it from its next statement';
REVOKE ALL ON FUNCTION revoke(text, timestamptz) FROM PUBLIC;

CREATE FUNCTION purge_revoked() RETURNS bigint
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT jwt._check_writable('jwt.purge_revoked()');
        WITH gone AS (DELETE FROM jwt.revoked WHERE until <= now() RETURNING 1)
        SELECT count(*) FROM gone
    $$;
COMMENT ON FUNCTION purge_revoked() IS
    'deletes denylist entries whose tokens have expired anyway; returns how many';
REVOKE ALL ON FUNCTION purge_revoked() FROM PUBLIC;

-- strict validation --------------------------------------------------------------
-- One signature each (overloads with defaulted keys of other types would make
-- jwt.validate(token) ambiguous). STABLE: they read the clock, settings and
-- tables. Not STRICT: NULL arguments mean "not given".

CREATE FUNCTION validate(token text, key text DEFAULT NULL, algorithms text[] DEFAULT NULL,
                         audience text DEFAULT NULL, issuer text DEFAULT NULL,
                         leeway interval DEFAULT NULL, max_age interval DEFAULT NULL,
                         required text[] DEFAULT NULL, typ text DEFAULT NULL,
                         now timestamptz DEFAULT NULL, secret bytea DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pg_jwt_validate'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION validate(text, text, text[], text, text, interval, interval, text[], text, timestamptz, bytea) IS
    'strict validation: returns the claims when the signature and every claim rule hold, else raises 28000 with the reason (22P02 malformed, 22023 bad key or argument); keys from key, secret, else jwt.keys and pg_jwt.jwks';

CREATE FUNCTION is_valid(token text, key text DEFAULT NULL, algorithms text[] DEFAULT NULL,
                         audience text DEFAULT NULL, issuer text DEFAULT NULL,
                         leeway interval DEFAULT NULL, max_age interval DEFAULT NULL,
                         required text[] DEFAULT NULL, typ text DEFAULT NULL,
                         now timestamptz DEFAULT NULL, secret bytea DEFAULT NULL)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'pg_jwt_is_valid'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION is_valid(text, text, text[], text, text, interval, interval, text[], text, timestamptz, bytea) IS
    'jwt.validate as a boolean: false for every token fault (malformed, rejected, revoked); raises only for the caller''s faults (22023)';

-- claims for row-level security ----------------------------------------------------
-- STABLE and PARALLEL SAFE: within a statement the claims do not change, and
-- parallel workers receive the same settings. O(1) per row: the parse is
-- cached until a setting it depends on changes.

CREATE FUNCTION claims() RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pg_jwt_claims'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION claims() IS
    'the claims jwt.authenticate verified in this transaction; else, when pg_jwt.trust_request_claims is on, request.jwt.claims; else, when pg_jwt.trust_postgraphile_claims is on, PostGraphile''s jwt.claims.<name> settings as an object of strings; each only when set in the current transaction; else NULL';

CREATE FUNCTION claim(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_claim_name'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION claim(text) IS
    'one claim of jwt.claims() as text (as ->> gives it), NULL when absent; with trusted request claims also the legacy request.jwt.claim.<name> settings, with trusted PostGraphile claims the jwt.claims.<name> setting';

CREATE FUNCTION claim(path text[]) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_claim_path'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION claim(text[]) IS
    'a nested claim of jwt.claims() as text, NULL when absent; array steps are non-negative decimal indexes (unlike #>>, no negative indexes), and an empty path gives NULL';

CREATE FUNCTION claim_uuid(name text) RETURNS uuid
    AS 'MODULE_PATHNAME', 'pg_jwt_claim_uuid'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION claim_uuid(text) IS
    'a claim as uuid when it is a canonical uuid string, else NULL (never raises, so no subtransaction is needed)';

CREATE FUNCTION authenticate(token text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pg_jwt_authenticate'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION authenticate(text) IS
    'validates token with the keyring, pg_jwt.jwks and the pg_jwt.* policy, keeps its claims for this transaction (unforgeable by plain SQL), mirrors them into request.jwt.claims and switches to the role it names (pg_jwt.role_claim_key) or, for no token, pg_jwt.anon_role; SECURITY INVOKER, so not callable from a SECURITY DEFINER function';

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
-- on (their comments above say so); no new function.

-- 1.3.0: identity-provider issuers (issue 17) ------------------------------------
-- Identity providers whose tokens validate with the keys they publish
-- (README, "Tokens from an identity provider"). jwt.issuers is the
-- configuration: superusers manage it with INSERT, UPDATE and DELETE, and
-- pg_dump keeps it. jwt.issuer_keys holds what jwt.refresh_issuers fetched:
-- never dumped, so a restored database has no keys of any issuer until they
-- are fetched again (a restore cannot bring back keys a provider withdrew).
-- Neither table, nor the status view, is readable by PUBLIC.

CREATE TABLE jwt.issuers (
    issuer            text PRIMARY KEY,    -- the exact "iss" of its tokens
    url               text NOT NULL,       -- its OpenID Connect discovery document, or its JWK set
    audiences         text[],              -- a token's "aud" must hold one; NULL: pg_jwt.audience
    algorithms        text[],              -- allowed; NULL: those of its keys
    audience_required boolean NOT NULL DEFAULT true,  -- false: a token without "aud" passes
    role_claim_key    text,                -- jwt.authenticate's role claim; NULL: pg_jwt.role_claim_key
    min_refresh       interval NOT NULL DEFAULT '5 minutes',  -- bounds on Cache-Control max-age
    max_refresh       interval NOT NULL DEFAULT '1 hour',
    max_stale         interval NOT NULL DEFAULT '24 hours',   -- keys usable this long after their last fetch
    CHECK (issuer OPERATOR(pg_catalog.<>) ''),
    CHECK (pg_catalog.starts_with(url, 'https://')),
    CHECK (audiences IS NULL OR pg_catalog.array_position(audiences, NULL::pg_catalog.text) IS NULL),
    CHECK (algorithms OPERATOR(pg_catalog.<@) '{RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,ES256K,EdDSA,Ed25519,Ed448}'::pg_catalog.text[]),
    CHECK ((min_refresh OPERATOR(pg_catalog.>=) '1 second'::pg_catalog.interval)
           AND (min_refresh OPERATOR(pg_catalog.<=) max_refresh)
           AND (max_refresh OPERATOR(pg_catalog.<) max_stale))
);
COMMENT ON TABLE jwt.issuers IS
    'identity providers whose tokens jwt.validate and jwt.authenticate verify with the keys fetched from url (a discovery document or a JWK set) by jwt.refresh_issuers, picked by the token''s iss';
SELECT pg_catalog.pg_extension_config_dump('jwt.issuers', '');
REVOKE ALL ON jwt.issuers FROM PUBLIC;

CREATE TABLE jwt.issuer_keys (
    issuer         text PRIMARY KEY REFERENCES jwt.issuers ON UPDATE CASCADE ON DELETE CASCADE,
    url            text NOT NULL,       -- the configured URL when this was fetched
    jwks_uri       text,                -- where the set came from
    jwks           jsonb,               -- the usable public keys; NULL until a fetch succeeded
    kids           text[],
    key_algorithms text[],
    etag           text,
    fetched_at     timestamptz,         -- the last successful fetch
    attempted_at   timestamptz NOT NULL,
    http_status    integer,
    last_error     text,
    next_refresh   timestamptz NOT NULL,
    CHECK ((jwks IS NULL) OPERATOR(pg_catalog.=) (fetched_at IS NULL))
);
COMMENT ON TABLE jwt.issuer_keys IS
    'the key sets jwt.refresh_issuers fetched for jwt.issuers, with the state of the last fetch; never dumped';
REVOKE ALL ON jwt.issuer_keys FROM PUBLIC;

CREATE TRIGGER issuers_changed AFTER INSERT OR UPDATE OR DELETE ON jwt.issuers
    FOR EACH ROW EXECUTE FUNCTION jwt._invalidate_cache();
CREATE TRIGGER issuers_truncated AFTER TRUNCATE ON jwt.issuers
    FOR EACH STATEMENT EXECUTE FUNCTION jwt._invalidate_cache();
ALTER TABLE jwt.issuers ENABLE ALWAYS TRIGGER issuers_changed;
ALTER TABLE jwt.issuers ENABLE ALWAYS TRIGGER issuers_truncated;
CREATE TRIGGER issuer_keys_changed AFTER INSERT OR UPDATE OR DELETE ON jwt.issuer_keys
    FOR EACH ROW EXECUTE FUNCTION jwt._invalidate_cache();
CREATE TRIGGER issuer_keys_truncated AFTER TRUNCATE ON jwt.issuer_keys
    FOR EACH STATEMENT EXECUTE FUNCTION jwt._invalidate_cache();
ALTER TABLE jwt.issuer_keys ENABLE ALWAYS TRIGGER issuer_keys_changed;
ALTER TABLE jwt.issuer_keys ENABLE ALWAYS TRIGGER issuer_keys_truncated;

CREATE FUNCTION jwt.refresh_issuers(force boolean DEFAULT false,
                                    OUT issuer text, OUT outcome text, OUT http_status integer,
                                    OUT keys integer, OUT next_refresh timestamptz,
                                    OUT message text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'pg_jwt_refresh_issuers'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION jwt.refresh_issuers(boolean) IS
    'fetches the keys of every issuer of jwt.issuers that is due (all of them with force) over HTTPS and stores them in jwt.issuer_keys; one row per issuer: updated, unchanged, failed or not due';
REVOKE ALL ON FUNCTION jwt.refresh_issuers(boolean) FROM PUBLIC;

CREATE FUNCTION jwt._issuer_key_counts(issuer text, kids text[]) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'pg_jwt_issuer_key_counts'
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION jwt._issuer_key_counts(text, text[]) IS
    'internal: the tokens each key (by kid, NULL for a key without one) of an issuer verified since the server started; NULL when pg_jwt is not in shared_preload_libraries';
-- EXECUTE stays with PUBLIC: a role granted SELECT on jwt.issuer_status
-- calls it through the view (a view's functions run with the caller's rights).

CREATE VIEW jwt.issuer_status AS
SELECT i.issuer, i.url, k.jwks_uri,
       CASE WHEN k.jwks IS NULL OR k.url OPERATOR(pg_catalog.<>) i.url THEN 'no keys'
            WHEN pg_catalog.now() OPERATOR(pg_catalog.>=) (k.fetched_at OPERATOR(pg_catalog.+) i.max_stale) THEN 'stale'
            WHEN k.last_error IS NOT NULL THEN 'failing'
            ELSE 'ok' END AS state,
       k.attempted_at AS last_fetch, k.http_status, k.fetched_at AS last_success,
       CASE WHEN k.url OPERATOR(pg_catalog.=) i.url
            THEN k.fetched_at OPERATOR(pg_catalog.+) i.max_stale END AS usable_until,
       k.kids, k.key_algorithms, k.next_refresh, k.last_error,
       jwt._issuer_key_counts(i.issuer, k.kids) AS tokens_verified
FROM jwt.issuers i LEFT JOIN jwt.issuer_keys k ON k.issuer OPERATOR(pg_catalog.=) i.issuer;
COMMENT ON VIEW jwt.issuer_status IS
    'per issuer: state (ok, failing, stale, no keys), the last fetch and its HTTP status, the last successful one, until when the keys are used, their kids and algorithms, the next scheduled fetch, the last error, and the tokens each key verified since the server started (NULL unless pg_jwt is in shared_preload_libraries)';
REVOKE ALL ON jwt.issuer_status FROM PUBLIC;

-- 1.4.0: claims for Citus workers (issue 18) -------------------------------------
-- The sealed claims travel in the setting pg_jwt.carrier, defined by the
-- library (README, "Citus"). jwt.forward_request_claims sends PostgREST's
-- request.jwt.claims that way from a db-pre-request function: VOLATILE (it
-- sets a setting), PARALLEL UNSAFE (it starts Citus's coordinated
-- transaction), SECURITY INVOKER (the seal is bound to the calling role).
-- EXECUTE stays with PUBLIC, as for jwt.authenticate: it seals only claims
-- that pg_jwt.trust_request_claims already lets the role's queries read.
CREATE FUNCTION jwt.forward_request_claims() RETURNS void
    AS 'MODULE_PATHNAME', 'pg_jwt_forward_request_claims'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION jwt.forward_request_claims() IS
    'Citus: seals request.jwt.claims (when pg_jwt.trust_request_claims is on and it was set in this transaction; none: an explicit no-claims) for the workers, as jwt.authenticate does with its claims; 28000 when the request claims are not trusted or their jti is revoked; sends nothing where the citus extension is not installed';

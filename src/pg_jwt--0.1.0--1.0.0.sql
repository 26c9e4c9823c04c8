-- pg_jwt 0.1.0 -> 1.0.0: every algorithm and key format, the keyring,
-- strict validation and revocation, claims for row-level security.
\echo Use "ALTER EXTENSION pg_jwt UPDATE TO '1.0.0'" to load this file. \quit

-- The functions of 0.1.0 keep their definitions; their comments are
-- restated below with the rest of 1.0.0.

-- No GRANT on the schema here (changed in 1.0.1): an update must not undo
-- what an administrator of 0.1.0 decided about who may use schema jwt, nor
-- record those grants as the extension's own in pg_init_privs. What is
-- recorded is the privilege a fresh 1.0.0 install starts with (USAGE for
-- PUBLIC), as the initial privilege pg_dump compares with, without granting
-- it: a dump then writes the administrator's REVOKE and GRANTs, which a
-- restore (a fresh install) needs.
INSERT INTO pg_catalog.pg_init_privs (objoid, classoid, objsubid, privtype, initprivs)
SELECT n.oid, 'pg_catalog.pg_namespace'::pg_catalog.regclass, 0, 'e',
       pg_catalog.array_append(pg_catalog.acldefault('n', n.nspowner),
                               pg_catalog.makeaclitem(0, n.nspowner, 'USAGE', false))
FROM pg_catalog.pg_namespace n
WHERE n.nspname OPERATOR(pg_catalog.=) 'jwt'
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_init_privs p
                  WHERE p.objoid OPERATOR(pg_catalog.=) n.oid AND p.objsubid OPERATOR(pg_catalog.=) 0
                    AND p.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass);

-- base64url ----------------------------------------------------------------

COMMENT ON FUNCTION url_encode(bytea) IS
    'base64url encoding without padding (RFC 4648 section 5), as JOSE uses it';

COMMENT ON FUNCTION url_decode(text) IS
    'strict base64url decoding: no padding, no white space, no non-zero trailing bits; raises 22P02 otherwise';

-- signing ------------------------------------------------------------------
-- The payload is one polymorphic argument so that an untyped literal, text,
-- json, jsonb and rows all resolve without casts. Not STRICT because the
-- header may be NULL; a NULL payload, key or algorithm gives NULL.
-- VOLATILE: ES* and PS* signatures are randomised.

COMMENT ON FUNCTION sign(anycompatible, text, text, jsonb) IS
    'signs a JSON object (text, json, jsonb or a row) as a compact JWS; key is an HMAC secret (HS*) or a private key as PEM or JWK text';

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

COMMENT ON FUNCTION verify(text, text, text) IS
    'pgjwt-compatible verification: valid when the signature verifies with algorithm, the token''s alg equals it and now is within nbf/exp; key is a secret, PEM, JWK or JWK set; raises 22P02 for a malformed token and 22023 for a bad key or algorithm';

COMMENT ON FUNCTION verify(text, bytea, text) IS
    'pgjwt-compatible verification with a binary HMAC secret';

CREATE FUNCTION verify(token text, key jsonb, algorithm text DEFAULT NULL,
                       OUT header json, OUT payload json, OUT valid boolean) RETURNS record
    AS 'MODULE_PATHNAME', 'pg_jwt_verify_jsonb_key'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION verify(text, jsonb, text) IS
    'pgjwt-compatible verification with a JWK or JWK set; algorithm NULL means the alg the keys name; a NULL token or key gives NULL';

-- (verify(...)).valid without the row: the planner hook (src/pg/valid_only.cpp)
-- substitutes these for that expression, naming the verify they stand for;
-- each requires EXECUTE on it, as the expression it replaces does. Markings
-- as that verify's.
CREATE FUNCTION _verify_valid(token text, key text, algorithm text, verify regprocedure)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'pg_jwt_verify_valid'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION _verify_valid(text, text, text, regprocedure) IS
    'internal: (verify(token, key, algorithm)).valid without building the row; substituted by the planner, needs EXECUTE on the verify it names';

CREATE FUNCTION _verify_valid(token text, key bytea, algorithm text, verify regprocedure)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'pg_jwt_verify_valid'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION _verify_valid(text, bytea, text, regprocedure) IS
    'internal: (verify(token, key, algorithm)).valid for a binary secret without building the row; substituted by the planner, needs EXECUTE on the verify it names';

CREATE FUNCTION _verify_valid(token text, key jsonb, algorithm text, verify regprocedure)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'pg_jwt_verify_valid'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION _verify_valid(text, jsonb, text, regprocedure) IS
    'internal: (verify(token, key, algorithm)).valid for a JWK without building the row; substituted by the planner, needs EXECUTE on the verify it names';

-- unverified reading ---------------------------------------------------------
-- IMMUTABLE: the result depends on the token alone, and the size cap is a
-- compiled-in constant (64 KiB), not a setting.

COMMENT ON FUNCTION decode(text) IS
    'splits a token into header, payload and signature WITHOUT verifying it; never trust its output';

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
    CHECK (public_jwk IS NOT NULL OR private_jwk IS NOT NULL),
    CHECK (expires_at IS NULL OR expires_at > not_before)
);
COMMENT ON TABLE keys IS
    'the keyring: signing and verification keys with their validity window; private_jwk is readable by the extension owner only';
SELECT pg_catalog.pg_extension_config_dump('keys', '');
REVOKE ALL ON keys FROM PUBLIC;
GRANT SELECT (kid, algorithm, public_jwk, active, not_before, expires_at, created_at)
    ON keys TO PUBLIC;

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

CREATE FUNCTION generate_key(algorithm text, kid text DEFAULT NULL, rsa_bits integer DEFAULT 2048,
                             not_before timestamptz DEFAULT now(),
                             expires_at timestamptz DEFAULT NULL) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        e record;
    BEGIN
        -- Checked before the INSERT: a failed constraint would print the row,
        -- private key included, in its DETAIL.
        PERFORM jwt._check_key_window(algorithm, not_before, expires_at);
        SELECT * INTO e FROM jwt._generate_key_entry(algorithm, rsa_bits, kid);
        INSERT INTO jwt.keys (kid, algorithm, public_jwk, private_jwk, not_before, expires_at)
        VALUES (e.kid, algorithm, e.public_jwk, e.private_jwk, not_before, expires_at);
        RETURN e.kid;
    END
    $$;
COMMENT ON FUNCTION generate_key(text, text, integer, timestamptz, timestamptz) IS
    'generates a key for algorithm with OpenSSL (RSA 2048/3072/4096, the ES curve, Ed25519/Ed448, or a random HMAC secret of the hash size) into jwt.keys; returns its kid (default: the RFC 7638 thumbprint)';
REVOKE ALL ON FUNCTION generate_key(text, text, integer, timestamptz, timestamptz) FROM PUBLIC;

CREATE FUNCTION add_key(key text, algorithm text, kid text DEFAULT NULL,
                        not_before timestamptz DEFAULT now(),
                        expires_at timestamptz DEFAULT NULL) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        e record;
    BEGIN
        IF key IS NULL THEN
            RAISE EXCEPTION 'key must not be NULL' USING ERRCODE = '22023';
        END IF;
        PERFORM jwt._check_key_window(algorithm, not_before, expires_at);
        SELECT * INTO e FROM jwt._import_key_entry(key, algorithm, kid);
        INSERT INTO jwt.keys (kid, algorithm, public_jwk, private_jwk, not_before, expires_at)
        VALUES (e.kid, algorithm, e.public_jwk, e.private_jwk, not_before, expires_at);
        RETURN e.kid;
    END
    $$;
COMMENT ON FUNCTION add_key(text, text, text, timestamptz, timestamptz) IS
    'imports a PEM key, a JWK or an HMAC secret (at least the hash size) for algorithm into jwt.keys; a public key only verifies; returns its kid';
REVOKE ALL ON FUNCTION add_key(text, text, text, timestamptz, timestamptz) FROM PUBLIC;

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

CREATE FUNCTION issue(claims jsonb, ttl interval DEFAULT '1 hour', kid text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        k record;
        now_s numeric := trunc(extract(epoch FROM now()));
        issuer text := nullif(current_setting('pg_jwt.issuer', true), '');
        full_claims jsonb;
    BEGIN
        IF ttl IS NULL OR ttl <= interval '0' THEN
            RAISE EXCEPTION 'ttl must be positive' USING ERRCODE = '22023';
        END IF;
        SELECT keys.kid, keys.algorithm, keys.private_jwk INTO k
        FROM jwt.keys
        WHERE private_jwk IS NOT NULL AND active
          AND (issue.kid IS NULL OR keys.kid = issue.kid)
          AND not_before <= now() AND (expires_at IS NULL OR expires_at > now())
        ORDER BY not_before DESC, created_at DESC, keys.kid
        LIMIT 1;
        IF NOT FOUND THEN
            IF issue.kid IS NULL THEN
                RAISE EXCEPTION 'no active signing key in jwt.keys'
                    USING ERRCODE = '22023',
                          HINT = 'Create one with jwt.generate_key().';
            END IF;
            RAISE EXCEPTION 'no active signing key with kid "%"', issue.kid
                USING ERRCODE = '22023';
        END IF;
        full_claims := coalesce(claims, '{}'::jsonb)
            || jsonb_build_object('iat', now_s,
                                  'exp', trunc(extract(epoch FROM now() + ttl)),
                                  'jti', gen_random_uuid()::text);
        IF issuer IS NOT NULL THEN
            full_claims := full_claims || jsonb_build_object('iss', issuer);
        END IF;
        RETURN jwt.sign(full_claims, k.private_jwk, k.algorithm);
    END
    $$;
COMMENT ON FUNCTION issue(jsonb, interval, text) IS
    'signs claims with the newest active keyring key (or the one named), adding iat, exp = now + ttl, a random jti and iss from pg_jwt.issuer; kid goes into the header';
REVOKE ALL ON FUNCTION issue(jsonb, interval, text) FROM PUBLIC;

-- change tracking -------------------------------------------------------------
-- Backends keep copies of jwt.keys and of whether jwt.revoked is empty; this
-- trigger tells every backend that its copy is stale (relcache invalidation).

CREATE FUNCTION _invalidate_cache() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pg_jwt_invalidate_cache'
    LANGUAGE C;
COMMENT ON FUNCTION _invalidate_cache() IS
    'internal: tells every backend that its cached copy of jwt.keys or jwt.revoked is stale';

CREATE TRIGGER keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON keys
    FOR EACH STATEMENT EXECUTE FUNCTION _invalidate_cache();

-- revocation -------------------------------------------------------------------

CREATE TABLE revoked (
    jti   text PRIMARY KEY,
    until timestamptz NOT NULL
);
COMMENT ON TABLE revoked IS
    'denylist of token ids (jti): strict validation refuses them until "until" (normally the token''s exp)';
SELECT pg_catalog.pg_extension_config_dump('revoked', '');
REVOKE ALL ON revoked FROM PUBLIC;

CREATE TRIGGER revoked_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON revoked
    FOR EACH STATEMENT EXECUTE FUNCTION _invalidate_cache();

CREATE FUNCTION revoke(jti text, until timestamptz) RETURNS void
    LANGUAGE sql VOLATILE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
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
    'the claims jwt.authenticate verified in this transaction; else, when pg_jwt.trust_request_claims is on, request.jwt.claims; else NULL';

CREATE FUNCTION claim(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_claim_name'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION claim(text) IS
    'one claim of jwt.claims() as text (as ->> gives it), NULL when absent; with trusted request claims also the legacy request.jwt.claim.<name> settings';

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

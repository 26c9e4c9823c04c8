-- pg_jwt 1.2.0 -> 1.3.0: identity-provider issuers (see README, "Upgrading").
\echo Use "ALTER EXTENSION pg_jwt UPDATE TO '1.3.0'" to load this file. \quit

-- Nothing here grants to PUBLIC: an administrator's REVOKEs on the schema,
-- its tables and functions stay as they are.

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

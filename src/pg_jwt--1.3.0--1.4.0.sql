-- pg_jwt 1.3.0 -> 1.4.0: claims for Citus workers (see README, "Citus").
\echo Use "ALTER EXTENSION pg_jwt UPDATE TO '1.4.0'" to load this file. \quit

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

-- The catalog of an extension (psql variable ext) as text lines, sorted: what a fresh install
-- and an upgraded one must agree on.
WITH ext AS (SELECT oid, extnamespace, extconfig FROM pg_extension WHERE extname = :'ext')
SELECT line FROM (
    SELECT format('function %s returns %s | volatile=%s strict=%s parallel=%s secdef=%s leakproof=%s config=%s | lang=%s | src=%s | bin=%s | acl=%s | comment=%s',
                  p.oid::regprocedure, pg_get_function_result(p.oid), p.provolatile, p.proisstrict,
                  p.proparallel, p.prosecdef, p.proleakproof, p.proconfig, l.lanname,
                  md5(p.prosrc), p.probin, p.proacl, obj_description(p.oid, 'pg_proc')) AS line
    FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang, ext
    WHERE p.pronamespace = ext.extnamespace
    UNION ALL
    SELECT format('function %s defaults %s', p.oid::regprocedure, pg_get_expr(p.proargdefaults, 0))
    FROM pg_proc p, ext WHERE p.pronamespace = ext.extnamespace AND p.proargdefaults IS NOT NULL
    UNION ALL
    SELECT format('relation %s kind=%s acl=%s comment=%s', c.oid::regclass, c.relkind, c.relacl,
                  obj_description(c.oid, 'pg_class'))
    FROM pg_class c, ext WHERE c.relnamespace = ext.extnamespace
    UNION ALL
    SELECT format('column %s.%s %s notnull=%s default=%s acl=%s', c.oid::regclass, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid), a.attacl)
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum, ext
    WHERE c.relnamespace = ext.extnamespace AND c.relkind IN ('r', 'v')
    UNION ALL
    SELECT format('constraint %s %s', con.conrelid::regclass, pg_get_constraintdef(con.oid))
    FROM pg_constraint con, ext WHERE con.connamespace = ext.extnamespace
    UNION ALL
    SELECT format('index %s', pg_get_indexdef(i.indexrelid))
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid, ext WHERE c.relnamespace = ext.extnamespace
    UNION ALL
    SELECT format('trigger %s enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled)
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid, ext
    WHERE c.relnamespace = ext.extnamespace AND NOT t.tgisinternal
    UNION ALL
    SELECT format('config dump %s', cfg::regclass) FROM ext, unnest(ext.extconfig) AS cfg
    UNION ALL
    SELECT format('schema %s acl=%s initprivs=%s', n.nspname, n.nspacl,
                  (SELECT ip.initprivs FROM pg_init_privs ip
                   WHERE ip.objoid = n.oid AND ip.classoid = 'pg_namespace'::regclass AND ip.objsubid = 0))
    FROM pg_namespace n, ext WHERE n.oid = ext.extnamespace
    UNION ALL
    SELECT format('member %s', pg_describe_object(d.classid, d.objid, 0))
    FROM pg_depend d, ext WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
) lines
ORDER BY line;

-- pg_temp.plan_text(query, settings): the query's EXPLAIN (COSTS OFF,
-- VERBOSE) as one text, after setting each 'name=value' of settings for the
-- rest of the transaction (so call it inside BEGIN ... COMMIT). For suites
-- that compare plans under different settings (\i test/regress/plan_text.sql).
CREATE FUNCTION pg_temp.plan_text(query text, settings text[] DEFAULT '{}')
RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    setting text;
    line text;
    plan text := '';
BEGIN
    FOREACH setting IN ARRAY settings LOOP
        PERFORM set_config(split_part(setting, '=', 1), substr(setting, strpos(setting, '=') + 1), true);
    END LOOP;
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF, VERBOSE) ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END
$f$;

-- Shared by the pg_regress suites (\i test/regress/helpers.sql; pg_regress
-- runs psql from the repository root).
--
-- pg_temp.err(query, with_detail): 'ok', or the error as 'SQLSTATE: message',
-- with ' [detail]' when with_detail is true (default: the setting
-- regress.err_detail, else false). simdjson's own wording after "is not
-- valid JSON:" varies between versions and is cut.
CREATE FUNCTION pg_temp.err(query text, with_detail boolean DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    detail text;
BEGIN
    EXECUTE query;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    detail := regexp_replace(detail, '(is not valid JSON): .*$', '\1: ...');
    RETURN SQLSTATE || ': ' || SQLERRM
        || CASE WHEN coalesce(with_detail, current_setting('regress.err_detail', true)::boolean, false)
                THEN coalesce(' [' || nullif(detail, '') || ']', '') ELSE '' END;
END
$f$;

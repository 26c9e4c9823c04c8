-- Shared by the suites on jwt.authenticate's role switch (\i
-- test/regress/authenticate_helper.sql).
--
-- auth(token): jwt.authenticate(token) in a subtransaction that is then
-- rolled back, so that each call starts from the session user: the role the
-- transaction ran as after it and the sub kept, or the error.
CREATE FUNCTION pg_temp.auth(token text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    outcome text;
    detail text;
BEGIN
    BEGIN
        PERFORM jwt.authenticate(token);
        outcome := 'ok as ' || current_user || ', sub ' || coalesce(jwt.claim('sub'), '(none)');
        RAISE EXCEPTION 'undone';
    EXCEPTION WHEN OTHERS THEN
        IF outcome IS NULL THEN
            GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
            outcome := SQLSTATE || ': ' || SQLERRM || coalesce(' [' || nullif(detail, '') || ']', '');
        END IF;
    END;
    RETURN outcome;
END
$f$;

-- pg_jwt_auth 1.0.0: the auth.* helpers that Supabase and pg_session_jwt users
-- write their policies with, backed by jwt.claims(). The schema "auth"
-- collides with Supabase's own and pg_session_jwt's: install this only where
-- neither exists.
\echo Use "CREATE EXTENSION pg_jwt_auth" to load this file. \quit

-- Every role may call the helpers (RLS policies run them as the querying role).
GRANT USAGE ON SCHEMA auth TO PUBLIC;

-- Each helper is a one-expression SQL function, STABLE and PARALLEL SAFE, so
-- the planner inlines it and the per-row cost is that of the accessor itself.

CREATE FUNCTION uid() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT jwt.claim_uuid('sub') $$;
COMMENT ON FUNCTION uid() IS
    'the sub claim as uuid, NULL when absent or not a uuid';

CREATE FUNCTION user_id() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT jwt.claim('sub') $$;
COMMENT ON FUNCTION user_id() IS 'the sub claim as text (pg_session_jwt)';

CREATE FUNCTION role() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT jwt.claim('role') $$;
COMMENT ON FUNCTION role() IS 'the role claim';

CREATE FUNCTION email() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT jwt.claim('email') $$;
COMMENT ON FUNCTION email() IS 'the email claim';

CREATE FUNCTION jwt() RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT jwt.claims() $$;
COMMENT ON FUNCTION jwt() IS 'all verified claims (Supabase''s auth.jwt())';

CREATE FUNCTION session() RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT jwt.claims() $$;
COMMENT ON FUNCTION session() IS 'all verified claims (pg_session_jwt''s auth.session())';

CREATE FUNCTION jwt_session_init(token text) RETURNS jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    AS $$ SELECT jwt.authenticate(token) $$;
COMMENT ON FUNCTION jwt_session_init(text) IS
    'verifies token with jwt.authenticate and keeps its claims for this transaction (pg_session_jwt''s entry point)';

CREATE FUNCTION init() RETURNS void
    LANGUAGE sql VOLATILE PARALLEL SAFE
    AS $$ SELECT $$;
COMMENT ON FUNCTION init() IS 'does nothing; kept for compatibility with pg_session_jwt';

--
-- install_schema: CREATE EXTENSION and ALTER EXTENSION UPDATE refuse a schema
-- that someone else prepared (1.0.1 security release, item 7). A role with
-- CREATE on the database could make schema "jwt" (or "auth") first; the
-- extension would reuse it, and its owner could then plant jwt.sign(json,
-- text), which captures the superuser's secret. Each script's first
-- statement refuses unless the schema is new or empty, owned by the
-- installing role or a superuser, and lets no other role create in it.
--
-- Roles are cluster-wide: every one is named regress_jwt_schema_* and dropped
-- at the end.
--
\set SHOW_CONTEXT never
\set regress_db :DBNAME
SET client_min_messages = warning;
CREATE ROLE regress_jwt_schema_squatter LOGIN;
CREATE ROLE regress_jwt_schema_admin LOGIN;
CREATE DATABASE regress_jwt_schema_db;
GRANT CREATE ON DATABASE regress_jwt_schema_db TO regress_jwt_schema_squatter;
RESET client_min_messages;
\c regress_jwt_schema_db
\set SHOW_CONTEXT never

-- The squatter, a real unprivileged role, makes the schema and plants a
-- function that would capture the secret of jwt.sign('...', secret).
SET SESSION AUTHORIZATION regress_jwt_schema_squatter;
CREATE SCHEMA jwt;
CREATE FUNCTION jwt.sign(payload json, key text) RETURNS text
    LANGUAGE sql AS $$ SELECT 'captured: ' || key $$;
RESET SESSION AUTHORIZATION;

-- 1. Owned by another role: refused, and nothing is installed.
CREATE EXTENSION pg_jwt;
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'pg_jwt';

-- 2. Owned by a superuser now, but the squatter's function is still there.
ALTER SCHEMA jwt OWNER TO CURRENT_USER;
CREATE EXTENSION pg_jwt;

-- 3. Empty and owned by a superuser, but others may still create in it.
DROP FUNCTION jwt.sign(json, text);
GRANT CREATE ON SCHEMA jwt TO regress_jwt_schema_squatter, PUBLIC;
CREATE EXTENSION pg_jwt;
REVOKE CREATE ON SCHEMA jwt FROM PUBLIC;
CREATE EXTENSION pg_jwt;

-- 4. Put right: installs. USAGE for others is fine (the script grants it).
REVOKE CREATE ON SCHEMA jwt FROM regress_jwt_schema_squatter;
GRANT USAGE ON SCHEMA jwt TO regress_jwt_schema_squatter;
CREATE EXTENSION pg_jwt;
SELECT extversion FROM pg_extension WHERE extname = 'pg_jwt';
SELECT jwt.sign('{"a":1}', 'a-32-byte-or-longer-server-secret!!') AS token;

-- 5. pg_jwt_auth checks schema "auth" the same way: the squatter's schema
-- is refused, and so is one owned by another role that is not a superuser.
SET SESSION AUTHORIZATION regress_jwt_schema_squatter;
CREATE SCHEMA auth;
RESET SESSION AUTHORIZATION;
CREATE EXTENSION pg_jwt_auth;
ALTER SCHEMA auth OWNER TO regress_jwt_schema_admin;
CREATE EXTENSION pg_jwt_auth;
DROP SCHEMA auth;
CREATE EXTENSION pg_jwt_auth;
SELECT extversion FROM pg_extension WHERE extname = 'pg_jwt_auth';

-- 6. An installation of 1.0.0 is checked the same way when it is updated to
-- 1.0.1, and the messages say how to repair it.
DROP EXTENSION pg_jwt_auth;
DROP EXTENSION pg_jwt;
DROP SCHEMA jwt;
CREATE EXTENSION pg_jwt VERSION '1.0.0';
GRANT CREATE ON SCHEMA jwt TO regress_jwt_schema_squatter;
SET SESSION AUTHORIZATION regress_jwt_schema_squatter;
CREATE FUNCTION jwt.sign(payload json, key text) RETURNS text
    LANGUAGE sql AS $$ SELECT 'captured: ' || key $$;
RESET SESSION AUTHORIZATION;
ALTER EXTENSION pg_jwt UPDATE TO '1.0.1';
REVOKE CREATE ON SCHEMA jwt FROM regress_jwt_schema_squatter;
ALTER EXTENSION pg_jwt UPDATE TO '1.0.1';
DROP FUNCTION jwt.sign(json, text);
ALTER SCHEMA jwt OWNER TO regress_jwt_schema_squatter;
ALTER EXTENSION pg_jwt UPDATE TO '1.0.1';
ALTER SCHEMA jwt OWNER TO CURRENT_USER;
ALTER EXTENSION pg_jwt UPDATE TO '1.0.1';
SELECT extversion FROM pg_extension WHERE extname = 'pg_jwt';

\c :regress_db
SET client_min_messages = warning;
DROP DATABASE regress_jwt_schema_db;
DROP ROLE regress_jwt_schema_squatter;
DROP ROLE regress_jwt_schema_admin;

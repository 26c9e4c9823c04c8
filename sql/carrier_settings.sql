--
-- carrier_settings: the settings of the Citus carrier (1.4.0, README
-- "Citus") in a database without Citus, where nothing of it may change
-- what pg_jwt does. pg_jwt.carrier is settable by every role (Citus replays
-- it on the workers as an ordinary role), hidden from SHOW ALL and
-- pg_settings, kept by RESET ALL, and ignored here: no claims from it, no
-- error. pg_jwt.cluster_key_file comes from the configuration files only;
-- pg_jwt.carrier_ttl is a superuser's. test/citus/suite runs the carrier
-- on a real cluster. Real roles, all named regress_jwt_carrier_*.
--

\i test/regress/helpers.sql
SET regress.err_detail = on;
\set VERBOSITY default
\set SHOW_CONTEXT never

TRUNCATE jwt.keys, jwt.revoked;
SELECT jwt.generate_key('HS256', 'regress-carrier-k') AS kid;
SELECT jwt.issue('{"sub":"alice","role":"regress_jwt_carrier_web"}') AS tok \gset
CREATE ROLE regress_jwt_carrier_web LOGIN;

SET SESSION AUTHORIZATION regress_jwt_carrier_web;

-- Any role may set it, in a transaction or for the session.
BEGIN;
SET LOCAL pg_jwt.carrier = 'v1.k1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
-- Without Citus it is ignored: no claims, no error.
SELECT jwt.claims() IS NULL AS no_claims, jwt.claim('sub') IS NULL AS no_sub;
-- jwt.authenticate neither needs nor sends one here.
SELECT jwt.authenticate(:'tok') ->> 'sub' AS sub;
SELECT jwt.claim('sub') AS sub_after_authenticate;
ROLLBACK;
SET pg_jwt.carrier = 'garbage';
SELECT jwt.claims() IS NULL AS no_claims;
-- RESET ALL keeps it (GUC_NO_RESET_ALL), RESET clears it.
RESET ALL;
SELECT current_setting('pg_jwt.carrier') AS after_reset_all;
RESET pg_jwt.carrier;
SELECT current_setting('pg_jwt.carrier') AS after_reset;

-- jwt.forward_request_claims: the request claims must be trusted; without
-- Citus it then sends nothing.
SELECT pg_temp.err($$SELECT jwt.forward_request_claims()$$, true);
-- The superuser trusts the request claims for this session (a setting
-- the role cannot change), then becomes the role again.
RESET SESSION AUTHORIZATION;
SET pg_jwt.trust_request_claims = on;
SELECT count(*) AS revoked FROM jwt.revoke('regress-carrier-revoked', now() + interval '1 hour');
SET SESSION AUTHORIZATION regress_jwt_carrier_web;
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"alice","jti":"regress-carrier-ok"}', true) IS NOT NULL AS set;
SELECT pg_temp.err($$SELECT jwt.forward_request_claims()$$, true);
SELECT current_setting('pg_jwt.carrier') AS carrier_without_citus;
ROLLBACK;
-- No request claims at all: also nothing to send without Citus.
SELECT pg_temp.err($$SELECT jwt.forward_request_claims()$$, true);
BEGIN;
SELECT set_config('request.jwt.claims', '[1]', true) IS NOT NULL AS set;
SELECT pg_temp.err($$SELECT jwt.forward_request_claims()$$, true);
ROLLBACK;
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"alice","jti":"regress-carrier-revoked"}', true) IS NOT NULL AS set;
SELECT pg_temp.err($$SELECT jwt.forward_request_claims()$$, true);
ROLLBACK;
RESET SESSION AUTHORIZATION;
RESET pg_jwt.trust_request_claims;
SET SESSION AUTHORIZATION regress_jwt_carrier_web;

-- The other two are not this role's.
SELECT pg_temp.err($$SET pg_jwt.carrier_ttl = '1h'$$, true);
SELECT pg_temp.err($$SET pg_jwt.cluster_key_file = '/tmp/mine'$$, true);
SELECT pg_temp.err($$SELECT current_setting('pg_jwt.cluster_key_file')$$, true);
RESET SESSION AUTHORIZATION;

-- Hidden from SHOW ALL and pg_settings; the two others listed.
SELECT count(*) AS carrier_in_show_all FROM pg_show_all_settings() WHERE name = 'pg_jwt.carrier';
SELECT name, setting, unit, context FROM pg_settings
WHERE name IN ('pg_jwt.carrier', 'pg_jwt.carrier_ttl', 'pg_jwt.cluster_key_file') ORDER BY name;
-- Not even a superuser sets the key file in a session.
SELECT pg_temp.err($$SET pg_jwt.cluster_key_file = '/tmp/mine'$$, true);

DROP ROLE regress_jwt_carrier_web;
TRUNCATE jwt.keys, jwt.revoked;

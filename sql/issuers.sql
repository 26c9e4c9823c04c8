--
-- issuers: tokens of configured identity providers (jwt.issuers), verified
-- with the keys fetched for them (jwt.issuer_keys). Here the fetched sets
-- are written by hand (as a superuser), so that every validation rule is
-- exact: keys picked by the token's iss and never the keyring's for a
-- configured issuer; the issuer's audiences and algorithms; keys never
-- fetched, stale or fetched from a URL no longer configured fail closed
-- (55000); an unknown issuer falls back to the keyring unless
-- pg_jwt.known_issuers_only is on; a stored set with private material is
-- not used. Then the privileges, tried by a real unprivileged role, and what
-- jwt.refresh_issuers refuses. Fetching over HTTPS is test/issuers/run's
-- (a real server on 127.0.0.1). Roles are named regress_jwt_iss_*.
--

\i test/regress/helpers.sql
SET regress.err_detail = on;
TRUNCATE jwt.keys, jwt.revoked;

-- Keys: A (ES256, P-256) and B (RS256) of the provider; C (ES384) and D
-- (ES256) are an attacker's keys that the provider never published.
\set a_priv `cat test/keys/ec_p256.pem`
\set a_pub `cat test/keys/ec_p256.pub.pem`
\set b_priv `cat test/keys/rsa2048.pem`
\set b_pub `cat test/keys/rsa2048.pub.pem`
\set c_priv `cat test/keys/ec_p384.sec1.pem`
\set d_priv '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0q7bQgMno5qFv5zN\nPNFCSQwZIsygawe1THkNVa5YptyhRANCAAR1aPKAC2+vkb3qLKouTerXdD9G58WW\nxRBPKQAS84bOeDMVXYTCX8h0+WEa2OIQVSbCA0zxfMMJaG75IJBf/R31\n-----END PRIVATE KEY-----\n'
SELECT (jwt._import_key_entry(:'a_pub', 'ES256', 'a')).public_jwk AS a_jwk \gset
SELECT (jwt._import_key_entry(:'b_pub', 'RS256', 'b')).public_jwk AS b_jwk \gset

-- tok(claims, key, alg, kid): a token of the provider's shape.
CREATE FUNCTION pg_temp.tok(claims text, key text, alg text, kid text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
    SELECT jwt.sign(claims, key, alg, CASE WHEN kid IS NULL THEN NULL ELSE jsonb_build_object('kid', kid) END)
$$;
-- v(token, args): jwt.validate(token, args) as claims' sub or the error, and jwt.is_valid.
CREATE FUNCTION pg_temp.v(token text, args text DEFAULT '', OUT validate text, OUT is_valid text)
LANGUAGE plpgsql AS $f$
DECLARE
    call text := format('(%L%s)', token, CASE WHEN args = '' THEN '' ELSE ', ' || args END);
    r jsonb;
    detail text;
BEGIN
    BEGIN
        EXECUTE 'SELECT jwt.validate' || call INTO r;
        validate := 'ok: ' || coalesce(r->>'sub', '(no sub)');
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
        validate := SQLSTATE || ': ' || SQLERRM
            || coalesce(' [' || regexp_replace(nullif(detail, ''), '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z', 'T', 'g') || ']', '');
    END;
    is_valid := pg_temp.err('SELECT jwt.is_valid' || call, false);
    IF is_valid = 'ok' THEN
        EXECUTE 'SELECT jwt.is_valid' || call INTO is_valid;
    END IF;
END
$f$;
-- store(issuer, set, fetched_at): a fetched set, as jwt.refresh_issuers stores one.
CREATE FUNCTION pg_temp.store(iss text, jwks jsonb, fetched timestamptz DEFAULT now()) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO jwt.issuer_keys (issuer, url, jwks_uri, jwks, kids, key_algorithms, fetched_at,
                                 attempted_at, http_status, next_refresh)
    SELECT i.issuer, i.url, i.url, jwks,
           ARRAY(SELECT k->>'kid' FROM jsonb_array_elements(jwks->'keys') k),
           ARRAY(SELECT coalesce(k->>'alg', 'ES256') FROM jsonb_array_elements(jwks->'keys') k),
           fetched, fetched, 200, fetched + interval '1 hour'
    FROM jwt.issuers i WHERE i.issuer = iss
    ON CONFLICT (issuer) DO UPDATE SET url = EXCLUDED.url, jwks = EXCLUDED.jwks, kids = EXCLUDED.kids,
        key_algorithms = EXCLUDED.key_algorithms, fetched_at = EXCLUDED.fetched_at,
        http_status = 200, last_error = NULL, next_refresh = EXCLUDED.next_refresh
$$;

-- 1. The configuration refuses what cannot work ------------------------------

SELECT pg_temp.err($$INSERT INTO jwt.issuers (issuer, url) VALUES ('x', 'http://idp.example/jwks')$$);
SELECT pg_temp.err($$INSERT INTO jwt.issuers (issuer, url) VALUES ('', 'https://idp.example/jwks')$$);
SELECT pg_temp.err($$INSERT INTO jwt.issuers (issuer, url, algorithms) VALUES ('x', 'https://idp.example/jwks', '{HS256}')$$);
SELECT pg_temp.err($$INSERT INTO jwt.issuers (issuer, url, audiences) VALUES ('x', 'https://idp.example/jwks', '{a,NULL}')$$);
SELECT pg_temp.err($$INSERT INTO jwt.issuers (issuer, url, min_refresh, max_refresh) VALUES ('x', 'https://idp.example/jwks', '2 hours', '1 hour')$$);
SELECT pg_temp.err($$INSERT INTO jwt.issuers (issuer, url, max_stale) VALUES ('x', 'https://idp.example/jwks', '1 hour')$$);
SELECT pg_temp.err($$INSERT INTO jwt.issuers (issuer, url, min_refresh) VALUES ('x', 'https://idp.example/jwks', '0')$$);

-- The provider: its tokens carry aud "api".
INSERT INTO jwt.issuers (issuer, url, audiences)
VALUES ('https://idp.example/', 'https://127.0.0.1:1/.well-known/openid-configuration', '{api}');
SELECT issuer, url, audiences, algorithms, audience_required, min_refresh, max_refresh, max_stale
FROM jwt.issuers;
SELECT pg_temp.tok('{"iss":"https://idp.example/","sub":"alice","aud":"api"}', :'a_priv', 'ES256', 'a') AS t_a \gset
SELECT pg_temp.tok('{"iss":"https://idp.example/","sub":"bob","aud":["x","api"]}', :'b_priv', 'RS256', 'b') AS t_b \gset

-- 2. Keys never fetched: refused, also by is_valid (not the token's fault) -----

SELECT * FROM pg_temp.v(:'t_a');
-- A fetch that failed leaves no keys either.
INSERT INTO jwt.issuer_keys (issuer, url, attempted_at, http_status, last_error, next_refresh)
SELECT issuer, url, now(), 503, 'GET "...": HTTP status 503', now() FROM jwt.issuers;
SELECT * FROM pg_temp.v(:'t_a');
SELECT issuer, state, http_status, kids, key_algorithms, last_error, tokens_verified FROM jwt.issuer_status;

-- 3. Fetched keys: only they verify the issuer's tokens ---------------------------

SELECT pg_temp.store('https://idp.example/', jsonb_build_object('keys', jsonb_build_array(:'a_jwk'::jsonb || '{"alg":"ES256"}', :'b_jwk'::jsonb || '{"alg":"RS256"}')));
SELECT issuer, state, http_status, kids, key_algorithms, last_error FROM jwt.issuer_status;
SELECT * FROM pg_temp.v(:'t_a');
SELECT * FROM pg_temp.v(:'t_b');
-- Without kid: the issuer's keys of the token's algorithm are tried.
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"nokid","aud":"api"}', :'a_priv', 'ES256'));
-- A kid the issuer never published: refused; nothing is fetched by a query.
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api"}', :'a_priv', 'ES256', 'new-kid'));
-- The attacker's keys: another algorithm is not allowed; under the issuer's
-- kid, or under no kid, the signature fails.
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api"}', :'c_priv', 'ES384', 'a'));
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api"}', replace(:'d_priv', '\n', E'\n'), 'ES256', 'a'));
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api"}', replace(:'d_priv', '\n', E'\n'), 'ES256'));
-- A keyring key never verifies a configured issuer's token, even of its kid.
SELECT jwt.add_key('secret-secret-secret-secret-secr', 'HS256', 'ring') AS kid;
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api"}', 'secret-secret-secret-secret-secr', 'HS256', 'ring'));
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api"}', 'secret-secret-secret-secret-secr', 'HS256'));
-- The key named by kid must be for the token's algorithm; the caller's
-- algorithms only narrow the issuer's.
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api"}', :'b_priv', 'PS256', 'b'), $$algorithms => '{PS256,RS256}'$$);
UPDATE jwt.issuers SET algorithms = '{ES256,RS256,PS256}';
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api"}', :'b_priv', 'PS256', 'b'));
UPDATE jwt.issuers SET algorithms = NULL;

-- 4. The issuer's audiences, algorithms and policy --------------------------------

SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"other"}', :'a_priv', 'ES256', 'a'));
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"anon"}', :'a_priv', 'ES256', 'a'));
-- audience_required = false: a token without aud passes, one with a wrong aud does not.
UPDATE jwt.issuers SET audience_required = false;
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"anon"}', :'a_priv', 'ES256', 'a'));
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"other"}', :'a_priv', 'ES256', 'a'));
UPDATE jwt.issuers SET audience_required = true;
-- The settings describe the keyring's tokens: the issuer's audiences replace
-- pg_jwt.audience, and pg_jwt.issuer does not apply to a configured issuer.
SET pg_jwt.audience = 'database';
SET pg_jwt.issuer = 'https://db.example/';
SELECT * FROM pg_temp.v(:'t_a');
-- The caller's own arguments still apply, on top of the issuer's.
SELECT * FROM pg_temp.v(:'t_a', $$issuer => 'https://other.example/'$$);
SELECT * FROM pg_temp.v(:'t_b', $$audience => 'x'$$);
SELECT * FROM pg_temp.v(:'t_a', $$audience => 'x'$$);
SELECT * FROM pg_temp.v(:'t_a', $$algorithms => '{RS256}'$$);
-- audiences NULL: pg_jwt.audience (or the argument) applies as for the keyring.
UPDATE jwt.issuers SET audiences = NULL;
SELECT * FROM pg_temp.v(:'t_a');
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"db","aud":"database"}', :'a_priv', 'ES256', 'a'));
RESET pg_jwt.audience;
RESET pg_jwt.issuer;
UPDATE jwt.issuers SET audiences = '{api}';
-- The issuer's algorithms allow-list.
UPDATE jwt.issuers SET algorithms = '{RS256}';
SELECT * FROM pg_temp.v(:'t_a');
SELECT * FROM pg_temp.v(:'t_b');
UPDATE jwt.issuers SET algorithms = NULL;
-- Claims are checked as for any token.
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api","exp":1}', :'a_priv', 'ES256', 'a'));

-- 5. Stale keys and a changed URL fail closed --------------------------------

SELECT pg_temp.store('https://idp.example/', jwks, now() - interval '25 hours') FROM jwt.issuer_keys;
SELECT * FROM pg_temp.v(:'t_a');
SELECT issuer, state, kids FROM jwt.issuer_status;
-- The caller's now cannot make them fresh again.
SELECT * FROM pg_temp.v(:'t_a', $$now => now() - interval '2 days'$$);
UPDATE jwt.issuers SET max_stale = '30 hours';
SELECT * FROM pg_temp.v(:'t_a');
UPDATE jwt.issuers SET max_stale = DEFAULT;
SELECT pg_temp.store('https://idp.example/', jwks) FROM jwt.issuer_keys;
SELECT * FROM pg_temp.v(:'t_a');
-- Keys fetched from the URL configured before are not used.
UPDATE jwt.issuers SET url = 'https://127.0.0.1:2/jwks';
SELECT * FROM pg_temp.v(:'t_a');
SELECT issuer, state, kids, usable_until FROM jwt.issuer_status;
UPDATE jwt.issuers SET url = 'https://127.0.0.1:1/.well-known/openid-configuration';
SELECT * FROM pg_temp.v(:'t_a');

-- 6. A stored set holding private or symmetric material is never used --------

SELECT pg_temp.store('https://idp.example/', '{"keys":[{"kty":"oct","kid":"a","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}');
SELECT * FROM pg_temp.v(pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api"}', 'secret-secret-secret-secret-secr', 'HS256', 'a'));
SELECT * FROM pg_temp.v(:'t_a');
SELECT pg_temp.store('https://idp.example/', (SELECT jsonb_build_object('keys', jsonb_build_array((jwt._import_key_entry(:'a_priv', 'ES256', 'a')).private_jwk))));
SELECT * FROM pg_temp.v(:'t_a');
SELECT pg_temp.store('https://idp.example/', jsonb_build_object('keys', jsonb_build_array(:'a_jwk'::jsonb || '{"alg":"ES256"}', :'b_jwk'::jsonb || '{"alg":"RS256"}')));
-- Fetched keys never sign: jwt.issue knows only the keyring.
SELECT pg_temp.err($$SELECT jwt.issue('{"sub":"x"}', '1 hour', 'a')$$);

-- 7. Issuers that are not configured -----------------------------------------

-- Fall back to the keyring and pg_jwt.jwks, as without jwt.issuers.
SELECT pg_temp.tok('{"iss":"https://db.example/","sub":"local"}', 'secret-secret-secret-secret-secr', 'HS256', 'ring') AS t_local \gset
SELECT pg_temp.tok('{"sub":"noiss"}', 'secret-secret-secret-secret-secr', 'HS256', 'ring') AS t_noiss \gset
SELECT * FROM pg_temp.v(:'t_local');
SELECT * FROM pg_temp.v(:'t_noiss');
-- pg_jwt.known_issuers_only: refused, unless pg_jwt.issuer (or the issuer
-- argument) names the keyring's issuer.
SET pg_jwt.known_issuers_only = on;
SELECT * FROM pg_temp.v(:'t_local');
SELECT * FROM pg_temp.v(:'t_noiss');
SELECT * FROM pg_temp.v(:'t_a');
SELECT * FROM pg_temp.v(:'t_local', $$issuer => 'https://db.example/'$$);
SET pg_jwt.issuer = 'https://db.example/';
SELECT * FROM pg_temp.v(:'t_local');
SELECT * FROM pg_temp.v(:'t_noiss');
RESET pg_jwt.issuer;
-- With no issuer configured at all, it refuses every other token too.
BEGIN;
DELETE FROM jwt.issuers;
SELECT count(*) AS fetched_sets_left FROM jwt.issuer_keys;
SELECT * FROM pg_temp.v(:'t_local');
ROLLBACK;
RESET pg_jwt.known_issuers_only;
-- An explicit key is the caller's choice: jwt.issuers is not consulted.
SELECT * FROM pg_temp.v(:'t_a', format('key => %L, audience => %L', :'a_pub', 'api'));

-- 8. jwt.authenticate picks keys by iss too ----------------------------------------

CREATE ROLE regress_jwt_iss_user NOLOGIN;
BEGIN;
SELECT jwt.authenticate(pg_temp.tok('{"iss":"https://idp.example/","sub":"carol","aud":"api","role":"regress_jwt_iss_user"}', :'a_priv', 'ES256', 'a')) ->> 'sub' AS sub,
       current_user, jwt.claim('iss') AS iss;
ROLLBACK;
SELECT pg_temp.err(format('SELECT jwt.authenticate(%L)', pg_temp.tok('{"iss":"https://idp.example/","sub":"x","aud":"api"}', :'c_priv', 'ES384', 'a')));

-- 9. Privileges: a real unprivileged role ---------------------------------------

CREATE ROLE regress_jwt_iss_attacker LOGIN;
SELECT pg_temp.tok('{"iss":"https://idp.example/","sub":"mallory","aud":"api"}', replace(:'d_priv', '\n', E'\n'), 'ES256', 'evil') AS t_evil \gset
SELECT (jwt._import_key_entry(replace(:'d_priv', '\n', E'\n'), 'ES256', 'evil')).public_jwk AS d_jwk \gset
SET SESSION AUTHORIZATION regress_jwt_iss_attacker;
SELECT session_user, current_user;
-- Neither the configuration, nor the fetched sets, nor their status.
SELECT pg_temp.err('SELECT * FROM jwt.issuers');
SELECT pg_temp.err('SELECT * FROM jwt.issuer_keys');
SELECT pg_temp.err('SELECT * FROM jwt.issuer_status');
SELECT pg_temp.err($$INSERT INTO jwt.issuers (issuer, url) VALUES ('https://evil.example/', 'https://evil.example/jwks')$$);
SELECT pg_temp.err(format($$INSERT INTO jwt.issuer_keys (issuer, url, jwks, fetched_at, attempted_at, next_refresh) VALUES ('https://idp.example/', 'https://127.0.0.1:1/.well-known/openid-configuration', '{"keys":[%s]}', now(), now(), now())$$, :'d_jwk'));
SELECT pg_temp.err($$UPDATE jwt.issuers SET audiences = NULL$$);
SELECT pg_temp.err($$DELETE FROM jwt.issuer_keys$$);
SELECT pg_temp.err($$TRUNCATE jwt.issuer_keys$$);
-- Nor fetch, nor loosen the settings.
SELECT pg_temp.err('SELECT * FROM jwt.refresh_issuers()');
SELECT pg_temp.err('SELECT * FROM jwt.refresh_issuers(true)');
SELECT pg_temp.err('SET pg_jwt.known_issuers_only = off');
SELECT pg_temp.err($$SET pg_jwt.ca_file = '/tmp/evil.pem'$$);
SELECT pg_temp.err($$SET pg_jwt.fetch_timeout = '1min'$$);
-- Tables and views planted where an unqualified name would look first.
CREATE TEMP TABLE issuer_keys (issuer text, url text, jwks jsonb, fetched_at timestamptz);
INSERT INTO pg_temp.issuer_keys VALUES ('https://idp.example/', 'https://127.0.0.1:1/.well-known/openid-configuration', format('{"keys":[%s]}', :'d_jwk')::jsonb, now());
CREATE TEMP VIEW issuers AS SELECT 'https://idp.example/'::text AS issuer, 'https://127.0.0.1:1/.well-known/openid-configuration'::text AS url,
    NULL::text[] AS audiences, NULL::text[] AS algorithms, false AS audience_required, '100 years'::interval AS max_stale;
SET search_path = pg_temp, pg_catalog;
-- The attacker's token is still refused; the provider's still accepted.
SELECT * FROM pg_temp.v(:'t_evil');
SELECT * FROM pg_temp.v(:'t_a');
RESET search_path;
RESET SESSION AUTHORIZATION;
DROP VIEW pg_temp.issuers;
DROP TABLE pg_temp.issuer_keys;
-- A role granted EXECUTE may refresh; reading the tables still needs a grant.
CREATE ROLE regress_jwt_iss_cron LOGIN;
GRANT EXECUTE ON FUNCTION jwt.refresh_issuers(boolean) TO regress_jwt_iss_cron;
SET SESSION AUTHORIZATION regress_jwt_iss_cron;
SELECT issuer, outcome, keys FROM jwt.refresh_issuers();
SELECT pg_temp.err('SELECT * FROM jwt.issuer_keys');
RESET SESSION AUTHORIZATION;

-- 10. jwt.refresh_issuers: what it refuses, and a failed fetch ----------------

BEGIN READ ONLY;
SELECT pg_temp.err('SELECT * FROM jwt.refresh_issuers()');
ROLLBACK;
SELECT pg_temp.err('SELECT * FROM jwt.refresh_issuers(NULL)');
SELECT count(*) AS rows_for_null FROM jwt.refresh_issuers(NULL);
-- Not due: the stored set's next refresh is an hour away.
SELECT issuer, outcome, http_status, keys, message FROM jwt.refresh_issuers();
-- A URL with credentials is never fetched (the connection is not even tried).
INSERT INTO jwt.issuers (issuer, url) VALUES ('https://creds.example/', 'https://user:secret@127.0.0.1:1/jwks');
-- Nothing listens on port 1 of 127.0.0.1: the connection is refused at once.
-- libcurl's words for it differ between versions (7.88: "127.0.0.1 port 1
-- after 3 ms: Couldn't connect to server"; 8.17: "127.0.0.1:1 after 0 ms:
-- Could not connect to server"): pg_temp.curl_words reads them alike.
CREATE FUNCTION pg_temp.curl_words(m text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(m, 'Failed to connect to 127\.0\.0\.1( port |:)1 after \d+ ms: Could(n''t| not) connect to server',
                          'Failed to connect to 127.0.0.1 port 1: could not connect to server')
$$;
INSERT INTO jwt.issuers (issuer, url) VALUES ('https://down.example/', 'https://127.0.0.1:1/jwks');
SELECT issuer, outcome, http_status, keys, pg_temp.curl_words(message) AS message,
       next_refresh > now() + interval '4 minutes' AS retry_after_min_refresh
FROM jwt.refresh_issuers();
SELECT issuer, state, http_status, kids, pg_temp.curl_words(last_error) AS last_error
FROM jwt.issuer_status ORDER BY issuer;
-- A failed fetch keeps the last good set (the provider's URL is on port 1 too).
SELECT issuer, outcome, pg_temp.curl_words(message) AS message
FROM jwt.refresh_issuers(true) WHERE issuer = 'https://idp.example/';
SELECT issuer, state, kids, last_error IS NOT NULL AS failing FROM jwt.issuer_status WHERE issuer = 'https://idp.example/';
SELECT * FROM pg_temp.v(:'t_a');
-- Deleting an issuer deletes its fetched set.
DELETE FROM jwt.issuers WHERE issuer IN ('https://creds.example/', 'https://down.example/');
SELECT issuer FROM jwt.issuer_keys ORDER BY issuer;

-- 11. pg_dump keeps the configuration, never the fetched sets -------------------

SELECT c.relname, c.oid = ANY (e.extconfig) AS dumped
FROM pg_extension e, pg_class c
WHERE e.extname = 'pg_jwt' AND c.relnamespace = 'jwt'::regnamespace AND c.relkind = 'r'
ORDER BY 1;

-- Cleanup.
DROP OWNED BY regress_jwt_iss_cron;
DROP ROLE regress_jwt_iss_user, regress_jwt_iss_attacker, regress_jwt_iss_cron;
DELETE FROM jwt.issuers;
TRUNCATE jwt.keys, jwt.revoked;

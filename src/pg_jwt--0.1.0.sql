-- pg_jwt 0.1.0: JSON Web Tokens in SQL.
\echo Use "CREATE EXTENSION pg_jwt" to load this file. \quit

-- base64url ----------------------------------------------------------------

CREATE FUNCTION url_encode(data bytea) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_url_encode'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION url_encode(bytea) IS
    'base64url encoding without padding (RFC 4648 section 5), as JOSE uses it';

CREATE FUNCTION url_decode(data text) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pg_jwt_url_decode'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION url_decode(text) IS
    'strict base64url decoding: no padding, no white space, no non-zero trailing bits; raises 22P02 otherwise';

-- signing ------------------------------------------------------------------
-- The payload is one polymorphic argument so that an untyped literal, text,
-- json, jsonb and rows all resolve without casts. Not STRICT because the
-- header may be NULL; a NULL payload, key or algorithm gives NULL.
-- VOLATILE: ES* and PS* signatures are randomised.

CREATE FUNCTION sign(payload anycompatible, key text, algorithm text DEFAULT 'HS256',
                     header jsonb DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_sign_text_key'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION sign(anycompatible, text, text, jsonb) IS
    'signs a JSON object (text, json, jsonb or a row) as a compact JWS; key is an HMAC secret for HS256/384/512';

CREATE FUNCTION sign(payload anycompatible, key bytea, algorithm text DEFAULT 'HS256',
                     header jsonb DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'pg_jwt_sign_bytea_key'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION sign(anycompatible, bytea, text, jsonb) IS
    'signs a JSON object (text, json, jsonb or a row) as a compact JWS with a binary HMAC secret';

-- verification ---------------------------------------------------------------
-- STABLE, not IMMUTABLE: validity depends on the clock (exp, nbf).

CREATE FUNCTION verify(token text, key text, algorithm text DEFAULT 'HS256',
                       OUT header json, OUT payload json, OUT valid boolean) RETURNS record
    AS 'MODULE_PATHNAME', 'pg_jwt_verify_text_key'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION verify(text, text, text) IS
    'pgjwt-compatible verification: valid when the signature verifies with algorithm, the token''s alg equals it and now is within nbf/exp; raises 22P02 for a malformed token and 22023 for a bad key or algorithm';

CREATE FUNCTION verify(token text, key bytea, algorithm text DEFAULT 'HS256',
                       OUT header json, OUT payload json, OUT valid boolean) RETURNS record
    AS 'MODULE_PATHNAME', 'pg_jwt_verify_bytea_key'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION verify(text, bytea, text) IS
    'pgjwt-compatible verification with a binary HMAC secret';

-- unverified reading ---------------------------------------------------------
-- IMMUTABLE: the result depends on the token alone, and the size cap is a
-- compiled-in constant (64 KiB), not a setting.

CREATE FUNCTION decode(token text, OUT header jsonb, OUT payload jsonb, OUT signature bytea)
    RETURNS record
    AS 'MODULE_PATHNAME', 'pg_jwt_decode'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION decode(text) IS
    'splits a token into header, payload and signature WITHOUT verifying it; never trust its output';

CREATE FUNCTION header(token text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pg_jwt_header'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION header(text) IS
    'the protected header of a token WITHOUT verifying it (for routing, e.g. reading kid)';

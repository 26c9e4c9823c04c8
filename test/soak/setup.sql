-- Helpers of the soak driver (test/soak/soak.py), created in each database it
-- uses. Each takes a batch of tokens and returns one outcome per token, so
-- that a round trip carries hundreds of tokens and one failing token does not
-- abort the batch: an EXCEPTION block per token captures its SQLSTATE.
--
-- Outcomes: 'ok' (verify: valid = true; validate/decode/authenticate: a
-- result), 'bad' (verify: valid = false), else the SQLSTATE raised. An error
-- message, detail or context that contains the key text or the whole token
-- gives 'LEAK' (DESIGN.md section 2.6).
CREATE EXTENSION IF NOT EXISTS pg_jwt;
CREATE SCHEMA IF NOT EXISTS soak;

CREATE OR REPLACE FUNCTION soak.leaks(msg text, t text, key text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$
        SELECT (key IS NOT NULL AND length(key) >= 16 AND position(key IN msg) > 0)
            OR (length(t) >= 64 AND position(t IN msg) > 0)
    $$;

CREATE OR REPLACE FUNCTION soak.capture(fn text, toks text[], key text, alg text)
    RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    out text[] := '{}';
    t text;
    r text;
    v boolean;
    msg text;
    detail text;
    ctx text;
    algs text[] := CASE WHEN alg IS NULL THEN NULL ELSE ARRAY[alg] END;
BEGIN
    FOREACH t IN ARRAY toks LOOP
        BEGIN
            IF fn = 'verify' THEN
                SELECT x.valid INTO v FROM jwt.verify(t, key, alg) x;
                r := CASE WHEN v THEN 'ok' WHEN NOT v THEN 'bad' ELSE 'null' END;
            ELSIF fn = 'verify_jsonb' THEN  -- the JWK (set) as jsonb
                SELECT x.valid INTO v FROM jwt.verify(t, key::jsonb, alg) x;
                r := CASE WHEN v THEN 'ok' WHEN NOT v THEN 'bad' ELSE 'null' END;
            ELSIF fn = 'verify_bytea' THEN  -- the secret as bytea
                SELECT x.valid INTO v FROM jwt.verify(t, convert_to(key, 'UTF8'), alg) x;
                r := CASE WHEN v THEN 'ok' WHEN NOT v THEN 'bad' ELSE 'null' END;
            ELSIF fn = 'validate' THEN
                PERFORM jwt.validate(t, key, algs);
                r := 'ok';
            ELSIF fn = 'decode' THEN
                PERFORM jwt.decode(t);
                r := 'ok';
            ELSE
                RAISE EXCEPTION 'unknown function %', fn;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
                                    ctx = PG_EXCEPTION_CONTEXT;
            r := CASE WHEN soak.leaks(concat_ws(' ', msg, detail, ctx), t, key) THEN 'LEAK'
                      ELSE SQLSTATE END;
        END;
        out := out || r;
    END LOOP;
    RETURN out;
END
$$;

-- jwt.authenticate switches role and sets transaction-local claims; each call
-- runs in a subtransaction that is always rolled back (the RAISE of SOK00
-- after a success), as BEGIN; SELECT jwt.authenticate(tok); ROLLBACK would.
-- A success must have switched to soak_user and made jwt.claims() return the
-- token's claims; after the rollback the role and claims must be gone.
CREATE OR REPLACE FUNCTION soak.authenticate(toks text[]) RETURNS text[]
    LANGUAGE plpgsql AS $$
DECLARE
    out text[] := '{}';
    t text;
    r text;
    c jsonb;
    msg text;
    detail text;
    ctx text;
BEGIN
    FOREACH t IN ARRAY toks LOOP
        r := NULL;
        BEGIN
            c := jwt.authenticate(t);
            IF current_user::text <> 'soak_user' THEN
                r := 'norole:' || current_user;
            ELSIF jwt.claims() IS DISTINCT FROM c OR c ->> 'sub' IS NULL THEN
                r := 'noclaims';
            ELSE
                r := 'ok';
            END IF;
            RAISE EXCEPTION USING ERRCODE = 'SOK00';
        EXCEPTION
            WHEN SQLSTATE 'SOK00' THEN NULL;
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
                                        ctx = PG_EXCEPTION_CONTEXT;
                r := CASE WHEN soak.leaks(concat_ws(' ', msg, detail, ctx), t, NULL) THEN 'LEAK'
                          ELSE SQLSTATE END;
        END;
        IF current_user <> session_user THEN
            r := 'role-kept:' || current_user;
        ELSIF jwt.claims() IS NOT NULL THEN
            r := 'claims-kept';
        END IF;
        out := out || r;
    END LOOP;
    RETURN out;
END
$$;

DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'soak_user') THEN
        CREATE ROLE soak_user;
    END IF;
END $$;
GRANT USAGE ON SCHEMA jwt TO soak_user;

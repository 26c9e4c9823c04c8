#!/usr/bin/python3
"""Interop of pg_jwt's HS256/HS384/HS512 tokens with PyJWT, both directions.

Run with Debian's /usr/bin/python3 (python3-jwt, python3-psycopg2) inside a
cluster: the libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD,
PGDATABASE) says where. Prints one line per failed check and ends with
exactly one line "N passed, N failed"; exits non-zero when a check failed.
Pass -v to print every check.
"""

import json
import os
import sys
import time

import jwt
import psycopg2

ALGS = ("HS256", "HS384", "HS512")
SECRET = "pg_jwt interop secret: 0123456789abcdef0123456789abcdef0123456789abcdef"
OTHER_SECRET = "pg_jwt interop secret: a different one, 0123456789abcdef0123456789"
# Non-ASCII text secret: both sides must use its UTF-8 bytes.
UNICODE_SECRET = "clé secrète ünïcödé 🔑 0123456789abcdef0123456789abcdef"
# Binary secret with NUL, high bytes and invalid UTF-8 sequences.
BINARY_SECRET = bytes([0x00, 0xFF, 0xFE, 0x80, 0xC3, 0x28, 0x0A, 0x27, 0x5C]) + bytes(range(1, 64, 3))
NOW = int(time.time())

PAYLOADS = {
    "simple": {"sub": "1234567890", "name": "John Doe", "admin": True},
    "unicode": {"name": "Zoë Ñandú", "greeting": "こんにちは 世界", "emoji": "😀🎉", "quote": "a\"b\\c\n\t/"},
    "nested": {"a": {"b": [1, 2, {"c": None, "d": [[], {}]}]}, "roles": ["x", "y"], "e": {}},
    "numbers": {"int": 42, "neg": -7, "float": 3.25, "big": 9007199254740991, "zero": 0, "small": 1.5e-7},
    "exp-future": {"sub": "user-1", "iat": NOW, "nbf": NOW - 60, "exp": NOW + 3600},
}

VERBOSE = "-v" in sys.argv[1:]
passed = 0
failed = 0


def check(name, fn):
    """Runs one test case; fn returns None on success or raises/returns a message."""
    global passed, failed
    try:
        problem = fn()
    except Exception as exc:  # any error is a failure of this case only
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        failed += 1
        print(f"FAIL {name}: {problem}")
    else:
        passed += 1
        if VERBOSE:
            print(f"ok   {name}")


def expect_equal(what, got, want):
    if got != want:
        return f"{what}: got {got!r}, want {want!r}"
    return None


try:
    conn = psycopg2.connect(dbname=os.environ.get("PGDATABASE", "postgres"))
    conn.autocommit = True
    conn.set_client_encoding("UTF8")
    with conn.cursor() as setup:
        setup.execute("CREATE EXTENSION IF NOT EXISTS pg_jwt")
except psycopg2.Error as exc:
    print(f"FAIL setup: {exc}".rstrip())
    print("0 passed, 1 failed")
    sys.exit(1)


def sql(query, *args):
    with conn.cursor() as cur:
        cur.execute(query, args)
        return cur.fetchone()


def sql_sign(payload_text, key, alg, cast="", header=None):
    # key as str binds text, as bytes binds bytea: this picks the overload.
    if header is None:
        return sql(f"SELECT jwt.sign(%s{cast}, %s, %s)", payload_text, key, alg)[0]
    return sql(f"SELECT jwt.sign(%s{cast}, %s, %s, %s::jsonb)", payload_text, key, alg, header)[0]


def sql_verify(token, key, alg):
    """(valid, header dict, payload dict) as jwt.verify reports them."""
    valid, header, payload = sql(
        "SELECT valid, header::text, payload::text FROM jwt.verify(%s, %s, %s)", token, key, alg)
    return valid, json.loads(header), json.loads(payload)


def flip_first_signature_char(token):
    # The first character carries six significant bits; flipping the last one
    # might only touch padding bits that lenient decoders ignore.
    head, body, sig = token.split(".")
    first = "B" if sig[0] != "B" else "C"
    return f"{head}.{body}.{first}{sig[1:]}"


# -- (a) signed in SQL, verified by PyJWT ---------------------------------------
for alg in ALGS:
    for pname, payload in PAYLOADS.items():
        for cast in ("", "::jsonb"):
            def sql_to_pyjwt(alg=alg, payload=payload, cast=cast):
                token = sql_sign(json.dumps(payload, ensure_ascii=False), SECRET, alg, cast)
                claims = jwt.decode(token, SECRET, algorithms=[alg])
                return (expect_equal("claims", claims, payload)
                        or expect_equal("header", jwt.get_unverified_header(token), {"alg": alg, "typ": "JWT"}))
            check(f"sql->pyjwt {alg} {pname} payload{cast or '::text'}", sql_to_pyjwt)

    def sql_header_to_pyjwt(alg=alg):
        token = sql_sign('{"sub":"h"}', SECRET, alg, header='{"kid":"key-1","cty":"x"}')
        claims = jwt.decode(token, SECRET, algorithms=[alg])
        return (expect_equal("claims", claims, {"sub": "h"})
                or expect_equal("header", jwt.get_unverified_header(token),
                                {"alg": alg, "typ": "JWT", "kid": "key-1", "cty": "x"}))
    check(f"sql->pyjwt {alg} extra header members", sql_header_to_pyjwt)

    def sql_unicode_secret(alg=alg):
        token = sql_sign('{"sub":"u"}', UNICODE_SECRET, alg)
        return expect_equal("claims", jwt.decode(token, UNICODE_SECRET, algorithms=[alg]), {"sub": "u"})
    check(f"sql->pyjwt {alg} non-ASCII text secret", sql_unicode_secret)

    def sql_binary_secret(alg=alg):
        token = sql_sign('{"sub":"b"}', BINARY_SECRET, alg)
        return expect_equal("claims", jwt.decode(token, BINARY_SECRET, algorithms=[alg]), {"sub": "b"})
    check(f"sql->pyjwt {alg} binary secret (bytea)", sql_binary_secret)

# -- (b) signed by PyJWT, verified in SQL ---------------------------------------
for alg in ALGS:
    for pname, payload in PAYLOADS.items():
        def pyjwt_to_sql(alg=alg, payload=payload):
            token = jwt.encode(payload, SECRET, algorithm=alg)
            valid, header, claims = sql_verify(token, SECRET, alg)
            return (expect_equal("valid", valid, True)
                    or expect_equal("payload", claims, payload)
                    or expect_equal("header", header, {"alg": alg, "typ": "JWT"}))
        check(f"pyjwt->sql {alg} {pname}", pyjwt_to_sql)

    def pyjwt_kid_to_sql(alg=alg):
        token = jwt.encode({"sub": "k"}, SECRET, algorithm=alg, headers={"kid": "key-2"})
        valid, header, _ = sql_verify(token, SECRET, alg)
        return expect_equal("valid", valid, True) or expect_equal(
            "header", header, {"alg": alg, "typ": "JWT", "kid": "key-2"})
    check(f"pyjwt->sql {alg} kid header", pyjwt_kid_to_sql)

    def pyjwt_unicode_secret(alg=alg):
        token = jwt.encode({"sub": "u"}, UNICODE_SECRET, algorithm=alg)
        return expect_equal("valid", sql_verify(token, UNICODE_SECRET, alg)[0], True)
    check(f"pyjwt->sql {alg} non-ASCII text secret", pyjwt_unicode_secret)

    def pyjwt_binary_secret(alg=alg):
        token = jwt.encode({"sub": "b"}, BINARY_SECRET, algorithm=alg)
        valid, _, claims = sql_verify(token, BINARY_SECRET, alg)
        return expect_equal("valid", valid, True) or expect_equal("payload", claims, {"sub": "b"})
    check(f"pyjwt->sql {alg} binary secret (bytea)", pyjwt_binary_secret)

# -- (c) negatives ----------------------------------------------------------------
for alg in ALGS:
    def wrong_secret_in_sql(alg=alg):
        token = jwt.encode({"sub": "w"}, OTHER_SECRET, algorithm=alg)
        return expect_equal("valid", sql_verify(token, SECRET, alg)[0], False)
    check(f"pyjwt->sql {alg} different secret is invalid", wrong_secret_in_sql)

    def wrong_binary_secret_in_sql(alg=alg):
        token = jwt.encode({"sub": "w"}, BINARY_SECRET[:-1] + b"\x00", algorithm=alg)
        return expect_equal("valid", sql_verify(token, BINARY_SECRET, alg)[0], False)
    check(f"pyjwt->sql {alg} different binary secret is invalid", wrong_binary_secret_in_sql)

    def flipped_sig_in_pyjwt(alg=alg):
        token = flip_first_signature_char(sql_sign('{"sub":"f"}', SECRET, alg))
        try:
            jwt.decode(token, SECRET, algorithms=[alg])
        except jwt.InvalidSignatureError:
            return None
        return "PyJWT accepted a token with a flipped signature character"
    check(f"sql->pyjwt {alg} flipped signature char is refused", flipped_sig_in_pyjwt)

    def flipped_sig_in_sql(alg=alg):
        token = flip_first_signature_char(jwt.encode({"sub": "f"}, SECRET, algorithm=alg))
        return expect_equal("valid", sql_verify(token, SECRET, alg)[0], False)
    check(f"pyjwt->sql {alg} flipped signature char is invalid", flipped_sig_in_sql)

    def binary_secret_wrong_in_pyjwt(alg=alg):
        token = sql_sign('{"sub":"b"}', BINARY_SECRET, alg)
        try:
            jwt.decode(token, BINARY_SECRET[1:], algorithms=[alg])
        except jwt.InvalidSignatureError:
            return None
        return "PyJWT accepted a bytea-signed token with a different secret"
    check(f"sql->pyjwt {alg} binary secret mismatch is refused", binary_secret_wrong_in_pyjwt)

    def expired_in_sql(alg=alg):
        token = jwt.encode({"sub": "e", "exp": NOW - 120}, SECRET, algorithm=alg)
        valid, _, claims = sql_verify(token, SECRET, alg)
        return expect_equal("valid", valid, False) or expect_equal("payload", claims, {"sub": "e", "exp": NOW - 120})
    check(f"pyjwt->sql {alg} expired token is invalid", expired_in_sql)

    def not_yet_valid_in_sql(alg=alg):
        token = jwt.encode({"sub": "n", "nbf": NOW + 3600}, SECRET, algorithm=alg)
        return expect_equal("valid", sql_verify(token, SECRET, alg)[0], False)
    check(f"pyjwt->sql {alg} nbf in the future is invalid", not_yet_valid_in_sql)

    def expired_in_pyjwt(alg=alg):
        token = sql_sign(json.dumps({"sub": "e", "exp": NOW - 120}), SECRET, alg)
        try:
            jwt.decode(token, SECRET, algorithms=[alg])
        except jwt.ExpiredSignatureError:
            return None
        return "PyJWT accepted an expired token signed in SQL"
    check(f"sql->pyjwt {alg} expired token is refused", expired_in_pyjwt)

for signed, verified in (("HS384", "HS256"), ("HS256", "HS384"), ("HS512", "HS256")):
    def alg_mismatch_in_sql(signed=signed, verified=verified):
        token = jwt.encode({"sub": "a"}, SECRET, algorithm=signed)
        return expect_equal("valid", sql_verify(token, SECRET, verified)[0], False)
    check(f"pyjwt->sql {signed} token verified as {verified} is invalid", alg_mismatch_in_sql)

    def alg_mismatch_in_pyjwt(signed=signed, verified=verified):
        token = sql_sign('{"sub":"a"}', SECRET, signed)
        try:
            jwt.decode(token, SECRET, algorithms=[verified])
        except jwt.InvalidAlgorithmError:
            return None
        return "PyJWT accepted a token whose alg is not in algorithms"
    check(f"sql->pyjwt {signed} token verified as {verified} is refused", alg_mismatch_in_pyjwt)

conn.close()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

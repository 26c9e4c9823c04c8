#!/usr/bin/python3
"""Interop of pg_jwt's tokens with PyJWT, both directions: HS256/384/512,
RS256/384/512, PS256/384/512, ES256/384/512, ES256K and EdDSA (Ed25519 and
Ed448 keys); the RFC 9864 names Ed25519 and Ed448 through algorithms
registered with PyJWT (jwt.register_algorithm); key sets as identity
providers publish them (Keycloak's with its encryption key, Firebase's
certificate map, Supabase's mix of an EC and an oct key) with tokens PyJWT
signs. Asymmetric keys are the fixed ones in test/keys.

Run with Debian's /usr/bin/python3 (python3-jwt, python3-psycopg2) inside a
cluster: the libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD,
PGDATABASE) says where. Prints one line per failed check and ends with
exactly one line "N passed, N failed"; exits non-zero when a check failed.
Pass -v to print every check.
"""

import base64
import json
import os
import sys
import time

import jwt
import psycopg2
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, x25519
from cryptography.hazmat.primitives.serialization import (Encoding, PublicFormat, load_pem_private_key,
                                                          load_pem_public_key)
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

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

# == asymmetric algorithms ==========================================================
# Every algorithm PyJWT 2.6 has for RSA, EC and OKP keys, with the fixed keys
# of test/keys. PyJWT has no RFC 9864 names: they are registered here with its
# own EdDSA implementation (OKPAlgorithm), which signs with either curve.
jwt.register_algorithm("Ed25519", OKPAlgorithm())
jwt.register_algorithm("Ed448", OKPAlgorithm())

KEY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keys")

# (algorithm, key file stem): PKCS#8 private <stem>.pem, SPKI public <stem>.pub.pem.
ASYM = (
    ("RS256", "rsa2048"), ("RS384", "rsa2048"), ("RS512", "rsa2048"),
    ("PS256", "rsa2048"), ("PS384", "rsa2048"), ("PS512", "rsa2048"),
    ("RS256", "rsa3072"), ("PS512", "rsa3072"),
    ("ES256", "ec_p256"), ("ES384", "ec_p384"), ("ES512", "ec_p521"), ("ES256K", "ec_secp256k1"),
    ("EdDSA", "ed25519"), ("EdDSA", "ed448"),
    ("Ed25519", "ed25519"), ("Ed448", "ed448"),
)
ASYM_PAYLOADS = (("simple", ""), ("simple", "::jsonb"), ("unicode", ""), ("exp-future", "::jsonb"))
# Other private key files in the same format (PKCS#1 RSA, SEC1 EC).
OTHER_PRIVATE_FORMATS = {
    "rsa2048": (("PKCS#1", "rsa2048.pkcs1.pem"),),
    "ec_p256": (("SEC1", "ec_p256.sec1.pem"),),
    "ec_p384": (("SEC1", "ec_p384.sec1.pem"),),
    "ec_p521": (("SEC1", "ec_p521.sec1.pem"),),
    "ec_secp256k1": (("SEC1", "ec_secp256k1.sec1.pem"),),
}
# Other public key files for the same key (X.509 certificate, PKCS#1 RSA public).
OTHER_PUBLIC_FORMATS = {
    "rsa2048": (("X.509 certificate", "rsa2048.cert.pem"), ("PKCS#1 public", "rsa2048.pkcs1.pub.pem")),
}
JWK_CLASS = {"RS": RSAAlgorithm, "PS": RSAAlgorithm, "Ed": OKPAlgorithm}
# Randomised signatures: two signatures of the same input differ.
RANDOMISED = ("PS", "ES")


def read_key(name):
    with open(os.path.join(KEY_DIR, name), encoding="ascii") as f:
        return f.read()


def other_private_key(stem):
    """A key of the same type (and curve) that is not the fixed one."""
    if stem == "rsa2048":
        return load_pem_private_key(read_key("rsa3072.pem").encode(), None)
    if stem == "rsa3072":
        return load_pem_private_key(read_key("rsa2048.pem").encode(), None)
    if stem == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if stem == "ed448":
        return ed448.Ed448PrivateKey.generate()
    curve = {"ec_p256": ec.SECP256R1, "ec_p384": ec.SECP384R1, "ec_p521": ec.SECP521R1,
             "ec_secp256k1": ec.SECP256K1}[stem]
    return ec.generate_private_key(curve())


def to_jwk(family, key, **members):
    """The JWK of key (public or private) for the algorithm family (the first
    two letters of an algorithm), members added. PyJWT makes RSA and OKP JWKs;
    PyJWT 2.6 encodes EC coordinates without their leading zero bytes (RFC
    7518 section 6.2.1.2 wants the full size, and pg_jwt insists), so EC JWKs
    are built from cryptography's numbers here."""
    if family.startswith("ES"):
        return {**ec_jwk(key), **members}
    return {**json.loads(JWK_CLASS[family[:2]].to_jwk(key)), **members}


def b64url_fixed(value, size):
    return base64.urlsafe_b64encode(value.to_bytes(size, "big")).rstrip(b"=").decode()


def ec_jwk(key):
    crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521", "secp256k1": "secp256k1"}[key.curve.name]
    size = (key.curve.key_size + 7) // 8
    public = key.public_key() if hasattr(key, "private_numbers") else key
    numbers = public.public_numbers()
    jwk = {"kty": "EC", "crv": crv, "x": b64url_fixed(numbers.x, size), "y": b64url_fixed(numbers.y, size)}
    if hasattr(key, "private_numbers"):
        jwk["d"] = b64url_fixed(key.private_numbers().private_value, size)
    return jwk


def expect_refused(what, fn, error):
    try:
        fn()
    except error:
        return None
    except Exception as exc:  # a different refusal is a failure too
        return f"{what}: {type(exc).__name__}: {exc}"
    return f"{what}: accepted"


def sql_sign_jwk(payload_text, jwk, alg=None):
    """jwt.sign with the jsonb key overload; alg None passes SQL NULL."""
    return sql("SELECT jwt.sign(%s, %s::jsonb, %s)", payload_text, json.dumps(jwk), alg)[0]


def sql_verify_jsonb(token, key_json, alg=None):
    valid, header, payload = sql(
        "SELECT valid, header::text, payload::text FROM jwt.verify(%s, %s::jsonb, %s)", token, key_json, alg)
    return valid, json.loads(header), json.loads(payload)


KEYS = {}
for _alg, stem in ASYM:
    if stem not in KEYS:
        private_pem = read_key(f"{stem}.pem")
        public_pem = read_key(f"{stem}.pub.pem")
        other = other_private_key(stem)
        KEYS[stem] = {
            "private_pem": private_pem, "public_pem": public_pem,
            "private": load_pem_private_key(private_pem.encode(), None),
            "public": load_pem_public_key(public_pem.encode()),
            "other": other,
            "other_public": other.public_key(),
        }

# -- (d) signed in SQL, verified by PyJWT ---------------------------------------
for alg, stem in ASYM:
    k = KEYS[stem]
    label = f"{alg}/{stem}"
    for pname, cast in ASYM_PAYLOADS:
        def asym_sql_to_pyjwt(alg=alg, k=k, payload=PAYLOADS[pname], cast=cast):
            token = sql_sign(json.dumps(payload, ensure_ascii=False), k["private_pem"], alg, cast)
            claims = jwt.decode(token, k["public"], algorithms=[alg])
            return (expect_equal("claims", claims, payload)
                    or expect_equal("header", jwt.get_unverified_header(token), {"alg": alg, "typ": "JWT"}))
        check(f"sql->pyjwt {label} {pname} payload{cast or '::text'}", asym_sql_to_pyjwt)

    for fmt, fname in OTHER_PRIVATE_FORMATS.get(stem, ()):
        def asym_private_format(alg=alg, k=k, fname=fname):
            token = sql_sign('{"sub":"p"}', read_key(fname), alg)
            return expect_equal("claims", jwt.decode(token, k["public"], algorithms=[alg]), {"sub": "p"})
        check(f"sql->pyjwt {label} signed with the {fmt} private key", asym_private_format)

    def asym_private_jwk_jsonb(alg=alg, k=k):
        # algorithm NULL: the JWK's alg; its kid goes into the header.
        token = sql_sign_jwk('{"sub":"j"}', to_jwk(alg, k["private"], alg=alg, kid="pyjwt-private"))
        return (expect_equal("claims", jwt.decode(token, k["public"], algorithms=[alg]), {"sub": "j"})
                or expect_equal("header", jwt.get_unverified_header(token),
                                {"alg": alg, "typ": "JWT", "kid": "pyjwt-private"}))
    check(f"sql->pyjwt {label} signed with a private JWK ::jsonb, algorithm NULL", asym_private_jwk_jsonb)

    def asym_private_jwk_text(alg=alg, k=k):
        token = sql_sign('{"sub":"j"}', json.dumps(to_jwk(alg, k["private"])), alg)
        return (expect_equal("claims", jwt.decode(token, k["public"], algorithms=[alg]), {"sub": "j"})
                or expect_equal("header", jwt.get_unverified_header(token), {"alg": alg, "typ": "JWT"}))
    check(f"sql->pyjwt {label} signed with a private JWK as text", asym_private_jwk_text)

    def asym_sql_header(alg=alg, k=k):
        token = sql_sign('{"sub":"h"}', k["private_pem"], alg, header='{"kid":"key-1","cty":"x"}')
        return (expect_equal("claims", jwt.decode(token, k["public"], algorithms=[alg]), {"sub": "h"})
                or expect_equal("header", jwt.get_unverified_header(token),
                                {"alg": alg, "typ": "JWT", "kid": "key-1", "cty": "x"}))
    check(f"sql->pyjwt {label} extra header members", asym_sql_header)

    def asym_flipped_in_pyjwt(alg=alg, k=k):
        token = flip_first_signature_char(sql_sign('{"sub":"f"}', k["private_pem"], alg))
        return expect_refused("flipped signature", lambda: jwt.decode(token, k["public"], algorithms=[alg]),
                              jwt.InvalidSignatureError)
    check(f"sql->pyjwt {label} flipped signature char is refused", asym_flipped_in_pyjwt)

    def asym_other_key_in_pyjwt(alg=alg, k=k):
        token = sql_sign('{"sub":"o"}', k["private_pem"], alg)
        return expect_refused("other public key", lambda: jwt.decode(token, k["other_public"], algorithms=[alg]),
                              jwt.InvalidSignatureError)
    check(f"sql->pyjwt {label} another public key is refused", asym_other_key_in_pyjwt)

    def asym_expired_in_pyjwt(alg=alg, k=k):
        token = sql_sign(json.dumps({"sub": "e", "exp": NOW - 120}), k["private_pem"], alg)
        return expect_refused("expired", lambda: jwt.decode(token, k["public"], algorithms=[alg]),
                              jwt.ExpiredSignatureError)
    check(f"sql->pyjwt {label} expired token is refused", asym_expired_in_pyjwt)

    if alg.startswith(RANDOMISED):
        def asym_randomised(alg=alg, k=k):
            first, second = sql("SELECT jwt.sign(%s, %s, %s), jwt.sign(%s, %s, %s)",
                                '{"sub":"r"}', k["private_pem"], alg, '{"sub":"r"}', k["private_pem"], alg)
            if first == second:
                return f"two signatures are equal: {first}"
            return (expect_equal("claims 1", jwt.decode(first, k["public"], algorithms=[alg]), {"sub": "r"})
                    or expect_equal("claims 2", jwt.decode(second, k["public"], algorithms=[alg]), {"sub": "r"}))
        check(f"sql->pyjwt {label} signing twice gives two different tokens, both verify", asym_randomised)

# -- (e) signed by PyJWT, verified in SQL ---------------------------------------
for alg, stem in ASYM:
    k = KEYS[stem]
    label = f"{alg}/{stem}"
    for pname in ("simple", "unicode", "exp-future"):
        def asym_pyjwt_to_sql(alg=alg, k=k, payload=PAYLOADS[pname]):
            token = jwt.encode(payload, k["private"], algorithm=alg)
            valid, header, claims = sql_verify(token, k["public_pem"], alg)
            return (expect_equal("valid", valid, True)
                    or expect_equal("payload", claims, payload)
                    or expect_equal("header", header, {"alg": alg, "typ": "JWT"}))
        check(f"pyjwt->sql {label} {pname}", asym_pyjwt_to_sql)

    def asym_pyjwt_kid(alg=alg, k=k):
        token = jwt.encode({"sub": "k"}, k["private"], algorithm=alg, headers={"kid": "key-2"})
        valid, header, _ = sql_verify(token, k["public_pem"], alg)
        return expect_equal("valid", valid, True) or expect_equal(
            "header", header, {"alg": alg, "typ": "JWT", "kid": "key-2"})
    check(f"pyjwt->sql {label} kid header", asym_pyjwt_kid)

    for fmt, fname in OTHER_PUBLIC_FORMATS.get(stem, ()):
        def asym_public_format(alg=alg, k=k, fname=fname):
            token = jwt.encode({"sub": "p"}, k["private"], algorithm=alg)
            valid, _, claims = sql_verify(token, read_key(fname), alg)
            return expect_equal("valid", valid, True) or expect_equal("payload", claims, {"sub": "p"})
        check(f"pyjwt->sql {label} verified with the {fmt}", asym_public_format)

    def asym_public_jwk_text(alg=alg, k=k):
        token = jwt.encode({"sub": "j"}, k["private"], algorithm=alg)
        valid, _, claims = sql_verify(token, json.dumps(to_jwk(alg, k["public"])), alg)
        return expect_equal("valid", valid, True) or expect_equal("payload", claims, {"sub": "j"})
    check(f"pyjwt->sql {label} verified with the public JWK as text", asym_public_jwk_text)

    def asym_public_jwk_jsonb(alg=alg, k=k):
        token = jwt.encode({"sub": "j"}, k["private"], algorithm=alg)
        valid, _, claims = sql_verify_jsonb(token, json.dumps(to_jwk(alg, k["public"])), alg)
        return expect_equal("valid", valid, True) or expect_equal("payload", claims, {"sub": "j"})
    check(f"pyjwt->sql {label} verified with the public JWK ::jsonb", asym_public_jwk_jsonb)

    def asym_public_jwk_jsonb_alg_null(alg=alg, k=k):
        token = jwt.encode({"sub": "j"}, k["private"], algorithm=alg)
        valid, _, claims = sql_verify_jsonb(token, json.dumps(to_jwk(alg, k["public"], alg=alg)))
        return expect_equal("valid", valid, True) or expect_equal("payload", claims, {"sub": "j"})
    check(f"pyjwt->sql {label} verified with the public JWK ::jsonb (its alg), algorithm NULL",
          asym_public_jwk_jsonb_alg_null)

    def asym_jwks_kid(alg=alg, k=k):
        keys = {"keys": [to_jwk(alg, k["other_public"], kid="a"), to_jwk(alg, k["public"], kid="b")]}
        token = jwt.encode({"sub": "s"}, k["private"], algorithm=alg, headers={"kid": "b"})
        valid, header, _ = sql_verify(token, json.dumps(keys), alg)
        return expect_equal("valid", valid, True) or expect_equal(
            "header", header, {"alg": alg, "typ": "JWT", "kid": "b"})
    check(f"pyjwt->sql {label} JWK set as text, kid selects", asym_jwks_kid)

    def asym_jwks_unknown_kid(alg=alg, k=k):
        keys = {"keys": [to_jwk(alg, k["other_public"], kid="a"), to_jwk(alg, k["public"], kid="b")]}
        token = jwt.encode({"sub": "s"}, k["private"], algorithm=alg, headers={"kid": "c"})
        return expect_equal("valid", sql_verify_jsonb(token, json.dumps(keys), alg)[0], False)
    check(f"pyjwt->sql {label} JWK set ::jsonb, unknown kid is invalid", asym_jwks_unknown_kid)

    def asym_other_key_in_sql(alg=alg, k=k):
        token = jwt.encode({"sub": "o"}, k["other"], algorithm=alg)
        return expect_equal("valid", sql_verify(token, k["public_pem"], alg)[0], False)
    check(f"pyjwt->sql {label} signed with another key is invalid", asym_other_key_in_sql)

    def asym_flipped_in_sql(alg=alg, k=k):
        token = flip_first_signature_char(jwt.encode({"sub": "f"}, k["private"], algorithm=alg))
        return expect_equal("valid", sql_verify(token, k["public_pem"], alg)[0], False)
    check(f"pyjwt->sql {label} flipped signature char is invalid", asym_flipped_in_sql)

    def asym_expired_in_sql(alg=alg, k=k):
        token = jwt.encode({"sub": "e", "exp": NOW - 120}, k["private"], algorithm=alg)
        valid, _, claims = sql_verify(token, k["public_pem"], alg)
        return expect_equal("valid", valid, False) or expect_equal("payload", claims, {"sub": "e", "exp": NOW - 120})
    check(f"pyjwt->sql {label} expired token is invalid", asym_expired_in_sql)

# Same key, another algorithm of its family: the token's alg decides nothing.
for signed, verified, stem in (("RS256", "PS256", "rsa2048"), ("PS256", "RS256", "rsa2048"),
                               ("RS512", "RS256", "rsa2048"), ("EdDSA", "Ed25519", "ed25519"),
                               ("Ed25519", "EdDSA", "ed25519"), ("Ed448", "EdDSA", "ed448")):
    k = KEYS[stem]

    def asym_alg_mismatch_in_sql(signed=signed, verified=verified, k=k):
        token = jwt.encode({"sub": "a"}, k["private"], algorithm=signed)
        return expect_equal("valid", sql_verify(token, k["public_pem"], verified)[0], False)
    check(f"pyjwt->sql {signed}/{stem} token verified as {verified} is invalid", asym_alg_mismatch_in_sql)

    def asym_alg_mismatch_in_pyjwt(signed=signed, verified=verified, k=k):
        token = sql_sign('{"sub":"a"}', k["private_pem"], signed)
        return expect_refused("alg mismatch", lambda: jwt.decode(token, k["public"], algorithms=[verified]),
                              jwt.InvalidAlgorithmError)
    check(f"sql->pyjwt {signed}/{stem} token verified as {verified} is refused", asym_alg_mismatch_in_pyjwt)


# PyJWT 2.6's own EC JWK drops leading zero bytes of the coordinates: for
# P-521 about every other key. pg_jwt refuses such a JWK as a bad key (22023,
# RFC 7518 section 6.2.1.2); the same key with full-size coordinates verifies.
def p521_key_with_short_x():
    for _ in range(200):
        key = ec.generate_private_key(ec.SECP521R1())
        if key.public_key().public_numbers().x.bit_length() <= 520:
            return key
    raise RuntimeError("no P-521 key with a leading zero byte in x")


def pyjwt_short_p521_jwk():
    key = p521_key_with_short_x()
    token = jwt.encode({"sub": "z"}, key, algorithm="ES512")
    short = ECAlgorithm.to_jwk(key.public_key())
    if len(json.loads(short)["x"]) == 88:
        return "PyJWT's JWK has a full-size x: this check no longer tests anything"
    try:
        sql_verify(token, short, "ES512")
    except psycopg2.Error as exc:
        if exc.pgcode != "22023":
            return f"SQLSTATE {exc.pgcode}, want 22023: {exc}"
    else:
        return "the JWK with a short x was accepted"
    valid, _, claims = sql_verify(token, json.dumps(ec_jwk(key.public_key())), "ES512")
    return expect_equal("valid", valid, True) or expect_equal("payload", claims, {"sub": "z"})
check("pyjwt->sql ES512 PyJWT's JWK with a short P-521 coordinate is refused (22023), padded one verifies",
      pyjwt_short_p521_jwk)

# -- (f) secrets jwt.generate_key made, given to PyJWT as text -----------------------
# Issue 16, item 3: a generated HMAC secret is printable text whose bytes are
# the secret, so that it can be pasted where PostgREST, PostGraphile or
# Supabase (and PyJWT) take a text secret. The owner reads it out of the
# keyring as README "The keyring" shows; tokens go both ways with it.
SECRET_TEXT_SQL = "SELECT convert_from(jwt.url_decode(private_jwk ->> 'k'), 'UTF8') FROM jwt.keys WHERE kid = %s"
for alg, length in (("HS256", 43), ("HS384", 64), ("HS512", 86)):
    def generated_secret(alg=alg, length=length):
        kid = sql("SELECT jwt.generate_key(%s)", alg)[0]
        try:
            secret = sql(SECRET_TEXT_SQL, kid)[0]
            if len(secret) != length or not all(c.isascii() and (c.isalnum() or c in "-_") for c in secret):
                return f"secret {secret!r}: want {length} base64url characters"
            token = sql("SELECT jwt.issue(%s::jsonb, '1 hour', %s)", json.dumps({"sub": "alice"}), kid)[0]
            claims = jwt.decode(token, secret, algorithms=[alg])
            problem = (expect_equal("sub", claims.get("sub"), "alice")
                       or expect_equal("header", jwt.get_unverified_header(token), {"alg": alg, "typ": "JWT", "kid": kid}))
            if problem:
                return problem
            # And PyJWT's token, signed with the text, validates with the keyring key.
            theirs = jwt.encode({"sub": "bob", "exp": NOW + 600}, secret, algorithm=alg, headers={"kid": kid})
            return expect_equal("validated sub", sql("SELECT jwt.validate(%s) ->> 'sub'", theirs)[0], "bob")
        finally:
            sql("DELETE FROM jwt.keys WHERE kid = %s RETURNING kid", kid)
    check(f"sql<->pyjwt {alg} secret made by jwt.generate_key, given to PyJWT as its text", generated_secret)


# -- (e) key sets as providers publish them, signed by PyJWT ---------------------
# Keys SQL must skip around the signing key (RFC 7517 section 5): Keycloak's
# RSA-OAEP encryption key, an X25519 key; Firebase's certificate map;
# Supabase's set of its ES256 key and its HS256 secret, with algorithm NULL.
def x25519_jwk():
    raw = x25519.X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "X25519", "use": "enc", "alg": "ECDH-ES", "kid": "ecdh",
            "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}


KEYCLOAK = {"keys": [to_jwk("RS256", KEYS["rsa3072"]["public"], kid="kc-enc", use="enc", alg="RSA-OAEP"),
                     x25519_jwk(), to_jwk("RS256", KEYS["rsa2048"]["public"], kid="kc-sig", use="sig", alg="RS256")]}
FIREBASE = {"fb-1": read_key("rsa2048.cert.pem")}
SUPABASE_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
SUPABASE = {"keys": [to_jwk("ES256", KEYS["ec_p256"]["public"], kid="sb-ec", use="sig", key_ops=["verify"], alg="ES256"),
                     {"kty": "oct", "alg": "HS256",
                      "k": base64.urlsafe_b64encode(SUPABASE_SECRET.encode()).rstrip(b"=").decode()}]}


def sql_validate(token, key_text, **policy):
    names = "".join(f", {name} => %s" for name in policy)
    return sql(f"SELECT jwt.validate(%s, %s{names})::text", token, key_text, *policy.values())[0]


def keycloak_set():
    token = jwt.encode({"sub": "kc"}, KEYS["rsa2048"]["private"], algorithm="RS256", headers={"kid": "kc-sig"})
    valid, _, claims = sql_verify_jsonb(token, json.dumps(KEYCLOAK))
    return (expect_equal("valid", valid, True) or expect_equal("payload", claims, {"sub": "kc"})
            or expect_equal("validate", json.loads(sql_validate(token, json.dumps(KEYCLOAK))), {"sub": "kc"}))
check("pyjwt->sql RS256 Keycloak-shaped set (RSA-OAEP and X25519 keys skipped) ::jsonb, algorithm NULL", keycloak_set)


def firebase_map():
    claims = {"sub": "fb", "aud": "proj", "iss": "https://securetoken.google.com/proj", "exp": NOW + 3600}
    token = jwt.encode(claims, KEYS["rsa2048"]["private"], algorithm="RS256", headers={"kid": "fb-1"})
    got = sql_validate(token, json.dumps(FIREBASE), audience="proj", issuer="https://securetoken.google.com/proj")
    return expect_equal("claims", json.loads(got), claims)
check("pyjwt->sql RS256 Firebase certificate map, validated", firebase_map)


def supabase_set():
    hs = jwt.encode({"role": "anon"}, SUPABASE_SECRET, algorithm="HS256")
    es = jwt.encode({"role": "authenticated"}, KEYS["ec_p256"]["private"], algorithm="ES256", headers={"kid": "sb-ec"})
    return (expect_equal("HS256", sql_verify_jsonb(hs, json.dumps(SUPABASE))[0], True)
            or expect_equal("ES256", sql_verify_jsonb(es, json.dumps(SUPABASE))[0], True))
check("pyjwt->sql HS256 and ES256 Supabase set (EC key and oct key) ::jsonb, algorithm NULL", supabase_set)

conn.close()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

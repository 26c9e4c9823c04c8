"""Shared by the soak's token factory (tokens.py, malformed.py) and limits.py:
base64url, the signers, the key profiles and the confused keys.

The factory signs tokens for one key profile (HS256 secret, RSA, EC, EdDSA, an
EC JWK set, the keyring) and makes tokens of a named category. Every token
carries its class:

    V  valid: every verifier accepts it
    R  rejected: well-formed, but signature, alg or claims do not hold
       (verify: valid = false; validate/authenticate: 28000; is_valid: false)
    M  malformed: 22P02 from every function that reads it (decode too)

A malformed token is otherwise correctly signed, so that the only fault is the
one the category names and the class does not depend on the order in which
the extension checks things. Categories that can land in either class (a
truncated or mutated signature) decide it with a strict base64url oracle.
"""
import base64
import hashlib
import hmac
import json
import os
import string

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYS = os.path.join(ROOT, "test", "keys")
B64URL = string.ascii_letters + string.digits + "-_"
MAX_TOKEN = 64 * 1024
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64_strict_ok(seg):
    """True when seg is strict base64url: alphabet, length, zero trailing bits."""
    if len(seg) % 4 == 1 or any(c not in B64URL for c in seg):
        return False
    raw = base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))
    return b64(raw) == seg


def read_key(name):
    with open(os.path.join(KEYS, name), "rb") as f:
        return f.read()


def jdump(obj):
    return json.dumps(obj, separators=(",", ":"))


# ---------------------------------------------------------------- signers

def hs_signer(secret):
    digests = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}

    def sign(alg, data):
        return hmac.new(secret, data, digests.get(alg, hashlib.sha256)).digest()
    return sign


def rsa_signer(pem):
    key = serialization.load_pem_private_key(pem, None)
    hs = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}

    def sign(alg, data):
        h = hs.get(alg[2:], hashes.SHA256)()
        if alg.startswith("PS"):
            pad = padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size)
        else:
            pad = padding.PKCS1v15()
        return key.sign(data, pad, h)
    return sign


def ec_signer(key):
    def sign(alg, data):
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return sign


def ed_signer(key):
    def sign(alg, data):
        return key.sign(data)
    return sign


def ec_public_jwk(key, kid):
    nums = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256",
            "x": b64(nums.x.to_bytes(32, "big")), "y": b64(nums.y.to_bytes(32, "big"))}


def ec_key_from_jwk(jwk):
    d = int.from_bytes(base64.urlsafe_b64decode(jwk["d"] + "=" * (-len(jwk["d"]) % 4)), "big")
    return ec.derive_private_key(d, ec.SECP256R1())


class Profile:
    """One verification setup: the key text SQL gets, the algorithm, a signer
    for that key and one for an unrelated key of the same type."""

    def __init__(self, name, alg, key_text, signer, other_signer, kids=None, pool=0):
        self.name, self.alg, self.key_text = name, alg, key_text
        self.signer, self.other_signer = signer, other_signer
        self.kids = kids or []  # a JWK set: the kids of its keys, token names one
        self.pool = pool        # >0: reuse up to this many tokens per category (slow signers)


def make_profiles(hs_secret, keyring=None):
    """The profiles of the soak. keyring: {'hs_secret', 'hs_kid', 'es_jwk', 'es_kid'}
    read back from jwt.keys after jwt.generate_key."""
    other_ec = ec.generate_private_key(ec.SECP256R1())
    ec_key = serialization.load_pem_private_key(read_key("ec_p256.pem"), None)
    ed_key = serialization.load_pem_private_key(read_key("ed25519.pem"), None)
    set_keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(3)]
    jwks = jdump({"keys": [ec_public_jwk(k, "set-%d" % i) for i, k in enumerate(set_keys)]})
    profiles = {
        "hs": Profile("hs", "HS256", hs_secret.decode(), hs_signer(hs_secret),
                      hs_signer(hs_secret + b"-other")),
        "rs": Profile("rs", "RS256", read_key("rsa2048.pub.pem").decode(),
                      rsa_signer(read_key("rsa2048.pem")), rsa_signer(read_key("rsa3072.pem")),
                      pool=24),
        "es": Profile("es", "ES256", read_key("ec_p256.pub.pem").decode(), ec_signer(ec_key),
                      ec_signer(other_ec), pool=48),
        "ed": Profile("ed", "EdDSA", read_key("ed25519.pub.pem").decode(), ed_signer(ed_key),
                      ed_signer(ed25519.Ed25519PrivateKey.generate()), pool=48),
        "jwks": Profile("jwks", "ES256", jwks, None, ec_signer(other_ec),
                        kids=[("set-%d" % i, ec_signer(k)) for i, k in enumerate(set_keys)],
                        pool=48),
    }
    if keyring:
        profiles["auth_hs"] = Profile("auth_hs", "HS256", None, hs_signer(keyring["hs_secret"]),
                                      hs_signer(b"not-the-keyring-secret-0123456789"),
                                      kids=[(keyring["hs_kid"], hs_signer(keyring["hs_secret"]))])
        es = ec_key_from_jwk(keyring["es_jwk"])
        profiles["auth_es"] = Profile("auth_es", "ES256", None, ec_signer(es), ec_signer(other_ec),
                                      kids=[(keyring["es_kid"], ec_signer(es))], pool=48)
    return profiles


def confused_keys(hs_secret):
    """Key texts that must be refused with 22023 as an HMAC secret (key
    confusion), with the algorithm to pass."""
    rsa_pub = read_key("rsa2048.pub.pem").decode()
    ec_jwk = jdump({"kty": "EC", "crv": "P-256", "x": b64(b"\1" * 32), "y": b64(b"\2" * 32)})
    return [
        ("rsa-pem-as-hs256", rsa_pub, "HS256"),
        ("rsa-pem-ws-as-hs384", "\n  " + rsa_pub + "\t\n", "HS384"),
        ("ec-pem-as-hs512", read_key("ec_p256.pub.pem").decode(), "HS512"),
        ("cert-as-hs256", read_key("rsa2048.cert.pem").decode(), "HS256"),
        ("jwk-as-hs256", ec_jwk, "HS256"),
        ("jwks-as-hs256", jdump({"keys": [json.loads(ec_jwk)]}), "HS256"),
        ("ssh-as-hs256",
         "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ1c3Qgbm90IGEga2V5IGF0IGFsbCEhISE= x@y", "HS256"),
        ("hs-secret-as-rs256", hs_secret.decode(), "RS256"),
        ("rsa-pem-as-es256", rsa_pub, "ES256"),
        ("unknown-alg", hs_secret.decode(), "HS999"),
        ("none-alg", hs_secret.decode(), "none"),
    ]

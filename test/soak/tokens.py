"""The soak's token factory: valid and rejected categories (malformed ones
are in malformed.py). See common.py for the classes V, R, M."""
import base64
import time

from common import B64URL, MAX_TOKEN, P256_N, b64, b64_strict_ok, hs_signer, jdump
from malformed import MalformedCategories


# ---------------------------------------------------------------- the factory

class Factory(MalformedCategories):
    """Makes tokens of a category for one profile; make() returns (token, class)
    where token is str, or bytes for raw non-UTF-8 text (SQL_ASCII database only)."""

    def __init__(self, profile, rng, raw_bytes=False):
        self.p, self.rng, self.raw_bytes = profile, rng, raw_bytes
        self.largest = False  # warm-up: the size-varying categories at their largest
        self.n = 0
        self.pools = {}
        self.cats = {name: (w, getattr(self, "c_" + name)) for name, w in WEIGHTS.items()
                     if self.applies(name)}
        self.names = list(self.cats)
        self.weights = [self.cats[c][0] for c in self.names]

    def applies(self, name):
        if name == "raw_bytes":
            return self.raw_bytes
        if name in ("kid_unknown", "valid_nokid"):
            return bool(self.p.kids)
        if name.startswith("ecdsa_"):
            return self.p.alg == "ES256"
        if name == "alg_hs_with_pubkey":
            return self.p.key_text is not None and not self.p.alg.startswith("HS")
        if name == "role_unknown":
            return self.p.name.startswith("auth")
        return True

    def pick(self):
        return self.rng.choices(self.names, self.weights)[0]

    def make(self, cat):
        if self.p.pool and cat not in CHEAP:
            pool = self.pools.setdefault(cat, [])
            if len(pool) >= self.p.pool:
                return self.rng.choice(pool)
            item = self.cats[cat][1]()
            pool.append(item)
            return item
        return self.cats[cat][1]()

    # -- building blocks
    def claims(self, **extra):
        self.n += 1
        now = int(time.time())
        c = {"sub": "user-%d" % self.n, "iat": now - 10, "exp": now + 86400, "role": "soak_user",
             "n": self.n}
        c.update(extra)
        return {k: v for k, v in c.items() if v is not None}

    def key_choice(self, with_kid=True):
        """(header extras, signer): a JWK set or keyring profile names the key by kid."""
        if self.p.kids:
            kid, signer = self.rng.choice(self.p.kids)
            if with_kid and (self.p.key_text is not None or self.rng.random() < 0.7):
                return {"kid": kid}, signer
            return {}, signer
        return {}, self.p.signer

    def header(self, alg=None, with_kid=True, **extra):
        kid, signer = self.key_choice(with_kid)
        h = {"alg": alg or self.p.alg, "typ": "JWT"}
        h.update(kid)
        h.update(extra)
        return jdump(h), signer

    def sign(self, header_text, payload, signer=None, alg=None):
        if isinstance(header_text, str):
            header_text = header_text.encode()
        if isinstance(payload, str):
            payload = payload.encode()
        si = b64(header_text) + "." + b64(payload)
        sig = (signer or self.p.signer)(alg or self.p.alg, si.encode())
        return si + "." + b64(sig)

    def token(self, payload=None, header=None, signer=None, alg=None):
        h, s = self.header()
        return self.sign(header or h, payload if payload is not None else jdump(self.claims()),
                         signer or s, alg)

    def with_claims_text(self, inner):
        """A payload whose members are the valid claims followed by raw JSON text."""
        base = jdump(self.claims())
        return base[:-1] + "," + inner + "}"

    def sized(self, target):
        """A valid token of exactly `target` characters (when the base64url
        length allows it, else one less)."""
        for extra in range(4):
            h, s = self.header(**({"x": "y" * extra} if extra else {}))
            base = self.sign(h, jdump(self.claims(pad="")), s)
            pad = max(0, (target - len(base)) * 3 // 4 - 2)
            for delta in range(-4, 8):
                t = self.sign(h, jdump(self.claims(pad="p" * max(0, pad + delta))), s)
                if len(t) == target:
                    return t
        return t

    # -- valid
    def c_valid(self):
        return self.token(), "V"

    def c_valid_nokid(self):
        _, s = self.key_choice(False)
        return self.sign(jdump({"alg": self.p.alg, "typ": "JWT"}), jdump(self.claims()), s), "V"

    def c_valid_unicode(self):
        inner = '"name":"\u00e9\u6f22\U0001F600\u2028","esc":"\\u00e9\\ud83d\\ude00\\n\\"\\\\\\/"'
        return self.token(self.with_claims_text(inner)), "V"

    def c_valid_bignum(self):
        inner = '"big":1e400,"int":123456789012345678901234567890,"neg":-0.0,"tiny":1.5e-300'
        return self.token(self.with_claims_text(inner)), "V"

    def c_valid_near_max(self):
        return self.sized(MAX_TOKEN - (0 if self.largest else self.rng.randrange(0, 2048))), "V"

    def c_valid_nested(self):
        d = self.rng.randrange(2, 40)
        return self.token(self.with_claims_text('"d":' + "[" * d + "1" + "]" * d)), "V"

    def c_valid_fraction(self):
        now = time.time()
        return self.token(jdump(self.claims(exp=now + 86400.25, iat=now - 10.5))), "V"

    def c_valid_noexp(self):
        return self.token(jdump(self.claims(exp=None, iat=None))), "V"

    def c_valid_many_members(self):
        n = 800 if self.largest else self.rng.randrange(50, 800)
        inner = ",".join('"m%d":%d' % (i, i) for i in range(n))
        return self.token(self.with_claims_text(inner)), "V"

    # -- rejected: well-formed, but the signature, alg or claims do not hold
    def c_sig_flip(self):
        t = self.token()
        h, p, s = t.split(".")
        i = self.rng.randrange(len(s))
        c = self.rng.choice([x for x in B64URL if x != s[i]])
        s2 = s[:i] + c + s[i + 1:]
        return h + "." + p + "." + s2, "R" if b64_strict_ok(s2) else "M"

    def c_sig_wrong_key(self):
        return self.token(signer=self.p.other_signer), "R"

    def c_tampered_payload(self):
        h, p, s = self.token().split(".")
        evil = self.claims(role=self.rng.choice(["postgres", "service_role", "soak_user"]),
                           sub="admin")
        return h + "." + b64(jdump(evil).encode()) + "." + s, "R"

    def c_tampered_header(self):
        h, p, s = self.token().split(".")
        return b64(jdump({"alg": self.p.alg, "typ": "JWS"}).encode()) + "." + p + "." + s, "R"

    def c_alg_other(self):
        others = {"HS256": ["HS384", "HS512"], "RS256": ["RS512", "PS256"],
                  "ES256": ["ES384", "ES256K"], "EdDSA": ["Ed25519", "Ed448"]}[self.p.alg]
        alg = self.rng.choice(others)
        h, s = self.header(alg=alg)
        return self.sign(h, jdump(self.claims()), s, alg), "R"

    def c_alg_none(self):
        h, p, s = self.token().split(".")
        nh = b64(jdump({"alg": self.rng.choice(["none", "None", "NONE"]), "typ": "JWT"}).encode())
        return nh + "." + p + "." + self.rng.choice(["", s]), "R"

    def c_alg_case(self):
        alg = self.rng.choice([self.p.alg.lower(), self.p.alg.capitalize(), self.p.alg + " "])
        h, s = self.header(alg=alg)
        return self.sign(h, jdump(self.claims()), s, self.p.alg), "R"

    def c_alg_hs_with_pubkey(self):
        # The classic confusion attack: HS256 keyed with the public key text.
        h, _ = self.header(alg="HS256")
        return self.sign(h, jdump(self.claims()), hs_signer(self.p.key_text.encode()), "HS256"), "R"

    def c_expired(self):
        now = int(time.time())
        return self.token(jdump(self.claims(exp=now - 3600, iat=now - 7200))), "R"

    def c_not_yet(self):
        return self.token(jdump(self.claims(nbf=int(time.time()) + 3600))), "R"

    def c_exp_string(self):
        return self.token(jdump(self.claims(exp=str(int(time.time()) + 3600)))), "R"

    def c_exp_huge(self):
        return self.token(self.with_claims_text('"nbf":' + self.rng.choice(
            ["1e300", "-1e300", "1e400", "99999999999999999999"]))), "R"

    def c_crit(self):
        h, s = self.header(crit=["x-soak"], **{"x-soak": 1})
        return self.sign(h, jdump(self.claims()), s), "R"

    def c_b64_false(self):
        h, s = self.header(crit=["b64"], b64=False)
        return self.sign(h, jdump(self.claims()), s), "R"

    def c_jwk_injection(self):
        jwk = {"kty": "oct", "k": b64(b"attacker-secret-attacker-secret!")}
        h, _ = self.header(jwk=jwk, jku="https://evil.example/jwks.json")
        return self.sign(h, jdump(self.claims()), self.p.other_signer), "R"

    def c_sig_length(self):
        h, p, s = self.token().split(".")
        raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
        raw = raw + b"\0" if self.rng.random() < 0.5 else raw[:-1]
        return h + "." + p + "." + b64(raw), "R"

    def c_sig_empty(self):
        h, p, _ = self.token().split(".")
        return h + "." + p + ".", "R"

    def c_kid_unknown(self):
        h, _ = self.header(kid="no-such-kid-%d" % self.rng.randrange(1000))
        return self.sign(h, jdump(self.claims()), self.p.other_signer), "R"

    def c_ecdsa_zero(self):
        h, p, _ = self.token().split(".")
        return h + "." + p + "." + b64(b"\0" * 64), "R"

    def c_ecdsa_order(self):
        h, p, s = self.token().split(".")
        raw = base64.urlsafe_b64decode(s + "==")
        return h + "." + p + "." + b64(P256_N.to_bytes(32, "big") + raw[32:]), "R"

    def c_ecdsa_der(self):
        h, p, s = self.token().split(".")
        raw = base64.urlsafe_b64decode(s + "==")
        r, s_ = raw[:32], raw[32:]
        der = b"\x30\x44\x02\x20" + r + b"\x02\x20" + s_
        return h + "." + p + "." + b64(der), "R"

    def c_role_unknown(self):
        return self.token(jdump(self.claims(role="no_such_role_soak"))), "R"

    def c_exp_bad_type(self):
        # NumericDate claims that are not numbers: rejected, never converted.
        name = self.rng.choice(["exp", "nbf", "iat"])
        value = self.rng.choice([None, True, [1], {"a": 1}, "tomorrow", "1e10"])
        c = self.claims()
        c[name] = value
        return self.token(jdump(c)), "R"  # None is JSON null


# Relative frequencies: about a quarter valid, the rest hostile.
WEIGHTS = {
    # valid
    "valid": 14, "valid_nokid": 2, "valid_unicode": 2, "valid_bignum": 1, "valid_near_max": 0.15,
    "valid_nested": 1, "valid_fraction": 1, "valid_noexp": 1, "valid_many_members": 0.5,
    # rejected
    "sig_flip": 5, "sig_wrong_key": 3, "tampered_payload": 3, "tampered_header": 2,
    "alg_other": 2, "alg_none": 2, "alg_case": 1, "alg_hs_with_pubkey": 2, "expired": 2,
    "not_yet": 1, "exp_string": 1, "exp_huge": 1, "exp_bad_type": 1, "crit": 1, "b64_false": 1,
    "jwk_injection": 1, "sig_length": 2, "sig_empty": 1, "kid_unknown": 2, "ecdsa_zero": 1,
    "ecdsa_order": 1, "ecdsa_der": 1, "role_unknown": 2,
    # malformed
    "truncated": 5, "too_big": 0.15, "deep": 1, "deep_header": 0.5,
    "dup_member": 2, "dup_escaped": 1, "dup_nested": 1, "dup_header": 1, "jwe5": 1, "jwe_enc": 1,
    "garbage": 3, "garbage_b64": 2, "garbage_unicode": 1, "non_utf8": 2, "non_utf8_header": 1,
    "nul_escape": 2, "lone_surrogate": 1, "padding": 1, "std_b64": 1, "whitespace": 2,
    "trailing_bits": 1, "not_object": 1, "header_not_object": 1, "bad_json": 2, "no_alg": 1,
    "alg_not_string": 1, "dots": 1, "control_chars": 1, "raw_bytes": 3,
}
# Tokens over ~2 KB: sent one per round trip, so that every batch of small
# tokens has about the same size and the backend's heap reaches a steady state
# (a single allocation over glibc's 128 KiB mmap threshold would move that
# threshold and add megabytes of noise to RssAnon). Tokens far over the cap
# (128 KiB to 16 MiB) are in limits.py, on a connection whose memory is not
# compared.
LARGE = {"valid_near_max", "valid_many_members", "too_big", "deep", "deep_header"}
# Cheap to make afresh: never pooled for slow signers.
CHEAP = {"garbage", "garbage_b64", "jwe5", "dots"}

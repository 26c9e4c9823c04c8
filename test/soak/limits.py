"""Limits under load (run by soak.py on its own connections while the soak
workers keep the server busy): the largest token and one byte more, a JWK
set of the most keys allowed (64; 65 and 1,000 are refused), claims objects
of thousands of members, the nesting cap, and statement_timeout /
pg_cancel_backend against long batches. Each case
must finish within BOUND seconds with a clear result or error.

run() returns a list of (name, ok, detail)."""
import random
import string
import threading
import time

import psycopg2
from cryptography.hazmat.primitives.asymmetric import ec

from common import (MAX_TOKEN, Profile, b64, ec_public_jwk, ec_signer, hs_signer, jdump, read_key,
                    rsa_signer)
from tokens import Factory

BOUND = 2.0        # seconds any single limit case may take
MAX_SET_KEYS = 64  # the most keys of a JWK set (src/core/limits.hpp)
TIMEOUT_MS = 200   # statement_timeout of the cancellation cases
CANCEL_GRACE = 2.0  # seconds after the timeout or cancel by which 57014 must arrive


class Limits:
    def __init__(self, hs_secret):
        self.secret = hs_secret.decode()
        self.conn = psycopg2.connect("")
        self.conn.autocommit = True
        self.cur = self.conn.cursor()
        self.out = []
        self.timing = []
        self.rng = random.Random(7)
        self.hs = Factory(Profile("hs", "HS256", self.secret, hs_signer(hs_secret), None),
                          self.rng)

    def add(self, name, ok, detail=""):
        self.out.append((name, bool(ok), detail))

    def timed(self, sql, params=()):
        """(seconds, first column of the first row or None, SQLSTATE or None, message)."""
        t = time.time()
        try:
            self.cur.execute(sql, params)
            row = self.cur.fetchone()
            return time.time() - t, row[0] if row else None, None, ""
        except psycopg2.Error as e:
            msg = (e.diag.message_primary or "") if e.diag else ""
            if e.diag and e.diag.message_detail:
                msg += " / " + e.diag.message_detail
            return time.time() - t, None, e.pgcode, msg

    def expect(self, name, sql, params, want_value=None, want_state=None):
        secs, value, state, msg = self.timed(sql, params)
        if want_state is not None:
            ok = state == want_state
            got = "%s \"%s\"" % (state, msg) if state else "no error (%r)" % (value,)
        else:
            ok = state is None and value == want_value
            got = repr(value) if state is None else "%s \"%s\"" % (state, msg)
        self.add("%s in %.3f s" % (name, secs), ok and secs < BOUND,
                 "got %s%s" % (got, "" if secs < BOUND else ", too slow (> %.1f s)" % BOUND))

    def token_functions(self, label, tok, cls, key=None, alg="HS256", expr="%s"):
        """The token through verify, validate, is_valid and decode; expr is
        the SQL of the token argument around its placeholder."""
        key = key if key is not None else self.secret
        v = {"V": True, "R": False}.get(cls)
        state = "22P02" if cls == "M" else None
        self.expect("%s: jwt.verify" % label, "SELECT valid FROM jwt.verify(%s, %%s, %%s)" % expr,
                    (tok, key, alg), v, state)
        self.expect("%s: jwt.validate" % label,
                    "SELECT jwt.validate(%s, %%s, ARRAY[%%s]) IS NOT NULL" % expr, (tok, key, alg),
                    True if cls == "V" else None, state or ("28000" if cls == "R" else None))
        self.expect("%s: jwt.is_valid" % label, "SELECT jwt.is_valid(%s, %%s, ARRAY[%%s])" % expr,
                    (tok, key, alg), cls == "V")
        if cls != "R":
            self.expect("%s: jwt.decode" % label,
                        "SELECT payload IS NOT NULL FROM jwt.decode(%s)" % expr, (tok,),
                        True if cls == "V" else None, state)

    # -- cases
    def size_cap(self):
        for size, cls in ((MAX_TOKEN, "V"), (MAX_TOKEN + 1, "M")):
            tok = self.hs.sized(size)
            self.add("token of %d characters built" % size, len(tok) == size, "got %d" % len(tok))
            self.token_functions("%d-character token" % size, tok, cls)
        # Far over the cap: refused by its size before any decoding.
        for size in (128 * 1024, 1024 * 1024):
            body = self.hs.with_claims_text('"pad":"' + "z" * (size * 3 // 4) + '"')
            tok = self.hs.token(body)
            self.token_functions("%d KiB token" % (len(tok) // 1024), tok, "M")
        # 16 MiB, made on the server (sending it would take most of the time).
        self.token_functions("16 MiB token (made on the server)", self.hs.token(), "M",
                             expr="(%s || repeat('A', 16 * 1024 * 1024))")
        secs, _, state, msg = self.timed("SELECT valid FROM jwt.verify(%s, %s)",
                                         (self.hs.sized(MAX_TOKEN + 1), self.secret))
        self.add("over-size error names the cap", state == "22P02" and (
            "65536" in msg or "64 KiB" in msg or "large" in msg or "long" in msg), msg)

    def jwk_sets(self):
        n = MAX_SET_KEYS  # the most keys a JWK set may hold
        keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(1000)]
        jwks_of = lambda count: jdump(
            {"keys": [ec_public_jwk(k, "k%04d" % i) for i, k in enumerate(keys[:count])]})
        jwks = jwks_of(n)
        claims = jdump({"sub": "x", "exp": int(time.time()) + 3600})
        last = n - 1

        def tok(i, kid=True):
            h = {"alg": "ES256", "typ": "JWT"}
            if kid:
                h["kid"] = kid if isinstance(kid, str) else "k%04d" % i
            si = b64(jdump(h).encode()) + "." + b64(claims.encode())
            return si + "." + b64(ec_signer(keys[i])("ES256", si.encode()))

        self.token_functions("EC JWK set of %d keys, kid names the last" % n, tok(last), "V",
                             jwks, "ES256")
        self.expect("EC JWK set of %d keys as jsonb, kid names the last: jwt.verify" % n,
                    "SELECT valid FROM jwt.verify(%s, %s::jsonb)", (tok(last), jwks), True)
        self.expect("EC JWK set of %d keys, no kid, signed by the 16th key: accepted" % n,
                    "SELECT valid FROM jwt.verify(%s, %s, 'ES256')", (tok(15, False), jwks), True)
        self.expect("EC JWK set of %d keys, no kid, signed by the 17th key: refused (at most 16"
                    " candidates)" % n, "SELECT valid FROM jwt.verify(%s, %s, 'ES256')",
                    (tok(16, False), jwks), False)
        self.expect("EC JWK set of %d keys, no kid, signed by the last key: refused" % n,
                    "SELECT jwt.is_valid(%s, %s)", (tok(last, False), jwks), False)
        self.expect("EC JWK set of %d keys, unknown kid: refused" % n,
                    "SELECT valid FROM jwt.verify(%s, %s, 'ES256')",
                    (tok(last, "k1000"), jwks), False)
        # 200 tokens without kid and with no matching key: 16 tries each, bounded.
        toks = [tok(last, False)] * 200
        self.expect("200 kid-less tokens against %d keys (16 tries each)" % n,
                    "SELECT count(*) FILTER (WHERE x.valid) FROM unnest(%s::text[]) t,"
                    " LATERAL jwt.verify(t, %s, 'ES256') x", (toks, jwks), 0)
        # Larger sets are refused by their size, at once (54000).
        for count in (n + 1, 1000):
            self.expect("EC JWK set of %d keys: refused (54000)" % count,
                        "SELECT valid FROM jwt.verify(%s, %s, 'ES256')",
                        (tok(0), jwks_of(count)), None, "54000")
        secrets = [self.rng.randbytes(32) for _ in range(n)]
        oct_set = jdump({"keys": [{"kty": "oct", "kid": "o%04d" % i, "alg": "HS256", "k": b64(s)}
                                  for i, s in enumerate(secrets)]})
        h = b64(jdump({"alg": "HS256", "kid": "o%04d" % last}).encode()) + "." + \
            b64(claims.encode())
        t = h + "." + b64(hs_signer(secrets[last])("HS256", h.encode()))
        self.token_functions("oct JWK set of %d keys, kid names the last" % n, t, "V", oct_set,
                             "HS256")
        self.jwks_text = jwks
        self.kidless = tok(last, False)

    def many_members(self):
        names = ["".join(p) for p in _names(10_000)]
        big = "{" + ",".join('"%s":%d' % (n, i % 10) for i, n in enumerate(names)) + "}"
        secs, tok, state, msg = self.timed("SELECT jwt.sign(%s::jsonb, %s)", (big, self.secret))
        self.add("jwt.sign of a 10,000-member claims object in %.3f s" % secs,
                 secs < BOUND and (state is not None or tok is not None),
                 "token of %d characters" % len(tok) if tok else "%s \"%s\"" % (state, msg))
        if tok:
            self.token_functions("10,000-member token (%d characters, over the cap)" % len(tok),
                                 tok, "M" if len(tok) > MAX_TOKEN else "V")
        dup = big[:-1] + ',"%s":1}' % names[0]
        self.expect("jwt.sign of 10,000 members + a duplicate (json text): refused",
                    "SELECT jwt.sign(%s::json, %s)", (dup, self.secret), None, "22023")
        # The most members that fit in one token, and the same with a duplicate.
        n = 5400
        claims = "{" + ",".join('"%s":%d' % (m, i % 10) for i, m in enumerate(names[:n])) + "}"
        t = self.hs.token(claims)
        self.token_functions("%d-member claims object (%d characters)" % (n, len(t)), t, "V")
        t = self.hs.token(claims[:-1] + ',"%s":1}' % names[n // 2])
        self.token_functions("%d members + a duplicate (%d characters)" % (n, len(t)), t, "M")
        arr = self.hs.token(jdump({"sub": "x", "a": [0] * 20_000}))
        self.token_functions("20,000-element array claim (%d characters)" % len(arr), arr, "V")

    def depth(self):
        def tok(total):  # total nesting depth, the claims object counting as 1
            d = total - 1
            return self.hs.token('{"sub":"x","d":' + "[" * d + "1" + "]" * d + "}")
        # The deepest payload accepted: bounded, and well above real claims.
        deepest = 0
        for total in range(2, 130):
            self.cur.execute("SELECT jwt.is_valid(%s, %s)", (tok(total), self.secret))
            if not self.cur.fetchone()[0]:
                break
            deepest = total
        secs, _, state, msg = self.timed("SELECT jwt.decode(%s)", (tok(deepest + 1),))
        self.cur.execute("SELECT 1")
        self.add("nesting cap: %d levels accepted, %d refused" % (deepest, deepest + 1),
                 32 <= deepest < 128 and state == "22P02", "%s \"%s\"" % (state, msg))
        self.token_functions("payload nested %d deep" % deepest, tok(deepest), "V")
        self.token_functions("payload nested %d deep" % (deepest + 1), tok(deepest + 1), "M")
        self.token_functions("payload nested 20,000 deep", tok(20_000), "M")
        self.deepest = deepest

    def cancellation(self):
        rs_key = read_key("rsa2048.pub.pem").decode()
        si = b64(b'{"alg":"RS256","typ":"JWT"}') + "." + b64(b'{"sub":"x"}')
        rs_tok = si + "." + b64(rsa_signer(read_key("rsa2048.pem"))("RS256", si.encode()))
        big = self.hs.sized(MAX_TOKEN - 100)
        cases = [
            ("jwt.verify RS256 over 10,000,000 rows",
             "SELECT count(*) FILTER (WHERE x.valid) FROM generate_series(1, 10000000) g,"
             " LATERAL jwt.verify(%s || '', %s, 'RS256') x", (rs_tok, rs_key)),
            ("jwt.decode of a 64 KiB token over 10,000,000 rows",
             "SELECT count(*) FROM generate_series(1, 10000000) g,"
             " LATERAL jwt.decode(%s || repeat('', g %% 2)) x", (big,)),
            ("jwt.is_valid, 64-key set, no kid, over 10,000,000 rows",
             "SELECT count(*) FILTER (WHERE jwt.is_valid(%s || repeat('', g %% 2), %s))"
             " FROM generate_series(1, 10000000) g", (self.kidless, self.jwks_text)),
            ("jwt.validate HS256 over 10,000,000 rows",
             "SELECT count(*) FILTER (WHERE jwt.validate(%s || repeat('', g %% 2), %s) IS NOT NULL)"
             " FROM generate_series(1, 10000000) g", (self.hs.token(), self.secret)),
        ]
        for name, sql, params in cases:
            self.cur.execute("SET statement_timeout = %d" % TIMEOUT_MS)
            secs, _, state, msg = self.timed(sql, params)
            self.cur.execute("RESET statement_timeout")
            late = secs - TIMEOUT_MS / 1000.0
            self.add("statement_timeout %d ms cancels %s (%.3f s after the timeout)" % (
                TIMEOUT_MS, name, late), state == "57014" and late < CANCEL_GRACE,
                "%s \"%s\"" % (state, msg))
            self.cancel_from_other(name, sql, params)
        self.expect("the connection still verifies after the cancellations",
                    "SELECT valid FROM jwt.verify(%s, %s, 'RS256')", (rs_tok, rs_key), True)

    def cancel_from_other(self, name, sql, params):
        self.cur.execute("SELECT pg_backend_pid()")
        pid = self.cur.fetchone()[0]
        other = psycopg2.connect("")
        other.autocommit = True
        sent = {}

        def cancel():
            time.sleep(0.3)
            sent["at"] = time.time()
            other.cursor().execute("SELECT pg_cancel_backend(%s)", (pid,))

        th = threading.Thread(target=cancel)
        th.start()
        _, _, state, msg = self.timed(sql, params)
        done = time.time()
        th.join()
        other.close()
        late = done - sent.get("at", done)
        self.add("pg_cancel_backend cancels %s (%.3f s after the cancel)" % (name, late),
                 state == "57014" and late < CANCEL_GRACE, "%s \"%s\"" % (state, msg))


def _names(n):
    alphabet = string.ascii_lowercase
    registered = {"exp", "nbf", "iat", "iss", "aud", "sub", "jti", "typ", "cty", "alg", "kid"}
    out = []
    for a in alphabet:
        for b in alphabet:
            for c in alphabet:
                if a + b + c in registered:
                    continue
                out.append(a + b + c)
                if len(out) == n:
                    return out
    return out


def run(hs_secret):
    lim = Limits(hs_secret)
    for case in (lim.size_cap, lim.jwk_sets, lim.many_members, lim.depth, lim.cancellation):
        t = time.time()
        try:
            case()
            lim.timing.append((case.__name__, time.time() - t))
        except Exception as e:  # a case that cannot run is a failure, not a crash of the soak
            lim.add("limit case %s ran" % case.__name__, False, "%s: %s" % (type(e).__name__, e))
            lim.conn.rollback() if not lim.conn.autocommit else None
    lim.conn.close()
    lim.add("limit cases took %s" % ", ".join("%s %.1f s" % t for t in lim.timing), True)
    return lim.out

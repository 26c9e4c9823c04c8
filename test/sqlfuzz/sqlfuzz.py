"""SQL-level fuzzer for pg_jwt's glue (test/sqlfuzz/README.md).

Calls every function of schema jwt (listed from pg_proc, so that a new one is
not missed) with generated arguments (gen.py), as a superuser and as an
unprivileged role, against a live server. A call passes when it returns or
raises an error of an expected class; the run fails on any other SQLSTATE
(XX000 above all), on a backend that dies, on a call that runs into its time
guard, on a statement_timeout that does not stop a long call promptly, and
on backend memory that stays high after a call. Ends with
"N passed, N failed".

    /usr/bin/python3 test/sqlfuzz/sqlfuzz.py [--short | --seconds N] [--seed N] [--calls N]
"""
import argparse
import json
import os
import random
import re
import sys
import threading
import time

import psycopg2
import psycopg2.extras

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import ALGORITHMS, CLAIM_NAMES, HUGE_CALLS, Gen, lit  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# SQLSTATE classes and codes a call may end with: data exceptions (22P02
# malformed, 22023 caller's fault, 22003/22007/22008 PostgreSQL's own casts),
# 28000 token rejected, 54000/54001 limits, 53200 out of memory, 57014
# cancel/timeout, 42501 privileges, 0A000 not supported, 23505 a keyring kid
# that exists.
ALLOWED = ("22", "28000", "54", "53200", "57014", "42501", "0A000", "23505")
GUARD_SECONDS = 10       # a call that runs this long is a finding
HUGE_GUARD_SECONDS = 60  # the same for a call with a near-1 GB argument
PROBE_TIMEOUT_MS = 100   # statement_timeout of the cancellation probes
PROBE_GRACE = 1.0        # seconds after which a probe must have stopped
RSS_SLACK_MB = 384       # backend memory allowed above its baseline after a call
CRASH_RE = re.compile(r"terminated by signal|was terminated by exception|"
                      r"server process .* exited with exit code [^0]|PANIC:|TRAP:")


# Results stay text: a deep document would overflow Python's JSON decoder.
psycopg2.extras.register_default_json(globally=True, loads=lambda text: text)
psycopg2.extras.register_default_jsonb(globally=True, loads=lambda text: text)


def rss_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            m = re.search(r"VmRSS:\s+(\d+) kB", f.read())
            return int(m.group(1)) // 1024 if m else None
    except OSError:
        return None


class Session:
    """One connection: the superuser, or the unprivileged role."""

    def __init__(self, dsn, role=None):
        self.dsn, self.role = dsn, role
        self.connect()

    def connect(self):
        # After a crash the server restarts every backend and recovers:
        # wait for it (up to a minute) rather than give up.
        for attempt in range(120):
            try:
                self.conn = psycopg2.connect(self.dsn)
                break
            except psycopg2.OperationalError:
                if attempt == 119:
                    raise
                time.sleep(0.5)
        self.conn.autocommit = True
        self.cur = self.conn.cursor()
        if self.role:
            self.cur.execute("SET SESSION AUTHORIZATION %s" % self.role)
        self.cur.execute("SELECT pg_backend_pid()")
        self.pid = self.cur.fetchone()[0]
        self.baseline = None

    def alive(self):
        try:
            self.cur.execute("SELECT 1")
            return self.cur.fetchone()[0] == 1
        except psycopg2.Error:
            return False


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.passed = 0
        self.failed = 0
        self.states = {}
        self.db = "pg_jwt_sqlfuzz_%d" % os.getpid()
        self.role = "sqlfuzz_user_%d" % os.getpid()

    # ------------------------------------------------------------ reporting
    def ok(self):
        self.passed += 1

    def fail(self, what, sql=""):
        self.failed += 1
        if self.failed <= 50:
            print("FAIL %s%s" % (what, ("\n     sql: " + sql[:400]) if sql else ""))
            sys.stdout.flush()

    # ------------------------------------------------------------ set-up
    def setup(self):
        admin = psycopg2.connect("")
        admin.autocommit = True
        c = admin.cursor()
        c.execute("DROP DATABASE IF EXISTS %s" % self.db)
        c.execute("CREATE DATABASE %s" % self.db)
        c.execute("DROP ROLE IF EXISTS %s" % self.role)
        c.execute("CREATE ROLE %s" % self.role)
        admin.close()
        dsn = "dbname=%s" % self.db
        self.su = Session(dsn)
        cur = self.su.cur
        cur.execute("CREATE EXTENSION pg_jwt")
        cur.execute("CREATE DOMAIN fuzz_json AS json")
        cur.execute("GRANT USAGE ON SCHEMA public TO %s" % self.role)
        keys = {}
        for name, alg in (("rsa2048", "RS256"), ("ec_p256", "ES256"), ("ec_p384", "ES384"),
                          ("ed25519", "EdDSA"), ("ec_secp256k1", "ES256K"),
                          ("rsa3072-big-exponent", "RS256"), ("rsa8192", "RS512")):
            for suffix in (".pem", ".pub.pem"):
                with open(os.path.join(ROOT, "test", "keys", name + suffix)) as f:
                    pem = f.read()
                jwk = None
                try:
                    cur.execute("SELECT public_jwk FROM jwt._import_key_entry(%s, %s, 'k')",
                                (pem, alg))
                    jwk = json.loads(cur.fetchone()[0])
                    del jwk["kid"]
                except psycopg2.Error:
                    pass  # refused keys stay as PEM text only
                keys[name + suffix] = (alg, pem, jwk)
        self.secret = "sqlfuzz-secret-0123456789abcdef-0123456789abcdef"
        tokens = []
        for alg, key in (("HS256", self.secret), ("HS384", self.secret), ("HS512", self.secret),
                         ("RS256", keys["rsa2048.pem"][1]), ("EdDSA", keys["ed25519.pem"][1])):
            for claims in ('{"sub":"a"}', '{"sub":"a","exp":4102444800,"aud":"x"}',
                           '{"exp":1}', '{"nbf":4102444800}', '{"jti":"j1","iat":1700000000}',
                           '{"role":"%s"}' % self.role):
                cur.execute("SELECT jwt.sign(%s::json, %s, %s)", (claims, key, alg))
                tokens.append(cur.fetchone()[0])
        cur.execute("SELECT jwt.generate_key('ES256', 'fuzz-es'), jwt.generate_key('HS256', 'fuzz-hs')")
        # The slowest key set within the bounds (a cancellation probe): 64
        # RSA-8192 private keys, each checked by a test signature on import.
        cur.execute("SELECT jsonb_build_object('keys', jsonb_agg(private_jwk || "
                    "jsonb_build_object('kid', 'k' || g)))::text FROM "
                    "jwt._import_key_entry(%s, 'RS256', 'k'), generate_series(1, 64) g",
                    (keys["rsa8192.pem"][1],))
        self.slow_set = cur.fetchone()[0]
        self.slow_token = tokens[18]  # RS256 under rsa2048: any token will do
        self.user = Session(dsn, self.role)
        self.canceller = Session(dsn)
        self.gen = Gen(self.rng, keys, tokens, self.secret)
        cur.execute("""
            SELECT p.oid::regprocedure::text, p.proname, p.pronargs, p.pronargdefaults,
                   ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) t),
                   coalesce(p.proargnames, '{}'), coalesce(p.proargmodes::text[], '{}'),
                   p.proretset, p.prorettype::regtype::text
            FROM pg_proc p WHERE p.pronamespace = 'jwt'::regnamespace ORDER BY 1""")
        self.functions = []
        for sig, name, nargs, ndefaults, types, names, modes, retset, rettype in cur.fetchall():
            if rettype == "trigger":
                continue  # called by triggers only
            in_names = [n for n, m in zip(names, modes or ["i"] * len(names)) if m in ("i", "b")]
            if not modes:
                in_names = list(names)
            in_names += [""] * (nargs - len(in_names))
            self.functions.append((sig, name, nargs, ndefaults, types, in_names, retset))
        # Every function, the ones with the richest arguments more often.
        weight = {"sign": 4, "verify": 3, "validate": 2, "is_valid": 2, "url_encode": 2,
                  "url_decode": 2, "decode": 2}
        self.weighted = [f for f in self.functions for _ in range(weight.get(f[1], 1))]
        print("sqlfuzz: seed %d, %d functions of schema jwt: %s" % (
            self.args.seed, len(self.functions), ", ".join(f[0] for f in self.functions)))
        self.log = os.environ.get("PG_JWT_SERVER_LOG", "")
        self.log_start = os.path.getsize(self.log) if os.path.isfile(self.log) else None

    def teardown(self):
        for s in (self.user, self.su, self.canceller):
            try:
                s.conn.close()
            except psycopg2.Error:
                pass
        admin = psycopg2.connect("")
        admin.autocommit = True
        c = admin.cursor()
        c.execute("DROP DATABASE IF EXISTS %s" % self.db)
        c.execute("DROP ROLE IF EXISTS %s" % self.role)
        admin.close()

    # ------------------------------------------------------------ one call
    def argument(self, fname, aname, atype):
        g = self.gen
        if g.chance(0.04):
            return "NULL::%s" % atype
        if atype == "anycompatible":
            return None  # the payload: see call_sql
        if aname == "token" or (fname == "authenticate" and atype == "text"):
            return g.token_expr()
        if aname in ("key", "secret", "jwk"):
            return g.key_expr(atype) if aname != "jwk" else g.key_expr("jsonb")
        if aname == "algorithm":
            return lit(g.pick(ALGORITHMS * 3 + ["none", "hs256", "", "HS256\r\x1b[2J", "EdDSA"]))
        if aname == "algorithms":
            return g.text_array_expr()
        if aname == "required" or aname == "path":
            return g.text_array_expr(names=True)
        if aname in ("kid", "audience", "issuer", "typ", "name", "jti"):
            return lit(g.pick(CLAIM_NAMES + ["fuzz-es", "fuzz-hs", "JWT", "x", g.text()]))
        if aname == "data" and atype == "text":  # url_decode
            return lit(g.pick([g.text(), "-_8", "YQ", "YQ==", "A" * g.size(), g.token()]))
        if fname == "request_token":  # cookie and header names (text)
            return lit(g.pick(["access_token", "authorization", "X-Access-Token", "", g.text()]))
        if aname == "header" or aname == "claims":
            return g.jsonb_expr() if g.chance(0.5) else lit(g.pick([
                '{"kid":"k1"}', '{"typ":null}', '{"alg":"HS512"}', '{"crit":["x"]}', '{"b64":false}',
                '{"x":"' + "y" * g.size() + '"}', '{"sub":"s","role":"%s"}' % self.role,
                '{"exp":1}', '{"typ":1}', '[]'])) + "::jsonb"
        if aname == "verify" or atype == "regprocedure":
            return g.pick(["'jwt.verify(text,text,text)'::regprocedure",
                           "'jwt.verify(text,bytea,text)'::regprocedure",
                           "'jwt.verify(text,jsonb,text)'::regprocedure",
                           "'jwt.decode(text)'::regprocedure", "'pg_catalog.now()'::regprocedure"])
        if atype == "text":
            return lit(g.text())
        if atype == "bytea":
            return g.bytea_expr()
        if atype == "jsonb":
            return g.jsonb_expr()
        if atype == "text[]":
            return g.text_array_expr()
        if atype == "interval":
            return g.interval_expr()
        if atype == "timestamp with time zone":
            return g.timestamptz_expr()
        if atype == "integer":
            return g.int_expr()
        if atype == "boolean":
            return g.pick(["true", "false"])
        return "NULL::%s" % atype

    def call_sql(self, fn):
        sig, name, nargs, ndefaults, types, names, retset = fn
        g = self.gen
        n = g.rng.randrange(nargs - ndefaults, nargs + 1)
        args, source = [], None
        for i in range(n):
            a = self.argument(name, names[i], types[i])
            if a is None:
                a, source = g.payload()
            args.append(a)
        # Named notation now and then (the defaults in between).
        call = "jwt.%s(%s)" % (name, ", ".join(args))
        if n < nargs and names[nargs - 1] and g.chance(0.2):
            last = self.argument(name, names[nargs - 1], types[nargs - 1])
            if last is not None:
                call = "jwt.%s(%s)" % (name, ", ".join(args + ["%s => %s" % (names[nargs - 1], last)]))
        big = "repeat(" in call
        if retset:
            sql = "SELECT count(*) FROM %s AS r" % call
        elif big:
            sql = "SELECT %s IS NULL" % call
        elif name == "verify" and g.chance(0.3):
            sql = "SELECT (%s).valid" % call
        else:
            sql = "SELECT %s" % call
        if source:
            sql += " FROM " + source
        return sql, big

    def run_one(self, session, sql, guard, probe=False):
        """Runs sql; returns (sqlstate or None, message, seconds); reconnects a dead session."""
        t = time.time()
        try:
            session.cur.execute("SET statement_timeout = %d" % (
                PROBE_TIMEOUT_MS if probe else guard * 1000))
            t = time.time()
            session.cur.execute(sql)
            session.cur.fetchall()
            return None, "", time.time() - t
        except psycopg2.Error as e:
            secs = time.time() - t
            if e.pgcode is None:
                if not session.alive():
                    self.fail("backend died (%s)" % str(e).strip()[:200], sql)
                    session.connect()
                    return "died", str(e), secs
                return "client", str(e).strip()[:200], secs
            return e.pgcode, (e.diag.message_primary or "") if e.diag else "", secs

    def check(self, session, sql, state, msg, secs, guard):
        self.states[state or "ok"] = self.states.get(state or "ok", 0) + 1
        if state == "died":
            return
        if state is None or state.startswith(ALLOWED):
            if state == "57014" and secs >= guard - 0.5:
                self.fail("ran into the %d s guard" % guard, sql)
                return
            self.ok()
        else:
            self.fail("SQLSTATE %s: %s" % (state, msg), sql)
        rss = rss_mb(session.pid)
        if rss is not None:
            if session.baseline is None and self.calls > 40:
                session.baseline = rss
            elif session.baseline is not None and rss > session.baseline + RSS_SLACK_MB:
                self.fail("backend %d keeps %d MB after a call (baseline %d MB)" % (
                    session.pid, rss, session.baseline), sql)
                session.baseline = rss

    def setting(self, session):
        g = self.gen
        name, value = g.pick([
            ("request.jwt.claims", g.json_text()),
            ("pg_jwt.trust_request_claims", g.pick(["on", "off"])),
            ("pg_jwt.jwks", g.pick([g.jwk_set(), "", "{}", g.text()])),
            ("pg_jwt.trust_postgraphile_claims", g.pick(["on", "off"])),
            ("jwt.claims.sub", g.pick([g.text(), ""])),
            ("request.cookies", g.pick([g.json_text(), '{"access_token":"a.b.c"}', g.text()])),
            ("request.headers", g.pick([g.json_text(), '{"authorization":"Bearer a.b.c"}'])),
            ("pg_jwt.role_claim_key", g.pick([".role", ".a.b[0]", '."x y"', "role", "[", ".", "",
                                              "$.a[?search(@, '^r')]", "$.a[-1]", "$['b'][?@ == 'x']",
                                              "$.a[?search(@, '(a+)+$')]", g.text()])),
            ("pg_jwt.anon_role", g.pick([self.role, "nobody_here", ""])),
            ("pg_jwt.leeway", g.pick(["0", "30", "300", "301", "-1"])),
            ("pg_jwt.audience", g.pick(["x", "", g.text()])),
            ("pg_jwt.issuer", g.pick(["x", ""])),
        ])
        return "SELECT set_config(%s, %s, false)" % (lit(name), lit(value))

    def probe(self):
        """A long call under a short statement_timeout, or cancelled by
        pg_cancel_backend from another session (every other probe), must
        stop promptly."""
        sql = "SELECT (jwt.verify(%s, %s::jsonb, 'RS256')).valid" % (
            lit(self.slow_token), lit(self.slow_set))
        self.probes = getattr(self, "probes", 0) + 1
        by_cancel = self.probes % 2 == 0
        how = "pg_cancel_backend after %d ms" if by_cancel else "statement_timeout of %d ms"
        if by_cancel:
            pid = self.su.pid
            timer = threading.Timer(PROBE_TIMEOUT_MS / 1000.0, lambda: self.canceller.cur.execute(
                "SELECT pg_cancel_backend(%s)", (pid,)))
            timer.start()
            state, msg, secs = self.run_one(self.su, sql, GUARD_SECONDS)
            timer.join()
        else:
            state, msg, secs = self.run_one(self.su, sql, GUARD_SECONDS, probe=True)
        if secs > PROBE_TIMEOUT_MS / 1000.0 + PROBE_GRACE:
            self.fail("%s stopped a call only after %.2f s (%s)" % (
                how % PROBE_TIMEOUT_MS, secs, state), sql[:200])
        elif state not in (None, "57014"):
            self.fail("timeout probe ended with %s: %s" % (state, msg), sql[:200])
        else:
            self.ok()

    # ------------------------------------------------------------ the run
    def run(self):
        self.setup()
        a = self.args
        deadline = time.time() + a.seconds
        # The calls near 1 GB, spread over the run: in the short run the
        # three that found bugs (url_encode just past the limit, a 300 MB
        # payload, a 1 GB url_decode); otherwise all, in the seed's order.
        if a.short:
            huge = [HUGE_CALLS[0], HUGE_CALLS[5], HUGE_CALLS[3]]
        else:
            huge = list(HUGE_CALLS)
            self.rng.shuffle(huge)
        huge = (huge * (a.huge // max(1, len(huge)) + 1))[:a.huge]
        self.calls = 0
        try:
            while self.calls < a.calls and time.time() < deadline:
                self.calls += 1
                g = self.gen
                session = self.su if g.chance(0.6) else self.user
                if self.calls % 50 == 0:
                    self.probe()
                    continue
                if huge and (self.calls + a.huge_every // 6) % a.huge_every == 0:
                    sql = huge.pop(0)
                    state, msg, secs = self.run_one(self.su, sql, HUGE_GUARD_SECONDS)
                    self.check(self.su, sql, state, msg, secs, HUGE_GUARD_SECONDS)
                    if self.args.verbose:
                        print("%5d %-6s %.3fs %s" % (self.calls, state or "ok", secs, sql[:160]))
                    continue
                if g.chance(0.05):
                    sql, big = self.setting(session), False
                else:
                    sql, big = self.call_sql(g.pick(self.weighted))
                guard = HUGE_GUARD_SECONDS if big else GUARD_SECONDS
                state, msg, secs = self.run_one(session, sql, guard)
                self.check(session, sql, state, msg, secs, guard)
                if self.args.verbose:
                    print("%5d %-6s %.3fs %s" % (self.calls, state or "ok", secs, sql[:160]))
            for s in (self.su, self.user):
                if s.alive():
                    self.ok()
                else:
                    self.fail("connection of %s does not answer at the end" % (s.role or "superuser"))
        finally:
            self.teardown()
        if self.log_start is not None:
            with open(self.log, errors="replace") as f:
                f.seek(self.log_start)
                crashes = [line for line in f if CRASH_RE.search(line)]
            if crashes:
                self.fail("the server log reports a crash: " + crashes[0].strip()[:300])
            else:
                self.ok()
        else:
            print("sqlfuzz: server log not found (PG_JWT_SERVER_LOG); crash check skipped")
        print("sqlfuzz: %d calls in %.0f s; outcomes: %s" % (
            self.calls, a.seconds - max(0, deadline - time.time()),
            ", ".join("%s %d" % kv for kv in sorted(self.states.items()))))
        print("%d passed, %d failed" % (self.passed, self.failed))
        return self.failed == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--short", action="store_true", help="make test: 45 s, fixed seed")
    ap.add_argument("--seconds", type=int, help="time bound (default 45 short, 600 long)")
    ap.add_argument("--calls", type=int, help="most calls (default 4,000 short, 1,000,000 long)")
    ap.add_argument("--seed", type=int, help="seed (default 1 short, else from the clock)")
    ap.add_argument("--huge", type=int,
                    help="calls with arguments near 1 GB (default 3 short, 100 long)")
    ap.add_argument("--huge-every", type=int, default=150, help="one such call every N calls")
    ap.add_argument("--verbose", action="store_true", help="one line per call")
    a = ap.parse_args()
    if a.seconds is None:
        a.seconds = 45 if a.short else 600
    if a.calls is None:
        a.calls = 4000 if a.short else 1000000
    if a.seed is None:
        a.seed = 1 if a.short else int(time.time())
    if a.huge is None:
        a.huge = 3 if a.short else 100
    sys.exit(0 if Fuzzer(a).run() else 1)


if __name__ == "__main__":
    main()

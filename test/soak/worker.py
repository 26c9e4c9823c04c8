"""One soak connection: drives batches of tokens through the SQL functions,
checks each outcome against the token's class, and samples its backend's
memory (pg_backend_memory_contexts in that backend, RssAnon from /proc)."""
import collections
import random
import time

import psycopg2

from common import confused_keys, make_profiles
from tokens import LARGE, Factory

# (function, profile, weight). "conf": a confused key (22023 for every token);
# "keyring": tokens of the keyring's HS256 key, checked with key NULL.
PLAN = [
    ("verify", "hs", 16), ("verify", "rs", 3), ("verify", "es", 2), ("verify", "ed", 2),
    ("verify", "jwks", 2), ("verify", "conf", 1), ("verify_bytea", "hs", 2),
    ("verify_jsonb", "jwks", 1),
    ("verify_bulk", "hs", 6), ("verify_bulk", "rs", 1), ("verify_bulk", "es", 1),
    ("verify_bulk", "jwks", 1),
    ("validate", "hs", 12), ("validate", "rs", 2), ("validate", "es", 2), ("validate", "ed", 1),
    ("validate", "jwks", 2), ("validate", "conf", 1), ("validate", "keyring", 2),
    ("is_valid", "hs", 8), ("is_valid", "rs", 1), ("is_valid", "es", 1), ("is_valid", "jwks", 1),
    ("is_valid", "keyring", 2), ("is_valid", "conf", 0.5),
    ("decode", "hs", 10), ("decode", "es", 2),
    ("authenticate", "auth_hs", 10), ("authenticate", "auth_es", 4),
]
# The SQL_ASCII database: raw non-UTF-8 bytes fit in text there.
ASCII_PLAN = [(f, p, w) for f, p, w in PLAN
              if p in ("hs", "es", "conf") and f in ("verify", "validate", "is_valid", "decode")]

EXPECT = {
    "V": {"verify": "ok", "validate": "ok", "decode": "ok", "authenticate": "ok",
          "is_valid": "t", "verify_bulk": "t"},
    "R": {"verify": "bad", "validate": "28000", "decode": "ok", "authenticate": "28000",
          "is_valid": "f", "verify_bulk": "f"},
    "M": {"verify": "22P02", "validate": "22P02", "decode": "22P02", "authenticate": "22P02",
          "is_valid": "f"},
    "C": {"verify": "22023", "validate": "22023", "is_valid": "22023"},
}

ALIAS = {"verify_bytea": "verify", "verify_jsonb": "verify"}  # the other key types


def expected(fn, cls, cat, ascii_db=False):
    if cat == "role_unknown" and fn != "authenticate":
        cls = "V"  # only authenticate switches role
    if ascii_db and cls == "V" and cat == "valid_unicode" and fn in ("validate", "decode"):
        # jsonb cannot hold a \u escape of a non-ASCII character in a SQL_ASCII
        # database: PostgreSQL's jsonb input raises 0A000 there.
        return "0A000"
    return EXPECT[cls][ALIAS.get(fn, fn)]


def escape_literal(tok):
    """An E'' literal of the token's bytes (SQL_ASCII database: any byte but NUL)."""
    raw = tok if isinstance(tok, bytes) else tok.encode()
    return "E'" + "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x27, 0x5C) else "\\%03o" % b
                          for b in raw) + "'"


def rss_anon_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return -1


class Worker:
    def __init__(self, idx, dsn, quota, seed, hs_secret, keyring, ascii_db, batch):
        self.idx, self.quota, self.ascii_db, self.batch = idx, quota, ascii_db, batch
        self.warmup_batch = 2 * batch
        self.rng = random.Random(seed)
        self.conn = psycopg2.connect(dsn)
        self.conn.autocommit = True
        self.cur = self.conn.cursor()
        self.cur.execute("SELECT pg_backend_pid()")
        self.pid = self.cur.fetchone()[0]
        profiles = make_profiles(hs_secret, None if ascii_db else keyring)
        self.factories = {n: Factory(p, self.rng, raw_bytes=ascii_db) for n, p in profiles.items()}
        if not ascii_db:
            self.factories["keyring"] = Factory(profiles["auth_hs"], self.rng)
        self.confused = confused_keys(hs_secret)
        self.short_secret = ("short-secret-validate", "short-secret", None)
        plan = ASCII_PLAN if ascii_db else PLAN
        self.plan = [(f, p) for f, p, _ in plan]
        self.plan_w = [w for _, _, w in plan]
        self.done = 0
        self.by_fn = collections.Counter()
        self.by_cat = collections.Counter()
        self.by_class = collections.Counter()
        self.outcomes = collections.Counter()
        self.mismatch = collections.Counter()
        self.examples = []
        self.samples = []  # (tokens done, context bytes, RssAnon kB)
        self.notices = []
        self.auth_tx = 0

    # -- one batch
    def tokens(self, profile, n, only_vr=False, large=()):
        f = self.factories[profile]
        items = []
        f.largest = True
        for cat in large:
            if cat in f.cats:
                tok, cls = f.make(cat)
                if not (only_vr and cls == "M"):
                    items.append((tok, cls, cat))
        f.largest = False
        while len(items) < n:
            cat = f.pick()
            tok, cls = f.make(cat)
            if only_vr and cls == "M":
                continue
            items.append((tok, cls, cat))
        return items

    def encode_arg(self, toks):
        """The tokens as an SQL array expression and its parameter. In the
        SQL_ASCII database the array is written out as E'' literals with octal
        escapes: there text holds any byte but NUL."""
        if self.ascii_db:
            return "ARRAY[%s]::text[]" % ",".join(map(escape_literal, toks)), None
        return "%s::text[]", toks

    def run_batch(self, fn, profile, n=None, large=()):
        n = n or self.batch
        key = alg = None
        if profile == "conf":
            if fn == "validate" and self.rng.random() < 0.2:
                name, key, alg = self.short_secret
            else:
                name, key, alg = self.rng.choice(self.confused)
            items = [(t, "C", c) for t, _, c in self.tokens("hs", n // 4, large=large)]
        else:
            items = self.tokens(profile, n, only_vr=(fn == "verify_bulk"), large=large)
            p = self.factories[profile].p
            key, alg = p.key_text, p.alg
            if fn in ("validate", "is_valid") and self.rng.random() < 0.3:
                alg = None  # let the key decide the algorithm
        # Small tokens in one round trip, large ones one at a time.
        small = [it for it in items if it[2] not in LARGE]
        items = small + [it for it in items if it[2] in LARGE]
        groups = [small] + [[it] for it in items[len(small):]]
        got = []
        for group in groups:
            if group:
                arr, param = self.encode_arg([t for t, _, _ in group])
                try:
                    got += self.execute(fn, arr, param, key, alg, len(group))
                except psycopg2.Error as e:  # a statement that should not fail
                    if self.conn.closed:
                        raise
                    got += ["statement failed: %s %s" % (e.pgcode, e.diag.message_primary)] * len(
                        group)
        toks = [t for t, _, _ in items]
        for (tok, cls, cat), out in zip(items, got):
            want = expected(fn, cls, cat, self.ascii_db)
            self.by_cat[cat] += 1
            self.by_class[cls] += 1
            self.outcomes[(fn, out)] += 1
            if out != want:
                self.mismatch[fn] += 1
                if len(self.examples) < 20:
                    shown = tok[:120] if isinstance(tok, str) else repr(tok[:120])
                    self.examples.append((self.idx, fn, profile, cat, cls, want, out, len(tok),
                                          shown))
        self.by_fn[fn] += len(toks)
        self.done += len(toks)
        if fn == "authenticate":
            self.auth_round_trips(profile)

    def execute(self, fn, arr, param, key, alg, n):
        """Runs one group; arr is the SQL of the token array, with one
        placeholder for param unless param is None."""
        if param is None:
            arr, tail = arr.replace("%", "%%"), []
        else:
            tail = [param]
        cur = self.cur
        if fn in ("verify", "verify_bytea", "verify_jsonb", "validate", "decode"):
            cur.execute("SELECT soak.capture(%%s, %s, %%s, %%s)" % arr, [fn] + tail + [key, alg])
            return cur.fetchone()[0]
        if fn == "authenticate":
            cur.execute("SELECT soak.authenticate(%s)" % arr, tail)
            return cur.fetchone()[0]
        if fn == "verify_bulk":
            cur.execute("SELECT array_agg(x.valid ORDER BY u.o) FROM unnest(%s)"
                        " WITH ORDINALITY u(t, o) CROSS JOIN LATERAL jwt.verify(u.t, %%s, %%s) x"
                        % arr, tail + [key, alg])
            return ["t" if v else "f" for v in cur.fetchone()[0]]
        if fn == "is_valid":
            try:
                cur.execute("SELECT array_agg(jwt.is_valid(t, %%s, %%s) ORDER BY o)"
                            " FROM unnest(%s) WITH ORDINALITY u(t, o)" % arr,
                            [key, [alg] if alg else None] + tail)
                return ["t" if v else "f" for v in cur.fetchone()[0]]
            except psycopg2.Error as e:  # a caller fault stops the statement
                return [e.pgcode] * n
        raise ValueError(fn)

    def auth_round_trips(self, profile):
        """A few authentications as a client does them: BEGIN; SELECT
        jwt.authenticate(tok); ROLLBACK, checking the role and claims."""
        self.conn.autocommit = False
        try:
            for _ in range(2):
                tok, cls, cat = self.tokens(profile, 1)[0]
                want = expected("authenticate", cls, cat)
                try:
                    self.cur.execute("SELECT jwt.authenticate(%s) ->> 'sub', current_user::text,"
                                     " jwt.claims() ->> 'sub'", (tok,))
                    sub, role, csub = self.cur.fetchone()
                    out = "ok" if role == "soak_user" and sub == csub else "norole:" + role
                except psycopg2.Error as e:
                    out = e.pgcode
                self.conn.rollback()
                self.cur.execute("SELECT current_user = session_user AND jwt.claims() IS NULL")
                if not self.cur.fetchone()[0]:
                    out = "kept-after-rollback"
                self.conn.rollback()
                self.outcomes[("authenticate_tx", out)] += 1
                self.by_fn["authenticate_tx"] += 1
                self.done += 1
                self.auth_tx += 1
                if out != want:
                    self.mismatch["authenticate_tx"] += 1
                    if len(self.examples) < 20:
                        self.examples.append((self.idx, "authenticate_tx", profile, cat, cls,
                                              want, out, len(tok), tok[:120]))
        finally:
            self.conn.autocommit = True

    def sample(self):
        self.cur.execute("SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts")
        ctx = self.cur.fetchone()[0]
        self.samples.append((self.done, ctx, rss_anon_kb(self.pid)))

    def contexts(self):
        self.cur.execute("SELECT name, sum(total_bytes)::bigint FROM pg_backend_memory_contexts"
                         " GROUP BY name")
        return dict(self.cur.fetchall())

    def run(self):
        start = time.time()
        # Warm-up: every function and profile once, so that plans, catalog
        # caches and key caches exist before memory is measured.
        # A batch twice the usual size, and every large category at its
        # largest, so that the heap's high-water mark is set here.
        for fn, profile in self.plan:
            self.run_batch(fn, profile, self.warmup_batch, large=sorted(LARGE))
        self.warmup_tokens = self.done
        self.ctx_start = self.contexts()
        self.sample()
        while self.done < self.quota:
            fn, profile = self.rng.choices(self.plan, self.plan_w)[0]
            self.run_batch(fn, profile)
            self.sample()
        self.elapsed = time.time() - start
        self.ctx_end = self.contexts()
        self.notices = list(self.conn.notices)

    def result(self):
        return {"idx": self.idx, "pid": self.pid, "ascii": self.ascii_db, "done": self.done,
                "by_fn": self.by_fn, "by_cat": self.by_cat, "by_class": self.by_class,
                "outcomes": self.outcomes, "mismatch": self.mismatch, "examples": self.examples,
                "samples": self.samples, "notices": self.notices, "elapsed": self.elapsed,
                "warmup": self.warmup_tokens, "ctx_start": self.ctx_start, "ctx_end": self.ctx_end}

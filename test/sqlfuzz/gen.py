"""Argument generators of the SQL-level fuzzer (sqlfuzz.py): SQL expressions
for every argument type of pg_jwt's functions, biased towards the shapes that
reach the glue's edges (rows with many and duplicate columns, sizes near
PostgreSQL's 1 GB limit, deep and wide JSON, large key sets, control
characters, NULL). Every choice comes from one random.Random, so a seed gives
the same calls."""
import base64
import hashlib
import hmac
import json

ALGORITHMS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
              "ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519", "Ed448"]
ODD_ALGORITHMS = ["none", "None", "hs256", "HS257", "", "HS256 ", "RS1", "HS256\r\n\x1b[2J",
                  "ES256\u0085", "\u00e9", "A" * 300]
CLAIM_NAMES = ["exp", "nbf", "iat", "sub", "aud", "iss", "jti", "role", "typ", "kid", "a",
               "\u00e9t\u00e9", "a\rb", "\x1b[31m", "x" * 63]
MAX_ALLOC = 1073741823          # PostgreSQL's MaxAllocSize
MAX_URL_ENCODE_INPUT = 805306364  # the largest bytea whose base64url text fits in a value


def b64(data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# Calls with arguments near PostgreSQL's 1 GB limit, or far beyond pg_jwt's
# own limits, made on the server (repeat): each costs a second or more and up
# to 3 GB of memory, so the driver schedules them sparingly.
HUGE_CALLS = [
    "SELECT jwt.url_encode(repeat('a', %d)::bytea) IS NULL" % (MAX_URL_ENCODE_INPUT + 1),
    "SELECT jwt.url_encode(repeat('a', 810000000)::bytea) IS NULL",
    "SELECT jwt.url_encode(repeat('a', %d)::bytea) IS NULL" % MAX_URL_ENCODE_INPUT,
    "SELECT jwt.url_decode(repeat('A', 1073741816)) IS NULL",
    "SELECT jwt.url_decode(repeat('A', 1073741817)) IS NULL",
    "SELECT jwt.sign('{\"a\":\"' || repeat('x', 300000000) || '\"}', 'secret') IS NULL",
    "SELECT jwt.sign(('{\"a\":\"' || repeat('x', 200000000) || '\"}')::jsonb, 'secret') IS NULL",
    "SELECT jwt.sign('{}', repeat('s', 500000000)) IS NULL",
    "SELECT jwt.sign('{}', 'secret', 'HS256', jsonb_build_object('h', repeat('x', 400000000))) IS NULL",
    "SELECT (jwt.verify(repeat('A', 900000000), 'secret')).valid",
    "SELECT jwt.validate('e30.e30.e30', repeat('k', 900000000)) IS NULL",
    "SELECT jwt.is_valid('e30.e30.e30', secret => repeat('k', 900000000)::bytea)",
    "SELECT jwt.thumbprint(jsonb_build_object('kty', 'oct', 'k', repeat('A', 300000000))) IS NULL",
]


def valid_json(text):
    try:
        json.loads(text)
        return True
    except (ValueError, RecursionError):
        return False


def lit(text):
    """A SQL string literal (standard_conforming_strings on)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return "'" + text.replace("'", "''") + "'"


class Gen:
    def __init__(self, rng, keys, tokens, secret):
        self.rng = rng
        self.keys = keys          # name -> (algorithm, pem text, jwk dict or None)
        self.tokens = tokens      # valid tokens made at set-up
        self.secret = secret      # the HS secret of the HS tokens

    # ---------------------------------------------------------------- basics
    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def size(self, small=64, large=70000):
        r = self.rng.random()
        if r < 0.6:
            return self.rng.randrange(0, small)
        if r < 0.95:
            return self.rng.randrange(small, large)
        return self.pick([65535, 65536, 65537, 131072, 131073, 1048576, 1048577])

    def text(self):
        r = self.rng.random()
        if r < 0.3:
            return "".join(self.pick("abcXYZ09-_.=+/ {}\"\\:,") for _ in range(self.size(40, 200)))
        if r < 0.5:
            return "".join(chr(self.pick([0x0d, 0x0a, 0x1b, 0x7f, 0x85, 0x9f, 0xe9, 0x2028,
                                          0x1f511, 0x41])) for _ in range(self.size(20, 100)))
        if r < 0.7:
            return self.pick(ODD_ALGORITHMS + ALGORITHMS)
        return self.pick(["", " ", "{}", "[]", "null", "-----BEGIN PUBLIC KEY-----",
                          "ssh-ed25519 AAAA", "a.b.c", "..", "eyJ", "x" * self.size()])

    # ---------------------------------------------------------------- JSON
    def json_value(self, depth=0):
        r = self.rng.random()
        if depth > 3 or r < 0.4:
            return self.pick([0, -1, 1.5, 1e308, 2 ** 70, -0.0, True, False, None, "",
                              "s", "\u00e9", "\r\n", self.text()[:40]])
        if r < 0.7:
            return [self.json_value(depth + 1) for _ in range(self.rng.randrange(4))]
        return {self.pick(CLAIM_NAMES): self.json_value(depth + 1)
                for _ in range(self.rng.randrange(5))}

    def json_text(self, top_object=True):
        """JSON text, often an object, sometimes hostile."""
        r = self.rng.random()
        if r < 0.35:
            obj = {self.pick(CLAIM_NAMES): self.json_value() for _ in range(self.rng.randrange(6))}
            if self.chance(0.3):
                obj["exp"] = self.pick([1, 2 ** 40, -1, 1e300, "1", None, 1.5, 253402300800])
            return json.dumps(obj) if top_object else json.dumps(self.json_value())
        if r < 0.45:  # deep
            d = self.pick([10, 63, 64, 65, 100, 1000, 20000])
            return '{"a":' + "[" * d + "1" + "]" * d + "}"
        if r < 0.55:  # wide
            n = self.pick([17, 100, 5000, 20000])
            return "{" + ",".join('"m%d":%d' % (i, i) for i in range(n)) + "}"
        if r < 0.7:  # duplicates, NUL, odd escapes
            name = self.pick(CLAIM_NAMES)
            return self.pick([
                '{"%s":1,"%s":2}' % (name, name),
                '{"a":"\\u0000"}', '{"\\u0000":1}', '{"a":"\\ud800"}', '{"a\\r\\u001b":1,"a\\r\\u001b":2}',
                '{"n":123456789012345678901234567890}', '{"n":1e400}', '{"n":-1e400}',
                '{"a":1,}', '{"a" 1}', "{", "[1,2]", '"s"', "1", "", " {} ", "{}\u0000",
            ])
        if r < 0.8:
            return json.dumps(self.json_value())
        return self.text()

    # ---------------------------------------------------------------- keys
    def jwk(self):
        name = self.pick(list(self.keys))
        alg, pem, jwk = self.keys[name]
        if jwk is None:
            return {"kty": "oct", "k": b64(self.secret)}
        j = dict(jwk)
        if self.chance(0.3):
            j["kid"] = self.pick(["a", "b", "", "k\r\n", "x" * 200])
        if self.chance(0.2):
            j.pop(self.pick(list(j)), None)
        if self.chance(0.1):
            j["alg"] = self.pick(ALGORITHMS + ODD_ALGORITHMS)
        if self.chance(0.1) and "e" in j:
            j["e"] = self.pick(["AQAB", "AQ", "Aw", "AQAAAAE", "_____w", b64(b"\xff" * 384)])
        return j

    def jwk_set(self):
        n = self.pick([0, 1, 2, 16, 17, 63, 64, 65, 200, 2000])
        keys = []
        for i in range(n):
            j = self.jwk()
            if not self.chance(0.05):
                j["kid"] = "k%d" % i
            keys.append(j)
        return json.dumps({"keys": keys})

    def key_text(self):
        r = self.rng.random()
        if r < 0.25:
            return self.secret
        if r < 0.45:
            return self.keys[self.pick(list(self.keys))][1]
        if r < 0.6:
            return json.dumps(self.jwk())
        if r < 0.7:
            return self.jwk_set()
        if r < 0.8:
            pem = self.keys[self.pick(list(self.keys))][1]
            i = self.rng.randrange(max(1, len(pem)))
            return pem[:i] + self.pick(["", "A", "-----END", "\n\n", "\x1b"]) + pem[i + 1:]
        return self.text()

    def key_expr(self, sql_type):
        if sql_type == "bytea":
            return self.bytea_expr()
        if sql_type == "jsonb":
            r = self.rng.random()
            if r < 0.45:
                return lit(json.dumps(self.jwk())) + "::jsonb"
            if r < 0.8:
                return lit(self.jwk_set()) + "::jsonb"
            return self.jsonb_expr()
        if self.chance(0.03):
            return "repeat('s', %d)" % self.pick([1048576, 1048577, 4 << 20])
        return lit(self.key_text())

    # ---------------------------------------------------------------- tokens
    def hs_token(self, header, payload, secret=None):
        si = b64(header) + "." + b64(payload)
        key = (secret or self.secret).encode()
        return si + "." + b64(hmac.new(key, si.encode(), hashlib.sha256).digest())

    def token(self):
        r = self.rng.random()
        if r < 0.25:
            return self.pick(self.tokens)
        if r < 0.55:  # HS256 tokens with generated headers and claims, validly signed
            header = self.pick([
                '{"alg":"HS256","typ":"JWT"}', '{"alg":"HS256","kid":"k1"}',
                '{"alg":"HS256","crit":["exp"]}', '{"alg":"HS256","b64":false}',
                '{"alg":"HS256","enc":"A128GCM"}', '{"alg":"none"}', '{"alg":"HS256\\r\\u001b[2J"}',
                '{"alg":"HS256","alg":"HS256"}', '{"alg":"HS256","x\\u0085":1,"x\\u0085":2}',
                '{"typ":"JWT"}', '{"alg":1}', '[]', '{"alg":"HS256","kid":"' + "k" * 5000 + '"}',
            ]) if self.chance(0.6) else self.json_text()
            return self.hs_token(header, self.json_text())
        if r < 0.8:  # a mutated token
            t = self.pick(self.tokens)
            ops = self.rng.randrange(1, 4)
            for _ in range(ops):
                i = self.rng.randrange(max(1, len(t)))
                t = self.pick([t[:i] + t[i + 1:], t[:i] + self.pick("A_-.=+/ \x1b") + t[i:],
                               t[:i], t + "." + t, t.replace(".", "", 1), t + "A" * self.size()])
            return t
        return self.text()

    def token_expr(self):
        if self.chance(0.02):
            return "repeat('A', %d) || '.e30.sig'" % self.pick([65536, 1 << 20, 64 << 20])
        return lit(self.token())

    # ---------------------------------------------------------------- scalars
    def bytea_expr(self):
        r = self.rng.random()
        if r < 0.15:
            return "repeat('ab', %d)::bytea" % self.pick([1, 6 << 20, 6 << 20 + 1])
        if r < 0.25:
            return "''::bytea"
        data = bytes(self.rng.randrange(256) for _ in range(self.size(40, 300)))
        return "'\\x%s'::bytea" % data.hex()

    def jsonb_expr(self):
        t = self.json_text()
        if not valid_json(t):
            return lit(t) + "::text::jsonb"  # refused by PostgreSQL (22P02, 54001)
        return lit(t) + "::jsonb"

    def text_array_expr(self, names=False):
        if self.chance(0.1):
            return "ARRAY[NULL]::text[]"
        if self.chance(0.1):
            return "'{}'::text[]"
        items = [self.pick(CLAIM_NAMES if names else ALGORITHMS + ODD_ALGORITHMS)
                 for _ in range(self.rng.randrange(1, 5))]
        return "ARRAY[%s]::text[]" % ",".join(lit(i) for i in items)

    def interval_expr(self):
        return "%s::interval" % lit(self.pick(["0", "1 second", "-1 second", "5 minutes",
                                              "5 minutes 1 second", "1 hour", "100 years",
                                              "178000000 years", "-178000000 years", "1 mon"]))

    def timestamptz_expr(self):
        return self.pick(["now()", "'infinity'::timestamptz", "'-infinity'::timestamptz",
                          "'2000-01-01'::timestamptz", "'294276-12-31'::timestamptz",
                          "'4713-01-01 BC'::timestamptz", "now() + interval '1 hour'",
                          "now() - interval '1 hour'"])

    def int_expr(self):
        return str(self.pick([2048, 3072, 4096, 1024, 0, -1, 1, 16384, 2147483647, -2147483648]))

    # ---------------------------------------------------------------- payloads
    def row_from(self):
        """A FROM clause whose row s is the payload: many and duplicate columns."""
        if self.chance(0.4):
            # Many columns of the time claim names, with finite times: the
            # shape that overflowed the replacement list of jwt.sign.
            n = self.pick([2, 3, 4, 5, 16, 150, 400, 1000, 1600])
            names = self.pick([["exp"], ["exp", "nbf", "iat"], ["iat", "sub"]])
            cols = ["%s AS %s" % (self.pick(["now()", "'2026-01-01'::date",
                                             "'2026-01-01 00:00:00.5'::timestamp"]),
                                  self.pick(names)) for _ in range(n)]
            return "(SELECT %s) s" % ", ".join(cols)
        n = self.pick([0, 1, 3, 4, 5, 16, 150, 400, 1000, 1600])
        values = ["now()", "'2026-01-01'::date", "'infinity'::timestamptz", "'-infinity'::date",
                  "NULL::timestamptz", "'x'", "1", "1.5::numeric", "'NaN'::float8", "'{}'::jsonb",
                  "ARRAY[1,2]", "row(1, 'a')", "'\\x00'::bytea", "'1 day'::interval",
                  "'294276-12-31'::timestamp", "'4713-01-01 BC'::date", "NULL"]
        dup = self.pick(CLAIM_NAMES)
        cols = []
        for i in range(n):
            name = dup if self.chance(0.3) else ("c%d" % i if self.chance(0.5)
                                                 else self.pick(CLAIM_NAMES))
            cols.append("%s AS %s" % (self.pick(values), '"%s"' % name.replace('"', '""')))
        return "(SELECT %s) s" % ", ".join(cols)

    def payload(self):
        """(expression, FROM clause or None)."""
        r = self.rng.random()
        if r < 0.3:
            return ("s", self.row_from())
        t = self.json_text()
        cast = self.pick(["", "::text", "::json", "::jsonb", "::varchar", "::char(300)", "::int"])
        if cast in ("::json", "::jsonb") and not valid_json(t):
            cast = "::text"
        if cast == "::int":
            return ("1", None)
        return (lit(t) + cast, None)

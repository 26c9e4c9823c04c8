"""Malformed-token categories of the soak factory (class M unless an oracle
says otherwise). Each token is correctly signed where it has a signature, so
the malformation is its only fault."""
from common import B64URL, MAX_TOKEN, b64, b64_strict_ok, jdump

BAD_JSON = [
    '{"sub":"x",}', "{'sub':'x'}", '{"sub":NaN}', '{"sub":01}', '{"sub":"a\tb"}',
    '{"sub":"x"}x', '{"sub":"x"}{"a":1}', '\ufeff{"sub":"x"}', '{"sub":"x"', '{"sub":tru}',
    '{"sub":"\\x41"}', '{"sub":"\\u12"}', '{sub:"x"}', '{"sub":[1,2}', '', ' ', '{"a":1e}',
    '{"a":-}', '{"a":.5}', '{"a":+1}', '{"a":Infinity}',
]
NOT_OBJECT = ["[1,2]", '"sub"', "1", "null", "true", "[]", '[{"sub":"x"}]']
BAD_UTF8 = [b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xe2\x82", b"\xf8\x88\x80\x80\x80",
            b"\x80", b"\xf4\x90\x80\x80"]


class MalformedCategories:
    def c_truncated(self):
        t = self.token()
        k = self.rng.randrange(1, len(t))  # an empty token is 'no token' to authenticate
        cut = t[:k]
        if cut.count(".") < 2:
            return cut, "M"
        return cut, "R" if b64_strict_ok(cut.split(".")[2]) else "M"

    def c_too_big(self):
        return self.sized(MAX_TOKEN + 1024 if self.largest else
                          MAX_TOKEN + 1 + self.rng.randrange(0, 1024)), "M"

    def c_deep(self):
        # Under the size cap, so that the depth check is what refuses it.
        o, c, most = self.rng.choice([("[", "]", 20000), ('{"a":', "}", 7000)])
        d = self.rng.choice([64, 65, 100, 1000, self.rng.randrange(64, most)])
        d = most if self.largest else d
        return self.token(self.with_claims_text('"d":' + o * d + "1" + c * d)), "M"

    def c_deep_header(self):
        d = 5000 if self.largest else self.rng.randrange(64, 5000)
        h, s = self.header()
        return self.sign(h[:-1] + ',"d":' + "[" * d + "]" * d + "}", jdump(self.claims()), s), "M"

    def c_dup_member(self):
        base = jdump(self.claims())
        dup = self.rng.choice(['"sub":"admin"', '"role":"postgres"', '"exp":99999999999',
                               '"n":0'])
        return self.token(base[:-1] + "," + dup + "}"), "M"

    def c_dup_escaped(self):
        # The same name after unescaping: "s\u0075b" is "sub".
        inner = self.rng.choice(['"s\\u0075b":"admin"', '"\\u0072ole":"postgres"',
                                 '"su\\u0062":"x"'])
        return self.token(self.with_claims_text(inner)), "M"

    def c_dup_nested(self):
        return self.token(self.with_claims_text('"app":{"x":1,"y":[{"k":1,"k":2}]}')), "M"

    def c_dup_header(self):
        h, s = self.header()
        dup = self.rng.choice(['"alg":"none"', '"alg":"%s"' % self.p.alg, '"typ":"JWT"'])
        hdr = h[:-1] + "," + dup + "}" if self.rng.random() < 0.5 else "{" + dup + "," + h[1:]
        return self.sign(hdr, jdump(self.claims()), s), "M"

    def c_jwe5(self):
        hdr = b64(jdump({"alg": "RSA-OAEP", "enc": "A256GCM"}).encode())
        parts = [hdr] + [b64(self.rng.randbytes(self.rng.randrange(0, 300))) for _ in range(4)]
        return ".".join(parts), "M"

    def c_jwe_enc(self):
        h, s = self.header(enc="A256GCM")
        return self.sign(h, jdump(self.claims()), s), "M"

    def c_garbage(self):
        n = self.rng.randrange(1, 400)
        alphabet = B64URL + ".=+/ \n\t{}\"\\"
        return "".join(self.rng.choice(alphabet) for _ in range(n)), "M"

    def c_garbage_b64(self):
        return ".".join(b64(self.rng.randbytes(self.rng.randrange(0, 200))) for _ in range(3)), "M"

    def c_garbage_unicode(self):
        t = self.token()
        i = self.rng.randrange(len(t))
        ch = self.rng.choice(["\u00e9", "\u2028", "\U0001F600", "\u0430", "\uff0e", "\u00a0"])
        return t[:i] + ch + t[i + 1:], "M"

    def c_non_utf8(self):
        bad = self.rng.choice(BAD_UTF8)
        base = jdump(self.claims()).encode()
        payload = base[:-1] + b',"name":"a' + bad + b'z"}'
        if self.rng.random() < 0.3:
            payload = base[:-1] + b',"a' + bad + b'":1}'
        h, s = self.header()
        return self.sign(h, payload, s), "M"

    def c_non_utf8_header(self):
        h, s = self.header()
        hdr = h.encode()[:-1] + b',"x":"' + self.rng.choice(BAD_UTF8) + b'"}'
        return self.sign(hdr, jdump(self.claims()), s), "M"

    def c_nul_escape(self):
        where = self.rng.randrange(3)
        if where == 2:
            h, s = self.header()
            return self.sign(h[:-1] + ',"kid2":"a\\u0000b"}', jdump(self.claims()), s), "M"
        inner = '"name":"a\\u0000b"' if where == 0 else '"a\\u0000":1'
        return self.token(self.with_claims_text(inner)), "M"

    def c_lone_surrogate(self):
        esc = self.rng.choice(["\\ud800", "\\udc00", "\\ud83dx", "\\ud83d\\u0041"])
        return self.token(self.with_claims_text('"name":"a' + esc + '"')), "M"

    def c_padding(self):
        parts = self.token().split(".")
        i = self.rng.randrange(3)
        parts[i] = parts[i] + self.rng.choice(["=", "==", "==="])
        return ".".join(parts), "M"

    def c_std_b64(self):
        t = self.token()
        i = self.rng.randrange(len(t))
        while t[i] == ".":
            i = self.rng.randrange(len(t))
        return t[:i] + self.rng.choice("+/") + t[i + 1:], "M"

    def c_whitespace(self):
        t = self.token()
        ws = self.rng.choice([" ", "\n", "\t", "\r\n", "\v", "\f"])
        where = self.rng.randrange(3)
        if where == 0:
            return ws + t, "M"
        if where == 1:
            return t + ws, "M"
        i = self.rng.randrange(1, len(t))
        return t[:i] + ws + t[i:], "M"

    def c_trailing_bits(self):
        t = self.token()
        parts = t.split(".")
        i = self.rng.randrange(3)
        seg = parts[i]
        if len(seg) % 4 in (2, 3):
            for c in B64URL:
                cand = seg[:-1] + c
                if c != seg[-1] and not b64_strict_ok(cand):
                    parts[i] = cand
                    return ".".join(parts), "M"
        parts[i] = seg + "A" if len(seg) % 4 == 0 else seg[:-1]
        return ".".join(parts), "M" if not b64_strict_ok(parts[i]) else "R"

    def c_not_object(self):
        return self.token(self.rng.choice(NOT_OBJECT)), "M"

    def c_header_not_object(self):
        h, s = self.header()
        return self.sign(self.rng.choice(NOT_OBJECT), jdump(self.claims()), s), "M"

    def c_bad_json(self):
        if self.rng.random() < 0.5:
            return self.token(self.rng.choice(BAD_JSON)), "M"
        h, s = self.header()
        return self.sign(self.rng.choice(BAD_JSON), jdump(self.claims()), s), "M"

    def c_no_alg(self):
        h, s = self.header()
        return self.sign('{"typ":"JWT"}', jdump(self.claims()), s), "M"

    def c_alg_not_string(self):
        h, s = self.header()
        alg = self.rng.choice(["256", "null", '["%s"]' % self.p.alg, '{"a":1}', "true"])
        return self.sign('{"alg":%s,"typ":"JWT"}' % alg, jdump(self.claims()), s), "M"

    def c_dots(self):
        t = self.token()
        h, p, s = t.split(".")
        return self.rng.choice(["..", "...", "....", h + "..", "." + p + ".", h + "." + p,
                                h + "." + p + "." + s + ".", "." * self.rng.randrange(4, 50),
                                h + ".." + p + "." + s]), "M"

    def c_control_chars(self):
        t = self.token()
        i = self.rng.randrange(len(t))
        return t[:i] + chr(self.rng.choice([1, 2, 8, 27, 31, 127])) + t[i:], "M"

    def c_raw_bytes(self):
        t = self.token().encode()
        i = self.rng.randrange(len(t))
        bad = self.rng.choice(BAD_UTF8 + [bytes([self.rng.randrange(128, 256)])])
        return t[:i] + bad + t[i + 1:], "M"

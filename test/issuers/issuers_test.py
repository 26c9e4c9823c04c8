"""jwt.refresh_issuers against a real HTTPS server on 127.0.0.1 (provider.py,
with a CA and a server certificate made here with openssl): discovery then
JWK set; rotation A -> A+B -> B with tokens signed by each; ETag and
Cache-Control; a provider outage, the last good set kept and then stale;
a restart of the server process; slow responses (timeout), a 10 MiB body,
a redirect, invalid JSON, a wrong content type, private keys, duplicate
kids, a discovery document for another issuer or pointing to another host;
a cancel; URLs in tokens never fetched; a storm of tokens with unknown kids;
fixtures shaped like Supabase, Auth0, Keycloak, Entra, Cognito and
Firebase (a map of kids to X.509 certificates), with per-issuer role claim
keys for jwt.authenticate; a dump
and restore that brings back no keys. Fetches are counted in the server's
request log. Run by test/issuers/run inside a cluster (PGHOST, PGPORT,
PGUSER set); prints one line per check, the fetch counts, then
"N passed, N failed"."""

import json
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time

import jwt as pyjwt
import psycopg2
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
passed = failed = 0
counts = {}


def check(what, got, expected):
    global passed, failed
    if got == expected:
        passed += 1
        print(f"ok: {what}")
    else:
        failed += 1
        print(f"FAILED: {what}: got {got!r}, expected {expected!r}")


def check_true(what, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok: {what}")
    else:
        failed += 1
        print(f"FAILED: {what} {detail}")


# ------------------------------------------------------------------ the provider

def make_certificates(workdir):
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, cwd=workdir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=pg_jwt test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(workdir, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    # The server process (user postgres) reads the CA file.
    os.chmod(workdir, 0o755)
    os.chmod(os.path.join(workdir, "ca.pem"), 0o644)
    return os.path.join(workdir, "ca.pem")


class Provider:
    def __init__(self, workdir):
        self.workdir = workdir
        self.routes_path = os.path.join(workdir, "routes.json")
        self.log_path = os.path.join(workdir, "requests.log")
        self.routes = {}
        self.port = 0
        self.proc = None
        self._write()
        open(self.log_path, "w").close()

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "provider.py"),
             os.path.join(self.workdir, "server.pem"), os.path.join(self.workdir, "server.key"),
             self.routes_path, self.log_path, str(self.port)],
            stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait()
            self.proc = None

    def _write(self):
        tmp = self.routes_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.routes, f)
        os.replace(tmp, self.routes_path)

    def route(self, path, **spec):
        self.routes[path] = spec
        self._write()

    def json_route(self, path, document, **spec):
        self.route(path, body=json.dumps(document), **spec)

    def url(self, path, host="127.0.0.1"):
        return f"https://{host}:{self.port}{path}"

    def requests(self, prefix=""):
        with open(self.log_path) as f:
            return [json.loads(line) for line in f if json.loads(line)["path"].startswith(prefix)]


# ------------------------------------------------------------------ keys and tokens

def pem(name):
    with open(os.path.join(ROOT, "test", "keys", name), "rb") as f:
        return f.read()


KEY_A, KEY_B, KEY_C = pem("rsa2048.pem"), pem("ec_p256.pem"), pem("rsa3072.pem")
# Loaded once: loading checks an RSA private key, which takes long enough to
# dominate a run that signs hundreds of tokens.
LOADED = {k: serialization.load_pem_private_key(k, None) for k in (KEY_A, KEY_B, KEY_C)}


def public_jwk(private_pem, **members):
    key = LOADED[private_pem].public_key()
    algorithm = ECAlgorithm if private_pem == KEY_B else RSAAlgorithm
    jwk = json.loads(algorithm.to_jwk(key))
    jwk.update(members)
    return jwk


def private_jwk(private_pem, **members):
    key = LOADED[private_pem]
    algorithm = ECAlgorithm if private_pem == KEY_B else RSAAlgorithm
    jwk = json.loads(algorithm.to_jwk(key))
    jwk.update(members)
    return jwk


def certificate_pem(private_pem, common_name):
    """A self-signed X.509 certificate of the key, as Firebase publishes them."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID
    key = LOADED[private_pem]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def token(private_pem, alg, kid, claims, **header):
    if kid is not None:
        header["kid"] = kid
    return pyjwt.encode(claims, LOADED[private_pem], algorithm=alg, headers=header or None)


# ------------------------------------------------------------------ the database

class Database:
    def __init__(self, name):
        self.conn = psycopg2.connect(dbname=name)
        self.conn.autocommit = True

    def rows(self, sql, *args):
        with self.conn.cursor() as cur:
            cur.execute(sql, args or None)
            return cur.fetchall() if cur.description else None

    def one(self, sql, *args):
        rows = self.rows(sql, *args)
        return rows[0][0] if rows else None

    def outcome(self, sql, *args):
        """The one value, or 'SQLSTATE: message'."""
        try:
            return self.one(sql, *args)
        except psycopg2.Error as e:
            return f"{e.pgcode}: {e.diag.message_primary}"

    def refresh(self, force=False):
        try:
            rows = self.rows("SELECT issuer, outcome, http_status, keys, message "
                             "FROM jwt.refresh_issuers(%s)", force)
        except psycopg2.Error as e:
            return f"{e.pgcode}: {e.diag.message_primary}"
        return {r[0]: r[1:] for r in rows}

    def validate(self, tok):
        result = self.outcome("SELECT 'ok: ' || (jwt.validate(%s) ->> 'sub')", tok)
        return result

    def add_issuer(self, issuer, url, **columns):
        names = ["issuer", "url", *columns]
        self.rows(f"INSERT INTO jwt.issuers ({', '.join(names)}) VALUES "
                  f"({', '.join(['%s'] * len(names))})", issuer, url, *columns.values())

    def stored(self, issuer):
        return self.one("SELECT jwks FROM jwt.issuer_keys WHERE issuer = %s", issuer)


def outcome_of(result, issuer):
    if not isinstance(result, dict):
        return result
    row = result.get(issuer)
    return row[0] if row else None


def message_of(result, issuer):
    if not isinstance(result, dict) or issuer not in result:
        return str(result)
    return result[issuer][3] or ""


# ------------------------------------------------------------------ scenarios

def discovery_and_rotation(db, p):
    base = "/realms/test"
    iss = p.url(base)
    certs = base + "/protocol/openid-connect/certs"
    p.json_route(base + "/.well-known/openid-configuration",
                 {"issuer": iss, "authorization_endpoint": p.url(base + "/auth"),
                  "jwks_uri": p.url(certs), "id_token_signing_alg_values_supported": ["RS256"]})
    a = public_jwk(KEY_A, kid="key-a", alg="RS256", use="sig")
    b = public_jwk(KEY_C, kid="key-b", alg="RS256", use="sig")
    enc = public_jwk(KEY_B, kid="enc-1", alg="ECDH-ES", use="enc")
    p.json_route(certs, {"keys": [a, enc]}, etag='"v1"', headers={"Cache-Control": "max-age=600"})
    db.add_issuer(iss, p.url(base + "/.well-known/openid-configuration"), audiences=["account"])
    tok_a = token(KEY_A, "RS256", "key-a", {"iss": iss, "sub": "a", "aud": "account"})
    tok_b = token(KEY_C, "RS256", "key-b", {"iss": iss, "sub": "b", "aud": "account"})

    # Without the test CA the server's certificate is not trusted.
    db.rows("RESET pg_jwt.ca_file")
    r = db.refresh()
    check("untrusted certificate: fetch fails", outcome_of(r, iss), "failed")
    check_true("untrusted certificate: says so", "certificate verification failed" in message_of(r, iss),
               message_of(r, iss))
    check("untrusted certificate: no request reached the server", len(p.requests(base)), 0)
    db.rows("SET pg_jwt.ca_file = %s", p.ca_file)

    start = len(p.requests(base))
    r = db.refresh(True)
    check("discovery then JWK set: updated, one usable key", r.get(iss, (None,))[:3],
          ("updated", 200, 1))
    check("the encryption key is left out", message_of(r, iss),
          '1 key(s) left out: key 2 (kid "enc-1"): "use" is "enc"')
    check("discovery document first, then jwks_uri",
          [q["path"] for q in p.requests(base)[start:]],
          [base + "/.well-known/openid-configuration", certs])
    check("no compressed encoding asked for", p.requests(base)[-1]["accept_encoding"], None)
    check("jwks_uri recorded", db.one("SELECT jwks_uri FROM jwt.issuer_status WHERE issuer = %s", iss),
          p.url(certs))
    check("max-age 600 sets the next refresh",
          db.one("SELECT round(extract(epoch FROM next_refresh - last_fetch)) FROM jwt.issuer_status "
                 "WHERE issuer = %s", iss), 600)
    check("rotation 1 (A): token A valid", db.validate(tok_a), "ok: a")
    check("rotation 1 (A): token B refused, its kid unknown", db.validate(tok_b),
          f'28000: no key of issuer "{iss}" matches the token\'s kid')

    rotation_start = len(p.requests(base))
    p.json_route(certs, {"keys": [a, b]}, etag='"v2"', headers={"Cache-Control": "max-age=600"})
    check("not due before max-age: nothing fetched", outcome_of(db.refresh(), iss), "not due")
    check("rotation 2 (A+B): updated", outcome_of(db.refresh(True), iss), "updated")
    check("rotation 2 (A+B): token A valid", db.validate(tok_a), "ok: a")
    check("rotation 2 (A+B): token B valid", db.validate(tok_b), "ok: b")
    p.json_route(certs, {"keys": [b]}, etag='"v3"', headers={"Cache-Control": "max-age=600"})
    check("rotation 3 (B): updated", outcome_of(db.refresh(True), iss), "updated")
    check("rotation 3 (B): token A refused", db.validate(tok_a),
          f'28000: no key of issuer "{iss}" matches the token\'s kid')
    check("rotation 3 (B): token B valid", db.validate(tok_b), "ok: b")
    counts["rotation (A -> A+B -> B, 2 forced refreshes and 1 not due)"] = \
        len(p.requests(base)) - rotation_start

    # ETag: the stored set is confirmed by 304.
    before = len(p.requests(certs))
    check("same ETag: 304, unchanged", outcome_of(db.refresh(True), iss), "unchanged")
    check("If-None-Match sent", p.requests(certs)[before]["if_none_match"], '"v3"')
    check("unchanged keeps the keys", db.validate(tok_b), "ok: b")
    p.json_route(certs, {"keys": [b]}, etag='"v3"', headers={"Cache-Control": "max-age=5"})
    db.refresh(True)
    check("max-age below min_refresh: min_refresh (300 s)",
          db.one("SELECT round(extract(epoch FROM next_refresh - last_fetch)) FROM jwt.issuer_status "
                 "WHERE issuer = %s", iss), 300)
    return iss, tok_b


def outage_and_restart(db, p):
    path = "/outage/jwks.json"
    iss = p.url("/outage")
    a = public_jwk(KEY_A, kid="out-a", alg="RS256", use="sig")
    p.json_route(path, {"keys": [a]})
    db.add_issuer(iss, p.url(path), audience_required=False)
    tok = token(KEY_A, "RS256", "out-a", {"iss": iss, "sub": "o"})
    start = len(p.requests(path))
    attempts = 0
    check("outage issuer: first fetch", outcome_of(db.refresh(), iss), "updated")
    attempts += 1
    check("before the outage: valid", db.validate(tok), "ok: o")
    p.route(path, status=503, body="{}")
    r = db.refresh(True)
    attempts += 1
    check("503: failed", outcome_of(r, iss), "failed")
    check("503: reason", message_of(r, iss), f'GET "{p.url(path)}": HTTP status 503')
    check("503: last good set kept", db.validate(tok), "ok: o")
    p.stop()
    r = db.refresh(True)
    attempts += 1
    check("server down: failed", outcome_of(r, iss), "failed")
    check_true("server down: connection refused", "Couldn't connect" in message_of(r, iss),
               message_of(r, iss))
    check("server down: last good set kept", db.validate(tok), "ok: o")
    check("status while failing", db.one("SELECT state FROM jwt.issuer_status WHERE issuer = %s", iss),
          "failing")
    # 25 hours later (the last good fetch moved back): stale, refused.
    db.rows("UPDATE jwt.issuer_keys SET fetched_at = fetched_at - interval '25 hours' "
            "WHERE issuer = %s", iss)
    check("after max_stale: refused", db.validate(tok), f'55000: keys of issuer "{iss}" are stale')
    check("after max_stale: is_valid raises too", db.outcome("SELECT jwt.is_valid(%s)", tok),
          f'55000: keys of issuer "{iss}" are stale')
    check("status: stale", db.one("SELECT state FROM jwt.issuer_status WHERE issuer = %s", iss), "stale")
    # The server process restarts on the same port, healthy again.
    p.route(path, body=json.dumps({"keys": [a]}))
    p.start()
    r = db.refresh(True)
    attempts += 1
    check("after the restart: updated", outcome_of(r, iss), "updated")
    check("after the restart: valid again", db.validate(tok), "ok: o")
    check("status: ok", db.one("SELECT state FROM jwt.issuer_status WHERE issuer = %s", iss), "ok")
    counts["outage (ok, 503, down, restart)"] = \
        f"{attempts} fetch attempts, {len(p.requests(path)) - start} reached the server"
    db.rows("DELETE FROM jwt.issuers WHERE issuer = %s", iss)


def hostile_responses(db, p):
    path = "/hostile/jwks"
    iss = p.url("/hostile")
    a = public_jwk(KEY_A, kid="h-a", alg="RS256", use="sig")
    good = {"keys": [a]}
    p.json_route(path, good)
    db.add_issuer(iss, p.url(path), audience_required=False)
    tok = token(KEY_A, "RS256", "h-a", {"iss": iss, "sub": "h"})
    check("hostile issuer: first fetch", outcome_of(db.refresh(), iss), "updated")
    stored = db.stored(iss)
    url = p.url(path)

    def refused(what, expected_message, **route):
        if "document" in route:
            p.json_route(path, route.pop("document"), **route)
        else:
            p.route(path, **route)
        t0 = time.time()
        r = db.refresh(True)
        elapsed = time.time() - t0
        check(f"{what}: failed", outcome_of(r, iss), "failed")
        check_true(f"{what}: {expected_message}", expected_message in message_of(r, iss),
                   message_of(r, iss))
        check(f"{what}: nothing stored", db.stored(iss), stored)
        check(f"{what}: the last good set still verifies", db.validate(tok), "ok: h")
        return elapsed

    db.rows("SET pg_jwt.fetch_timeout = '1s'")
    elapsed = refused("slow response", "timed out", document=good, delay=3)
    check_true("slow response: given up after the 1 s timeout", elapsed < 2.5, f"({elapsed:.2f} s)")
    db.rows("RESET pg_jwt.fetch_timeout")
    elapsed = refused("10 MiB body", "response is larger than 1048576 bytes", size=10 * 1024 * 1024)
    check_true("10 MiB body: stopped early", elapsed < 2, f"({elapsed:.2f} s)")
    elapsed = refused("10 MiB body without Content-Length", "response is larger than 1048576 bytes",
                      size=10 * 1024 * 1024, no_length=True)
    check_true("10 MiB body without Content-Length: stopped early", elapsed < 2, f"({elapsed:.2f} s)")
    before = len(p.requests("/hostile/elsewhere"))
    refused("redirect", "HTTP status 302 (redirects are not followed",
            status=302, body="", headers={"Location": p.url("/hostile/elsewhere")})
    check("redirect: its target never requested", len(p.requests("/hostile/elsewhere")), before)
    refused("invalid JSON", "document is not a JSON object", body='{"keys": [')
    refused("wrong content type", 'content type "text/html" is not JSON',
            document=good, content_type="text/html")
    refused("no content type", 'content type "" is not JSON', document=good, content_type="")
    refused("private key in the set", "JWK set holds private or symmetric key material",
            document={"keys": [a, private_jwk(KEY_B, kid="h-b", alg="ES256")]})
    refused("symmetric key in the set", "JWK set holds private or symmetric key material",
            document={"keys": [a, {"kty": "oct", "kid": "s", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}]})
    refused("duplicate kids", 'JWK set has duplicate kid "h-a"', document={"keys": [a, dict(a)]})
    refused("65 keys", "JWK set has too many keys",
            document={"keys": [dict(a, kid=f"k{i}") for i in range(65)]})
    refused("alg contradicting kty", "JWK set has a key whose \"alg\" contradicts its type",
            document={"keys": [dict(a, alg="ES256")]})
    refused("discovery document of another issuer", "discovery document is for another issuer",
            document={"issuer": p.url("/someone-else"), "jwks_uri": p.url("/hostile/keys")})
    refused("jwks_uri on another host", 'is on host "evil.example", which is not the host',
            document={"issuer": iss, "jwks_uri": "https://evil.example/jwks"})
    refused("jwks_uri on localhost (not configured)", 'is on host "localhost", which is not the host',
            document={"issuer": iss, "jwks_uri": p.url("/hostile/keys", host="localhost")})
    refused("jwks_uri over http", "is not https",
            document={"issuer": iss, "jwks_uri": f"http://127.0.0.1:{p.port}/hostile/keys"})
    check("no jwks_uri of a refused discovery document was requested",
          len(p.requests("/hostile/keys")), 0)

    # A cancel (here statement_timeout) stops a transfer that waits.
    p.json_route(path, good, delay=5)
    db.rows("SET statement_timeout = '500ms'")
    t0 = time.time()
    result = db.refresh(True)
    elapsed = time.time() - t0
    db.rows("RESET statement_timeout")
    check("statement_timeout: the fetch is cancelled", result,
          "57014: canceling statement due to statement timeout")
    check_true("statement_timeout: within a second", elapsed < 1.5, f"({elapsed:.2f} s)")
    check("after the cancel: nothing stored", db.stored(iss), stored)
    p.json_route(path, good)
    db.rows("DELETE FROM jwt.issuers WHERE issuer = %s", iss)


def urls_from_tokens(db, p):
    before = len(p.requests())
    unconfigured = p.url("/unconfigured")
    tok = token(KEY_B, "ES256", "x", {"iss": unconfigured, "sub": "u"},
                jku=p.url("/jku-keys"), x5u=p.url("/x5u-cert"))
    check("token of an unconfigured issuer with jku and x5u: refused", db.validate(tok),
          "22023: no key to validate with")
    check("nothing named by the token was fetched", len(p.requests()), before)


def storm(db, p, iss):
    start = len(p.requests("/realms/test"))
    refused = refresh_calls = fetched = 0
    tokens = 0
    for batch in range(10):
        kids = ["".join(random.choices(string.ascii_letters, k=12)) for _ in range(30)]
        toks = [token(KEY_C, "RS256", kid, {"iss": iss, "sub": "s", "aud": "account"}) for kid in kids]
        tokens += len(toks)
        refused += db.one("SELECT count(*) FILTER (WHERE NOT jwt.is_valid(t)) FROM unnest(%s::text[]) t",
                          toks)
        r = db.refresh()
        refresh_calls += 1
        if outcome_of(r, iss) != "not due":
            fetched += 1
    made = len(p.requests("/realms/test")) - start
    check("storm: every unknown kid refused", refused, tokens)
    check_true("storm: at most one fetch per cooldown (30 s)", made <= 2, f"({made} requests)")
    counts["unknown-kid storm"] = (f"{tokens} tokens with unknown kids and {refresh_calls} calls of "
                                   f"jwt.refresh_issuers() caused {made} requests")


def fixtures(db, p):
    """Documents shaped like the providers' own (members, paths, claims)."""
    results = {}
    # Supabase: the JWK set URL itself; ES256 keys with key_ops; user tokens
    # carry aud "authenticated", the anon key none.
    sb = p.url("/ref/auth/v1")
    p.json_route("/ref/auth/v1/.well-known/jwks.json",
                 {"keys": [public_jwk(KEY_B, kid="sb-1", alg="ES256", use="sig",
                                      key_ops=["verify"], ext=True)]},
                 headers={"Cache-Control": "public, max-age=600"})
    db.add_issuer(sb, p.url("/ref/auth/v1/.well-known/jwks.json"), audiences=["authenticated"],
                  audience_required=False)
    # Auth0: issuer with a trailing slash, discovery, RSA keys with x5c/x5t.
    a0 = p.url("/tenant/")
    a0_key = public_jwk(KEY_A, kid="a0-1", alg="RS256", use="sig", x5t="abc",
                        x5c=["MIIC..."])
    p.json_route("/tenant/.well-known/openid-configuration",
                 {"issuer": a0, "jwks_uri": p.url("/tenant/.well-known/jwks.json"),
                  "response_types_supported": ["code"]})
    p.json_route("/tenant/.well-known/jwks.json", {"keys": [a0_key]},
                 headers={"Cache-Control": "public, max-age=15, stale-while-revalidate=15"})
    db.add_issuer(a0, p.url("/tenant/.well-known/openid-configuration"),
                  audiences=["https://api.example.com"])
    # Entra ID: tenant discovery, keys without alg, with x5c and issuer members.
    tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    en = p.url(f"/{tenant}/v2.0")
    p.json_route(f"/{tenant}/v2.0/.well-known/openid-configuration",
                 {"issuer": en, "jwks_uri": p.url(f"/{tenant}/discovery/v2.0/keys"),
                  "token_endpoint": p.url(f"/{tenant}/oauth2/v2.0/token")})
    en_key = public_jwk(KEY_C, kid="en-1", use="sig", x5t="en-1", x5c=["MIIC..."], issuer=en)
    en_key.pop("alg", None)
    p.json_route(f"/{tenant}/discovery/v2.0/keys", {"keys": [en_key]})
    db.add_issuer(en, p.url(f"/{tenant}/v2.0/.well-known/openid-configuration"),
                  audiences=["6e74172b-be56-4843-9ff4-e66a39bb12e3"])
    # Cognito: pool discovery; access tokens have no aud (client_id instead).
    pool = "us-east-1_AbCdEf123"
    cg = p.url(f"/{pool}")
    p.json_route(f"/{pool}/.well-known/openid-configuration",
                 {"issuer": cg, "jwks_uri": p.url(f"/{pool}/.well-known/jwks.json")})
    p.json_route(f"/{pool}/.well-known/jwks.json",
                 {"keys": [public_jwk(KEY_A, kid="cg-1", alg="RS256", use="sig")]})
    db.add_issuer(cg, p.url(f"/{pool}/.well-known/openid-configuration"),
                  audiences=["client-abc"], audience_required=False)
    # Keycloak: realm discovery; the certs endpoint also lists an encryption
    # key (use enc, RSA-OAEP), left out; roles in realm_access.roles, read
    # by jwt.authenticate through the row's role_claim_key.
    kc = p.url("/realms/shop")
    p.json_route("/realms/shop/.well-known/openid-configuration",
                 {"issuer": kc, "jwks_uri": p.url("/realms/shop/protocol/openid-connect/certs"),
                  "authorization_endpoint": p.url("/realms/shop/protocol/openid-connect/auth")})
    p.json_route("/realms/shop/protocol/openid-connect/certs", {"keys": [
        public_jwk(KEY_C, kid="kc-enc", alg="RSA-OAEP", use="enc", x5c=["MIIC..."]),
        public_jwk(KEY_A, kid="kc-sig", alg="RS256", use="sig", x5c=["MIIC..."],
                   x5t="kc", **{"x5t#S256": "kc256"})]})
    db.add_issuer(kc, p.url("/realms/shop/.well-known/openid-configuration"),
                  audiences=["account"], role_claim_key="$.realm_access.roles[0]")
    # Firebase: the certificate map itself (its issuer's discovery document
    # names a JWK set on another host; the map is the documented form),
    # two certificates keyed by kid; aud is the project id.
    project = "shop-3f1a2"
    fb = p.url(f"/{project}")
    p.json_route("/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com",
                 {"fb-1": certificate_pem(KEY_A, "securetoken.system.gserviceaccount.com"),
                  "fb-2": certificate_pem(KEY_C, "securetoken.system.gserviceaccount.com")},
                 headers={"Cache-Control": "public, max-age=19958, must-revalidate, no-transform"})
    db.add_issuer(fb, p.url("/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"),
                  audiences=[project])
    r = db.refresh()
    for name, iss in (("Supabase", sb), ("Auth0", a0), ("Entra", en), ("Cognito", cg),
                      ("Keycloak", kc), ("Firebase", fb)):
        check(f"{name}: fetched", outcome_of(r, iss), "updated")
    check("Keycloak: the encryption key is left out", (
        db.one("SELECT kids FROM jwt.issuer_keys WHERE issuer = %s", kc),
        "kc-enc" in message_of(r, kc)), (["kc-sig"], True))
    check("Firebase: both certificates are keys, by kid", db.one(
        "SELECT (kids, key_algorithms)::text FROM jwt.issuer_keys WHERE issuer = %s", fb),
        '("{fb-1,fb-2}","{RS256,RS256}")')
    now = int(time.time())
    check("Supabase: user token (aud authenticated)", db.validate(token(KEY_B, "ES256", "sb-1", {
        "iss": sb, "sub": "8f2b-user", "aud": "authenticated", "role": "authenticated",
        "exp": now + 3600, "iat": now, "session_id": "s", "is_anonymous": False})), "ok: 8f2b-user")
    check("Supabase: anon token (no aud)", db.validate(token(KEY_B, "ES256", "sb-1", {
        "iss": sb, "sub": "anon", "role": "anon", "exp": now + 3600, "iat": now})), "ok: anon")
    check("Auth0: access token (aud array)", db.validate(token(KEY_A, "RS256", "a0-1", {
        "iss": a0, "sub": "auth0|123", "aud": ["https://api.example.com", p.url("/tenant/userinfo")],
        "scope": "openid profile", "exp": now + 3600, "iat": now}, typ="JWT")), "ok: auth0|123")
    check("Entra: access token (key without alg)", db.validate(token(KEY_C, "RS256", "en-1", {
        "iss": en, "sub": "AAAA-sub", "aud": "6e74172b-be56-4843-9ff4-e66a39bb12e3",
        "tid": tenant, "ver": "2.0", "exp": now + 3600, "nbf": now - 10, "iat": now - 10},
        typ="JWT")), "ok: AAAA-sub")
    check("Cognito: access token (no aud)", db.validate(token(KEY_A, "RS256", "cg-1", {
        "iss": cg, "sub": "c-sub", "token_use": "access", "client_id": "client-abc",
        "exp": now + 3600, "iat": now})), "ok: c-sub")
    check("Cognito: id token (aud = client id)", db.validate(token(KEY_A, "RS256", "cg-1", {
        "iss": cg, "sub": "c-sub", "token_use": "id", "aud": "client-abc",
        "exp": now + 3600, "iat": now})), "ok: c-sub")
    check("Cognito: id token of another client", db.validate(token(KEY_A, "RS256", "cg-1", {
        "iss": cg, "sub": "c-sub", "aud": "client-other", "exp": now + 3600})),
        "28000: token audience does not match")
    check("Keycloak: access token", db.validate(token(KEY_A, "RS256", "kc-sig", {
        "iss": kc, "sub": "f1c2-kc", "aud": "account", "azp": "shop-web", "typ": "Bearer",
        "realm_access": {"roles": ["offline_access"]}, "exp": now + 300, "iat": now}, typ="JWT")),
        "ok: f1c2-kc")
    fb_claims = {"iss": fb, "aud": project, "auth_time": now - 60, "user_id": "fb-user",
                 "sub": "fb-user", "iat": now, "exp": now + 3600,
                 "firebase": {"identities": {}, "sign_in_provider": "anonymous"}}
    check("Firebase: ID token (first certificate)",
          db.validate(token(KEY_A, "RS256", "fb-1", fb_claims)), "ok: fb-user")
    check("Firebase: ID token (second certificate)",
          db.validate(token(KEY_C, "RS256", "fb-2", fb_claims)), "ok: fb-user")
    check("Firebase: the first certificate's kid with the second key",
          db.validate(token(KEY_C, "RS256", "fb-1", fb_claims)),
          "28000: invalid token signature")
    # A token of one issuer signed with another's key (both configured).
    check("Auth0's key under Cognito's issuer", db.validate(token(KEY_A, "RS256", "a0-1", {
        "iss": cg, "sub": "x"})), f'28000: no key of issuer "{cg}" matches the token\'s kid')
    # jwt.authenticate with the Supabase user token.
    db.rows("DROP ROLE IF EXISTS issuers_test_authenticated")
    db.rows("CREATE ROLE issuers_test_authenticated")
    db.rows("BEGIN")
    got = db.outcome("SELECT jwt.authenticate(%s) ->> 'sub'", token(KEY_B, "ES256", "sb-1", {
        "iss": sb, "sub": "8f2b-user", "aud": "authenticated",
        "role": "issuers_test_authenticated", "exp": now + 3600}))
    role = db.one("SELECT current_user")
    db.rows("ROLLBACK")
    check("Supabase: jwt.authenticate switches to the token's role", (got, role),
          ("8f2b-user", "issuers_test_authenticated"))
    # Keycloak's row reads the role at $.realm_access.roles[0]; the session
    # setting pg_jwt.role_claim_key (.role) still serves the other issuers.
    db.rows("DROP ROLE IF EXISTS issuers_test_kc_role")
    db.rows("CREATE ROLE issuers_test_kc_role")
    kc_token = token(KEY_A, "RS256", "kc-sig", {
        "iss": kc, "sub": "f1c2-kc", "aud": "account", "role": "issuers_test_authenticated",
        "realm_access": {"roles": ["issuers_test_kc_role", "offline_access"]}, "exp": now + 300})
    db.rows("BEGIN")
    got = db.outcome("SELECT jwt.authenticate(%s) ->> 'sub'", kc_token)
    role = db.one("SELECT current_user")
    db.rows("ROLLBACK")
    check("Keycloak: jwt.authenticate takes the role at the issuer's role_claim_key",
          (got, role), ("f1c2-kc", "issuers_test_kc_role"))
    db.rows("UPDATE jwt.issuers SET role_claim_key = '$.realm_access.roles[' WHERE issuer = %s", kc)
    db.rows("BEGIN")
    got = db.outcome("SELECT jwt.authenticate(%s) ->> 'sub'", kc_token)
    db.rows("ROLLBACK")
    check("Keycloak: a broken role_claim_key fails closed", got,
          '22023: invalid jwt.issuers.role_claim_key "$.realm_access.roles["')
    db.rows("UPDATE jwt.issuers SET role_claim_key = '' WHERE issuer = %s", kc)
    db.rows("SET pg_jwt.anon_role = issuers_test_authenticated")
    db.rows("BEGIN")
    got = db.outcome("SELECT jwt.authenticate(%s) ->> 'sub'", kc_token)
    role = db.one("SELECT current_user")
    db.rows("ROLLBACK")
    db.rows("RESET pg_jwt.anon_role")
    check("Keycloak: role_claim_key '' takes no role from the token (pg_jwt.anon_role)",
          (got, role), ("f1c2-kc", "issuers_test_authenticated"))
    db.rows("UPDATE jwt.issuers SET role_claim_key = '$.realm_access.roles[0]' WHERE issuer = %s",
            kc)
    db.rows("DROP ROLE issuers_test_kc_role")
    db.rows("DROP ROLE issuers_test_authenticated")
    # A discovery document may point to another configured issuer's host.
    db.add_issuer(p.url("/other-host"), p.url("/other-host/jwks", host="localhost"),
                  audience_required=False)
    p.json_route("/other-host/jwks", {"keys": [public_jwk(KEY_A, kid="oh", alg="RS256")]})
    p.json_route("/cross/.well-known/openid-configuration",
                 {"issuer": p.url("/cross"), "jwks_uri": p.url("/other-host/jwks", host="localhost")})
    db.add_issuer(p.url("/cross"), p.url("/cross/.well-known/openid-configuration"),
                  audience_required=False)
    r = db.refresh()
    check("jwks_uri on the host of another configured issuer: fetched",
          outcome_of(r, p.url("/cross")), "updated")
    return results


def dump_and_restore(db, p, dbname, tok):
    restored = dbname + "_restored"
    dump = os.path.join(p.workdir, "dump")
    subprocess.run(["pg_dump", "-Fc", "-f", dump, dbname], check=True)
    admin = Database("postgres")
    admin.rows(f"DROP DATABASE IF EXISTS {restored}")
    admin.rows(f"CREATE DATABASE {restored}")
    subprocess.run(["pg_restore", "-d", restored, dump], check=True)
    other = Database(restored)
    check("restore: the issuers are back",
          other.one("SELECT count(*) FROM jwt.issuers"), db.one("SELECT count(*) FROM jwt.issuers"))
    check("restore: no fetched key set is", other.one("SELECT count(*) FROM jwt.issuer_keys"), 0)
    iss = pyjwt.decode(tok, options={"verify_signature": False})["iss"]
    check("restore: the issuer's tokens are refused until fetched", other.validate(tok),
          f'55000: keys of issuer "{iss}" have not been fetched')
    other.rows("SET pg_jwt.ca_file = %s", p.ca_file)
    other.refresh()
    check("restore: valid once fetched again", other.validate(tok), "ok: b")
    other.conn.close()
    admin.rows(f"DROP DATABASE {restored}")
    admin.conn.close()


def main():
    workdir = tempfile.mkdtemp(prefix="pg_jwt_issuers_")
    p = Provider(workdir)
    dbname = f"pg_jwt_issuers_{os.getpid()}"
    admin = Database("postgres")
    db = None
    try:
        p.ca_file = make_certificates(workdir)
        p.start()
        admin.rows(f"DROP DATABASE IF EXISTS {dbname}")
        admin.rows(f"CREATE DATABASE {dbname}")
        db = Database(dbname)
        db.rows("CREATE EXTENSION pg_jwt")
        iss, tok_b = discovery_and_rotation(db, p)
        outage_and_restart(db, p)
        hostile_responses(db, p)
        urls_from_tokens(db, p)
        storm(db, p, iss)
        fixtures(db, p)
        dump_and_restore(db, p, dbname, tok_b)
        check("user agent", p.requests()[0]["user_agent"], "pg_jwt")
    finally:
        if db is not None:
            db.conn.close()
        p.stop()
        admin.rows(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        admin.conn.close()
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    for what, n in counts.items():
        print(f"fetches: {what}: {n}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""The background worker (pg_jwt in shared_preload_libraries) against the
HTTPS provider of issuers_test.py, in a primary and a physical standby made
here (initdb, pg_basebackup) with pg_jwt.refresh_databases and a 2 s
pg_jwt.kid_refresh_cooldown: nobody calls jwt.refresh_issuers; a new
issuer's keys arrive once one of its tokens asks; a key rotated in on the
provider (an unknown kid) is fetched and its token accepted; a storm of
tokens with unknown kids makes at most one fetch per cooldown; the standby
runs no worker, refuses jwt.refresh_issuers, and accepts a token of a key
rotated in on the provider once the primary's worker stored it. Fetches are
counted in the provider's request log. Prints one line per check, the fetch
counts, then "N passed, N failed"."""

import os
import pwd
import random
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import issuers_test as it  # noqa: E402  (the provider, keys, tokens, checks)

BIN = "/usr/lib/postgresql/15/bin"
DBNAME = "issuers_worker"
COOLDOWN = 2


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*args, **kw):
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, **kw)


class Server:
    def __init__(self, workdir, name, port):
        self.data = os.path.join(workdir, name)
        self.sock = os.path.join(workdir, "sock")
        self.log = os.path.join(workdir, name + ".log")
        self.port = port

    def start(self):
        as_postgres(f"{BIN}/pg_ctl", "-D", self.data, "-l", self.log, "-w", "start")

    def stop(self):
        subprocess.run(["runuser", "-u", "postgres", "--", f"{BIN}/pg_ctl", "-D", self.data,
                        "-m", "immediate", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def database(server, dbname=DBNAME):
    db = it.Database.__new__(it.Database)
    db.conn = psycopg2.connect(host=server.sock, port=server.port, user="postgres", dbname=dbname)
    db.conn.autocommit = True
    return db


def wait_for(what, probe, expected, seconds=10.0):
    deadline = time.time() + seconds
    t0 = time.time()
    got = probe()
    while got != expected and time.time() < deadline:
        time.sleep(0.05)
        got = probe()
    it.check(f"{what} (after {time.time() - t0:.1f} s)", got, expected)
    return time.time() - t0


def main():
    workdir = tempfile.mkdtemp(prefix="pg_jwt_worker_")
    postgres = pwd.getpwnam("postgres")
    p = it.Provider(workdir)
    primary = Server(workdir, "primary", free_port())
    standby = Server(workdir, "standby", free_port())
    try:
        p.ca_file = it.make_certificates(workdir)
        p.start()
        os.makedirs(primary.sock)
        for d in (workdir, primary.sock):
            os.chown(d, postgres.pw_uid, postgres.pw_gid)
        as_postgres(f"{BIN}/initdb", "-D", primary.data, "-A", "trust", "-U", "postgres",
                    "--no-sync")
        conf = os.path.join(primary.data, "postgresql.conf")
        with open(conf, "a") as f:
            f.write(f"port = {primary.port}\nlisten_addresses = ''\n"
                    f"unix_socket_directories = '{primary.sock}'\n"
                    "shared_preload_libraries = 'pg_jwt'\n"
                    f"pg_jwt.kid_refresh_cooldown = {COOLDOWN}\n"
                    f"pg_jwt.ca_file = '{p.ca_file}'\n"
                    "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n")
        primary.start()
        admin = database(primary, "postgres")
        it.check("no worker without pg_jwt.refresh_databases",
                 admin.one("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_jwt issuers'"),
                 0)
        admin.rows(f"CREATE DATABASE {DBNAME}")
        db = database(primary)
        db.rows("CREATE EXTENSION pg_jwt")
        db.conn.close()
        admin.conn.close()
        # The database exists before its worker starts (a worker for a
        # database that does not exist fails, and is started again every 30 s).
        with open(conf, "a") as f:
            f.write(f"pg_jwt.refresh_databases = '{DBNAME}'\n")
        primary.stop()
        primary.start()
        admin = database(primary, "postgres")
        db = database(primary)
        wait_for("one worker on the primary", lambda: db.one(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_jwt issuers'"), 1, 5)

        # A new issuer: its first token asks the worker, which fetches.
        path = "/w/jwks"
        iss = p.url("/w")
        a = it.public_jwk(it.KEY_A, kid="w-a", alg="RS256", use="sig")
        b = it.public_jwk(it.KEY_C, kid="w-b", alg="RS256", use="sig")
        p.json_route(path, {"keys": [a]}, headers={"Cache-Control": "max-age=3600"})
        db.add_issuer(iss, p.url(path), audience_required=False)
        tok_a = it.token(it.KEY_A, "RS256", "w-a", {"iss": iss, "sub": "a"})
        tok_b = it.token(it.KEY_C, "RS256", "w-b", {"iss": iss, "sub": "b"})
        it.check("a new issuer's token before any fetch", db.validate(tok_a),
                 f'55000: keys of issuer "{iss}" have not been fetched')
        wait_for("the worker fetched the new issuer's keys", lambda: db.validate(tok_a), "ok: a")
        it.check("one fetch so far", len(p.requests(path)), 1)

        # Rotation: B published on the provider; its first token asks.
        time.sleep(COOLDOWN)
        p.json_route(path, {"keys": [a, b]}, headers={"Cache-Control": "max-age=3600"})
        before = len(p.requests(path))
        it.check("a token of the rotated-in key, before the fetch", db.validate(tok_b),
                 f'28000: no key of issuer "{iss}" matches the token\'s kid')
        wait_for("the worker fetched the rotated-in key", lambda: db.validate(tok_b), "ok: b")
        it.check("the rotation cost one fetch", len(p.requests(path)) - before, 1)

        # Tokens verified per key, counted in shared memory.
        def counts():
            return db.one("SELECT tokens_verified FROM jwt.issuer_status WHERE issuer = %s", iss)
        it.check("kids of the set", db.one("SELECT kids FROM jwt.issuer_status WHERE issuer = %s", iss),
                 ["w-a", "w-b"])
        first = counts()
        for _ in range(5):
            db.validate(tok_b)
        db.validate(tok_a)
        it.check("tokens verified per key: five more for w-b, one for w-a",
                 [n - m for n, m in zip(counts(), first)], [1, 5])

        # Storm: tokens with unknown kids for 6 s: at most one fetch per cooldown.
        before = len(p.requests(path))
        t0 = time.time()
        tokens = refused = 0
        while time.time() - t0 < 6:
            kids = ["".join(random.choices(string.ascii_letters, k=12)) for _ in range(30)]
            toks = [it.token(it.KEY_C, "RS256", k, {"iss": iss, "sub": "s"}) for k in kids]
            tokens += len(toks)
            refused += db.one("SELECT count(*) FILTER (WHERE NOT jwt.is_valid(t)) "
                              "FROM unnest(%s::text[]) t", toks)
            time.sleep(0.2)
        seconds = time.time() - t0
        time.sleep(0.5)
        made = len(p.requests(path)) - before
        allowed = int(seconds // COOLDOWN) + 1
        it.check("storm: every unknown kid refused", refused, tokens)
        it.check_true(f"storm: at most one fetch per {COOLDOWN} s cooldown", made <= allowed,
                      f"({made} fetches in {seconds:.1f} s)")
        it.check_true("storm: the worker did fetch again", made >= 1, f"({made})")
        it.counts[f"worker, unknown-kid storm ({COOLDOWN} s cooldown)"] = (
            f"{tokens} tokens with unknown kids over {seconds:.1f} s caused {made} fetches")

        # A physical standby: reads what the primary stored, never fetches.
        os.makedirs(standby.data)
        os.chown(standby.data, postgres.pw_uid, postgres.pw_gid)
        os.chmod(standby.data, 0o700)
        as_postgres(f"{BIN}/pg_basebackup", "-D", standby.data, "-R", "-X", "stream",
                    "-h", primary.sock, "-p", str(primary.port), "-U", "postgres")
        with open(os.path.join(standby.data, "postgresql.conf"), "a") as f:
            f.write(f"port = {standby.port}\n")
        standby.start()
        sdb = database(standby)
        it.check("no worker on the standby",
                 sdb.one("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_jwt issuers'"),
                 0)
        it.check("the standby refuses jwt.refresh_issuers", sdb.refresh(),
                 "25006: cannot refresh issuers' keys during recovery")
        it.check("the standby verifies with the primary's keys", sdb.validate(tok_b), "ok: b")
        # C rotated in on the provider: the primary's worker fetches it, the standby replays it.
        c = it.public_jwk(it.KEY_B, kid="w-c", alg="ES256", use="sig")
        p.json_route(path, {"keys": [b, c]}, headers={"Cache-Control": "max-age=3600"})
        tok_c = it.token(it.KEY_B, "ES256", "w-c", {"iss": iss, "sub": "c"})
        time.sleep(COOLDOWN)
        before = len(p.requests(path))
        it.check_true("the standby refuses the new key's token at first",
                      sdb.validate(tok_c).startswith("28000"), sdb.validate(tok_c))
        it.check("a token on the standby makes no fetch", len(p.requests(path)), before)
        db.validate(tok_c)  # on the primary: asks its worker
        wait_for("the primary's worker fetched the new key", lambda: db.validate(tok_c), "ok: c")
        wait_for("the standby accepts the new key's token", lambda: sdb.validate(tok_c), "ok: c")
        it.check("the standby then refuses the withdrawn key's token", sdb.validate(tok_a),
                 f'28000: no key of issuer "{iss}" matches the token\'s kid')
        for d in (sdb, db, admin):
            d.conn.close()
    finally:
        standby.stop()
        primary.stop()
        p.stop()
        for log in (primary.log, standby.log):
            if os.path.exists(log):
                with open(log) as f:
                    crashes = [l for l in f if "terminated by signal" in l or "PANIC" in l]
                it.check(f"no crash in {os.path.basename(log)}", crashes, [])
                if it.failed:
                    with open(log) as f:
                        print(f"-- {os.path.basename(log)}, last lines:\n" + "".join(f.readlines()[-30:]))
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    for what, n in it.counts.items():
        print(f"fetches: {what}: {n}")
    print(f"{it.passed} passed, {it.failed} failed")
    return 0 if it.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

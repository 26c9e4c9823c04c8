"""A revocation and a withdrawn key, changed on a logical-replication
publisher, are refused by a subscriber backend that had cached the state
before, from its next statement. Run by test/replication/run inside a
cluster with wal_level = logical (PGHOST, PGPORT, PGUSER, PGPASSWORD set)."""

import os
import sys
import time

import psycopg2

VERSION = os.environ.get("PG_JWT_VERSION")
SECRET = "secret-secret-secret-secret-secr"
passed = failed = 0


def connect(dbname):
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    return conn


def one(conn, sql, *args):
    with conn.cursor() as cur:
        cur.execute(sql, args or None)
        if cur.description is None:
            return None
        row = cur.fetchone()
        return row[0] if row else None


def check(what, got, expected):
    global passed, failed
    if got == expected:
        passed += 1
        print(f"ok: {what}")
    else:
        failed += 1
        print(f"FAILED: {what}: got {got!r}, expected {expected!r}")


def wait_for(conn, sql, expected, what, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if one(conn, sql) == expected:
            return True
        time.sleep(0.1)
    check(f"{what} (waited {seconds} s)", one(conn, sql), expected)
    return False


def main():
    admin = connect("postgres")
    for db in ("pg_jwt_pub", "pg_jwt_sub"):
        one(admin, f"DROP DATABASE IF EXISTS {db}")
        one(admin, f"CREATE DATABASE {db}")
    pub, sub = connect("pg_jwt_pub"), connect("pg_jwt_sub")
    create = "CREATE EXTENSION pg_jwt" + (f" VERSION '{VERSION}'" if VERSION else "")
    for conn in (pub, sub):
        one(conn, create)
    one(pub, "SELECT jwt.add_key(%s, 'HS256', 'rep-k1')", SECRET)
    one(pub, "SELECT jwt.add_key('other-other-other-other-other-ot', 'HS256', 'rep-k2')")
    one(pub, "CREATE PUBLICATION pg_jwt_pub FOR TABLE jwt.keys, jwt.revoked")
    # Within one cluster the slot must exist before the subscription.
    one(pub, "SELECT pg_create_logical_replication_slot('pg_jwt_slot', 'pgoutput')")
    conninfo = " ".join(f"{k}={os.environ[v]}" for k, v in
                        (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"),
                         ("password", "PGPASSWORD")) if os.environ.get(v))
    one(sub, f"CREATE SUBSCRIPTION pg_jwt_sub CONNECTION '{conninfo} dbname=pg_jwt_pub' "
             "PUBLICATION pg_jwt_pub WITH (create_slot = false, slot_name = 'pg_jwt_slot')")
    wait_for(sub, "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'", 0,
             "initial copy done")
    check("keys copied", one(sub, "SELECT count(*) FROM jwt.keys"), 2)

    token = one(sub, "SELECT jwt.sign('{\"sub\":\"a\",\"jti\":\"rep-jti\"}', %s, 'HS256', "
                     "'{\"kid\":\"rep-k1\"}')", SECRET)
    token2 = one(sub, "SELECT jwt.sign('{\"sub\":\"a\",\"jti\":\"rep-jti-2\"}', %s, 'HS256', "
                      "'{\"kid\":\"rep-k1\"}')", SECRET)
    # The backend under test caches "jwt.revoked is empty" and the key.
    backend = connect("pg_jwt_sub")
    check("valid before", one(backend, "SELECT jwt.is_valid(%s)", token), True)
    check("valid before (again: cached)", one(backend, "SELECT jwt.is_valid(%s)", token), True)

    one(pub, "SELECT jwt.revoke('rep-jti', now() + interval '1 day')")
    if wait_for(sub, "SELECT count(*) FROM jwt.revoked", 1, "revocation replicated"):
        check("revoked token refused on the subscriber",
              one(backend, "SELECT jwt.is_valid(%s)", token), False)
    check("other token still valid", one(backend, "SELECT jwt.is_valid(%s)", token2), True)

    one(pub, "UPDATE jwt.keys SET active = false WHERE kid = 'rep-k1'")
    if wait_for(sub, "SELECT count(*) FROM jwt.keys WHERE active", 1, "withdrawal replicated"):
        check("token of the withdrawn key refused on the subscriber",
              one(backend, "SELECT jwt.is_valid(%s)", token2), False)

    one(pub, "UPDATE jwt.keys SET active = true WHERE kid = 'rep-k1'")
    one(pub, "TRUNCATE jwt.revoked")
    if wait_for(sub, "SELECT count(*) FROM jwt.keys WHERE active", 2, "key back"):
        wait_for(sub, "SELECT count(*) FROM jwt.revoked", 0, "truncate replicated")
        check("key back and revocation truncated",
              one(backend, "SELECT jwt.is_valid(%s)", token), True)

    one(sub, "DROP SUBSCRIPTION pg_jwt_sub")
    backend.close(), sub.close(), pub.close()
    for db in ("pg_jwt_pub", "pg_jwt_sub"):
        one(admin, f"DROP DATABASE {db}")


try:
    main()
except Exception as e:  # a failure to set up counts as a failure
    failed += 1
    print(f"FAILED: {type(e).__name__}: {e}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

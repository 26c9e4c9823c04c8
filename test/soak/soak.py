"""pg_jwt soak: hostile and valid tokens through jwt.verify, jwt.validate,
jwt.is_valid, jwt.decode and jwt.authenticate over several connections at
once, against a live server (run inside scripts/in-cluster; libpq settings
come from the environment). Checks that no backend dies, that every token
gets the outcome its class demands, and that backend memory stays flat; runs
the limit checks of limits.py on another connection meanwhile. Ends with
"N passed, N failed".

    /usr/bin/python3 test/soak/soak.py [--short] [--tokens N] [--workers N]
"""
import argparse
import base64
import collections
import multiprocessing
import os
import re
import sys
import time

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import limits  # noqa: E402
from worker import Worker  # noqa: E402

HS_SECRET = b"soak-hs256-secret-0123456789abcdefghijklmnop"
ASCII_DB = "soak_ascii"
# Server log lines that fail the run: any WARNING, FATAL or PANIC (leak
# warnings such as "resource was not closed" or "TupleDesc reference leak"
# are WARNINGs), and the postmaster's reports of a backend that died.
LOG_LEVEL = re.compile(r"^\S+ \S+ \S+ \[\d+\] (\S+ )?(WARNING|FATAL|PANIC):")
LOG_DEATH = re.compile(r"terminated by signal|was terminated by exception|"
                       r"exited with exit code [^0]|"
                       r"terminating any other active server processes|TRAP:")


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, name, detail=""):
        print("%s  %s%s" % ("ok  " if ok else "FAIL", name, ("  " + detail) if detail else ""))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def dsn_for(db=None):
    return "dbname=%s" % db if db else ""


def setup():
    conn = psycopg2.connect("")
    conn.autocommit = True
    cur = conn.cursor()
    sql = open(os.path.join(HERE, "setup.sql")).read()
    cur.execute(sql)
    cur.execute("DELETE FROM jwt.keys WHERE kid LIKE 'soak-%'")
    cur.execute("SELECT jwt.generate_key('HS256', 'soak-hs'), jwt.generate_key('ES256', 'soak-es')")
    cur.execute("SELECT kid, private_jwk FROM jwt.keys WHERE kid LIKE 'soak-%'")
    keys = dict(cur.fetchall())
    k = keys["soak-hs"]["k"]
    keyring = {"hs_secret": base64.urlsafe_b64decode(k + "=" * (-len(k) % 4)), "hs_kid": "soak-hs",
               "es_jwk": keys["soak-es"], "es_kid": "soak-es"}
    cur.execute("DROP DATABASE IF EXISTS %s" % ASCII_DB)
    cur.execute("CREATE DATABASE %s ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'"
                " TEMPLATE template0" % ASCII_DB)
    a = psycopg2.connect(dsn_for(ASCII_DB))
    a.autocommit = True
    a.cursor().execute(sql)
    a.close()
    return conn, keyring


def reconnect():
    """A cursor on a new connection, waiting out crash recovery."""
    for _ in range(60):
        try:
            conn = psycopg2.connect("")
            conn.autocommit = True
            return conn.cursor()
        except psycopg2.OperationalError:
            time.sleep(1)
    raise RuntimeError("the server did not come back")


def worker_main(idx, dsn, quota, seed, keyring, ascii_db, batch, pid_q, result_q, release):
    try:
        w = Worker(idx, dsn, quota, seed, HS_SECRET, keyring, ascii_db, batch)
        pid_q.put((idx, w.pid))
        w.run()
        result_q.put(w.result())
        release.wait(600)  # keep the backend until the parent has checked it
        w.conn.close()
    except Exception as e:  # reported, and counted as a failure by the parent
        import traceback
        traceback.print_exc()
        pid_q.put((idx, None))
        result_q.put({"idx": idx, "error": "%s: %s" % (type(e).__name__, e)})


def log_offset():
    path = os.environ.get("PG_JWT_SERVER_LOG")
    if path and os.path.exists(path):
        return path, os.path.getsize(path)
    return path, None


def scan_log(path, offset):
    with open(path, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    return [line for line in text.splitlines()
            if LOG_LEVEL.search(line) or (" LOG: " in line and LOG_DEATH.search(line))
            or line.startswith("TRAP:")]


def window_avg(samples, col, warm):
    """Averages of the first and last 10% of the samples taken after the
    warm-up (the first `warm` tokens of this connection)."""
    after = [s[col] for s in samples if s[0] >= warm]
    k = max(1, len(after) // 10)
    return sum(after[:k]) / k, sum(after[-k:]) / k, len(after)


def memory_checks(checks, results, tolerance, rss_tolerance, trace=None):
    print("\nmemory per backend (after a warm-up: one batch per function and profile, then 10%"
          " of the run; averages of the first and last 10% of the samples):")
    print("%-4s %-7s %8s %14s %14s %8s %12s %12s %8s" % (
        "conn", "pid", "samples", "ctx first", "ctx last", "ctx %", "rss first", "rss last",
        "rss %"))
    for r in results:
        warm = r["warmup"] + (r["done"] - r["warmup"]) // 10
        c1, c2, n = window_avg(r["samples"], 1, warm)
        r1, r2, _ = window_avg(r["samples"], 2, warm)
        dc, dr = (c2 - c1) / c1 * 100, (r2 - r1) / r1 * 100
        print("%-4s %-7d %8d %12.0f B %12.0f B %+7.2f%% %9.0f kB %9.0f kB %+7.2f%%" % (
            "%d%s" % (r["idx"], "a" if r["ascii"] else ""), r["pid"], n, c1, c2, dc, r1, r2, dr))
        checks.check(abs(dc) <= tolerance, "backend %d memory contexts flat" % r["pid"],
                      "%.0f -> %.0f bytes (%+.2f%%)" % (c1, c2, dc))
        checks.check(abs(dr) <= rss_tolerance, "backend %d RssAnon flat" % r["pid"],
                      "%.0f -> %.0f kB (%+.2f%%)" % (r1, r2, dr))
        grew = sorted(((r["ctx_end"].get(k, 0) - v, k) for k, v in r["ctx_start"].items()),
                      reverse=True)
        grew += [(v, k) for k, v in r["ctx_end"].items() if k not in r["ctx_start"]]
        grew = [g for g in sorted(grew, reverse=True) if g[0] > 0][:4]
        if grew:
            print("     contexts grown since the warm-up: " + ", ".join(
                "%s +%d" % (k, d) for d, k in grew))
    if trace:
        with open(trace, "w") as f:
            for r in results:
                for s in r["samples"]:
                    f.write("%d %d %d %d %d\n" % ((r["idx"], r["pid"]) + tuple(s)))


def report_counts(results):
    total = collections.Counter()
    for key in ("by_fn", "by_cat", "by_class", "outcomes", "mismatch"):
        total[key] = collections.Counter()
        for r in results:
            total[key].update(r[key])
    print("\ntokens per function:")
    for fn, n in sorted(total["by_fn"].items()):
        outs = sorted((o, c) for (f, o), c in total["outcomes"].items() if f == fn)
        print("  %-16s %9d   %s" % (fn, n, "  ".join("%s=%d" % oc for oc in outs)))
    names = {"V": "valid", "R": "rejected", "M": "malformed", "C": "confused key (caller)"}
    print("\ntokens per class:")
    for cls, n in sorted(total["by_class"].items()):
        print("  %-24s %9d" % (names[cls], n))
    print("\ntokens per category:")
    cats = sorted(total["by_cat"].items(), key=lambda kv: -kv[1])
    for i in range(0, len(cats), 3):
        print("  " + "".join("%-22s %8d   " % kv for kv in cats[i:i + 3]))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--short", action="store_true", help="the quick version for make test")
    ap.add_argument("--tokens", type=int, help="tokens to drive (default 1,000,000; short 30,000)")
    ap.add_argument("--workers", type=int, default=4, help="connections to the main database")
    ap.add_argument("--batch", type=int, help="tokens per round trip (default 200; short 100)")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--tolerance", type=float, default=5.0, help="memory drift allowed, percent")
    # RssAnon also moves with the C allocator's one-time steps (glibc raises
    # its mmap threshold after a large free, so a later large block comes
    # from the heap and stays): +5..7 % once, a few hundred kB, seen in the
    # short run (~6,000 tokens a backend, 13 samples) on 2 of 3 runs, also
    # at commits whose full soak is flat. A leak grows with the work; the
    # full run (1,000,000 tokens) keeps the 5 % bound, the short one allows
    # 15 % (a leak of more than about 125 bytes a token still fails it).
    ap.add_argument("--rss-tolerance", type=float,
                    help="RssAnon drift allowed, percent (default: --tolerance; short 15)")
    ap.add_argument("--no-limits", action="store_true")
    ap.add_argument("--trace-memory", help="write every memory sample to this file")
    args = ap.parse_args()
    target = args.tokens or (30_000 if args.short else 1_000_000)
    checks = Checks()
    print("pg_jwt soak: %d tokens, %d connections + 1 (SQL_ASCII database), seed %d" % (
        target, args.workers, args.seed))

    admin, keyring = setup()
    cur = admin.cursor()
    cur.execute("SELECT pg_postmaster_start_time()")
    started_at = cur.fetchone()[0]
    log_path, offset = log_offset()

    ascii_share = target // 10
    quotas = [(target - ascii_share) // args.workers] * args.workers
    quotas[0] += target - ascii_share - sum(quotas)
    specs = [(i, dsn_for(None), q, False) for i, q in enumerate(quotas)]
    specs.append((len(specs), dsn_for(ASCII_DB), ascii_share, True))
    batch = args.batch or (100 if args.short else 200)
    ctx = multiprocessing.get_context("fork")
    pid_q, result_q, release = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=worker_main, args=(i, dsn, q, args.seed * 100 + i, keyring,
                                                    is_ascii, batch, pid_q, result_q, release))
             for i, dsn, q, is_ascii in specs]
    t0 = time.time()
    for p in procs:
        p.start()
    pids = dict(pid_q.get(timeout=120) for _ in procs)

    limit_results = [] if args.no_limits else limits.run(HS_SECRET)

    results = []
    for _ in procs:
        results.append(result_q.get(timeout=7200))
    elapsed = time.time() - t0
    try:
        cur.execute("SELECT 1")
    except psycopg2.Error:  # the server restarted under us: report, do not stop
        cur = reconnect()
    cur.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)",
                ([p for p in pids.values() if p],))
    alive = {row[0] for row in cur.fetchall()}
    release.set()
    for p in procs:
        p.join(60)

    print("\n== limits (on a separate connection, during the soak)")
    for name, ok, detail in limit_results:
        checks.check(ok, name, detail)

    print("\n== server")
    cur.execute("SELECT pg_postmaster_start_time()")
    checks.check(cur.fetchone()[0] == started_at, "postmaster not restarted")
    notices = [n.strip() for r in results for n in r.get("notices", [])
               if "WARNING" in n or "leak" in n]
    checks.check(not notices, "no WARNING notices on the soak connections",
                 "; ".join(notices[:5]))
    if offset is None:
        checks.check(False, "server log readable", "PG_JWT_SERVER_LOG=%s" % log_path)
    else:
        bad_lines = scan_log(log_path, offset)
        for line in bad_lines[:20]:
            print("  log: " + line)
        checks.check(not bad_lines, "server log: no backend terminated by a signal, no leak"
                     " warnings", "%d suspicious lines" % len(bad_lines) if bad_lines else "")

    print("\n== soak")
    broken = [r for r in results if "error" in r]
    for r in broken:
        checks.check(False, "worker %d ran" % r["idx"], r["error"])
    results = sorted((r for r in results if "error" not in r), key=lambda r: r["idx"])
    if not results:
        checks.check(False, "some worker finished")
        print("%d passed, %d failed" % (checks.passed, checks.failed))
        return 1
    total = report_counts(results)
    driven = sum(r["done"] for r in results)
    busy = max(r["elapsed"] for r in results)
    print("\n%d tokens in %.1f s (%.0f tokens/s) over %d connections; whole run %.1f s" % (
        driven, busy, driven / busy, len(results), elapsed))
    checks.check(driven >= target, "tokens driven", "%d >= %d" % (driven, target))

    for fn, n in sorted(total["by_fn"].items()):
        bad = total["mismatch"][fn]
        checks.check(bad == 0, "%s: every token got its expected outcome" % fn,
                     "%d of %d mismatched" % (bad, n) if bad else "%d tokens" % n)
    leaks = sum(c for (f, o), c in total["outcomes"].items() if o == "LEAK")
    checks.check(leaks == 0, "no error message contains the key or the whole token",
                 "%d leaked" % leaks if leaks else "")
    examples = [e for r in results for e in r["examples"]][:20]
    for e in examples:
        print("  mismatch: conn=%d fn=%s profile=%s category=%s class=%s want=%s got=%s len=%d"
              " %s" % e)

    for r in results:
        checks.check(r["pid"] in alive, "backend %d (connection %d) alive from start to end" % (
            r["pid"], r["idx"]))

    rss_tolerance = args.rss_tolerance
    if rss_tolerance is None:
        rss_tolerance = 15.0 if args.short else args.tolerance
    memory_checks(checks, results, args.tolerance, rss_tolerance, args.trace_memory)
    print("\n%d passed, %d failed" % (checks.passed, checks.failed))
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # the run could not complete: still end with the count line
        import traceback
        traceback.print_exc()
        print("0 passed, 1 failed")
        sys.exit(1)

#!/usr/bin/env python3
"""The HTTP load benchmark of issue 16: Pactum as a ratio of the bare stack, on both backends.

One run builds the release binaries, and for each size seeds SQLite and PostgreSQL with
`pactum seed`, starts `pactum serve` and drives it with wrk (32 connections, 2 threads, the Lua
scripts in bench/) as a network coordinator, an officer and finance; runs the bare service
(bench/bare.rs) with the same data; and prints one table of every figure beside the issue's
target, marked met or not. The results also go to a JSON file it names.

    python3 bench/load.py                 # sizes 10^4, 10^5, 10^6; 10 s per workload
    python3 bench/load.py --quick         # 10^3, 3 s per workload: does it all work?
    python3 bench/load.py --sizes 10000,100000 --duration 10

Needs wrk (`apt-get install wrk`) and PostgreSQL on 127.0.0.1:5432 (user postgres, trust);
uses the database `pactum_bench` (made afresh, dropped after) and ports 18080, 18081, 18090.
Python 3 standard library only. The machine is shared and noisy: read ratios, not absolutes.
"""
import argparse
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PG_HOST, PG_USER, PG_DB = "127.0.0.1", "postgres", "pactum_bench"
PG_URL = f"postgres://{PG_USER}@{PG_HOST}:5432/{PG_DB}"
PORT, SECOND_PORT, BARE_PORT = 18080, 18081, 18090
THREADS, CONNECTIONS = 2, 32
PASSWORD = "pactum-seed-2026"
COORDINATOR, OFFICER, FINANCE = "coordinator-00001@seed.example", "officer@seed.example", "finance@seed.example"
PAYEE = {"iban": "NL91ABNA0417164300", "name": "Buurtnetwerk 00001"}

# The targets.
TARGET_VS_BARE = {"get": 0.5, "list": 0.5, "list_officer": 0.5, "create": 0.25, "approve": 0.2, "pay": 0.2}
BARE_OF = {"get": "get", "list": "list", "list_officer": "list", "create": "create", "approve": "create", "pay": "create"}
TARGET_P99_P50 = 5.0
TARGET_PG_SQLITE = 2.0
TARGET_LIST_GROWTH = 1.5
TARGET_REMIND_S = 30.0
TARGET_RSS_IDLE_MB, TARGET_RSS_PEAK_MB = 30.0, 40.0
TARGET_TWO_INSTANCES = 1.6


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd, env=None, check=True, capture=True):
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=capture)
    if check and done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(map(str, cmd))}\n{done.stdout}\n{done.stderr}")
    return done, time.monotonic() - started


def psql(sql, database="postgres"):
    done, _ = run(["psql", "-h", PG_HOST, "-U", PG_USER, "-d", database, "-v", "ON_ERROR_STOP=1", "-Atqc", sql])
    return [line for line in done.stdout.splitlines() if line]


class Database:
    """A fresh Pactum database on one backend, and plain queries on it for the id files."""

    def __init__(self, backend, workdir, size):
        self.backend = backend
        if backend == "sqlite":
            self.path = workdir / f"pactum-{size}.db"
            self.url = f"sqlite://{self.path}"
        else:
            self.url = PG_URL

    def create(self):
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            psql(f"CREATE DATABASE {PG_DB}")

    def drop(self):
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")

    def column(self, sql):
        if self.backend == "sqlite":
            with sqlite3.connect(self.path) as conn:
                return [str(row[0]) for row in conn.execute(sql)]
        return psql(sql, PG_DB)


class Server:
    """A server process, its readiness, and its resident memory sampled while it runs."""

    def __init__(self, cmd, env, port, log_path):
        self.port = port
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.peak_sampled_kb = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _status(self, field):
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _sample(self):
        while not self._stop.is_set():
            self.peak_sampled_kb = max(self.peak_sampled_kb, self._status("VmRSS"))
            time.sleep(0.1)

    def rss_mb(self):
        return self._status("VmRSS") / 1024

    def hwm_mb(self):
        return max(self._status("VmHWM"), self.peak_sampled_kb) / 1024

    def wait_ready(self, path, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"the server on port {self.port} exited ({self.proc.returncode}); see {self.log.name}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        sys.exit(f"the server on port {self.port} was not ready in {timeout} s; see {self.log.name}")

    def stop(self):
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def post_json(port, path, body, token=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())


def login(port, email):
    return post_json(port, "/api/v1/auth/login", {"email": email, "password": PASSWORD})["access_token"]


def wrk(script, port, args, duration, wait=True):
    """Runs one wrk workload; returns its figures (or the process, when not waiting)."""
    cmd = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{duration}s", "--latency",
           "--timeout", "10s", "-s", str(BENCH / script), f"http://127.0.0.1:{port}", "--",
           *[str(a) for a in args]]
    proc = subprocess.Popen(cmd, cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc if not wait else wrk_result(proc)


def wrk_result(proc):
    out, err = proc.communicate()
    line = next((l for l in out.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk printed no result:\n{out}\n{err}")
    r = json.loads(line[len("BENCH "):])
    answered = r["ok"] + r["non2xx"]
    # A workload whose ids ran out stopped early: its rate is over the time it was busy.
    seconds = (r["active_us"] if r["exhausted_threads"] else r["duration_us"]) / 1e6
    r["rps"] = (answered if r["exhausted_threads"] else r["requests"]) / seconds if seconds else 0.0
    r["p50_ms"], r["p99_ms"] = r["p50_us"] / 1000, r["p99_us"] / 1000
    r["p99_p50"] = r["p99_us"] / r["p50_us"] if r["p50_us"] else 0.0
    r["errors"] = r["non2xx"] + sum(r["socket_errors"].values())
    return r


def settle(port, path, timeout=180):
    """Waits until the server answers `path` (a database round trip) at once again, so that the
    next workload does not pay for the queued tail of the last one; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        asked = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as reply:
                if reply.status == 200 and time.monotonic() - asked < 0.05:
                    break
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    return time.monotonic() - started


def warm_up(port, get_args):
    """Two seconds of the get workload, not counted: the pool's connections are open after it."""
    r = wrk("get.lua", port, get_args, 2)
    if r["errors"]:
        sys.exit(f"the warm-up on port {port} had errors: {r['codes']} {r['socket_errors']} {r['first_error']}")


def write_ids(path, ids):
    path.write_text("\n".join(ids) + "\n")
    return path


def describe(name, r):
    extra = f", ids used up after {r['active_us'] / 1e6:.1f} s" if r["exhausted_threads"] else ""
    if r.get("settle_s", 0) > 1:
        extra += f", busy {r['settle_s']:.0f} s after it"

    log(f"  {name:<13} {r['rps']:9.1f} req/s  p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  "
        f"({r['ok']} 2xx, {r['non2xx']} other{extra})")
    if r["errors"]:
        log(f"  !! {name}: {r['non2xx']} non-2xx {r['codes']}, socket errors {r['socket_errors']}; "
            f"first: {r['first_error']}")


def bench_bare(size, workdir, duration, timings):
    db = workdir / f"bare-{size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.monotonic()
    server = Server([str(ROOT / "target/release/examples/bare"), "--database", str(db), "--seed", str(size),
                     "--bind", f"127.0.0.1:{BARE_PORT}"], os.environ.copy(), BARE_PORT, workdir / f"bare-{size}.log")
    server.wait_ready("/grants?status=draft&limit=1", timeout=600)
    timings[f"bare seed+start {size}"] = time.monotonic() - started
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM bare_grants ORDER BY random() LIMIT 10000")]
        mun, net = conn.execute("SELECT municipality_id, network_id FROM bare_grants LIMIT 1").fetchone()
    ids_file = write_ids(workdir / "bare-ids.txt", ids)
    body = json.dumps({"municipality_id": mun, "network_id": net, "title": "TITLE", "requested_cents": 50000})
    results = {"rss_idle_mb": server.rss_mb()}
    log(f"bare service, {size} grants")
    warm_up(BARE_PORT, ["", ids_file, THREADS, "/grants/"])
    started = time.monotonic()
    for name, script, args in [
        ("get", "get.lua", ["", ids_file, THREADS, "/grants/"]),
        ("list", "list.lua", ["", "", THREADS, "/grants?status="]),
        ("create", "create.lua", ["", "", THREADS, f"/grants|{body}"]),
    ]:
        results[name] = wrk(script, BARE_PORT, args, duration)
        results[name]["settle_s"] = settle(BARE_PORT, "/grants?status=draft&limit=1")
        describe(name, results[name])
    timings[f"bare workloads {size}"] = time.monotonic() - started
    results["rss_peak_mb"] = server.hwm_mb()
    server.stop()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return results


def pactum_env(database, workdir):
    env = os.environ.copy()
    for key in [k for k in env if k.startswith("PACTUM_")]:
        del env[key]
    env.update({
        "PACTUM_DATABASE_URL": database.url,
        "PACTUM_DATA_DIR": str(workdir / "data"),
        "PACTUM_JWT_SECRET": "bench-jwt-secret-0123456789abcdefghijklmnop",
        "PACTUM_SECRET_KEY": "bench-seal-key-0123456789abcdefghijklmnopqr",
        "PACTUM_LOG_FORMAT": "json",
        # As the Dockerfile runs it: glibc keeps a fixed mmap threshold, so the argon2 memory of
        # each sign-in goes back to the system.
        "GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=131072",
        # No emails or webhooks sent, and no date job (its reminder pass is timed on its own).
        "PACTUM_NO_WORKER": "true",
        "PACTUM_SCHEDULE_INTERVAL_SECONDS": "0",
        # Rate limits raised to their maximum, out of the way of a load test.
        "PACTUM_LOGIN_ATTEMPTS_PER_ACCOUNT": "10000",
        "PACTUM_LOGIN_ATTEMPTS_PER_ADDRESS": "100000",
        "PACTUM_PUBLIC_REQUESTS_PER_MINUTE": "100000",
        "PACTUM_TOKEN_REQUESTS_PER_MINUTE": "100000",
    })
    return env


def serve(env, port, log_path):
    env = dict(env, PACTUM_BIND=f"127.0.0.1:{port}")
    server = Server([str(ROOT / "target/release/pactum"), "serve"], env, port, log_path)
    server.wait_ready("/readyz")
    return server


def bench_pactum(backend, size, workdir, duration, with_reminders, timings):
    database = Database(backend, workdir, size)
    database.create()
    env = pactum_env(database, workdir)
    label = f"{backend} {size}"
    done, seconds = run([str(ROOT / "target/release/pactum"), "seed", "--grants", str(size),
                         "--open-deadlines", str(size // 10)], env=env)
    timings[f"seed {label}"] = seconds
    log(f"pactum on {backend}, {size} grants: seeded in {seconds:.1f} s")
    if backend == "postgres":
        # Measured in a steady state, not beside autovacuum working through the fresh rows.
        _, settled = run(["psql", "-h", PG_HOST, "-U", PG_USER, "-d", PG_DB, "-v", "ON_ERROR_STOP=1",
                          "-qc", "VACUUM ANALYZE", "-c", "CHECKPOINT"])
        timings[f"vacuum {label}"] = settled
        log(f"  vacuumed and analysed in {settled:.1f} s")
    results = {"seed_s": seconds}
    if with_reminders:
        done, seconds = run([str(ROOT / "target/release/pactum"), "remind", "--once"], env=env)
        queued = next((l for l in done.stdout.splitlines() if l.startswith("queued")), "")
        results["remind"] = {"seconds": seconds, "output": queued, "open_deadlines": size // 10}
        timings[f"remind {label}"] = seconds
        log(f"  reminder pass over {size // 10} open deadlines: {seconds:.1f} s ({queued})")

    server = serve(env, PORT, workdir / f"pactum-{backend}-{size}.log")
    coordinator, officer, finance = (login(PORT, e) for e in (COORDINATOR, OFFICER, FINANCE))
    time.sleep(1)
    results["rss_idle_mb"] = server.rss_mb()
    network = database.column(
        "SELECT n.network_id FROM network_memberships n JOIN users u ON u.id = n.user_id "
        f"WHERE u.email = '{COORDINATOR}'")[0]
    fund = database.column("SELECT id FROM funds")[0]
    own = write_ids(workdir / "own-grants.txt", database.column(f"SELECT id FROM grants WHERE network_id = '{network}'"))
    in_review = write_ids(workdir / "in-review.txt", database.column(
        "SELECT id FROM grants WHERE status = 'in_review' ORDER BY id LIMIT 200000"))
    today = datetime.date.today()
    application = json.dumps({
        "fund_id": fund, "network_id": network, "title": "TITLE", "purpose": "Belastingproef.",
        "requested_cents": 50000, "starts_on": str(today + datetime.timedelta(days=30)),
        "ends_on": str(today + datetime.timedelta(days=210)), "payee": PAYEE})
    warm_up(PORT, [coordinator, own, THREADS, "/api/v1/grants/"])
    started = time.monotonic()
    for name, script, args in [
        ("get", "get.lua", [coordinator, own, THREADS, "/api/v1/grants/"]),
        ("list", "list.lua", [coordinator, "", THREADS, "/api/v1/grants?status="]),
        ("list_officer", "list.lua", [officer, "", THREADS, "/api/v1/grants?"]),
        ("create", "create.lua", [coordinator, "", THREADS, f"/api/v1/grants|{application}"]),
        ("approve", "once.lua", [officer, in_review, THREADS, "/api/v1/grants/ID/approve|{}"]),
        ("pay", "once.lua", [finance, None, THREADS, '/api/v1/tranches/ID/pay|{"payment_reference":"BENCH"}']),
    ]:
        if name == "pay":
            args[1] = write_ids(workdir / "tranches.txt",
                                database.column("SELECT id FROM tranches WHERE status = 'scheduled' ORDER BY id"))
        results[name] = wrk(script, PORT, args, duration)
        results[name]["settle_s"] = settle(PORT, "/readyz")
        describe(name, results[name])
    timings[f"workloads {label}"] = time.monotonic() - started

    if backend == "postgres":
        second = serve(env, SECOND_PORT, workdir / f"pactum-{backend}-{size}-second.log")
        token = login(SECOND_PORT, COORDINATOR)
        warm_up(SECOND_PORT, [token, own, THREADS, "/api/v1/grants/"])
        procs = [wrk("get.lua", PORT, [coordinator, own, THREADS, "/api/v1/grants/"], duration, wait=False),
                 wrk("get.lua", SECOND_PORT, [token, own, THREADS, "/api/v1/grants/"], duration, wait=False)]
        both = [wrk_result(p) for p in procs]
        second.stop()
        results["two_instances"] = {"each": both, "rps": sum(r["rps"] for r in both),
                                    "errors": sum(r["errors"] for r in both)}
        log(f"  two instances, get: {results['two_instances']['rps']:.1f} req/s together "
            '(' + ' + '.join('%.1f' % r['rps'] for r in both) + ')')
    results["rss_peak_mb"] = server.hwm_mb()
    server.stop()
    database.drop()
    return results


def mark(ok):
    return "met" if ok else "NOT met"


def report(sizes, bare, pactum, backends):
    """Prints the table and returns the checks, each with its figure, target and outcome."""
    checks, lines = [], []

    def check(what, size, backend, value, target, ok, shown):
        checks.append({"what": what, "size": size, "backend": backend, "value": value, "target": target, "met": ok})
        lines.append(f"{size:>8} {backend or '':<9} {what:<34} {shown:>22}  {target:<18} {mark(ok)}")

    head = f"{'size':>8} {'backend':<9} {'measure':<34} {'figure':>22}  {'target':<18} outcome"
    lines.append(head)
    lines.append("-" * len(head))
    for size in sizes:
        for name in ("get", "list", "create"):
            r = bare[size][name]
            lines.append(f"{size:>8} {'bare':<9} {name + ' req/s, p50, p99':<34} "
                         f"{r['rps']:7.0f} {r['p50_ms']:6.2f} {r['p99_ms']:7.2f}  {'(the yardstick)':<18} "
                         f"{'errors: ' + str(r['errors']) if r['errors'] else ''}")
        for backend in backends:
            p = pactum[size][backend]
            for name, target in TARGET_VS_BARE.items():
                r = p[name]
                base = bare[size][BARE_OF[name]]["rps"]
                ratio = r["rps"] / base if base else 0.0
                errors = f" ERRORS {r['errors']}" if r["errors"] else ""
                lines.append(f"{size:>8} {backend:<9} {name + ' req/s, p50, p99':<34} "
                             f"{r['rps']:7.0f} {r['p50_ms']:6.2f} {r['p99_ms']:7.2f}{errors}")
                check(f"  {name} vs bare {BARE_OF[name]}", size, backend, ratio, f">= {target}x",
                      ratio >= target and not r["errors"], f"{ratio:.3f}x")
                check(f"  {name} p99/p50", size, backend, r["p99_p50"], f"<= {TARGET_P99_P50}",
                      r["p99_p50"] <= TARGET_P99_P50, f"{r['p99_p50']:.1f}")
            check("RSS idle MB", size, backend, p["rss_idle_mb"], f"<= {TARGET_RSS_IDLE_MB:.0f} MB",
                  p["rss_idle_mb"] <= TARGET_RSS_IDLE_MB, f"{p['rss_idle_mb']:.1f}")
            check("RSS peak MB", size, backend, p["rss_peak_mb"], f"<= {TARGET_RSS_PEAK_MB:.0f} MB",
                  p["rss_peak_mb"] <= TARGET_RSS_PEAK_MB, f"{p['rss_peak_mb']:.1f}")
            if "two_instances" in p:
                two = p["two_instances"]["rps"] / p["get"]["rps"] if p["get"]["rps"] else 0.0
                check("two instances vs one, get", size, backend, two, f">= {TARGET_TWO_INSTANCES}x",
                      two >= TARGET_TWO_INSTANCES and not p["two_instances"]["errors"], f"{two:.2f}x")
        if "sqlite" in backends and "postgres" in backends:
            for name in TARGET_VS_BARE:
                s, g = pactum[size]["sqlite"][name]["rps"], pactum[size]["postgres"][name]["rps"]
                ratio = s / g if g else float("inf")
                check(f"{name} sqlite/postgres req/s", size, None, ratio, f"within {TARGET_PG_SQLITE}x",
                      1 / TARGET_PG_SQLITE <= ratio <= TARGET_PG_SQLITE, f"{ratio:.2f}")
    small, large = min(sizes), max(sizes)
    for backend in backends:
        for name in ("list", "list_officer"):
            at = {size: pactum[size][backend][name]["p99_ms"] for size in sizes}
            shown = " ".join(f"{at[s]:.1f}" for s in sizes)
            lines.append(f"{'':>8} {backend:<9} {name + ' p99 ms at each size':<34} {shown:>22}")
            if large != small:
                growth = at[large] / at[small] if at[small] else float("inf")
                check(f"{name} p99 {large}:{small}", large, backend, growth, f"<= {TARGET_LIST_GROWTH}x",
                      growth <= TARGET_LIST_GROWTH, f"{growth:.1f}x")
        remind = pactum[large][backend].get("remind")
        if remind:
            check(f"reminder pass, {remind['open_deadlines']} deadlines s", large, backend, remind["seconds"],
                  f"< {TARGET_REMIND_S:.0f} s", remind["seconds"] < TARGET_REMIND_S, f"{remind['seconds']:.1f}")
    print("\n".join(lines))
    met = sum(c["met"] for c in checks)
    print(f"\n{met} of {len(checks)} targets met. Figures are req/s, p50 ms, p99 ms; ratios are what counts.")
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="grant counts, comma separated (default 10000,100000,1000000)")
    parser.add_argument("--duration", type=int, help="seconds per workload (default 10; 3 with --quick)")
    parser.add_argument("--quick", action="store_true", help="1000 grants and 3-second workloads")
    parser.add_argument("--backends", default="sqlite,postgres", help="default sqlite,postgres")
    parser.add_argument("--no-build", action="store_true", help="use the release binaries as they are")
    parser.add_argument("--out", help="the JSON results file (default target/bench/load-<time>.json)")
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or ("1000" if args.quick else "10000,100000,1000000")).split(",")]
    duration = args.duration or (3 if args.quick else 10)
    backends = [b for b in args.backends.split(",") if b]
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: install it with `apt-get install wrk` (Debian's package), then run again.")
    if "postgres" in backends and shutil.which("psql") is None:
        sys.exit("psql is missing: `apt-get install postgresql-client` (PostgreSQL itself on 127.0.0.1:5432).")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    workdir = ROOT / "target" / "bench" / stamp
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else ROOT / "target" / "bench" / f"load-{stamp}.json"
    timings, began = {}, time.monotonic()
    if not args.no_build:
        log("building the release binaries (cargo build --release, --example bare)")
        timings["build pactum"] = run(["cargo", "build", "--release"], capture=False)[1]
        timings["build bare"] = run(["cargo", "build", "--release", "--example", "bare"], capture=False)[1]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True).stdout.strip()
    bare, pactum = {}, {}

    def save(checks=None):
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({
            "when": stamp, "commit": commit, "cores": os.cpu_count(), "sizes": sizes, "duration_s": duration,
            "threads": THREADS, "connections": CONNECTIONS, "backends": backends, "complete": checks is not None,
            "bare": bare, "pactum": pactum, "checks": checks, "timings_s": timings,
        }, indent=2, default=str))

    for size in sizes:
        bare[size] = bench_bare(size, workdir, duration, timings)
        pactum[size] = {}
        for backend in backends:
            pactum[size][backend] = bench_pactum(backend, size, workdir, duration, size == max(sizes), timings)
        save()  # what is measured so far survives a later failure
    timings["total"] = time.monotonic() - began
    print()
    save(report(sizes, bare, pactum, backends))
    print(f"\nResults: {out}\nServer logs: {workdir}")
    print("Time taken: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))
    shutil.rmtree(workdir / "data", ignore_errors=True)
    for ids in workdir.glob("*.txt"):
        ids.unlink()


if __name__ == "__main__":
    main()

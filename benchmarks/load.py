"""Load and fault runs against the production setup: gunicorn (deploy/run-web), PostgreSQL, Redis.

Run with `DATABASE_URL=postgresql://postgres@127.0.0.1:5432/duty_lists make bench-load` (by hand;
never part of the test suite). In a database of its own (`<name>_load`, dropped afterwards) with
the demo county, and a Redis database of its own, it starts `deploy/run-web` in production mode
(DEBUG off, BENCH_WORKERS sync workers, default 2) on loopback and measures:

- throughput: `wrk` (Debian) for BENCH_SECONDS (default 30) against a published township page
  (from the cache after the first request), a static file of the same size as the township page
  served by the same gunicorn through WhiteNoise (right after the page, in each round), an item
  page and a search; each twice (BENCH_ROUNDS), the median reported with requests per second,
  p50, p99 and errors, and the page ÷ static ratio of each round; BENCH_PAGES narrows the run
  (`BENCH_PAGES=township,static BENCH_FAULT_SECONDS=0` for the ratio alone);
- a fault run: four clients read pages and one posts feedback for BENCH_FAULT_SECONDS (default
  30); a quarter of the way in, one gunicorn worker is killed (SIGKILL); half way in, every
  connection of the application to PostgreSQL is cut (pg_terminate_backend). Each request's time
  and outcome is kept: errors are counted, the time until requests succeed again is shown, and
  every feedback post the server acknowledged is looked up in the database.

BENCH_REDIS_DB names the Redis database used (default 10; emptied first), so that runs on a shared
machine keep apart.

wrk measures throughput (C, keeps the client's cost low on a 2-core machine); the fault run uses
a Python client because it needs each request's time and outcome, which wrk does not report.
"""

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# This process only drives the servers, which get their production settings from production_env().
os.environ.setdefault("DEBUG", "1")

from config.settings import database_config  # noqa: E402
from tests.production.conftest import (  # noqa: E402 - the test suite's production servers, reused
    HttpClient,
    Servers,
    csrf_token,
    free_port,
    pg_admin,
    production_env,
    stop,
)

SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
FAULT_SECONDS = int(os.environ.get("BENCH_FAULT_SECONDS", "30"))  # 0: no fault run
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "10")
# BENCH_REDIS=0 leaves each worker its own in-memory cache: the production setup needs Redis
# (workers and servers share one cache), but the comparison shows what the cache's round trips cost.
USE_REDIS = os.environ.get("BENCH_REDIS", "1") != "0"
SEARCH_TERM = "安全"
STATIC_COPY = "bench/township-page-copy.html"


def start_server(env: dict, url: str, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(ROOT / "deploy" / "run-web")],
        cwd=ROOT,
        env=env | {"WEB_BIND": url.removeprefix("http://")},
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"deploy/run-web stopped:\n{log.read_text()}")
        try:
            if HttpClient().get(f"{url}/healthz")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"the server did not come up:\n{log.read_text()}")


def wrk(url: str) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def milliseconds(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    socket_errors = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": milliseconds("50%"),
        "p99": milliseconds("99%"),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": (sum(map(int, socket_errors.groups())) if socket_errors else 0)
        + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def wanted(name: str) -> bool:
    """BENCH_PAGES (any of township,static,item,search; the ratio needs the first two) narrows a run."""
    chosen = os.environ.get("BENCH_PAGES", "township,static,item,search").split(",")
    return name.split()[0] in chosen


def throughput(targets: dict[str, str]) -> dict[str, dict]:
    runs = {name: [] for name in targets}
    for round_number in range(ROUNDS):
        for name, url in targets.items():
            result = wrk(url)
            runs[name].append(result)
            print(f"  round {round_number + 1} {name}: {result}", flush=True)
    return {
        name: {
            "rps": statistics.median(r["rps"] for r in results),
            "p50": statistics.median(r["p50"] for r in results),
            "p99": statistics.median(r["p99"] for r in results),
            "errors": sum(r["errors"] for r in results),
            "requests": sum(r["requests"] for r in results),
            "all_rps": [r["rps"] for r in results],
        }
        for name, results in runs.items()
    }


def fault_run(servers: Servers, process: subprocess.Popen, pages: list[str], feedback_path: str) -> dict:
    url = servers.urls[0]
    started = time.monotonic()
    stop_at = started + FAULT_SECONDS
    events = []  # (seconds since start, what, ok, detail)
    acknowledged = []
    lock = threading.Lock()

    def record(what: str, ok: bool, detail: str) -> None:
        with lock:
            events.append((time.monotonic() - started, what, ok, detail))

    def reader(offset: int) -> None:
        client, number = HttpClient(), offset
        while time.monotonic() < stop_at:
            path = pages[number % len(pages)]
            number += 1
            try:
                status = client.get(f"{url}{path}")[0]
                record("read", status == 200, str(status))
            except OSError as error:
                record("read", False, type(error).__name__)

    def reporter() -> None:
        client, number = HttpClient(), 0
        while time.monotonic() < stop_at:
            number += 1
            marker = f"故障演练反映{uuid.uuid4().hex[:12]}"
            try:
                status, _, form = client.get(f"{url}{feedback_path}")
                if status != 200:
                    record("feedback form", False, str(status))
                    continue
                data = {
                    "kind": "other",
                    "text": marker,
                    "contact": "",
                    "csrfmiddlewaretoken": csrf_token(form),
                }
                status, _, page = client.post(f"{url}{feedback_path}", data)
                ok = status == 200 and "感谢" in page.decode()
                record("feedback", ok, str(status))
                if ok:
                    acknowledged.append(marker)
            except (OSError, AssertionError) as error:
                record("feedback", False, type(error).__name__)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    threads.append(threading.Thread(target=reporter))
    for thread in threads:
        thread.start()

    faults = {}
    time.sleep(FAULT_SECONDS / 4)
    workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    os.kill(int(workers[0]), signal.SIGKILL)
    faults["worker killed"] = time.monotonic() - started
    time.sleep(FAULT_SECONDS / 4)
    name = database_config(servers.env["DATABASE_URL"])["NAME"]
    cut = servers.sql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    )[0][0]
    faults["database connections cut"] = time.monotonic() - started
    for thread in threads:
        thread.join()

    stored = {text for (text,) in servers.sql("SELECT text FROM publication_feedback")}
    report = {"faults": faults, "connections cut": cut, "requests": len(events)}
    report["errors"] = [(round(t, 2), what, detail) for t, what, ok, detail in events if not ok]
    report["acknowledged"] = len(acknowledged)
    report["acknowledged but missing"] = [m for m in acknowledged if m not in stored]
    report["stored but not acknowledged"] = len(
        [t for t in stored if t.startswith("故障演练反映") and t not in acknowledged]
    )
    recovery = {}
    ordered = sorted(faults.items(), key=lambda item: item[1])
    for index, (fault, at) in enumerate(ordered):
        until = ordered[index + 1][1] if index + 1 < len(ordered) else float("inf")
        failures = [t for t, _, ok, _ in events if not ok and at <= t < until]
        last_failure = max(failures, default=at)
        first_success = min((t for t, _, ok, _ in events if ok and t > last_failure), default=None)
        recovery[fault] = {
            "errors": len(failures),
            "succeeding again after": None if first_success is None else round(first_success - at, 2),
        }
    report["recovery"] = recovery
    return report


def main() -> None:
    configured = database_config(os.environ.get("DATABASE_URL"))
    if not configured["ENGINE"].endswith("postgresql"):
        sys.exit("bench-load 针对生产环境配置：请用 DATABASE_URL=postgresql://… 指定 PostgreSQL。")
    import redis

    name = f"{configured['NAME']}_load"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    pg_admin(configured, drop, f'CREATE DATABASE "{name}"')
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    database_url = urllib.parse.urlunsplit(
        urllib.parse.urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}")
    )
    env = production_env(folder, database_url) | {
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "WEB_WORKERS": WORKERS,
        "FEEDBACK_PER_HOUR": "1000000",
    }
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    if not USE_REDIS:
        del env["REDIS_URL"]
    servers = Servers(urls=(f"http://127.0.0.1:{free_port()}", ""), env=env)
    url = servers.urls[0]
    log = folder / "server.log"
    process = None
    try:
        for command in (["migrate", "--noinput", "--verbosity", "0"], ["load_demo"]):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        code, key = servers.sql(
            "SELECT t.code, i.key FROM publication_currentedition c"
            " JOIN catalog_township t ON t.id = c.township_id"
            " JOIN publication_editionitem i ON i.edition_id = c.edition_id"
            " ORDER BY t.code DESC, i.id LIMIT 1"
        )[0]
        township, item = f"/lists/{code}/", f"/lists/{code}/items/{key}/"
        search = f"/search/?q={urllib.parse.quote(SEARCH_TERM)}"

        # The township page's bytes as a static file: written after collectstatic, before the
        # server that serves it starts (WhiteNoise indexes STATIC_ROOT once, at start).
        process = start_server(env, url, log)
        status, _, page = HttpClient().get(f"{url}{township}")
        assert status == 200, status
        stop(process)
        copy = Path(env["STATIC_ROOT"]) / STATIC_COPY
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(page)
        process = start_server(env, url, log)
        for path in (township, item, search, f"/static/{STATIC_COPY}"):
            status, _, body = HttpClient().get(f"{url}{path}")
            assert status == 200, (path, status)
            print(f"{path}: {len(body):,} bytes", flush=True)

        print(
            f"throughput, {WORKERS} workers, {CONNECTIONS} connections, {SECONDS} s × {ROUNDS},"
            f" cache in {'Redis' if USE_REDIS else 'the memory of each worker'}:",
            flush=True,
        )
        # The township page and the static file one after the other in each round, so the two
        # figures compared meet the same load from the other users of the machine.
        targets = {
            "township page (cached)": f"{url}{township}",
            "static file, same size": f"{url}/static/{STATIC_COPY}",
            "item page (cached)": f"{url}{item}",
            f"search {SEARCH_TERM}": f"{url}{search}",
        }
        figures = throughput({name: address for name, address in targets.items() if wanted(name)})
        print("\n| page | req/s (median of runs) | runs | p50 | p99 | requests | errors |")
        print("|---|---|---|---|---|---|---|")
        for label, f in figures.items():
            runs = " / ".join(f"{r:,.0f}" for r in f["all_rps"])
            print(
                f"| {label} | {f['rps']:,.0f} | {runs} | {f['p50']:.1f} ms | {f['p99']:.1f} ms"
                f" | {f['requests']:,} | {f['errors']} |"
            )
        page, static = figures["township page (cached)"], figures["static file, same size"]
        rounds = [p / s for p, s in zip(page["all_rps"], static["all_rps"], strict=True)]
        print(
            f"\ncached township page ÷ static file of the same size: {page['rps'] / static['rps']:.2f}"
            f" (medians); round by round {' / '.join(f'{r:.2f}' for r in rounds)},"
            f" median {statistics.median(rounds):.2f} (target ≥ 0.8)\n",
            flush=True,
        )
        if not FAULT_SECONDS:
            return
        print(f"fault run, {FAULT_SECONDS} s:", flush=True)
        report = fault_run(servers, process, [township, item, search], f"{item}feedback/")
        for label, value in report.items():
            print(f"  {label}: {value}")
    finally:
        if process is not None:
            stop(process)
        pg_admin(configured, drop)
        print(f"server log: {log}")


if __name__ == "__main__":
    main()

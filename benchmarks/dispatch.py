"""12345 派单依据: GET /api/v1/route/ over 500,000 published items, township-scoped and county-wide.

Run with `make bench-dispatch` (SQLite) or `DATABASE_URL=postgresql://… make bench-dispatch`.
In a throwaway test database with the demo county, the published items grow to 500,000 (50,000 on
SQLite; BENCH_SEARCH_ITEMS sets the number) exactly as `benchmarks/publication.py` builds them for
the public search (`load_search_data`: a sample province from `publication.sample` of counties of 25
townships with one 400-item edition in force each, then VACUUM ANALYZE); each county has the demo
county's synonyms, so 低保 is found through 最低生活保障 there too.

A hotline account (a member of the benchmark county) is signed in, so every timed lookup includes
counting the item it found first (one UPDATE). For each query — two- and four-character words,
two words, a synonym, and words that match nothing (清单之外) — 3 warm-up then BENCH_RUNS (40)
timed `GET /api/v1/route/?q=…&township=…` through Django's test client in this process (routing,
permission, queries, JSON rendering; no network), then the same with `county=…`: a county of 25
townships, 10,000 items in force. `publication.routing.route` alone is timed too. p50 and p95 over
all the timings of each scope; BENCH_PASSES (2) repeats the whole timing to show the spread. The
machine's load average is printed: on a shared machine wall-clock times include waiting for a
core, so the Django process's CPU time per request is printed too.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.publication import (  # noqa: E402
    FIRST_TOWNSHIP,
    load_search_data,
    percentile,
    search_items,
    settle,
)
from benchmarks.support import demo_database  # noqa: E402 - sets Django up first

RUNS = int(os.environ.get("BENCH_RUNS", "40"))
PASSES = int(os.environ.get("BENCH_PASSES", "2"))
WARM_UP = 3
QUERIES = [
    "殡葬",
    "救助",
    "消防",
    "低保",
    "安全生产",
    "退役军人",
    "秸秆禁烧",
    "防汛抗旱",
    "低保 申请",
    "网购 退款",
]
TARGETS = {"township": 50, "county": 150}  # p95, ms


def time_lookups(client, scope: str, code: str) -> tuple[list[float], list[float], list[float], dict]:
    """Timings (ms, sorted) of the endpoint, of this process's CPU in it (Django's share, without
    the database's and without waiting for a core) and of `routing.route` alone over every query,
    and for each query the matches listed and the queries one request made."""
    from publication import routing

    view, cpu, alone, seen = [], [], [], {}
    url = reverse("api:route")
    for q in QUERIES:
        data = {"q": q, scope: code, "limit": 10}
        for _ in range(WARM_UP):
            assert client.get(url, data).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(url, data).json()
        seen[q] = (len(answer["matches"]), answer["more"], len(queries))
        for _ in range(RUNS):
            start, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, data)
            view.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200
        for _ in range(RUNS):
            start = time.perf_counter()
            routing.route(q, connection.vendor, **{scope: code})
            alone.append((time.perf_counter() - start) * 1000)
    return sorted(view), sorted(cpu), sorted(alone), seen


def main() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    # Hundreds of lookups a minute from one account: the quotas (api/quotas.py) would answer 429.
    settings.API_QUOTA_ANONYMOUS = settings.API_QUOTA_TOKEN = 1_000_000

    from catalog.models import Township
    from publication.models import DispatchLookup
    from tests.conftest import make_user

    with demo_database():
        print(f"database {connection.vendor}, {RUNS} timed requests per query and scope", flush=True)
        user = get_user_model().objects.get(username="bianban")
        start = time.perf_counter()
        townships, total = load_search_data(search_items(), user)
        print(
            f"  {total:,} items in force in {townships} townships, built in {time.perf_counter() - start:.0f} s"
        )
        township = Township.objects.select_related("county").get(code=FIRST_TOWNSHIP)
        county = township.county
        client = Client()
        client.force_login(make_user("hotline-bench", "consultee", county=county))
        settle()
        print(f"load average before timing: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
        for number in range(1, PASSES + 1):
            print(f"\npass {number}")
            print(f"{'':<40} {'p50':>8} {'p95':>8} {'min':>8} {'max':>8}")
            for scope, code in (("township", township.code), ("county", county.code)):
                view, cpu, alone, seen = time_lookups(client, scope, code)
                p95 = percentile(view, 0.95)
                verdict = "ok" if p95 < TARGETS[scope] else "OVER"
                print(
                    f"{scope + ' lookup (endpoint)':<40} {statistics.median(view):>8.1f} {p95:>8.1f}"
                    f" {view[0]:>8.1f} {view[-1]:>8.1f}  {verdict} (p95 < {TARGETS[scope]} ms)"
                )
                print(
                    f"{scope + ' lookup (Django process CPU)':<40} {statistics.median(cpu):>8.1f}"
                    f" {percentile(cpu, 0.95):>8.1f} {cpu[0]:>8.1f} {cpu[-1]:>8.1f}"
                )
                print(
                    f"{scope + ' lookup (routing.route alone)':<40} {statistics.median(alone):>8.1f}"
                    f" {percentile(alone, 0.95):>8.1f} {alone[0]:>8.1f} {alone[-1]:>8.1f}"
                )
                if number == 1:
                    for q, (listed, more, queries) in seen.items():
                        print(f"    {q}: {listed} listed{'+' if more else ''}, {queries} queries")
        print(f"\nload average at the end: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
        counted = sum(DispatchLookup.objects.values_list("count", flat=True))
        print(f"\nlookups counted: {counted:,}")


if __name__ == "__main__":
    main()

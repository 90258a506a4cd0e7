"""Province and national scale: the public and staff pages over 500,000 and 2,000,000 published items.

Run with `make bench-scale` (SQLite) or `DATABASE_URL=postgresql://… make bench-scale`. For each size
in BENCH_SCALE_ITEMS (default 500000; `500000,2000000` measures both in turn, each in its own
throwaway database, and prints the growth factor per doubling) it builds, in a test database with the
demo county, a sample with `publication.sample` (as `manage.py generate_sample` writes it): provinces
of about 340,000 items (counties of 13 townships with 340 items, a tenth of them in a second edition),
and one more county of 31 townships for the county board (lists of 40 items below 100,000 items);
PostgreSQL is then VACUUM ANALYZEd and CHECKPOINTed. Then, in this process through Django's test client (routing,
queries, rendering; no network), 3 warm-up and BENCH_RUNS (40) timed requests of each:

- the township page of a township of the last province written, the cache cleared before every
  request (uncached);
- search for two- and four-character terms scoped to that township, its county, its province
  (`area=<province code>`, refused clearly when the search form has no `area`) and nationwide, the
  cache cleared before every request;
- the 12345 lookup (GET /api/v1/route/) scoped to the township and to the county, by a hotline
  account with the API quotas raised (`benchmarks/dispatch.py`'s queries);
- the county board (review:board) of the 31-township county, as its county editor;
- the province board (review:region_board) as a province editor, when this build has it;
- the county-wide download (CSV and JSON) of a 13-township county: the request that makes the file
  (in-process: without a broker jobs run at once) and the job page it redirects to, the county's
  download jobs removed before each.

It prints p50, p95 and the queries of one request for each, and whether the query counts stayed the
same between sizes (exiting with a failure when one changed). `make bench-smoke` runs it at
BENCH_SCALE_ITEMS=2000,4000.
"""

import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.dispatch import time_lookups  # noqa: E402
from benchmarks.publication import percentile, settle, time_requests  # noqa: E402
from benchmarks.support import demo_database  # noqa: E402 - sets Django up first

SIZES = [int(size) for size in os.environ.get("BENCH_SCALE_ITEMS", "500000").split(",")]
TOWNSHIPS, ITEMS = 13, 340
SMALL_ITEMS = 40
PROVINCE_ITEMS = 340_340  # a province: 77 counties × 13 townships × 340 items
BOARD_TOWNSHIPS = 31
FIRST_PROVINCE = 71
TWO_CHARACTER_TERMS = ["低保", "消防", "救助", "殡葬"]
FOUR_CHARACTER_TERMS = ["安全生产", "养老保险", "防汛抗旱", "退役军人"]
TARGETS = {"township page": 30, "search, province": 100, "search, nationwide": 300}  # ms: median, p95, p95


def shapes(total: int):
    """The sample's provinces for `total` items, and the province of the 31-township county."""
    from publication.sample import Shape

    # Below 100,000 items (CI's small sizes) lists are short, so that each page stays quick to time.
    items = ITEMS if total >= 100_000 else SMALL_ITEMS
    provinces = max(1, math.ceil(total / PROVINCE_ITEMS))
    counties = max(1, math.ceil(total / (provinces * TOWNSHIPS * items)))
    main = Shape(
        provinces=provinces,
        counties=counties,
        townships=TOWNSHIPS,
        items=items,
        first_province=FIRST_PROVINCE,
    )
    board = Shape(
        counties=1, townships=BOARD_TOWNSHIPS, items=items, first_province=FIRST_PROVINCE + provinces
    )
    return main, board


def build(total: int, user) -> tuple[int, float]:
    from publication.models import EditionItem
    from publication.sample import Generator

    start = time.perf_counter()
    for shape in shapes(total):
        Generator(shape, by=user).run()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            # Written out now, not by the checkpointer while pages are timed (a 2,000,000-item
            # build leaves gigabytes to write).
            cursor.execute("CHECKPOINT")
    return EditionItem.objects.filter(edition__current_of__isnull=False).count(), time.perf_counter() - start


def search_scopes(township) -> dict[str, dict]:
    """GET parameters of each scope: the area's division code (`?area=`), none nationwide."""
    county, province = township.county, township.county.city.province
    return {
        "township": {"area": township.code},
        "county": {"area": county.code},
        "province": {"area": province.code},
        "nationwide": {},
    }


def in_scope(response, prefix: str) -> None:
    """Every township the results link to lies in the scope (the results are cached as HTML)."""
    codes = re.findall(r"/lists/(\d{9})/", response.content.decode())
    outside = [code for code in codes if not code.startswith(prefix)]
    assert not outside, f"results outside the scope {prefix}: {outside[:3]}"


def measure_search(client, township) -> dict:
    rows = {}
    prefixes = {"township": township.code, "county": township.county.code, "province": township.code[:2]}
    for scope, params in search_scopes(township).items():
        for length, terms in (("2-char", TWO_CHARACTER_TERMS), ("4-char", FOUR_CHARACTER_TERMS)):
            timings, queries, shown = [], set(), 0
            for term in terms:
                found = time_requests(
                    client, reverse("publication:search"), before=cache.clear, data={**params, "q": term}
                )
                if scope in prefixes:
                    in_scope(found[2], prefixes[scope])
                timings += found[0]
                queries.add(found[1])
                shown += found[2].context["shown"]
            rows[f"search, {scope}, {length}"] = (sorted(timings), max(queries), f"{shown} shown")
    return rows


def clear_downloads(county):
    from catalog import jobs
    from catalog.models import Job

    def clear() -> None:
        jobs.remove_jobs(Job.objects.filter(county=county))
        cache.clear()

    return clear


def measure(total: int, user, rows: dict) -> None:
    """Fills `rows` as it goes, so that a failure still shows what was measured before it."""
    from catalog.models import Job, Membership, Province, Township
    from tests.conftest import make_region_user, make_user

    items, building = build(total, user)
    print(f"\n{items:,} items in force, built in {building:.0f} s", flush=True)
    settle()
    # The last province written: its items lie at the end of the table, where a plan that reads the
    # matches of the whole country in table order until enough fall in the area pays the most.
    last = FIRST_PROVINCE + shapes(total)[0].provinces - 1
    township = Township.objects.select_related("county__city__province").get(code=f"{last}0101001")
    county = township.county
    board_county = Township.objects.filter(order=BOARD_TOWNSHIPS).select_related("county").get().county
    client = Client()
    page = time_requests(client, reverse("publication:township", args=[township.code]), before=cache.clear)
    rows["township page"] = (
        page[0],
        page[1],
        f"{sum(part.count for part in page[2].context['parts'])} items",
    )
    rows |= measure_search(client, township)

    settings.API_QUOTA_ANONYMOUS = settings.API_QUOTA_TOKEN = 1_000_000
    hotline = Client()
    hotline.force_login(make_user(f"hotline-{total}", Membership.Role.CONSULTEE, county=county))
    for scope, code in (("township", township.code), ("county", county.code)):
        view, _, _, seen = time_lookups(hotline, scope, code)
        rows[f"dispatch lookup, {scope}"] = (view, max(q for _, _, q in seen.values()), "")

    editor = Client()
    editor.force_login(make_user(f"board-{total}", Membership.Role.COUNTY_EDITOR, county=board_county))
    board = time_requests(editor, reverse("review:board"))
    rows[f"county board, {BOARD_TOWNSHIPS} townships"] = (board[0], board[1], "")

    province = Province.objects.get(code=f"{last}0000")
    supervisor = Client()
    supervisor.force_login(make_region_user(f"province-{total}", province=province))
    found = time_requests(supervisor, reverse("review:region_board", args=[province.code]))
    rows["province board"] = (found[0], found[1], f"{province.cities.count()} cities")

    for fmt in ("csv", "json"):
        url = reverse("publication:county_download", args=[county.code, fmt])
        found = time_requests(client, url, before=clear_downloads(county), follow=True)
        job = Job.objects.get(county=county)
        assert job.status == Job.Status.DONE, job.error
        size = (Path(settings.EXPORT_DIR) / job.file_path).stat().st_size
        rows[f"county download, {fmt}"] = (found[0], found[1], f"{size // 1024} KiB file made")
        clear_downloads(county)()  # its file out of the export folder


def show(total: int, rows: dict) -> None:
    print(f"\n{total:,} published items; database {connection.vendor}")
    print(f"{'':<40} {'p50':>8} {'p95':>8} {'queries':>8}")
    for label, row in rows.items():
        timings, queries, note = row
        p50, p95 = statistics.median(timings), percentile(timings, 0.95)
        target = next((t for name, t in TARGETS.items() if label.startswith(name)), None)
        measured = p50 if label == "township page" else p95
        verdict = "" if target is None else f"  {'ok' if measured < target else 'OVER'} (< {target} ms)"
        print(f"{label:<40} {p50:>8.1f} {p95:>8.1f} {queries:>8}  {note}{verdict}")


def growth(results: dict[int, dict]) -> list[str]:
    """The growth factor per doubling of the items from the smallest size to each larger one, and the
    pages whose query count changed with the data."""
    (small, first), *rest = sorted(results.items())
    problems = []
    for total, rows in rest:
        doublings = math.log2(total / small)
        print(f"\ngrowth per doubling, {small:,} → {total:,} items ({doublings:.1f} doublings)")
        print(f"{'':<40} {'p50':>8} {'p95':>8}")
        for label, row in rows.items():
            if label not in first:
                continue
            factors = [
                (statistics.median(row[0]) / statistics.median(first[label][0])) ** (1 / doublings),
                (percentile(row[0], 0.95) / percentile(first[label][0], 0.95)) ** (1 / doublings),
            ]
            print(f"{label:<40} {factors[0]:>8.2f} {factors[1]:>8.2f}")
            if row[1] != first[label][1]:
                problems.append(
                    f"{label}: {first[label][1]} queries at {small:,} items, {row[1]} at {total:,}"
                )
    return problems


def measure_one(total: int) -> dict:
    """One size in this process: its database built, measured and dropped; its rows."""
    from django.contrib.auth import get_user_model

    rows = {}
    with demo_database():
        user = get_user_model().objects.get(username="bianban")
        try:
            measure(total, user, rows)
        finally:
            show(total, rows)
    return rows


def measure_apart(total: int) -> dict:
    """One size in a process of its own (a fresh database and memory for each size); its rows."""
    with tempfile.NamedTemporaryFile(suffix=".json") as results:
        env = os.environ | {"BENCH_SCALE_ITEMS": str(total), "BENCH_SCALE_RESULTS": results.name}
        # It fails when the province scope is unsupported, after writing its rows: judged here.
        finished = subprocess.run([sys.executable, __file__], env=env, check=False)
        text = Path(results.name).read_text()
        if not text:
            sys.exit(f"the run at {total:,} items failed (exit status {finished.returncode})")
        return json.loads(text)


def main() -> None:
    print(f"database {connection.vendor}, sizes {SIZES}, load average {os.getloadavg()[0]:.1f}", flush=True)
    if len(SIZES) == 1:
        results = {SIZES[0]: measure_one(SIZES[0])}
        if os.environ.get("BENCH_SCALE_RESULTS"):  # measured for a parent comparing sizes
            Path(os.environ["BENCH_SCALE_RESULTS"]).write_text(json.dumps(results[SIZES[0]]))
    else:
        results = {total: measure_apart(total) for total in SIZES}
    print(f"\nload average at the end: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
    problems = growth(results) if len(results) > 1 else []
    for problem in problems:
        print(f"QUERY COUNT GROWS: {problem}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()

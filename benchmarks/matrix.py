"""交叉比对 over a county of 31 townships × 400 items: server time of the page, drafts and in force.

Run with `python benchmarks/matrix.py` (SQLite) or `DATABASE_URL=postgresql://… python
benchmarks/matrix.py`. In a throwaway test database (test_<name>) with the demo county, the pilot
township's list (城关镇) is grown to 400 active items; 30 new townships of the demo county get a
draft of copies of those 400 items (same names, new keys), bulk-written with their lead
departments; in every third of the new townships one item in twenty is placed in another part (a
coordinated item reclaimed by its lead department, a reclaimed or basic item made coordinated), so
the matrix has cells to highlight. Every one of the 31 drafts is then published through
`publication.services.create_edition` as the township's edition in force (the drafts stay open).

Timed, through Django's test client in this process (routing, permission, queries, building the
matrix, rendering), DEBUG off: GET /work/counties/<code>/matrix/ as the county editor (the
drafts), and GET /counties/<code>/matrix/ anonymously (the editions in force) with the cache
emptied before each request, so every request builds the page; then the public page from the
cache. BENCH_RUNS sets the timed requests per page (default 20), after 2 warm-up requests; one
more request counts the queries. The workbook of the drafts is timed 5 times. Besides wall-clock
time it reports this process's CPU time per request (the machine is shared: the wall clock counts
other programs' turns too); BENCH_PROFILE=1 prints a profile of one uncached public page (=drafts: of the drafts page).
"""

import os
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.publication import settle  # noqa: E402
from benchmarks.support import demo_database, grow_list  # noqa: E402 - sets Django up first

ITEMS = 400
TOWNSHIPS = 31
WARM_UP = 2
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
TARGET_MS = 500


def build_county():
    """The demo county with 31 drafts of 400 items and an edition in force of each (see above)."""
    from catalog.models import DutyItem, DutyList, Part, Township

    pilot = DutyList.objects.select_related("township__county").get(township__name="城关镇")
    grow_list(pilot, ITEMS)
    # The copies keep their source's catalogue entry: under their own names they are other items.
    DutyItem.objects.filter(duty_list=pilot, order__gte=1000).update(catalogue_entry=None)
    county = pilot.township.county
    sources = list(DutyItem.objects.active().filter(duty_list=pilot).prefetch_related("lead_departments"))
    assert len(sources) == ITEMS, len(sources)
    through = DutyItem.lead_departments.through
    fields = [f.attname for f in DutyItem._meta.concrete_fields if f.attname != "id"]
    lists = [pilot]
    for number in range(TOWNSHIPS - 1):
        township = Township.objects.create(
            county=county,
            name=f"比对{number + 1}镇",
            code=f"{county.code}{800 + number:03d}",
            kind="zhen",
            order=100 + number,
        )
        duty_list = DutyList.objects.create(
            township=township, title=f"{township.name}履行职责事项清单", year=2026
        )
        copies, leads = [], []
        for position, source in enumerate(sources):
            copy = DutyItem(**{field: getattr(source, field) for field in fields})
            copy.duty_list, copy.key = duty_list, uuid.uuid4()
            departments = [d.pk for d in source.lead_departments.all()]
            if number % 3 == 0 and position % 20 == 0:
                if copy.part == Part.COORDINATED and departments:
                    copy.part, copy.receiving_department_id = Part.RECLAIMED, departments[0]
                    copy.reclaim_reason, copy.township_duties, copy.department_duties = (
                        "由县级部门实施",
                        "",
                        "",
                    )
                    departments = []
                elif copy.receiving_department_id:
                    copy.part, departments = Part.COORDINATED, [copy.receiving_department_id]
                    copy.receiving_department_id, copy.reclaim_reason = None, ""
                    copy.township_duties, copy.department_duties = "配合开展", "负责实施"
            copies.append(copy)
            leads.append(departments)
        DutyItem.objects.bulk_create(copies)
        through.objects.bulk_create(
            through(dutyitem_id=copy.pk, department_id=department)
            for copy, departments in zip(copies, leads, strict=True)
            for department in departments
        )
        lists.append(duty_list)
    return county, lists


def publish_all(lists, user) -> None:
    from catalog.models import DutyItem, FrozenItem
    from publication.services import create_edition
    from review.models import SubmittedItem

    for duty_list in lists:
        items = (
            DutyItem.objects.active()
            .filter(duty_list=duty_list)
            .select_related("category__parent", "responsible_office", "receiving_department")
            .prefetch_related("lead_departments")
        )
        rows = [SubmittedItem(submission=None, **FrozenItem.values_of(item)) for item in items]
        create_edition(
            duty_list, rows, by=user, effective_on=date(2026, 1, 1), document_number="比发〔2026〕1号"
        )


def timed(client, url, *, uncached: bool) -> tuple[list[float], list[float], int, int]:
    """Wall-clock and this process's CPU milliseconds of each request, the queries and the size."""
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200
    timings, cpu = [], []
    for _ in range(RUNS):
        if uncached:
            cache.clear()
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    if uncached:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return sorted(timings), sorted(cpu), len(queries), len(response.content)


def report(label: str, timings: list[float], cpu: list[float], queries: int, size: int) -> None:
    median = statistics.median(timings)
    verdict = "ok" if median < TARGET_MS else "OVER"
    print(
        f"{label:<36} median {median:7.1f} ms  p90 {timings[int(len(timings) * 0.9) - 1]:7.1f} ms  "
        f"min {timings[0]:7.1f} ms  cpu median {statistics.median(cpu):7.1f} ms  {queries:>2} queries  "
        f"{size // 1024:>5} KiB  {verdict} (< {TARGET_MS} ms)"
    )


def main() -> None:
    from django.contrib.auth import get_user_model

    with demo_database():
        started = time.perf_counter()
        county, lists = build_county()
        editor = get_user_model().objects.get(username="bianban")
        publish_all(lists, editor)
        print(
            f"{connection.vendor}, load average {os.getloadavg()[0]:.1f}: {len(lists)} townships × {ITEMS} items set up in "
            f"{time.perf_counter() - started:.0f} s; {RUNS} timed requests per page"
        )
        settle()  # the setup's objects out of the collector's full passes, as a server's worker has them
        staff = Client()
        staff.force_login(editor)
        drafts = reverse("catalog:county_matrix", args=[county.code])
        response = staff.get(drafts)
        matrix = response.context["matrix"]
        assert len(matrix.townships) >= TOWNSHIPS, len(matrix.townships)
        print(f"drafts: {len(matrix.rows)} rows, {matrix.differing_rows} with a differing township")
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            cache.clear()
            if os.environ["BENCH_PROFILE"] == "drafts":
                profile.runcall(staff.get, drafts)
            else:
                profile.runcall(Client().get, reverse("publication:county_matrix", args=[county.code]))
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        report("drafts matrix (county editor)", *timed(staff, drafts, uncached=True))
        public = Client()
        in_force = reverse("publication:county_matrix", args=[county.code])
        report("in force matrix (public, uncached)", *timed(public, in_force, uncached=True))
        report("in force matrix (public, cached)", *timed(public, in_force, uncached=False))
        export = reverse("catalog:county_matrix_export", args=[county.code])
        workbook = []
        for _ in range(5):
            start = time.perf_counter()
            response = staff.get(export)
            workbook.append((time.perf_counter() - start) * 1000)
        print(
            f"drafts workbook: median {statistics.median(workbook):.0f} ms, {len(response.content) // 1024} KiB"
        )


if __name__ == "__main__":
    main()

"""The public site's levels at the country's size: the index, a province, a city, a county (issue 15).

Run with `make bench-navigation` (SQLite) or `DATABASE_URL=postgresql://… make bench-navigation`.
In a throwaway test database with the demo county it writes, with `bulk_create`, 31 provinces of
10 cities of 9 counties (2,790 counties) and 50 counties not placed under a city, and spreads
BENCH_TOWNSHIPS townships (38,000 by default, about as many as China has) over them, each with an
edition in force (its counts only: the level pages never read items). PostgreSQL is then VACUUM
ANALYZEd. Each page is requested BENCH_RUNS times (20) through Django's test client in this process
(routing, middleware, queries, rendering; no network) and the median and slowest are printed with
the page's queries and size (BENCH_EXPLAIN=1 prints PostgreSQL's plan of each query). The
database is dropped afterwards.
"""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from benchmarks.support import demo_database  # noqa: E402 (sets Django up)

TOWNSHIPS = int(os.environ.get("BENCH_TOWNSHIPS", 38_000))
RUNS = int(os.environ.get("BENCH_RUNS", 20))
PROVINCES, CITIES, COUNTIES, UNPLACED = 31, 10, 9, 50


def build() -> tuple[str, str, str]:
    """The levels and the townships in force; returns a province's, a city's and a county's code."""
    from django.contrib.auth import get_user_model

    from catalog.models import City, County, DutyList, Province, Township
    from publication.models import CurrentEdition, Edition

    provinces = Province.objects.bulk_create(
        Province(name=f"第{p}省", code=f"{p + 11:02d}0000") for p in range(PROVINCES)
    )
    cities = City.objects.bulk_create(
        City(province=province, name=f"{province.name}第{c}市", code=f"{province.code[:2]}{c + 1:02d}00")
        for province in provinces
        for c in range(CITIES)
    )
    counties = County.objects.bulk_create(
        [
            County(city=city, name=f"{city.name}第{k}县", code=f"{city.code[:4]}{k + 1:02d}")
            for city in cities
            for k in range(COUNTIES)
        ]
        + [County(name=f"未定第{k}县", code=f"98{k + 1:04d}") for k in range(UNPLACED)]
    )
    # The first township goes to an unplaced county, so that even a small run has one to list.
    counties = [counties[-1], *counties[:-1]]
    townships = Township.objects.bulk_create(
        Township(
            county=counties[n % len(counties)],
            name=f"第{n}镇",
            code=f"{counties[n % len(counties)].code}{n // len(counties) + 1:03d}",
            kind=Township.Kind.ZHEN,
            order=n,
        )
        for n in range(TOWNSHIPS)
    )
    lists = DutyList.objects.bulk_create(
        DutyList(township=t, title=f"{t.name}清单", year=2025, stage=DutyList.Stage.PUBLISHED)
        for t in townships
    )
    publisher = get_user_model().objects.filter(is_superuser=True).first()
    editions = Edition.objects.bulk_create(
        Edition(
            township=t,
            duty_list=d,
            number=1,
            effective_on=date(2025, 7, 1),
            document_number=f"办发〔2025〕{n}号",
            published_by=publisher,
            basic_count=117,
            coordinated_count=99,
            reclaimed_count=124,
        )
        for n, (t, d) in enumerate(zip(townships, lists, strict=True))
    )
    CurrentEdition.objects.bulk_create(
        CurrentEdition(township=t, edition=e) for t, e in zip(townships, editions, strict=True)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return provinces[0].code, cities[0].code, counties[1].code  # counties[0] is unplaced


def measure(client: Client, label: str, url: str) -> None:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)  # read now: the next request clears the connection's log
    assert response.status_code == 200, url
    if os.environ.get("BENCH_EXPLAIN") and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()))
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    print(
        f"{label:<22} {url:<20} median {statistics.median(timings):7.1f} ms  slowest {max(timings):7.1f} ms"
        f"  {queries:2d} queries  {len(response.content) / 1024:6.1f} KB"
    )


def main() -> None:
    with demo_database():
        start = time.perf_counter()
        province, city, county = build()
        from publication.models import CurrentEdition

        print(
            f"{connection.vendor}: {CurrentEdition.objects.count()} townships in force in "
            f"{PROVINCES * CITIES * COUNTIES + UNPLACED + 1} counties, written in {time.perf_counter() - start:.0f} s"
        )
        client = Client()
        measure(client, "index (provinces)", "/")
        measure(client, "province (cities)", f"/areas/{province}/")
        measure(client, "city (counties)", f"/areas/{city}/")
        measure(client, "county (townships)", f"/areas/{county}/")
        measure(client, "unplaced counties", "/areas/unplaced/")


if __name__ == "__main__":
    main()

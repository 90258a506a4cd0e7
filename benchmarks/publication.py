"""The public site: a township's page, search over many published items, and a cached page's throughput.

Run with `make bench-public` (SQLite) or `DATABASE_URL=postgresql://… make bench-public`.
In a throwaway test database with the demo county (whose 白云乡 and 东湖街道 are
published) it measures:

- township page: 青山镇 is published with a 340-item edition (copies of the
  demo editions' items with new keys and names) by `publication.services.
  create_edition`; GET /lists/<code>/ is timed through Django's test client in
  this process (routing, queries, rendering, without network) with the cache
  cleared before every request (uncached), then served from the cache;
- throughput: the cached township page, and the same bytes returned from memory
  by a minimal WSGI callable at another path (the "static file"), through one
  WSGI server: Django's development server in a background thread, without
  request logging, either threaded as `runserver` (a thread and a database
  connection per request) or one thread keeping its database connection
  (CONN_MAX_AGE=60, as in production). A separate client process fetches each
  with a new connection per request, one at a time and four at a time;
- search: the published items grow to 500,000 (50,000 on SQLite, which has no
  index for it and reads every row; BENCH_SEARCH_ITEMS sets the number) in
  PROVINCES sample provinces (`publication.sample`, as `manage.py generate_sample`
  writes them: 91 0000 …, 10 counties a province at 500,000) of counties of 25
  townships with 400 items each, drawn from the demo lists' items with varied
  names, a tenth of the townships in a second edition; each county gets the demo
  county's categories, departments and synonyms. PostgreSQL is then VACUUM
  ANALYZEd. For two- and four-character terms, nationwide and within a province,
  a county and a township (`?area=`), GET /search/ is timed through the test
  client with the cache cleared before each request (form, query, up to 300
  results rendered), again with its results kept in the cache, and
  `publication.search.search` on its own; GET /search/ without terms times the
  form alone. BENCH_SEARCH_ONLY=1 skips the township page and throughput.

Timed requests render templates without the test environment's instrumentation
(as in production); one more request per page is made with it, for the query
count and the checks. BENCH_RUNS sets the timed requests per page and per term;
BENCH_EXPLAIN=1 prints PostgreSQL's plan of each term's search query. The
database is dropped afterwards.
"""

import contextlib
import gc
import math
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.template.base import Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.support import demo_database  # noqa: E402 - sets Django up first

ORIGINAL_RENDER = Template._render  # before demo_database() instruments it

PAGE_ITEMS = 340
PAGE_TOWNSHIP = "青山镇"
ITEMS_PER_TOWNSHIP = 400
TOWNSHIPS_PER_COUNTY = 25
TWO_CHARACTER_TERMS = ["殡葬", "低保", "救助", "消防"]  # 低保 is found through its synonym 最低生活保障
FOUR_CHARACTER_TERMS = ["安全生产", "退役军人", "秸秆禁烧", "防汛抗旱"]
STATIC_PATH = "/__static_copy__"
WARM_UP = 3
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
THROUGHPUT_REQUESTS = int(os.environ.get("BENCH_THROUGHPUT_REQUESTS", "1000"))
THROUGHPUT_CLIENTS = (1, 4)


def search_items() -> int:
    default = 500_000 if connection.vendor == "postgresql" else 50_000
    return int(os.environ.get("BENCH_SEARCH_ITEMS", default))


def percentile(timings: list[float], share: float) -> float:
    """Nearest rank of sorted timings (p90 of 40 is the 36th)."""
    return timings[max(0, math.ceil(len(timings) * share) - 1)]


def pool():
    """The 322 items of the demo's editions in force (白云乡 169, 东湖街道 153), in published order."""
    from publication.models import EditionItem

    return list(
        EditionItem.objects.filter(edition__current_of__isnull=False)
        .exclude(edition__township__name=PAGE_TOWNSHIP)
        .order_by("edition__township__order", "part", "category_order", "order", "pk")
    )


# Township page.


def publish_page_edition(user):
    """青山镇 published with PAGE_ITEMS items copied from the demo editions (new keys and names)."""
    from catalog.models import DutyList
    from publication.services import create_edition
    from review.models import SubmittedItem

    sources = pool()
    rows = []
    for number in range(PAGE_ITEMS):
        source = sources[number % len(sources)]
        values = source.frozen_values() | {"key": uuid.uuid4(), "name": f"{source.name}（{number + 1}）"}
        if number >= len(sources):
            values["order"] = source.order + 1000
        rows.append(SubmittedItem(submission=None, **values))
    duty_list = DutyList.objects.select_related("township").get(township__name=PAGE_TOWNSHIP)
    edition = create_edition(
        duty_list, rows, by=user, effective_on=date(2026, 1, 1), document_number="示办发〔2026〕99号"
    )
    assert edition.item_count == PAGE_ITEMS, edition.item_count
    return duty_list.township


@contextlib.contextmanager
def plain_rendering():
    """Templates rendered as in production: without the test environment's instrumentation, which sends a
    signal per template (each <option> of the search form's lists is one) for the test client to keep."""
    instrumented, Template._render = Template._render, ORIGINAL_RENDER
    try:
        yield
    finally:
        Template._render = instrumented


def time_requests(client, url, *, before=None, data=None, follow=False):
    """Timings (ms, sorted), the queries of one request, and that request's response (with its context);
    `before` runs untimed ahead of every request; `follow` follows redirects within each request."""
    with plain_rendering():
        for _ in range(WARM_UP):
            if before:
                before()
            response = client.get(url, data, follow=follow)
            assert response.status_code == 200, response.status_code
    if before:
        before()
    with CaptureQueriesContext(connection) as queries:
        checked = client.get(url, data, follow=follow)
    query_count = len(queries)  # read now: the next request clears the connection's log
    assert checked.status_code == 200, checked.status_code
    timings = []
    with plain_rendering():
        for _ in range(RUNS):
            if before:
                before()
            start = time.perf_counter()
            response = client.get(url, data, follow=follow)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
    timings.sort()
    return timings, query_count, checked


def report(label, timings, queries, size, target=None) -> None:
    verdict = ""
    if target is not None:
        verdict = f"{'ok' if statistics.median(timings) < target else 'OVER'} (median < {target} ms)"
    print(
        f"{label:<46} {statistics.median(timings):>8.1f} {percentile(timings, 0.9):>8.1f}"
        f" {percentile(timings, 0.95):>8.1f} {timings[0]:>8.1f} {queries:>8} {size // 1024:>6}  {verdict}"
    )


def page_header() -> None:
    print(f"{'':<46} {'median':>8} {'p90':>8} {'p95':>8} {'min':>8} {'queries':>8} {'KiB':>6}")


# Throughput.

CLIENT = """
import http.client, sys, threading, time
port, path, total, workers, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
failures = []

def fetch(count):
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status != 200 or len(body) != size:
            failures.append((response.status, len(body)))

fetch(20)  # warm-up
threads = [threading.Thread(target=fetch, args=(total // workers,)) for _ in range(workers)]
start = time.perf_counter()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.perf_counter() - start
print(workers * (total // workers) / elapsed, len(failures), failures[:3])
"""


def with_static_copy(app, body: bytes, content_type: str):
    """The project's WSGI application, except that STATIC_PATH answers `body` from memory without Django."""
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]

    def application(environ, start_response):
        if environ["PATH_INFO"] == STATIC_PATH:
            start_response("200 OK", list(headers))  # the server adds to the list it gets
            return [body]
        return app(environ, start_response)

    return application


@contextlib.contextmanager
def serving(app, *, threaded: bool):
    """Django's development server on a free port of 127.0.0.1, in a background thread, without request
    logging: threaded as `runserver` (a thread per request, database connections closed after each), or
    one thread handling requests in turn whose database connection is kept between them (CONN_MAX_AGE=60,
    as .env.example sets for production)."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, WSGIServer

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):
            pass

    server = (ThreadedWSGIServer if threaded else WSGIServer)(("127.0.0.1", 0), QuietHandler)
    server.set_app(app)
    database = settings.DATABASES["default"]
    kept = database.get("CONN_MAX_AGE", 0)
    if not threaded:
        database["CONN_MAX_AGE"] = 60

    def run():
        try:
            server.serve_forever()
        finally:
            connections.close_all()  # this thread's, so that the test database can be dropped

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        database["CONN_MAX_AGE"] = kept


def requests_per_second(port: int, path: str, workers: int, size: int) -> float:
    result = subprocess.run(
        [sys.executable, "-c", CLIENT, str(port), path, str(THROUGHPUT_REQUESTS), str(workers), str(size)],
        capture_output=True,
        text=True,
        check=True,
    )
    rate, failures, examples = result.stdout.split(maxsplit=2)
    assert failures == "0", f"{failures} failed requests, e.g. {examples}"
    return float(rate)


def throughput(url: str) -> list[tuple[str, int, float, float]]:
    """(server, clients, Django requests/s, static requests/s) for the cached page at `url`."""
    from django.core.servers.basehttp import get_internal_wsgi_application

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    response = client.get(url)  # puts the page in the cache
    assert response.status_code == 200, response.status_code
    body = client.get(url).content
    app = with_static_copy(get_internal_wsgi_application(), body, response["Content-Type"])
    rows = []
    for server, threaded in (("threaded", True), ("one thread", False)):
        with serving(app, threaded=threaded) as port:
            for workers in THROUGHPUT_CLIENTS:
                django_rate = requests_per_second(port, url, workers, len(body))
                static_rate = requests_per_second(port, STATIC_PATH, workers, len(body))
                rows.append((server, workers, django_rate, static_rate))
    return rows


# Search.


# The search data's places: PROVINCES sample provinces (91 0000 …), their counties spread over cities
# of ten, as many counties as the items need (10 counties per province at 500,000 items).
PROVINCES = 5
FIRST_PROVINCE = 91
FIRST_TOWNSHIP = f"{FIRST_PROVINCE}0101001"


def load_search_data(total: int, user) -> tuple[int, int]:
    """A sample province (`publication.sample`, as `manage.py generate_sample` writes it) of counties of
    TOWNSHIPS_PER_COUNTY townships with ITEMS_PER_TOWNSHIP items each, until about `total` published
    items are in force; (townships, items) in force."""
    from publication.models import CurrentEdition, EditionItem
    from publication.sample import Generator, Shape

    in_force = EditionItem.objects.filter(edition__current_of__isnull=False).count()
    per_county = TOWNSHIPS_PER_COUNTY * ITEMS_PER_TOWNSHIP
    shape = Shape(
        provinces=PROVINCES,
        counties=max(1, math.ceil((total - in_force) / per_county / PROVINCES)),
        townships=TOWNSHIPS_PER_COUNTY,
        items=ITEMS_PER_TOWNSHIP,
        first_province=FIRST_PROVINCE,
    )
    counts = Generator(shape, by=user).run()
    print(f"  {counts['townships']} townships in {counts['counties']} counties", flush=True)
    if connection.vendor == "postgresql":
        print("  VACUUM ANALYZE", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return CurrentEdition.objects.count(), EditionItem.objects.filter(
        edition__current_of__isnull=False
    ).count()


def hits(term: str, area=None) -> int:
    """Every item in force in the area that matches (counted once, outside the timings)."""
    from publication.models import EditionItem
    from publication.search import SearchFilters, in_force_of, matching, search_synonyms

    filters = SearchFilters(q=term, area=area)
    items = EditionItem.objects.filter(edition_id__in=in_force_of(area).values("edition_id"))
    return matching(items, term, connection.vendor, search_synonyms(filters)).count()


def time_query(term: str, area=None, runs: int = RUNS) -> tuple[list[float], int, str]:
    """Timings (ms, sorted) of `publication.search.search` alone in the area, the items it shows
    and its last SQL."""
    from publication.search import SearchFilters, search

    filters = SearchFilters(q=term, area=area)
    for _ in range(WARM_UP):
        search(filters, connection.vendor)
    with CaptureQueriesContext(connection) as queries:
        shown = search(filters, connection.vendor).shown
    sql = queries[-1]["sql"]
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        search(filters, connection.vendor)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return timings, shown, sql


def scopes() -> list[tuple[str, str]]:
    """(label, area code) the search is timed in: nationwide, a province, a county, a township."""
    from catalog.models import Township

    township = Township.objects.select_related("county__city").get(code=FIRST_TOWNSHIP)
    return [
        ("nationwide", ""),
        ("province", township.county.city.code[:2] + "0000"),
        ("county", township.county.code),
        ("township", township.code),
    ]


def explain(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        for (line,) in cursor.fetchall():
            print(f"    {line}")


def search_report(label, timings, target=None) -> None:
    p95 = percentile(timings, 0.95)
    verdict = "" if target is None else f"  {'ok' if p95 < target else 'OVER'} (p95 < {target} ms)"
    print(
        f"{label:<46} {statistics.median(timings):>8.1f} {p95:>8.1f} {timings[0]:>8.1f} {timings[-1]:>8.1f}"
        f"{verdict}"
    )


def settle() -> None:
    """Keep what the setup built out of the garbage collector's full passes, as config/wsgi.py does
    with what a server loads at start-up."""
    gc.collect()
    gc.freeze()


def main() -> None:
    from django.contrib.auth import get_user_model

    with demo_database():
        print(f"database {connection.vendor}, {RUNS} timed requests per page and per term")
        user = get_user_model().objects.get(username="bianban")
        client = Client()
        pages = not os.environ.get("BENCH_SEARCH_ONLY")  # BENCH_SEARCH_ONLY=1: the search alone
        if pages:
            township = publish_page_edition(user)
            url = reverse("publication:township", args=[township.code])

            def has_every_item(response):
                count = sum(part.count for part in response.context["parts"])
                assert count == PAGE_ITEMS, f"{count} items on the page, not {PAGE_ITEMS}"

            settle()
            uncached = time_requests(client, url, before=cache.clear)
            has_every_item(uncached[2])
            cached = time_requests(client, url)
            rates = throughput(url)

        print(f"\nsearch data, {search_items():,} items in force:", flush=True)
        start = time.perf_counter()
        townships, total = load_search_data(search_items(), user)
        building = time.perf_counter() - start
        print(f"  {total:,} items in force in {townships} townships, built in {building:.0f} s", flush=True)
        settle()
        if pages:
            uncached_big = time_requests(client, url, before=cache.clear)
        form_only = time_requests(client, reverse("publication:search"))  # the form alone, no search
        search_timings = time_search(client)

        if pages:
            print(f"\ndatabase {connection.vendor}; township page: {PAGE_TOWNSHIP}, {PAGE_ITEMS} items")
            page_header()
            report("township page, uncached", *uncached[:2], len(uncached[2].content), target=30)
            report("township page, cached", *cached[:2], len(cached[2].content))
            report(
                f"township page, uncached, {total:,} items in force",
                *uncached_big[:2],
                len(uncached_big[2].content),
            )
            print(f"\nthroughput, {THROUGHPUT_REQUESTS} requests each, a new connection per request")
            print(f"{'server':<12} {'clients':>8} {'page req/s':>11} {'static req/s':>13} {'ratio':>7}")
            for server, workers, django_rate, static_rate in rates:
                ratio = django_rate / static_rate
                print(
                    f"{server:<12} {workers:>8} {django_rate:>11.0f} {static_rate:>13.0f} {ratio:>7.2f}"
                    f"  {'ok' if ratio >= 0.5 else 'UNDER'} (≥ 0.5)"
                )

        print(f"\nsearch, {total:,} items in force in {townships} townships, build {building:.0f} s")
        print(f"load average: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
        print(f"{'':<46} {'p50':>8} {'p95':>8} {'min':>8} {'max':>8}")
        search_report(f"search page without terms ({form_only[1]} queries)", form_only[0])
        for label, timings, target in search_timings:
            search_report(label, timings, target)


# The targets: p95 under 100 ms within a province (and below), under 300 ms nationwide.
TARGETS = {"nationwide": 300, "province": 100, "county": 100, "township": 100}


def time_search(client) -> list[tuple[str, list[float], int]]:
    """Per scope and term length: the page uncached (the cache cleared before each request, so the
    query runs), the page kept in the cache, and the query alone."""
    from publication.search import find_area

    rows = []
    for scope, code in scopes():
        area = find_area(code) if code else None
        for name, group in (("2-char", TWO_CHARACTER_TERMS), ("4-char", FOUR_CHARACTER_TERMS)):
            views, kept, alone = [], [], []
            for term in group:
                data = {"q": term, "area": code} if code else {"q": term}
                view = time_requests(client, reverse("publication:search"), data=data, before=cache.clear)
                views += view[0]
                kept += time_requests(client, reverse("publication:search"), data=data)[0]
                query = time_query(term, area)
                alone += query[0]
                print(
                    f"  {scope} {term}: {hits(term, area):,} match, {query[1]} shown, {view[1]} queries;"
                    f" page p50 {statistics.median(view[0]):.1f} ms, query p50"
                    f" {statistics.median(query[0]):.1f} ms",
                    flush=True,
                )
                if os.environ.get("BENCH_EXPLAIN") and connection.vendor == "postgresql":
                    explain(query[2])
            target = TARGETS[scope]
            rows.append((f"{scope}, {name}: page uncached", sorted(views), target))
            rows.append((f"{scope}, {name}: page kept", sorted(kept), None))
            rows.append((f"{scope}, {name}: query alone", sorted(alone), target))
    return rows


if __name__ == "__main__":
    main()

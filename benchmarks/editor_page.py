"""Server time of the list editor for a 400-item list: median and 90th percentile.

Run with `make bench` (SQLite) or `DATABASE_URL=postgresql://… make bench`. It
builds a throwaway test database (test_<name>), loads the demo county, grows the
pilot township's list to 400 active items, then times GET requests of the editor
page through Django's test client in this process, so the figure is the time
Django spends on the request (routing, queries, template rendering), without
network or browser. The database is dropped afterwards.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.support import demo_database, grow_list  # noqa: E402 - sets Django up first

ITEMS = 400
WARM_UP = 3
RUNS = int(os.environ.get("BENCH_RUNS", "40"))


def main() -> None:
    from django.contrib.auth import get_user_model

    from catalog.models import DutyItem, DutyList

    with demo_database():
        duty_list = DutyList.objects.get(township__name="城关镇")
        grow_list(duty_list, ITEMS)
        assert DutyItem.objects.active().filter(duty_list=duty_list).count() == ITEMS
        client = Client()
        client.force_login(get_user_model().objects.get(username="chengguan"))
        url = reverse("catalog:list_editor", args=[duty_list.pk])
        for _ in range(WARM_UP):
            assert client.get(url).status_code == 200
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        timings.sort()
        print(
            f"editor page, {ITEMS} items, {connection.vendor}: "
            f"median {statistics.median(timings):.1f} ms, "
            f"p90 {timings[int(len(timings) * 0.9) - 1]:.1f} ms, "
            f"min {timings[0]:.1f} ms over {RUNS} requests, {len(response.content) // 1024} KiB"
        )


if __name__ == "__main__":
    main()

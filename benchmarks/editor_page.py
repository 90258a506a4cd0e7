"""Server time of the list editor for a 400-item list: median and 90th percentile.

Run with `make bench` (SQLite) or `DATABASE_URL=postgresql://… make bench`. It
builds a throwaway test database (test_<name>), loads the demo county, grows the
pilot township's list to 400 active items, then times GET requests of the editor
page through Django's test client in this process, so the figure is the time
Django spends on the request (routing, queries, template rendering), without
network or browser. The database is dropped afterwards.
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

ITEMS = 400
WARM_UP = 3
RUNS = int(os.environ.get("BENCH_RUNS", "40"))


def grow_list(duty_list, target: int) -> None:
    from catalog.models import DutyItem

    active = list(DutyItem.objects.active().filter(duty_list=duty_list).prefetch_related("lead_departments"))
    through = DutyItem.lead_departments.through
    copies, number = [], 0
    while len(active) + len(copies) < target:
        source = active[number % len(active)]
        copy = DutyItem.objects.get(pk=source.pk)
        copy.pk = copy.id = None
        copy._state.adding = True
        copy.key = None
        copy.name = f"{source.name}（{number // len(active) + 2}）"
        copy.order = source.order + 1000 + number
        copies.append((copy, [d.pk for d in source.lead_departments.all()]))
        number += 1
    import uuid

    for copy, _ in copies:
        copy.key = uuid.uuid4()
    DutyItem.objects.bulk_create([copy for copy, _ in copies])
    through.objects.bulk_create(
        through(dutyitem_id=copy.pk, department_id=department)
        for copy, departments in copies
        for department in departments
    )


def main() -> None:
    from django.contrib.auth import get_user_model

    from catalog.models import DutyItem, DutyList

    setup_test_environment()
    settings.DEBUG = False
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        call_command("load_demo", stdout=io.StringIO())
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
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

"""What every benchmark needs: Django set up, and a throwaway database holding the demo county.

Importing this module sets Django up, so benchmarks import it before any model.
"""

import contextlib
import io
import os
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402


@contextlib.contextmanager
def demo_database():
    """A fresh test database (test_<name>) with the demo county, dropped afterwards; DEBUG off."""
    setup_test_environment()
    settings.DEBUG = False
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        call_command("load_demo", stdout=io.StringIO())
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()  # so that a benchmark can build another database after this one


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
    for copy, _ in copies:
        copy.key = uuid.uuid4()
    DutyItem.objects.bulk_create([copy for copy, _ in copies])
    through.objects.bulk_create(
        through(dutyitem_id=copy.pk, department_id=department)
        for copy, departments in copies
        for department in departments
    )

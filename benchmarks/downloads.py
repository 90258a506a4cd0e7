"""County-wide downloads and the department queue at 150 townships × 400 items.

Run with `DATABASE_URL=postgresql://… .venv/bin/python benchmarks/downloads.py` (also on SQLite,
whose test database is then a file so that the measuring processes can open it). In a throwaway
test database with the demo county, 150 new townships of the demo county each get, written with
`bulk_create` from the demo's rows (copies with new keys):

- an edition in force of 400 items (the 322 items of the demo's editions in force, 78 of them
  again): the public county downloads (CSV, JSON, zip of workbooks) then hold 152 townships;
- a draft of 400 items (the pilot 城关镇's items, grown to 400, with their lead departments): the
  workbench's zip of the county's drafts then holds the demo's drafts as well;
- a submission of the same 400 items, for the department queue.

Each download is made by a fresh process (`--child`), as a worker would: the job is started
through the same function the page calls (without a broker it runs in that process) and the
process reports the wall time of the whole job and its peak resident memory (ru_maxrss) above
what it held before the job (Django loaded, database connected). The queue: 县农业农村局's
(user `nongye`) GET /review/queue/ through the test client, median of BENCH_RUNS, with windows
on 13, 50 and 150 of the new townships' submissions asking 县农业农村局 and 县应急管理局.

BENCH_CODE=<path of another checkout> runs the same measurement against that checkout's code
(how the "before" figures in docs/performance.md were taken). The database is dropped afterwards.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

CODE = os.environ.get("BENCH_CODE") or str(Path(__file__).resolve().parents[1])
sys.path.insert(0, CODE)
os.chdir(CODE)

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

import benchmarks.support  # noqa: E402, F401 - sets Django up first

TOWNSHIPS = int(os.environ.get("BENCH_TOWNSHIPS", "150"))
ITEMS = 400
QUEUE_SIZES = [size for size in (13, 50, 150) if size <= TOWNSHIPS]
RUNS = int(os.environ.get("BENCH_RUNS", "10"))
BATCH = 5000
DOWNLOADS = ["csv", "json", "xlsx", "drafts"]


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The measuring process.


def child(what: str) -> None:
    from django.contrib.auth import get_user_model

    from catalog import jobs
    from catalog.models import County, Job

    settings.DEBUG = False  # no query log
    settings.EXPORT_DIR = Path(tempfile.mkdtemp(prefix="bench-downloads-"))
    county = County.objects.get(code="999001")
    editor = get_user_model().objects.get(username="bianban")
    Job.objects.all().delete()
    before = maxrss_mib()
    start = time.perf_counter()
    if what == "drafts":
        from catalog.tasks import start_county_drafts_export

        job = start_county_drafts_export(county, by=editor)
    else:
        from publication.tasks import start_county_download

        job, _ = start_county_download(county, what)
    seconds = time.perf_counter() - start
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.status, job.error)
    size = jobs.job_file(job).stat().st_size
    print(
        json.dumps({"seconds": seconds, "peak": maxrss_mib(), "above": maxrss_mib() - before, "size": size})
    )


def measure(what: str) -> dict:
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        url = f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    else:
        url = f"sqlite:///{database['NAME']}"
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "1"}
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run(
        [sys.executable, __file__, "--child", what], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


# The data.


def frozen_template(pilot) -> list[dict]:
    """ITEMS frozen rows' values: the demo editions' items in force, some twice under another name."""
    from publication.models import EditionItem

    sources = list(
        EditionItem.objects.filter(edition__current_of__isnull=False).order_by(
            "edition__township__order", "part", "category_order", "order", "pk"
        )
    )
    template = []
    for number in range(ITEMS):
        source = sources[number % len(sources)]
        values = source.frozen_values()
        del values["key"]
        if number >= len(sources):
            values["name"] = f"{source.name}（续）"
            values["order"] = source.order + 1000
        template.append(values)
    return template


def write_in_batches(model, rows) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)


def load(editor) -> list:
    """TOWNSHIPS new townships, each with a draft, an edition in force and a submission; their lists."""
    from benchmarks.support import grow_list
    from catalog.models import DutyItem, DutyList, Part, Township
    from publication.models import CurrentEdition, Edition, EditionItem
    from review.models import Submission, SubmittedItem

    pilot = DutyList.objects.select_related("township__county").get(township__name="城关镇")
    county = pilot.township.county
    grow_list(pilot, ITEMS)
    drafts = list(
        DutyItem.objects.active().filter(duty_list=pilot).prefetch_related("lead_departments").order_by("pk")
    )
    template = frozen_template(pilot)
    counts = {f"{part}_count": sum(1 for v in template if v["part"] == part) for part in Part.values}
    townships = Township.objects.bulk_create(
        Township(
            county=county,
            name=f"下载测试第{n + 1}镇",
            code=f"{county.code}{300 + n:03d}",
            kind=Township.Kind.ZHEN,
            order=300 + n,
        )
        for n in range(TOWNSHIPS)
    )
    lists = DutyList.objects.bulk_create(
        DutyList(township=t, title=f"{t.name}履行职责事项清单", year=pilot.year) for t in townships
    )
    editions = Edition.objects.bulk_create(
        Edition(
            township=t,
            duty_list=duty_list,
            number=1,
            effective_on=date(2026, 1, 1),
            document_number=f"下载测试〔2026〕{n + 1}号",
            published_by=editor,
            **counts,
        )
        for n, (t, duty_list) in enumerate(zip(townships, lists, strict=True))
    )
    CurrentEdition.objects.bulk_create(CurrentEdition(township=e.township, edition=e) for e in editions)
    write_in_batches(
        EditionItem,
        (EditionItem(edition=e, key=uuid.uuid4(), **values) for e in editions for values in template),
    )
    submissions = Submission.objects.bulk_create(
        Submission(duty_list=duty_list, round=1, stage=duty_list.stage, list_version=1, submitted_by=editor)
        for duty_list in lists
    )
    write_in_batches(
        SubmittedItem,
        (SubmittedItem(submission=s, key=uuid.uuid4(), **values) for s in submissions for values in template),
    )
    through = DutyItem.lead_departments.through
    leads = {item.pk: [d.pk for d in item.lead_departments.all()] for item in drafts}
    for duty_list in lists:
        copies = []
        for item in drafts:
            copies.append(
                DutyItem(
                    **{
                        field.attname: getattr(item, field.attname)
                        for field in DutyItem._meta.concrete_fields
                        if field.attname not in ("id", "key", "duty_list_id")
                    },
                    key=uuid.uuid4(),
                    duty_list=duty_list,
                )
            )
        DutyItem.objects.bulk_create(copies)
        through.objects.bulk_create(
            through(dutyitem_id=copy.pk, department_id=department)
            for copy, item in zip(copies, drafts, strict=True)
            for department in leads[item.pk]
        )
    return list(zip(lists, submissions, strict=True))


def open_windows(pairs, departments, editor) -> None:
    from review.models import CommentWindow, Invitation

    deadline = date.today() + timedelta(days=10)
    windows = CommentWindow.objects.bulk_create(
        CommentWindow(duty_list=duty_list, submission=submission, deadline=deadline, opened_by=editor)
        for duty_list, submission in pairs
    )
    Invitation.objects.bulk_create(Invitation(window=w, department=d) for w in windows for d in departments)


def time_queue(client) -> tuple[float, int, int, int]:
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("review:queue")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # read now: the next request clears the connection's log
    assert response.status_code == 200, response.status_code
    entries = response.context["entries"]
    own = sum(getattr(entry, "own_count", len(entry.own_items)) for entry in entries)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), query_count, len(entries), own


def main() -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from benchmarks.support import demo_database
    from catalog.models import Department

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(tempfile.mkdtemp()) / "bench-downloads.sqlite3")
    with demo_database():
        User = get_user_model()
        editor, nongye = User.objects.get(username="bianban"), User.objects.get(username="nongye")
        start = time.perf_counter()
        pairs = load(editor)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"code {CODE}, database {connection.vendor}, setup {time.perf_counter() - start:.0f} s")
        print(f"load average before: {os.getloadavg()}")

        print(
            f"{'download (one job, own process)':<40} {'seconds':>8} {'peak MiB':>9} {'job MiB':>8} {'MiB':>7}"
        )
        for what in DOWNLOADS:
            result = measure(what)
            label = f"county {what}" if what != "drafts" else "workbench zip of drafts"
            print(
                f"{label:<40} {result['seconds']:>8.1f} {result['peak']:>9.0f} {result['above']:>8.0f}"
                f" {result['size'] / 2**20:>7.1f}"
            )

        departments = [
            Department.objects.get(county__code="999001", name=name)
            for name in ("县农业农村局", "县应急管理局")
        ]
        client = Client()
        client.force_login(nongye)
        print(f"{'queue (县农业农村局)':<40} {'median ms':>9} {'queries':>8} {'windows':>8} {'own items':>9}")
        opened = 0
        for size in QUEUE_SIZES:
            open_windows(pairs[opened:size], departments, editor)
            opened = size
            median, queries, windows, own = time_queue(client)
            print(
                f"{f'queue, {size} townships × {ITEMS} items':<40} {median:>9.0f} {queries:>8} {windows:>8} {own:>9}"
            )
        print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main()

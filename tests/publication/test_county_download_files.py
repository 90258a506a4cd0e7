"""What the county downloads hold, written item by item: the same content as each township's own
download, memory that does not grow with the items, one query per township, and no file built by
the request when a broker takes the job."""

import csv
import io
import json
import tracemalloc
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Job, Part
from config.celery import app as celery_app
from publication import exports, tasks
from publication.models import Edition, EditionItem
from tests.conftest import make_department, make_duty_list, make_item, make_township
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_editions(cast, duty_list):
    """Two townships of the county published: 城关镇 (three items, one per part) and 河西乡 (one)."""
    county = duty_list.township.county
    department = make_department(county, "县民政局")
    make_item(duty_list, name="最低生活保障申请受理", content='含"引号"、逗号,和\n换行')
    make_item(duty_list, Part.COORDINATED, name="殡葬管理", leads=[department], township_duties="劝导")
    make_item(
        duty_list, Part.RECLAIMED, name="=危险公式", receiving_department=department, reclaim_reason="上收"
    )
    first = approve_and_publish(duty_list, cast["county_editor"])
    later = make_duty_list(make_township(county, "河西乡"))
    make_item(later, name="河道巡查")
    return [first, approve_and_publish(later, cast["county_editor"])]


def county_file(client, county, fmt: str) -> bytes:
    client.get(reverse("publication:county_download", args=[county.code, fmt]))
    job = Job.objects.get(parameters__fmt=fmt)
    response = client.get(reverse("publication:county_download_file", args=[county.code, job.pk]))
    return b"".join(response.streaming_content)


def test_the_county_json_is_byte_for_byte_the_townships_documents_built_whole(client, county_editions):
    county = county_editions[0].township.county
    body = county_file(client, county, "json").decode()

    # What the file held when each township's document was built in memory and dumped at once.
    whole = [
        json.dumps(
            exports.edition_document(e.township, e, exports.edition_rows(e)), ensure_ascii=False, indent=1
        )
        for e in county_editions
    ]
    head = '{\n"县（市、区）": ' + json.dumps(county.name, ensure_ascii=False) + ',\n"乡镇（街道）": ['
    assert body == head + "\n" + ",\n".join(whole) + "\n]\n}\n"
    document = json.loads(body)
    assert [item["事项名称"] for item in document["乡镇（街道）"][0]["事项"]] == [
        "最低生活保障申请受理",
        "殡葬管理",
        "=危险公式",
    ]


def test_an_edition_without_items_is_written_as_json_would_dump_it(county_editions):
    edition = county_editions[0]
    text = io.StringIO()
    exports.write_edition_json(text, edition.township, edition, [])
    assert text.getvalue() == json.dumps(
        exports.edition_document(edition.township, edition, []), ensure_ascii=False, indent=1
    )


def test_the_county_csv_rows_are_each_townships_download_rows_after_its_name_code_and_number(
    client, county_editions
):
    county = county_editions[0].township.county
    rows = list(csv.reader(io.StringIO(county_file(client, county, "csv").decode("utf-8-sig"))))

    expected = []
    for edition in county_editions:
        own = client.get(reverse("publication:download", args=[edition.township.code, edition.number, "csv"]))
        own_rows = list(csv.reader(io.StringIO(own.content.decode("utf-8-sig"))))
        expected += [
            [edition.township.name, edition.township.code, str(edition.number), *r] for r in own_rows[1:]
        ]
    assert rows[1:] == expected and len(expected) == 4
    assert ["'=危险公式"] == [value for value in rows[3] if "危险公式" in value]


def test_a_county_file_reads_one_query_per_township_and_a_fixed_few(client, cast, county_editions):
    county = county_editions[0].township.county

    def queries_of_a_build(fmt: str) -> int:
        Job.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            tasks.start_county_download(county, fmt)
        assert Job.objects.get().status == Job.Status.DONE
        return len(captured)

    small = {fmt: queries_of_a_build(fmt) for fmt in ("csv", "json", "xlsx")}
    for name in ("白沙镇", "东湖街道"):
        more = make_duty_list(make_township(county, name))
        for n in range(3):
            make_item(more, name=f"{name}事项{n}")
        approve_and_publish(more, cast["county_editor"])
    large = {fmt: queries_of_a_build(fmt) for fmt in ("csv", "json", "xlsx")}
    # Each township more: its items, and the progress written before it.
    assert large == {fmt: count + 2 * 2 for fmt, count in small.items()}


def generated_rows(edition: Edition, count: int):
    """`count` unsaved rows of the edition, made one at a time as the database cursor hands them out."""
    template = edition.items.order_by("pk").first().frozen_values()
    for n in range(count):
        yield EditionItem(**(template | {"key": uuid.uuid4(), "name": f"事项{n}", "order": n}))


def peak_of(write) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        write()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("fmt", "larger"),
    [
        ("csv", (2, 800)),  # four times the items of a township
        ("json", (2, 800)),
        ("csv", (8, 200)),  # four times the townships
        ("json", (8, 200)),
    ],
)
def test_writing_four_times_the_rows_takes_no_more_memory(
    county_editions, fmt, larger, tmp_path, monkeypatch
):
    edition = county_editions[0]
    sizes = {}
    monkeypatch.setattr(exports, "edition_rows", lambda edition: generated_rows(edition, sizes["rows"]))

    def write(townships: int, rows: int):
        def run():
            sizes["rows"] = rows
            with open(tmp_path / f"{fmt}-{townships}-{rows}", "wb") as stream:
                exports.write_county_file(
                    edition.township.county, [edition] * townships, fmt, stream, lambda done, total: None
                )

        return run

    write(1, 20)()  # imports and caches warmed
    small, large = peak_of(write(2, 200)), peak_of(write(*larger))
    # Built whole, four times the rows would take four times the memory; streamed, the same plus noise.
    assert large < small * 1.5, (small, large)


def test_with_a_broker_the_request_only_queues_the_job(client, county_editions, settings):
    county = county_editions[0].township.county
    celery_app.conf.task_always_eager = False  # the in-memory transport stands in for Redis
    try:
        response = client.get(reverse("publication:county_download", args=[county.code, "xlsx"]))
    finally:
        celery_app.conf.task_always_eager = True
    job = Job.objects.get()
    assert response["Location"] == reverse("publication:county_download_job", args=[county.code, job.pk])
    assert (job.status, job.file_path, job.started_at) == (Job.Status.PENDING, "", None)
    assert not settings.EXPORT_DIR.exists() or not any(settings.EXPORT_DIR.iterdir())
    assert "排队中" in client.get(response["Location"]).content.decode()
    assert job.parameters["editions"] == [e.pk for e in county_editions]

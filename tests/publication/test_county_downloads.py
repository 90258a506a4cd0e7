"""The public county downloads as jobs: one file per county, format and editions in force."""

import csv
import io
import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from catalog import jobs
from catalog import services as catalog_services
from catalog.models import Job, Part
from publication import tasks
from tests.conftest import make_department, make_duty_list, make_item, make_township
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db

Status = Job.Status


@pytest.fixture
def edition(cast, duty_list):
    department = make_department(duty_list.township.county, "县民政局")
    make_item(duty_list, name="最低生活保障申请受理")
    make_item(duty_list, Part.COORDINATED, name="殡葬管理", leads=[department], township_duties="劝导")
    return approve_and_publish(duty_list, cast["county_editor"])


def download_url(county, fmt: str) -> str:
    return reverse("publication:county_download", args=[county.code, fmt])


def file_url(job: Job) -> str:
    return reverse("publication:county_download_file", args=[job.county.code, job.pk])


def job_url(job: Job) -> str:
    return reverse("publication:county_download_job", args=[job.county.code, job.pk])


def content(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_first_visitor_sees_the_job_then_its_file(client, edition, settings):
    county = edition.township.county
    response = client.get(download_url(county, "csv"))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert (job.status, job.requested_by, job.parameters) == (
        Status.DONE,
        None,
        {"fmt": "csv", "editions": [edition.pk]},
    )
    page = client.get(job_url(job)).content.decode()
    assert "文件已生成" in page and file_url(job) in page
    rows = list(csv.DictReader(io.StringIO(content(client.get(file_url(job))).decode("utf-8-sig"))))
    assert [(r["乡镇（街道）"], r["版次"], r["事项名称"]) for r in rows] == [
        (edition.township.name, "1", "最低生活保障申请受理"),
        (edition.township.name, "1", "殡葬管理"),
    ]


def test_a_second_visitor_gets_the_finished_file_without_a_new_job(client, edition):
    county = edition.township.county
    client.get(download_url(county, "json"))
    job = Job.objects.get()
    visitor = Client()
    response = visitor.get(download_url(county, "json"))
    assert response.status_code == 302 and response["Location"] == file_url(job)
    document = json.loads(content(visitor.get(response["Location"])))
    assert document["县（市、区）"] == county.name
    assert [i["事项名称"] for i in document["乡镇（街道）"][0]["事项"]] == [
        "最低生活保障申请受理",
        "殡葬管理",
    ]
    assert Job.objects.count() == 1
    # Each format is its own file.
    visitor.get(download_url(county, "xlsx"))
    assert Job.objects.count() == 2


def test_a_new_edition_makes_a_new_file_and_replaces_the_old(client, cast, duty_list, edition, settings):
    county = duty_list.township.county
    client.get(download_url(county, "csv"))
    old = Job.objects.get()
    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=cast["county_editor"], source=duty_list
    )
    make_item(draft, name="第二版新增事项")
    second = approve_and_publish(draft, cast["county_editor"], effective_on=date(2026, 3, 1))

    response = client.get(download_url(county, "csv"))

    new = Job.objects.get()
    assert new.pk != old.pk and new.parameters["editions"] == [second.pk]
    assert response["Location"] == job_url(new)
    assert "第二版新增事项" in content(client.get(file_url(new))).decode("utf-8-sig")
    assert client.get(file_url(old)).status_code == 404
    assert sorted(p.name for p in settings.EXPORT_DIR.iterdir()) == [new.file_path]


def test_the_county_files_hold_each_township_in_order_with_progress(client, cast, duty_list, edition):
    county = duty_list.township.county
    later = make_duty_list(make_township(county, "河西乡"))
    make_item(later, name="河道巡查")
    approve_and_publish(later, cast["county_editor"])
    client.get(download_url(county, "json"))
    job = Job.objects.get()
    assert (job.done, job.total) == (2, 2)
    document = json.loads(content(client.get(file_url(job))))
    assert [t["乡镇（街道）"] for t in document["乡镇（街道）"]] == [duty_list.township.name, "河西乡"]
    assert document["乡镇（街道）"][1]["事项"][0]["事项名称"] == "河道巡查"


def test_a_failed_download_says_so_in_chinese_and_the_next_visit_starts_again(client, edition):
    county = edition.township.county
    failed, _ = tasks.start_county_download(county, "csv")
    jobs.fail_job(failed.pk, jobs.FAILED_MESSAGE)
    page = client.get(job_url(failed))
    text = page.content.decode()
    assert "未能生成文件：" + jobs.FAILED_MESSAGE in text and download_url(county, "csv") in text
    assert "Refresh" not in page and client.get(file_url(failed)).status_code == 404
    response = client.get(download_url(county, "csv"))
    fresh = Job.objects.exclude(pk=failed.pk).get()
    assert fresh.status == Status.DONE and response["Location"] == job_url(fresh)


def test_a_running_download_page_refreshes_itself_and_gathers_visitors(client, edition):
    county = edition.township.county
    job, _ = tasks.start_county_download(county, "csv")
    Job.objects.filter(pk=job.pk).update(status=Status.RUNNING, done=3, total=7)
    response = client.get(job_url(job))
    assert response["Refresh"] == "2" and "正在生成：已完成 3 / 7 个乡镇（街道）" in response.content.decode()
    assert file_url(job) not in response.content.decode()
    assert client.get(download_url(county, "csv"))["Location"] == job_url(job)
    assert Job.objects.count() == 1


def test_a_job_is_found_only_under_its_own_county_and_kind(client, cast, edition):
    client.get(download_url(edition.township.county, "csv"))
    job = Job.objects.get()
    other = cast["other_county_editor"].memberships.get().county
    assert (
        client.get(reverse("publication:county_download_job", args=[other.code, job.pk])).status_code == 404
    )
    assert (
        client.get(reverse("publication:county_download_file", args=[other.code, job.pk])).status_code == 404
    )
    assert client.get(download_url(edition.township.county, "pdf")).status_code == 404
    assert client.get(download_url(other, "csv")).status_code == 404


def test_download_pages_do_not_grow_with_townships(
    client, cast, duty_list, edition, django_assert_num_queries
):
    county = duty_list.township.county
    for name in ["河西乡", "白沙镇", "东湖街道"]:
        other = make_duty_list(make_township(county, name))
        make_item(other, name=f"{name}事项")
        approve_and_publish(other, cast["county_editor"])
    client.get(download_url(county, "csv"))
    job = Job.objects.get()
    page, file = job_url(job), file_url(job)
    # The county, its editions in force, the shared job.
    with django_assert_num_queries(3):
        assert client.get(download_url(county, "csv")).status_code == 302
    with django_assert_num_queries(1):
        assert client.get(page).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(file).status_code == 200

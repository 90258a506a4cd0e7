"""Background jobs of the workbench: the county-wide export as a job, its pages and file, and clean-up."""

import io
import os
import time
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

from catalog import exports, jobs, tasks
from catalog.models import Job, Membership
from tests.conftest import make_duty_list, make_item, make_township

pytestmark = pytest.mark.django_db

Status = Job.Status


def export_url(county) -> str:
    return reverse("catalog:county_export", args=[county.code])


def a_job(county, status=Status.PENDING, **fields) -> Job:
    return Job.objects.create(
        kind=Job.Kind.COUNTY_DRAFTS, county=county, status=status, file_name="全部清单.zip", **fields
    )


def export_files(settings) -> list[str]:
    return sorted(p.name for p in settings.EXPORT_DIR.iterdir()) if settings.EXPORT_DIR.exists() else []


def test_the_county_export_runs_as_a_job_and_offers_the_zip(client, cast, duty_list, settings):
    make_item(duty_list, name="基层党组织建设")
    other = make_duty_list(make_township(duty_list.township.county, "河西乡"))
    make_item(other, name="河道巡查")
    client.force_login(cast["county_editor"])

    response = client.post(export_url(duty_list.township.county))

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("catalog:job", args=[job.pk])
    assert (job.status, job.requested_by, job.done, job.total) == (Status.DONE, cast["county_editor"], 2, 2)
    assert job.finished_at is not None and export_files(settings) == [job.file_path]
    progress = client.get(response["Location"])
    text = progress.content.decode()
    assert "文件已生成" in text and reverse("catalog:job_file", args=[job.pk]) in text
    assert "Refresh" not in progress
    download = client.get(reverse("catalog:job_file", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == sorted(
        [exports.export_filename(duty_list.township), exports.export_filename(other.township)]
    )
    workbook = load_workbook(io.BytesIO(archive.read(exports.export_filename(other.township))))
    assert workbook["基本履职事项清单"]["C3"].value == "河道巡查"


def test_the_export_is_started_by_a_post_only(client, cast, duty_list):
    client.force_login(cast["county_editor"])
    assert client.get(export_url(duty_list.township.county)).status_code == 405
    assert not Job.objects.exists()


def test_a_second_click_while_the_export_runs_reuses_its_job(client, cast, duty_list):
    county = duty_list.township.county
    running = a_job(county, Status.RUNNING, requested_by=cast["county_editor"])
    client.force_login(cast["county_editor"])
    response = client.post(export_url(county))
    assert response["Location"] == reverse("catalog:job", args=[running.pk])
    assert Job.objects.count() == 1


def test_a_job_file_is_only_for_whoever_may_export_the_county(client, cast, duty_list):
    client.force_login(cast["county_editor"])
    client.post(export_url(duty_list.township.county))
    job = Job.objects.get()
    page, file = reverse("catalog:job", args=[job.pk]), reverse("catalog:job_file", args=[job.pk])
    for intruder in ["other_county_editor", "township_official", "other_county_leader", "no_role"]:
        client.force_login(cast[intruder])
        assert client.get(page).status_code == 404, intruder
        assert client.get(file).status_code == 404, intruder
    client.force_login(cast["county_leader"])
    assert client.get(file).status_code == 200
    client.logout()
    assert client.get(file).status_code == 302 and "login" in client.get(file)["Location"]
    # A public download's address does not serve the workbench's file.
    public = reverse("publication:county_download_file", args=[job.county.code, job.pk])
    assert client.get(public).status_code == 404


@pytest.mark.parametrize(
    ("status", "fields", "shown", "refreshes"),
    [
        (Status.PENDING, {}, "排队中", True),
        (Status.RUNNING, {"done": 1, "total": 3}, "正在生成：已完成 1 / 3 个乡镇（街道）", True),
        (Status.FAILED, {"error": jobs.FAILED_MESSAGE}, "未能生成文件：" + jobs.FAILED_MESSAGE, False),
    ],
)
def test_the_progress_page_shows_the_job_state(
    client, cast, duty_list, status, fields, shown, refreshes, django_assert_num_queries
):
    job = a_job(duty_list.township.county, status, requested_by=cast["county_editor"], **fields)
    client.force_login(cast["county_editor"])
    # Session, user, job with its county, memberships.
    with django_assert_num_queries(4):
        response = client.get(reverse("catalog:job", args=[job.pk]))
    text = response.content.decode()
    assert response.status_code == 200 and shown in text
    assert ("Refresh" in response) is refreshes and "no-store" in response["Cache-Control"]
    assert reverse("catalog:job_file", args=[job.pk]) not in text
    assert ("重新导出" in text) is (status == Status.FAILED)
    assert client.get(reverse("catalog:job_file", args=[job.pk])).status_code == 404


def test_running_the_export_task_twice_builds_one_file(cast, duty_list, settings):
    job = a_job(duty_list.township.county, requested_by=cast["county_editor"])
    tasks.export_county_drafts.delay(job.pk)
    job.refresh_from_db()
    first = (job.status, job.file_path, job.finished_at)
    tasks.export_county_drafts.delay(job.pk)
    job.refresh_from_db()
    assert first[0] == Status.DONE and (job.status, job.file_path, job.finished_at) == first
    assert export_files(settings) == [job.file_path]


def test_a_requester_who_lost_the_role_gets_no_file(cast, duty_list, settings):
    editor = cast["county_editor"]
    job = a_job(duty_list.township.county, requested_by=editor)
    Membership.objects.filter(user=editor).delete()
    tasks.export_county_drafts(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error, job.file_path) == (Status.FAILED, "您已不能导出该县的清单。", "")
    assert export_files(settings) == []


def test_a_failing_build_leaves_a_chinese_message_and_no_file(cast, duty_list, settings):
    job = a_job(duty_list.township.county)

    def broken(job, stream, progress):
        stream.write(b"half a file")
        raise RuntimeError("disk full")

    assert jobs.run_job(job.pk, broken)
    job.refresh_from_db()
    assert (job.status, job.error) == (Status.FAILED, jobs.FAILED_MESSAGE) and job.finished_at
    assert export_files(settings) == []


def test_a_broker_that_cannot_be_reached_fails_the_job_with_a_message(cast, duty_list):
    class Unreachable:
        def delay(self, job_id):
            raise OperationalError("Connection refused")

    job, started = jobs.start_job(
        Job.Kind.COUNTY_DRAFTS, duty_list.township.county, task=Unreachable(), file_name="x.zip"
    )
    assert started and (job.status, job.error) == (Status.FAILED, jobs.QUEUE_DOWN_MESSAGE)


def aged(path, hours: float) -> None:
    stamp = time.time() - hours * 3600
    os.utime(path, (stamp, stamp))


def test_clean_up_removes_old_uploads_exports_and_jobs_and_nothing_newer(cast, duty_list, settings):
    county = duty_list.township.county
    settings.IMPORT_UPLOAD_DIR.mkdir(parents=True)
    old_upload, new_upload = settings.IMPORT_UPLOAD_DIR / "a.upload", settings.IMPORT_UPLOAD_DIR / "b.upload"
    old_upload.write_bytes(b"x")
    new_upload.write_bytes(b"y")
    aged(old_upload, 25)
    aged(new_upload, 23)
    directory = jobs.export_dir()
    (directory / "old.zip").write_bytes(b"old")
    (directory / "new.zip").write_bytes(b"new")
    (directory / "orphan.zip.part").write_bytes(b"half")
    aged(directory / "orphan.zip.part", 25)
    now = timezone.now()
    old = a_job(county, Status.DONE, file_path="old.zip", finished_at=now - timedelta(hours=25))
    new = a_job(county, Status.DONE, file_path="new.zip", finished_at=now - timedelta(hours=23))
    stalled = a_job(county, Status.RUNNING)
    Job.objects.filter(pk=stalled.pk).update(created_at=now - timedelta(hours=2))
    waiting = a_job(county)

    assert tasks.clean_up_files.delay().get() == {"uploads": 1, "jobs": 1, "files": 1, "stalled": 1}

    assert not old_upload.exists() and new_upload.exists()
    assert export_files(settings) == ["new.zip"]
    assert set(Job.objects.values_list("pk", flat=True)) == {new.pk, stalled.pk, waiting.pk}
    assert not Job.objects.filter(pk=old.pk).exists()
    stalled.refresh_from_db()
    assert (stalled.status, stalled.error) == (Status.FAILED, jobs.STALLED_MESSAGE)
    assert Job.objects.get(pk=waiting.pk).status == Status.PENDING
    # Twice is the same as once.
    assert tasks.clean_up_files.delay().get() == {"uploads": 0, "jobs": 0, "files": 0, "stalled": 0}
    assert export_files(settings) == ["new.zip"] and new_upload.exists()

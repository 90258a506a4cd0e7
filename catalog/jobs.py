"""Files built in the background: start (or share) a job, run it once, find its file, clean up.

A job's state is a `Job` row and its file lives in `EXPORT_DIR`. Each app queues its
own Celery task and hands its builder to `run_job` (catalog: the drafts' zip;
publication: the public county downloads), so catalog never imports the apps that
build on it. Running a job twice builds it once: the first run claims the pending
row, any other run finds it claimed and returns.

`clean_up_files` (hourly) removes uploads waiting longer than `UPLOAD_MAX_AGE_HOURS`,
export files and their jobs older than `EXPORT_MAX_AGE_HOURS`, and gives up on jobs
that never finished.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import County, Job

logger = logging.getLogger(__name__)

Status = Job.Status
Progress = Callable[[int, int], None]
Builder = Callable[[Job, BinaryIO, Progress], None]

# A job not finished within this time is taken as lost (its worker died) and marked failed.
STALLED_AFTER = timedelta(hours=1)
FAILED_MESSAGE = "生成文件时出错，请稍后重新下载；如仍失败，请联系系统管理员。"
QUEUE_DOWN_MESSAGE = "后台任务队列暂时无法连接，请稍后再试。"
STALLED_MESSAGE = "文件长时间未能生成，已停止，请重新下载。"


class JobRefused(Exception):
    """A builder's refusal, its message (Chinese) shown to the requester."""


def export_dir() -> Path:
    path = Path(settings.EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_job(
    kind: str,
    county: County,
    *,
    task,
    file_name: str,
    parameters: dict | None = None,
    requested_by=None,
    key: str = "",
) -> tuple[Job, bool]:
    """The job making this file: an unfailed one with the same `key`, or a new one queued on `task`.

    Returns the job and whether it was started now. Called outside a transaction (as views
    are), so the row is committed before a worker looks for it.
    """
    if key:
        existing = Job.objects.filter(key=key).exclude(status=Status.FAILED).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                county=county,
                key=key,
                parameters=parameters or {},
                requested_by=requested_by,
                file_name=file_name,
            )
    except IntegrityError:  # another visitor started the same file a moment ago
        return Job.objects.exclude(status=Status.FAILED).get(key=key), False
    try:
        task.delay(job.pk)
    except OperationalError:
        logger.exception("Could not queue job %s", job.pk)
        fail_job(job.pk, QUEUE_DOWN_MESSAGE)
    job.refresh_from_db()
    return job, True


def run_job(job_id: int, build: Builder) -> bool:
    """Build a pending job's file; returns False when the job was not pending (already run or running)."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=Status.PENDING).update(status=Status.RUNNING, started_at=now):
        return False
    job = Job.objects.select_related("county", "requested_by").get(pk=job_id)
    final = export_dir() / f"{job.pk}-{secrets.token_hex(8)}{Path(job.file_name).suffix}"
    partial = final.with_name(final.name + ".part")

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        with partial.open("wb") as stream:
            build(job, stream, progress)
        partial.replace(final)
    except JobRefused as refusal:
        partial.unlink(missing_ok=True)
        fail_job(job_id, str(refusal))
        return True
    except Exception:
        logger.exception("Job %s failed", job_id)
        partial.unlink(missing_ok=True)
        fail_job(job_id, FAILED_MESSAGE)
        return True
    Job.objects.filter(pk=job_id).update(status=Status.DONE, file_path=final.name, finished_at=timezone.now())
    return True


def fail_job(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Status.FAILED, error=message[:300], finished_at=timezone.now()
    )


def job_file(job: Job) -> Path | None:
    """The finished file of a job, or None when it is not (or no longer) there."""
    if job.status != Status.DONE or not job.file_path:
        return None
    path = Path(settings.EXPORT_DIR) / job.file_path
    return path if path.is_file() else None


def remove_jobs(jobs: QuerySet[Job]) -> int:
    """Delete jobs and their files; returns how many."""
    count = 0
    for job in jobs:
        if job.file_path:
            (Path(settings.EXPORT_DIR) / job.file_path).unlink(missing_ok=True)
        job.delete()
        count += 1
    return count


@dataclass
class CleanUp:
    uploads: int = 0
    jobs: int = 0
    files: int = 0
    stalled: int = 0


def clean_up_files(now: datetime | None = None) -> CleanUp:
    """Remove what has waited too long; safe to run at any time and any number of times."""
    now = now or timezone.now()
    result = CleanUp()
    upload_cutoff = now.timestamp() - settings.UPLOAD_MAX_AGE_HOURS * 3600
    upload_dir = Path(settings.IMPORT_UPLOAD_DIR)
    if upload_dir.is_dir():
        for file in upload_dir.glob("*.upload"):
            if file.stat().st_mtime < upload_cutoff:
                file.unlink(missing_ok=True)
                result.uploads += 1

    result.stalled = Job.objects.filter(
        status__in=[Status.PENDING, Status.RUNNING], created_at__lt=now - STALLED_AFTER
    ).update(status=Status.FAILED, error=STALLED_MESSAGE, finished_at=now)
    expired = now - timedelta(hours=settings.EXPORT_MAX_AGE_HOURS)
    result.jobs = remove_jobs(
        Job.objects.filter(Q(finished_at__lt=expired) | Q(finished_at__isnull=True, created_at__lt=expired))
    )
    # Files no job points at: left by a worker that died while writing.
    export_cutoff = min(expired, now - STALLED_AFTER).timestamp()
    directory = Path(settings.EXPORT_DIR)
    if directory.is_dir():
        kept = set(Job.objects.exclude(file_path="").values_list("file_path", flat=True))
        for file in directory.iterdir():
            if file.is_file() and file.name not in kept and file.stat().st_mtime < export_cutoff:
                file.unlink(missing_ok=True)
                result.files += 1
    return result

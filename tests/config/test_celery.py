"""The Celery application: in-process without a broker, every scheduled task exists."""

import os
import secrets
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from catalog.models import Job
from config import celery_app
from tests.conftest import make_item


def test_without_a_broker_tasks_run_in_process():
    assert settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_TASK_EAGER_PROPAGATES
    assert celery_app.conf.task_always_eager


def test_every_scheduled_task_is_registered():
    celery_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "review.tasks.send_deadline_reminders",
        "review.tasks.send_digests",
        "catalog.tasks.clean_up_files",
        "webhooks.tasks.retry_due_deliveries",
    }
    assert scheduled <= set(celery_app.tasks)


BROKER = "redis://127.0.0.1:6379/14"


def redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def worker_database(tmp_path) -> tuple[str, Callable[[int], tuple]]:
    """A DATABASE_URL through which a worker process sees this test's rows, and a reader of a job's state.

    SQLite's test database lives in this process's memory, so it is copied to a file for the worker.
    """
    if connection.vendor == "sqlite":
        path = tmp_path / "worker.sqlite3"
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()

        def state(job_id: int) -> tuple:
            with closing(sqlite3.connect(path)) as db:
                return db.execute(
                    "SELECT status, file_path FROM catalog_job WHERE id = ?", [job_id]
                ).fetchone()

        return f"sqlite:///{path}", state
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return url, lambda job_id: tuple(Job.objects.filter(pk=job_id).values_list("status", "file_path").get())


@pytest.mark.slow  # starts a Celery worker process
@pytest.mark.skipif(not redis_reachable(), reason="Redis is not running on 127.0.0.1:6379")
def test_a_job_sent_through_redis_is_built_by_a_worker_process(transactional_db, cast, duty_list, tmp_path):
    make_item(duty_list, name="基层党组织建设")
    job = Job.objects.create(
        kind=Job.Kind.COUNTY_DRAFTS,
        county=duty_list.township.county,
        requested_by=cast["county_editor"],
        file_name="全部清单.zip",
    )
    database_url, state = worker_database(tmp_path)
    queue = f"test-{secrets.token_hex(6)}"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER,
        "EXPORT_DIR": str(tmp_path / "exports"),
    }
    command = [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "-l", "info"]
    # One process, no chatter with other workers: it starts in a few seconds.
    command += ["--pool=solo", "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    sender = Celery(broker=BROKER)
    try:
        sender.send_task("catalog.tasks.export_county_drafts", args=[job.pk], queue=queue)
        deadline = time.monotonic() + 20
        while state(job.pk)[0] != Job.Status.DONE and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        status, file_path = state(job.pk)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=10)[0].decode(errors="replace")
        sender.close()
        # The queue and the exchange bindings the worker declared for it.
        redis.Redis.from_url(BROKER).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )
    assert status == Job.Status.DONE, output[-3000:]
    archive = zipfile.ZipFile(tmp_path / "exports" / file_path)
    assert archive.namelist() == [f"{duty_list.township.name}履行职责事项清单.xlsx"]

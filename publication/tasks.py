"""The public county downloads as background jobs, one shared per county, format and editions in force.

Editions never change, so a file made for one set of editions in force serves every
visitor until a township publishes again; the next set makes a new file and the old
one is removed once the new one is ready.
"""

import hashlib

from celery import shared_task

from catalog import jobs
from catalog.models import County, Job

from . import exports, queries
from .models import Edition


def start_county_download(county: County, fmt: str) -> tuple[Job, bool] | None:
    """The job making the county's file of its editions in force (None when none is in force),
    and whether it was started now."""
    editions = list(
        queries.current_editions()
        .filter(township__county=county)
        .order_by("township__order", "township__code")
        .values_list("pk", flat=True)
    )
    if not editions:
        return None
    digest = hashlib.sha256(",".join(map(str, editions)).encode()).hexdigest()[:32]
    return jobs.start_job(
        Job.Kind.COUNTY_DOWNLOAD,
        county,
        task=export_county_download,
        file_name=exports.county_file_name(county, fmt),
        parameters={"fmt": fmt, "editions": editions},
        key=f"county-download:{county.pk}:{fmt}:{digest}",
    )


def build_county_download(job: Job, stream, progress: jobs.Progress) -> None:
    ids = job.parameters["editions"]
    found = Edition.objects.select_related("township__county").in_bulk(ids)
    if len(found) != len(ids):
        raise jobs.JobRefused("清单已更新，请重新下载。")
    exports.write_county_file(job.county, [found[pk] for pk in ids], job.parameters["fmt"], stream, progress)


@shared_task
def export_county_download(job_id: int) -> None:
    if not jobs.run_job(job_id, build_county_download):
        return
    job = Job.objects.get(pk=job_id)
    if job.status == Job.Status.DONE:
        # This file replaces the county's earlier files in the same format (older editions in force).
        jobs.remove_jobs(
            Job.objects.filter(
                kind=job.kind,
                county_id=job.county_id,
                parameters__fmt=job.parameters["fmt"],
                status__in=[Job.Status.DONE, Job.Status.FAILED],
                pk__lt=job.pk,
            )
        )

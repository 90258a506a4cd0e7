"""Catalog's background tasks: thin callers of `catalog.jobs` and `catalog.exports`, safe to run twice."""

from celery import shared_task

from . import exports, jobs, permissions, queries
from .models import Job


def build_county_drafts(job: Job, stream, progress: jobs.Progress) -> None:
    """Every township's draft of the job's county, one workbook each, in a zip."""
    # Checked again when the file is made: the requester may have lost the role meanwhile.
    if job.requested_by is None or not permissions.can_export_county(job.requested_by, job.county):
        raise jobs.JobRefused("您已不能导出该县的清单。")
    exports.write_county_zip(queries.current_drafts(job.county), stream, progress=progress)


@shared_task
def export_county_drafts(job_id: int) -> None:
    jobs.run_job(job_id, build_county_drafts)


@shared_task
def clean_up_files() -> dict:
    return vars(jobs.clean_up_files())


def start_county_drafts_export(county, *, by) -> Job:
    """The requester's unfinished export of the county's drafts, or a new one (drafts change, so a
    finished file is not reused)."""
    unfinished = Job.objects.filter(
        kind=Job.Kind.COUNTY_DRAFTS,
        county=county,
        requested_by=by,
        status__in=[Job.Status.PENDING, Job.Status.RUNNING],
    ).first()
    if unfinished is not None:
        return unfinished
    job, _ = jobs.start_job(
        Job.Kind.COUNTY_DRAFTS,
        county,
        task=export_county_drafts,
        file_name=f"{county.name}乡镇（街道）履行职责事项清单.zip",
        requested_by=by,
    )
    return job

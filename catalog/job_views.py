"""Pages of a background job: its progress while it runs, then its file.

The progress page asks the browser to reload itself (a `Refresh` header, no script)
until the job is finished. A job's file is served only to who may see the job.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control

from . import jobs, permissions
from .models import Job

REFRESH_SECONDS = 2


def job_page(request, template: str, job: Job, context: dict):
    context = {**context, "job": job, "keep_hours": settings.EXPORT_MAX_AGE_HOURS}
    response = render(request, template, context)
    if not job.is_finished:
        response["Refresh"] = str(REFRESH_SECONDS)
    patch_cache_control(response, private=True, no_store=True)
    return response


def file_response(job: Job) -> FileResponse:
    path = jobs.job_file(job)
    if path is None:
        raise Http404("文件已过期或尚未生成，请重新下载。")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name)


def visible_job(request, job_id: int) -> Job:
    job = get_object_or_404(Job.objects.select_related("county"), pk=job_id, kind=Job.Kind.COUNTY_DRAFTS)
    if not permissions.can_see_job(request.user, job):
        raise Http404("任务不存在。")
    return job


@login_required
def job(request, job_id: int):
    return job_page(request, "catalog/job.html", visible_job(request, job_id), {})


@login_required
def job_file(request, job_id: int):
    return file_response(visible_job(request, job_id))

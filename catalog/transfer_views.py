"""Excel in and out from the workbench: upload with preview and confirmation, downloads.

The uploaded file waits in `IMPORT_UPLOAD_DIR` between the preview and the
confirmation, named by a random token kept in the session, and is removed once
imported (files left waiting are removed by the hourly clean-up, `catalog.jobs`).
The county-wide export runs as a background job (`catalog.tasks`).
"""

import secrets
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import exports, permissions, queries, tasks
from .forms import ImportUploadForm
from .imports import ImportFileError, apply_import, plan_import
from .imports.matching import StalePlanError
from .imports.reading import MAX_FILE_BYTES
from .models import County, DutyList, Township

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "pending_imports"


def upload_dir() -> Path:
    path = Path(settings.IMPORT_UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def township_for_import(request, code: str) -> tuple[Township, DutyList | None]:
    township = get_object_or_404(Township.objects.select_related("county"), code=code)
    if not permissions.can_see_township(request.user, township):
        raise Http404("乡镇（街道）不存在。")
    duty_list = queries.current_draft(township)
    if not permissions.can_import_into(request.user, township, duty_list):
        raise PermissionDenied("您不能向该乡镇（街道）的清单导入。")
    return township, duty_list


@login_required
def import_upload(request, code: str):
    township, duty_list = township_for_import(request, code)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            form.add_error("file", f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限。")
            return render(
                request,
                "catalog/import_upload.html",
                {"form": form, "township": township, "duty_list": duty_list},
            )
        data = upload.read()
        create_missing = form.cleaned_data["create_missing"]
        try:
            plan = plan_import(data, upload.name, township, create_missing=create_missing)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            token = secrets.token_urlsafe(16)
            (upload_dir() / f"{token}.upload").write_bytes(data)
            pending = request.session.get(SESSION_KEY, {})
            pending[token] = {
                "filename": upload.name,
                "township": township.code,
                "create_missing": create_missing,
                "list_version": plan.list_version,
            }
            request.session[SESSION_KEY] = pending
            return render(request, "catalog/import_preview.html", preview_context(plan, duty_list, token))
    return render(
        request, "catalog/import_upload.html", {"form": form, "township": township, "duty_list": duty_list}
    )


def preview_context(plan, duty_list, token: str) -> dict:
    return {
        "plan": plan,
        "duty_list": duty_list,
        "township": plan.township,
        "token": token,
        "sections": plan.by_part(),
    }


@login_required
@require_POST
def import_confirm(request, code: str):
    township, duty_list = township_for_import(request, code)
    token = request.POST.get("token", "")
    pending = request.session.get(SESSION_KEY, {}).get(token)
    path = upload_dir() / f"{token}.upload"
    if pending is None or pending["township"] != code or not path.is_file():
        messages.error(request, "这次导入的预览已失效，请重新上传文件。")
        return redirect("catalog:import_upload", code)
    try:
        plan = plan_import(
            path.read_bytes(), pending["filename"], township, create_missing=pending["create_missing"]
        )
        if plan.list_version != pending["list_version"]:
            raise StalePlanError("预览之后清单已被修改，下面是按最新清单重新生成的预览，请核对后再确认。")
        if not plan.ok:
            raise StalePlanError("文件有问题，未导入。")
        result = apply_import(
            plan, user=request.user, remove_missing=request.POST.get("remove_missing") == "on"
        )
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("catalog:import_upload", code)
    except StalePlanError as error:
        request.session[SESSION_KEY][token]["list_version"] = plan.list_version
        request.session.modified = True
        messages.error(request, str(error))
        return render(
            request, "catalog/import_preview.html", preview_context(plan, duty_list, token), status=409
        )
    path.unlink(missing_ok=True)
    del request.session[SESSION_KEY][token]
    request.session.modified = True
    removed = len(plan.missing) if request.POST.get("remove_missing") == "on" else 0
    messages.success(
        request,
        f"已导入《{plan.filename}》：新增 {len(plan.added)} 项，修改 {len(plan.changed)} 项，删除 {removed} 项。",
    )
    return redirect("catalog:list_editor", result.pk)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def list_export(request, list_id: int):
    duty_list = get_object_or_404(DutyList.objects.select_related("township__county"), pk=list_id)
    if not permissions.can_view_list(request.user, duty_list):
        raise Http404("清单不存在。")
    return xlsx_response(exports.list_workbook(duty_list), exports.export_filename(duty_list.township))


@login_required
def blank_template(request):
    return xlsx_response(exports.blank_template(), "履行职责事项清单导入模板.xlsx")


@login_required
@require_POST
def county_export(request, code: str):
    county = get_object_or_404(County, code=code)
    if not permissions.can_export_county(request.user, county):
        raise Http404("县不存在。")
    job = tasks.start_county_drafts_export(county, by=request.user)
    return redirect("catalog:job", job.pk)

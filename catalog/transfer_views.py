"""Excel in and out from the workbench: upload with preview and confirmation, downloads.

Between the preview and the confirmation the file waits as a staged upload
(`catalog.imports.staging`), its entry kept in the session. The county-wide export
runs as a background job (`catalog.tasks`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import exports, permissions, queries, tasks
from .downloads import xlsx_response
from .forms import ImportUploadForm
from .imports import ImportFileError, apply_import, plan_import, staging
from .imports.matching import StalePlanError
from .models import County, DutyList, Township
from .uploads import upload_refused


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
    offers_creation = permissions.can_create_reference_data(request.user, township.county_id)
    context = {"township": township, "duty_list": duty_list, "offers_creation": offers_creation}
    if request.method == "POST":
        data, files = request.POST, request.FILES  # parsing the body refuses an oversized file
        form = ImportUploadForm(
            data, files, offers_creation=offers_creation, too_large=upload_refused(request)
        )
    else:
        form = ImportUploadForm(offers_creation=offers_creation)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        create_missing = form.cleaned_data["create_missing"]
        try:
            plan = plan_import(data, upload.name, township, create_missing=create_missing, by=request.user)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            token = staging.stage_upload(request.session, data, plan, create_missing=create_missing)
            return render(request, "catalog/import_preview.html", preview_context(plan, duty_list, token))
    status = 413 if form.has_error("file", "too_large") else 200
    return render(request, "catalog/import_upload.html", context | {"form": form}, status=status)


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
    staged = staging.staged_upload(request.session, token, code)
    if staged is None:
        messages.error(request, "这次导入的预览已失效，请重新上传文件。")
        return redirect("catalog:import_upload", code)
    if request.POST.get("cancel"):
        staging.discard_upload(request.session, token)
        messages.info(request, f"已取消导入《{staged.filename}》，上传的文件已删除。")
        return redirect("catalog:import_upload", code)
    try:
        plan = plan_import(
            staged.read(), staged.filename, township, create_missing=staged.create_missing, by=request.user
        )
        if not plan.ok:
            staging.discard_upload(request.session, token)
            raise StalePlanError("文件有问题，未导入。")
        if plan.list_version != staged.list_version:
            raise StalePlanError("预览之后清单已被修改，下面是按最新清单重新生成的预览，请核对后再确认。")
        result = apply_import(
            plan, by=request.user, remove_missing=request.POST.get("remove_missing") == "on"
        )
    except ImportFileError as error:
        staging.discard_upload(request.session, token)
        messages.error(request, str(error))
        return redirect("catalog:import_upload", code)
    except PermissionDenied:
        staging.discard_upload(request.session, token)
        raise
    except ValidationError as error:  # e.g. someone started the township's draft meanwhile
        staging.discard_upload(request.session, token)
        messages.error(request, "；".join(error.messages) + " 请重新上传文件。")
        return redirect("catalog:import_upload", code)
    except StalePlanError as error:
        # The fresh preview can still be confirmed while the file waits for it.
        token = staging.restage(request.session, staged, plan.list_version)
        messages.error(request, str(error))
        return render(
            request, "catalog/import_preview.html", preview_context(plan, duty_list, token), status=409
        )
    staging.discard_upload(request.session, token)
    removed = len(plan.missing) if request.POST.get("remove_missing") == "on" else 0
    messages.success(
        request,
        f"已导入《{plan.filename}》：新增 {len(plan.added)} 项，修改 {len(plan.changed)} 项，删除 {removed} 项。",
    )
    return redirect("catalog:list_editor", result.pk)


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

"""Excel in and out from the workbench: upload with preview and confirmation, downloads.

Between the preview and the confirmation the file waits as a staged upload
(`catalog.imports.staging`), its entry kept in the session. The county-wide export
runs as a background job (`catalog.tasks`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import access, catalogue_imports, exports, permissions, tasks
from .downloads import xlsx_response
from .forms import CatalogueUploadForm, ImportUploadForm
from .imports import ImportFileError, apply_import, plan_import, staging
from .imports.matching import StalePlanError
from .imports.names import CREATE
from .models import Catalogue, County, DutyList, NameAlias, Township
from .refusals import REFUSALS, refusal_of
from .refused_views import refused_page
from .uploads import upload_refused


def township_for_import(request, code: str) -> tuple[Township, DutyList | None]:
    return access.township_for_import(request.user, code)


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
            return render(
                request, "catalog/import_preview.html", preview_context(request, plan, duty_list, token)
            )
    status = 413 if form.has_error("file", "too_large") else 200
    return render(request, "catalog/import_upload.html", context | {"form": form}, status=status)


def preview_context(request, plan, duty_list, token: str) -> dict:
    return {
        "plan": plan,
        "duty_list": duty_list,
        "township": plan.township,
        "token": token,
        "sections": plan.by_part(),
        "near_rows": [incoming for incoming in plan.added if incoming.near_entries],
        "create_value": CREATE,
        "offers_creation": permissions.can_create_reference_data(request.user, plan.township.county_id),
    }


def posted_choices(data) -> dict:
    """The preview's answers for unknown names: (kind, name) → record id or `CREATE`; blanks skipped."""
    choices = {}
    for key, value in data.items():
        if not key.startswith("choice-") or not (value.isdigit() or value == CREATE):
            continue
        index = key.removeprefix("choice-")
        kind, name = data.get(f"kind-{index}", ""), data.get(f"name-{index}", "")
        if kind in NameAlias.Kind.values and name:
            choices[(kind, name)] = value
    return choices


def waiting_upload(request, code: str) -> staging.StagedUpload | None:
    """The staged upload the form names; None, with a message, when its preview has expired."""
    staged = staging.staged_upload(request.session, request.POST.get("token", ""), code)
    if staged is None:
        messages.error(request, "这次导入的预览已失效，请重新上传文件。")
    return staged


def posted_links(data) -> dict[str, int]:
    """The near-name catalogue entries confirmed in the preview: a new item's name → the entry's id."""
    links = {}
    for key, value in data.items():
        if key.startswith("link-") and not key.startswith("link-name-") and value.isdigit():
            name = data.get(f"link-name-{key.removeprefix('link-')}", "")
            if name:
                links[name] = int(value)
    return links


@login_required
@require_POST
def import_names(request, code: str):
    """The preview again, with the records chosen for the file's unknown names (or names to create)."""
    township, duty_list = township_for_import(request, code)
    staged = waiting_upload(request, code)
    if staged is None:
        return redirect("catalog:import_upload", code)
    token = staged.token
    choices = staged.chosen() | posted_choices(request.POST)
    try:
        plan = staging.replan(staged, township, by=request.user, choices=choices)
    except ImportFileError as error:
        staging.discard_upload(request.session, token)
        messages.error(request, str(error))
        return redirect("catalog:import_upload", code)
    except REFUSALS as error:  # names only the county editor may create
        staging.discard_upload(request.session, token)
        return refused_page(request, error, back=reverse("catalog:import_upload", args=[code]))
    token = staging.restage(request.session, staged, plan.list_version, choices)
    return render(request, "catalog/import_preview.html", preview_context(request, plan, duty_list, token))


@login_required
@require_POST
def import_confirm(request, code: str):
    township, duty_list = township_for_import(request, code)
    staged = waiting_upload(request, code)
    if staged is None:
        return redirect("catalog:import_upload", code)
    token = staged.token
    if request.POST.get("cancel"):
        staging.discard_upload(request.session, token)
        messages.info(request, f"已取消导入《{staged.filename}》，上传的文件已删除。")
        return redirect("catalog:import_upload", code)
    try:
        plan = staging.confirmable_plan(request.session, staged, township, by=request.user)
        result = apply_import(
            plan,
            by=request.user,
            remove_missing=request.POST.get("remove_missing") == "on",
            links=posted_links(request.POST),
        )
    except ImportFileError as error:
        staging.discard_upload(request.session, token)
        messages.error(request, str(error))
        return redirect("catalog:import_upload", code)
    except StalePlanError as error:
        # The fresh preview can still be confirmed while the file waits for it.
        token = token if staging.staged_upload(request.session, token, code) else ""
        messages.error(request, str(error))
        context = preview_context(request, error.plan, duty_list, token)
        return render(request, "catalog/import_preview.html", context, status=refusal_of(error).status)
    except REFUSALS as error:  # e.g. someone started the township's draft meanwhile
        staging.discard_upload(request.session, token)
        return refused_page(request, error, back=reverse("catalog:import_upload", args=[code]))
    staging.discard_upload(request.session, token)
    removed = len(plan.missing) if request.POST.get("remove_missing") == "on" else 0
    linked = sum(1 for incoming in plan.added if incoming.near_entries and incoming.entry is not None)
    messages.success(
        request,
        f"已导入《{plan.filename}》：新增 {len(plan.added)} 项，修改 {len(plan.changed)} 项，删除 {removed} 项。"
        + (f"按名称相近关联目录事项 {linked} 项。" if linked else "")
        + (
            f"已记住 {len(plan.names.chosen)} 个名称的对应关系，下次导入自动对应。"
            if plan.names.chosen
            else ""
        ),
    )
    return redirect("catalog:list_editor", result.pk)


@login_required
def list_export(request, list_id: int):
    duty_list = get_object_or_404(DutyList.objects.select_related("township__county"), pk=list_id)
    if not permissions.can_view_list(request.user, duty_list):
        raise Http404("清单不存在。")
    return xlsx_response(exports.list_workbook(duty_list), exports.export_filename(duty_list.township))


@login_required
def catalogue_export(request, catalogue_id: int):
    """A reference catalogue as a workbook: a county's for its editors (who keep it in the back office),
    a province's for whoever reads it."""
    catalogue = get_object_or_404(Catalogue, pk=catalogue_id)
    if not permissions.can_read_catalogue(request.user, catalogue):
        raise Http404("目录不存在。")
    return xlsx_response(exports.catalogue_workbook(catalogue), f"{catalogue.name}.xlsx")


@login_required
def catalogue_import(request, catalogue_id: int):
    """A catalogue's workbook read back into it, all or nothing; every problem listed on the form."""
    catalogue = get_object_or_404(Catalogue.objects.select_related("province"), pk=catalogue_id)
    if not permissions.can_edit_catalogue(request.user, catalogue):
        raise Http404("目录不存在。")
    form = CatalogueUploadForm(request.POST or None, request.FILES or None, too_large=upload_refused(request))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = catalogue_imports.import_catalogue(
                catalogue, upload.read(), upload.name, by=request.user
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        except REFUSALS as error:
            for message in getattr(error, "messages", None) or [refusal_of(error).message]:
                form.add_error(None, message)
        else:
            messages.success(
                request, f"已导入《{upload.name}》：新增 {result.added} 项，更新 {result.changed} 项。"
            )
            if catalogue.is_provincial:
                return redirect("catalog:province_catalogue", catalogue.pk)
            return redirect(reverse("admin:catalog_catalogue_changelist"))
    status = 413 if form.has_error("file", "too_large") else (400 if form.errors else 200)
    return render(
        request, "catalog/catalogue_import.html", {"catalogue": catalogue, "form": form}, status=status
    )


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

"""The workbench: 我的工作, the list editor, item history and the list's change feed.

Views parse the request, call one service, and redirect or render. Who may do
what is asked of `catalog.permissions`; the services ask again before writing.
A list the user may not see answers 404, so other counties' drafts stay unseen.
"""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import access, coverage, notes, permissions, quality, queries, services
from .columns import WORK_FIELDS
from .forms import (
    DutyItemForm,
    ItemFilterForm,
    MoveToPartForm,
    RevertForm,
    StartListForm,
    VersionedActionForm,
)
from .models import County, Department, DutyItem, DutyList, Membership, Part
from .refusals import REFUSALS
from .refused_views import refused_page, show_on_form


def editor_url(duty_list: DutyList, item: DutyItem | None = None) -> str:
    url = reverse("catalog:list_editor", args=[duty_list.pk])
    if item is not None:
        url += f"?part={item.part}#item-{item.pk}"
    return url


def visible_list(request, list_id: int) -> DutyList:
    return access.visible_list(request.user, list_id)


def item_for(request, item_id: int, *, edit: bool = True) -> DutyItem:
    return access.visible_item(request.user, item_id, edit=edit)


@login_required
def home(request):
    catalogue_provinces, claiming_counties = queries.province_catalogue_links(request.user)
    return render(
        request,
        "catalog/home.html",
        {
            "catalogue_provinces": catalogue_provinces,
            "claiming_counties": claiming_counties,
            "lists": queries.lists_for_home(request.user),
            "can_start_list": permissions.can_start_list(request.user),
            "export_counties": [
                county
                for county in {
                    m.county_id: m.county for m in permissions.memberships_of(request.user)
                }.values()
                if permissions.can_export_county(request.user, county)
            ],
            "memberships": permissions.memberships_of(request.user),
            "regions": permissions.regions_of(request.user),
            "is_reviewer": any(
                m.role == Membership.Role.DEPARTMENT_REVIEWER
                for m in permissions.memberships_of(request.user)
            ),
            "template_counties": [
                m.county
                for m in permissions.memberships_of(request.user)
                if m.role == Membership.Role.COUNTY_EDITOR
            ],
            "board_counties": [
                m.county
                for m in permissions.memberships_of(request.user)
                if m.role in (Membership.Role.COUNTY_EDITOR, Membership.Role.COUNTY_LEADER)
            ],
        },
    )


@login_required
def list_editor(request, list_id: int):
    duty_list = visible_list(request, list_id)
    filter_form = ItemFilterForm(request.GET or None, **queries.filter_choices(duty_list))
    filters = filter_form.filters() if request.GET else {}
    sections, deleted = queries.editor_sections(duty_list, filters)
    open_notes = notes.open_thread_counts(duty_list)
    for section in sections:
        for group in section.groups:
            set_item_urls(group.items, open_notes)
    active_part = request.GET.get("part") if request.GET.get("part") in Part.values else Part.BASIC
    return render(
        request,
        "catalog/list_editor.html",
        {
            "duty_list": duty_list,
            "sections": sections,
            "deleted": deleted,
            "filter_form": filter_form,
            "is_filtered": any(
                filters.get(name) for name in ["category", "office", "department", "safeguard", "q"]
            ),
            "active_part": active_part,
            "can_edit": permissions.can_edit_list(request.user, duty_list),
            **checks_before_submitting(duty_list),
        },
    )


def checks_before_submitting(duty_list: DutyList) -> dict:
    """查缺补漏 and the quality check of a draft not yet locked, over its items read once."""
    if duty_list.stage in DutyList.LOCKED_STAGES:
        return {"coverage": None, "quality": None}
    items = list(coverage.draft_items(duty_list))
    county_id = duty_list.township.county_id
    return {
        "coverage": coverage.coverage_of(county_id, items),
        "quality": quality.quality_of(county_id, items),
    }


def set_item_urls(items, open_notes: dict[int, int] | None = None) -> None:
    """Give each item its address, `/work/items/<id>/`, to which rows append the action, and its
    number of unresolved 批注 (`open_notes`, read for the whole list at once; else for these items).

    Reversing seven URLs per row would cost a 400-item page more than the rest of it.
    """
    prefix = reverse("catalog:item_row", args=[0]).removesuffix("0/")
    if open_notes is None:
        open_notes = notes.open_thread_counts(item_ids=[item.pk for item in items])
    for item in items:
        item.url = f"{prefix}{item.pk}/"
        item.open_notes = open_notes.get(item.pk, 0)


def render_item_form(request, form, item, *, status=200, conflict=None):
    template = "catalog/_item_form_row.html" if request.htmx else "catalog/item_form.html"
    return render(
        request,
        template,
        {"form": form, "item": item, "duty_list": form.instance.duty_list, "conflict": conflict},
        status=status,
    )


@login_required
def item_add(request, list_id: int, part: str):
    duty_list = access.editable_list(request.user, list_id)
    if part not in Part.values:
        raise Http404("没有这种清单类型。")
    item = DutyItem(duty_list=duty_list, part=part, origin=DutyItem.Origin.INDIVIDUAL)
    form = DutyItemForm(request.POST or None, instance=item, duty_list=duty_list, part=part)
    if request.method == "POST" and form.is_valid():
        saved = services.create_item(
            form.instance, lead_departments=form.cleaned_data.get("lead_departments", []), by=request.user
        )
        if saved is item:
            messages.success(request, f"已新增事项“{item.name}”。")
        else:  # the same form sent again
            messages.info(request, f"事项“{saved.name}”已经新增，没有重复添加。")
        return redirect(editor_url(duty_list, saved))
    return render(
        request,
        "catalog/item_form.html",
        {"form": form, "item": None, "duty_list": duty_list, "part": Part(part)},
    )


@login_required
def item_edit(request, item_id: int):
    item = item_for(request, item_id)
    duty_list = item.duty_list
    if request.method != "POST":
        return render_item_form(
            request, DutyItemForm(instance=item, duty_list=duty_list, part=item.part), item
        )
    form = DutyItemForm(request.POST, instance=item, duty_list=duty_list, part=item.part)
    if not form.is_valid():
        return render_item_form(request, form, item)
    try:
        services.save_item(
            form.instance,
            lead_departments=form.cleaned_data.get("lead_departments")
            if "lead_departments" in form.fields
            else None,
            by=request.user,
            reason=request.POST.get("reason", "").strip() or "修改事项",
            expected_version=form.cleaned_data.get("expected_version"),
        )
    except services.StaleItemError:
        return render_conflict(request, item_id)
    except REFUSALS as error:
        return render_item_form(request, form, item, status=show_on_form(form, error))
    if request.htmx:
        return render(request, "catalog/_item_row.html", item_row_context(request, item))
    messages.success(request, f"已保存事项“{item.name}”。")
    return redirect(editor_url(duty_list, item))


def render_conflict(request, item_id: int):
    """Someone saved first: show their values beside the user's, ready to re-apply the user's."""
    current = DutyItem.objects.select_related("duty_list__township__county").get(pk=item_id)
    latest = current.history.select_related("history_user").prefetch_related(queries.HISTORY_LEADS).first()
    message = (
        f"您编辑期间，{queries.person(latest.history_user)} 于 {timezone.localtime(latest.history_date):%Y-%m-%d %H:%M} "
        f"保存了“{current.name}”的新内容（第 {current.version} 版），您的修改尚未保存。"
    )
    data = request.POST.copy()
    data["expected_version"] = str(current.version)
    form = DutyItemForm(data, instance=current, duty_list=current.duty_list, part=current.part)
    form.is_valid()  # binds the user's values for display; the conflict is not an input error
    names = queries.ValueNames(current.duty_list.township.county_id)
    conflict = {"error": message, "rows": queries.conflict_rows(names, latest, form)}
    return render_item_form(request, form, current, status=409, conflict=conflict)


def item_row_context(request, item: DutyItem) -> dict:
    item = queries.editor_items(item.duty_list).get(pk=item.pk)
    set_item_urls([item])
    return {"item": item, "can_edit": True, "duty_list": item.duty_list}


@login_required
def item_row(request, item_id: int):
    """One row as the editor shows it (cancelling an inline edit)."""
    item = item_for(request, item_id, edit=False)
    context = item_row_context(request, item)
    context["can_edit"] = permissions.can_edit_item(request.user, item)
    return render(request, "catalog/_item_row.html", context)


def versioned_action(request, item_id: int, act, done: str = ""):
    """Run a service on an item with the version the user saw; say why if it is refused."""
    item = item_for(request, item_id)
    form = VersionedActionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["expected_version"])
        act(item, form.cleaned_data)
    except REFUSALS as error:  # a stale version, a deleted item …
        return refused_page(request, error, back=editor_url(item.duty_list, item))
    if done:
        messages.success(request, done.format(name=item.name))
    return redirect(editor_url(item.duty_list, item))


@login_required
@require_POST
def item_delete(request, item_id: int):
    return versioned_action(
        request,
        item_id,
        lambda item, data: services.delete_item(
            item, by=request.user, reason=data["reason"], expected_version=data["expected_version"]
        ),
        "已删除事项“{name}”，可在“已删除”中恢复。",
    )


@login_required
@require_POST
def item_restore(request, item_id: int):
    return versioned_action(
        request,
        item_id,
        lambda item, data: services.restore_item(
            item, by=request.user, expected_version=data["expected_version"]
        ),
        "已恢复事项“{name}”。",
    )


@login_required
@require_POST
def item_reorder(request, item_id: int):
    step = -1 if request.POST.get("direction") == "up" else 1
    return versioned_action(
        request,
        item_id,
        lambda item, data: services.move_item_in_category(
            item, step=step, by=request.user, expected_version=data["expected_version"]
        ),
    )


@login_required
@require_POST
def item_duplicate(request, item_id: int):
    item = item_for(request, item_id)
    try:
        copy = services.duplicate_item(item, by=request.user)
    except REFUSALS as error:
        return refused_page(request, error, back=editor_url(item.duty_list, item))
    messages.success(request, f"已复制为“{copy.name}”。")
    return redirect(editor_url(item.duty_list, copy))


@login_required
def item_move(request, item_id: int):
    item = item_for(request, item_id)
    departments = Department.objects.filter(county_id=item.duty_list.township.county_id)
    form = MoveToPartForm(
        request.POST or None,
        departments=departments,
        exclude_part=item.part,
        initial={"expected_version": item.version},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expected = data.get("expected_version")
        try:
            services.move_items_to_part(
                [item],
                part=data["part"],
                reason=data["reason"],
                by=request.user,
                lead_departments=data["lead_departments"],
                receiving_department=data["receiving_department"],
                work=data["work"],
                expected_versions={item.pk: expected} if expected is not None else None,
            )
        except REFUSALS as error:  # the move form names every part's work column `work`
            status = show_on_form(form, error, fields=dict.fromkeys(WORK_FIELDS.values(), "work"))
        else:
            item.refresh_from_db()
            messages.success(request, f"已将“{item.name}”移入{item.get_part_display()}。")
            return redirect(editor_url(item.duty_list, item))
    return render(
        request,
        "catalog/item_move.html",
        {"form": form, "item": item, "duty_list": item.duty_list},
        status=status,
    )


@login_required
def item_history(request, item_id: int):
    item = item_for(request, item_id, edit=False)
    versions = queries.item_versions(item)
    by_id = {str(record.history_id): record for record in versions}
    comparison = None
    first, second = request.GET.get("a"), request.GET.get("b")
    if first in by_id and second in by_id:
        older, newer = sorted([by_id[first], by_id[second]], key=lambda r: r.history_id)
        names = queries.ValueNames(item.duty_list.township.county_id)
        comparison = {"older": older, "newer": newer, "fields": queries.compare(names, older, newer)}
    return render(
        request,
        "catalog/item_history.html",
        {
            "item": item,
            "duty_list": item.duty_list,
            "versions": versions,
            "comparison": comparison,
            "can_edit": permissions.can_edit_item(request.user, item),
            "revert_form": RevertForm(initial={"expected_version": item.version}),
        },
    )


@login_required
@require_POST
def item_revert(request, item_id: int, history_id: int):
    item = item_for(request, item_id)
    record = get_object_or_404(DutyItem.history.all(), history_id=history_id, id=item.pk)
    form = RevertForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(message for errors in form.errors.values() for message in errors))
        return redirect("catalog:item_history", item.pk)
    try:
        services.revert_item(
            item,
            record,
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data.get("expected_version"),
        )
    except REFUSALS as error:
        return refused_page(request, error, back=reverse("catalog:item_history", args=[item.pk]))
    messages.success(request, f"已恢复到第 {record.version} 版。")
    return redirect("catalog:item_history", item.pk)


@login_required
def list_changes(request, list_id: int):
    duty_list = visible_list(request, list_id)
    since_version = request.GET.get("since_version", "").strip()
    since_date = request.GET.get("since", "").strip()
    error = None
    version = int(since_version) if since_version.isdigit() else None
    moment = None
    if since_version and version is None:
        error = f"版本号“{since_version}”应为非负整数。"
    if since_date:
        try:
            moment = timezone.make_aware(
                datetime.combine(datetime.strptime(since_date, "%Y-%m-%d").date(), time.min)
            )
        except ValueError:
            error = f"日期“{since_date}”格式不正确，应为 2025-03-01 这样的形式。"
    if version is None and moment is None and not error:
        version = max(duty_list.version - 50, 0)
    entries = [] if error else queries.list_changes(duty_list, since_version=version, since=moment)
    return render(
        request,
        "catalog/list_changes.html",
        {
            "duty_list": duty_list,
            "entries": entries,
            "since_version": since_version or (str(version) if version is not None else ""),
            "since_date": since_date,
            "error": error,
        },
    )


@login_required
def list_start(request):
    if not permissions.can_start_list(request.user):
        raise PermissionDenied("只有县委编办工作人员可以创建清单。")
    if request.user.is_superuser:
        counties = list(County.objects.values_list("pk", flat=True))
    else:
        counties = sorted(permissions.edited_county_ids(request.user))
    form = StartListForm(request.POST or None, counties=counties, initial={"year": timezone.localdate().year})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        township = data["township"]
        try:
            duty_list = services.start_list(
                township,
                title=data["title"] or f"{township.name}履行职责事项清单",
                year=data["year"],
                by=request.user,
                catalogue=data["catalogue"],
                source=data["source"],
                copy_without_offices=data["copy_without_offices"],
            )
        except REFUSALS as error:
            status = show_on_form(form, error)
        else:
            messages.success(request, f"已创建“{duty_list.title}”，共 {duty_list.items.count()} 个事项。")
            return redirect("catalog:list_editor", duty_list.pk)
    return render(request, "catalog/list_start.html", {"form": form}, status=status)

"""The workbench pages of 动态调整: filing a request, the county editor's review, and the answers.

Every POST goes through `publication.services`, which checks who may act and
whether the request is still open.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import permissions as catalog_permissions
from catalog.models import FROZEN_ORDER, Membership, Township
from catalog.refusals import REFUSALS
from catalog.refused_views import refused_page, show_on_form

from . import permissions, queries, services
from .forms import (
    ITEM_SEARCH_LIMIT,
    MAX_BLANK_ROWS,
    MAX_ROWS,
    AdjustmentForm,
    AdjustmentItemForm,
    AdjustmentItemFormSet,
    DecideAdjustmentForm,
    prefilled,
)
from .models import Adjustment, AdjustmentRemark

Role = Membership.Role


@login_required
def adjustment_list(request):
    memberships = catalog_permissions.memberships_of(request.user)
    counties = [m.county_id for m in memberships if m.role != Role.TOWNSHIP_OFFICIAL]
    townships = [m.township_id for m in memberships if m.role == Role.TOWNSHIP_OFFICIAL]
    rows = Adjustment.objects.select_related("township", "filed_by").order_by("-filed_at")
    if not request.user.is_superuser:
        rows = rows.filter(
            Q(filed_by=request.user) | Q(township__in=townships) | Q(township__county__in=counties)
        )
    fileable = [
        t
        for t in Township.objects.filter(current_edition__isnull=False).select_related("county")
        if permissions.can_file_adjustment(request.user, t)
    ]
    return render(request, "publication/adjustments.html", {"adjustments": rows[:200], "fileable": fileable})


def township_to_adjust(request, code: str):
    """The township the user files for, and its edition in force with its items by key."""
    township = get_object_or_404(Township.objects.select_related("county"), code=code)
    if not permissions.can_file_adjustment(request.user, township):
        raise PermissionDenied(f"您不能为{township.name}申请调整清单。")
    edition = services.current_edition(township)
    if edition is None:
        raise Http404(f"{township.name}还没有公布的清单。")
    edition.published_by_key = {str(row.key): row for row in edition.items.order_by(*FROZEN_ORDER)}
    return township, edition


def bounded(value: str, upper: int, default: int = 0) -> int:
    return min(int(value), upper) if value.isdigit() else default


@login_required
def adjustment_new(request, code: str):
    """File a request in two steps: the rows, then what they change field by field, confirmed.

    Items are chosen by search: `q` offers at most `ITEM_SEARCH_LIMIT` items, each `add` starts a
    修改 row from an item's published values and `blank` asks for empty rows (a new item). The
    script does the same in place (`adjustment_item_search`, `adjustment_row`)."""
    township, edition = township_to_adjust(request, code)
    words = request.GET.get("q", "").strip()[:50]
    offered = queries.items_matching(edition, words, ITEM_SEARCH_LIMIT) if words else []
    # 派单异议 turned into this request (`dispute` ids): their items start as rows, their reasons
    # as each row's reason, and filing marks them as turned into the request.
    disputes = queries.disputes_to_adjust(request.user, township, request.GET.getlist("dispute"))
    disputed = {}
    for dispute in disputes:
        disputed.setdefault(str(dispute.key), []).append(dispute)
    picked = [
        k for k in dict.fromkeys([*disputed, *request.GET.getlist("add")]) if k in edition.published_by_key
    ]
    initial = [
        prefilled(edition.published_by_key[key]) | disputed_reason(disputed.get(key, []))
        for key in picked[:MAX_ROWS]
    ]
    form = AdjustmentForm(request.POST or None, initial=disputed_summary(disputes))
    rows = AdjustmentItemFormSet(
        request.POST or None,
        initial=initial,
        form_kwargs={"edition": edition, "offered": offered},
        prefix="items",
    )
    rows.extra = bounded(request.GET.get("blank", ""), MAX_BLANK_ROWS, default=0 if initial else 1)
    context = {
        "township": township,
        "edition": edition,
        "form": form,
        "rows": rows,
        "words": words,
        "offered": offered,
        "picked": picked,
        "disputes": disputes,
        "blank": rows.extra,
        "search_limit": ITEM_SEARCH_LIMIT,
    }
    if request.method != "POST" or "edit" in request.POST:
        return render(request, "publication/adjustment_new.html", context)
    if not rows.is_valid() and rows.non_form_errors():
        form.add_error(None, rows.non_form_errors())
    if not (form.is_valid() and rows.is_valid()):
        return render(request, "publication/adjustment_new.html", context, status=400)
    changes = [change for change in (f.change() for f in rows) if change is not None]
    if "confirm" not in request.POST:
        problems = services.check_changes(township, edition, changes)
        if problems:
            form.add_error(None, problems)
            return render(request, "publication/adjustment_new.html", context, status=400)
        context["previews"] = services.preview_changes(edition, changes)
        return render(request, "publication/adjustment_confirm.html", context)
    try:
        if disputes:
            adjustment = services.file_adjustment_for_disputes(
                township,
                by=request.user,
                summary=form.cleaned_data["summary"],
                changes=changes,
                disputes=disputes,
            )
        else:
            adjustment = services.file_adjustment(
                township, by=request.user, summary=form.cleaned_data["summary"], changes=changes
            )
    except REFUSALS as error:
        return render(request, "publication/adjustment_new.html", context, status=show_on_form(form, error))
    messages.success(request, "调整申请已提交，等待县委编办审核。")
    return redirect("publication:adjustment", adjustment.pk)


def disputed_reason(disputes: list) -> dict:
    """A row's reason, from the 派单异议 about its item."""
    if not disputes:
        return {}
    lines = [f"工单 {d.ticket_number} 被{d.refused_by}退回：{d.reason}" for d in disputes]
    return {"reason": "12345 派单异议。" + "；".join(lines)}


def disputed_summary(disputes: list) -> dict:
    if not disputes:
        return {}
    tickets = "、".join(d.ticket_number for d in disputes)
    return {"summary": f"根据 12345 派单异议（工单 {tickets}）申请调整。"}


@login_required
def adjustment_item_search(request, code: str):
    """The items of the edition in force matching the words, as links that add a row (a fragment)."""
    township, edition = township_to_adjust(request, code)
    words = request.GET.get("q", "").strip()[:50]
    context = {
        "township": township,
        "words": words,
        "offered": queries.items_matching(edition, words, ITEM_SEARCH_LIMIT) if words else [],
        "picked": [],
        "search_limit": ITEM_SEARCH_LIMIT,
    }
    return render(request, "publication/_adjustment_picks.html", context)


@login_required
def adjustment_row(request, code: str):
    """One more row of the form (a fragment): 修改 of the item `key`, prefilled, or a blank row."""
    township, edition = township_to_adjust(request, code)
    index = bounded(request.GET.get("index", ""), MAX_ROWS - 1)
    row = edition.published_by_key.get(request.GET.get("key", ""))
    form = AdjustmentItemForm(edition=edition, initial=prefilled(row) if row else {}, prefix=f"items-{index}")
    return render(request, "publication/_adjustment_row.html", {"row": form, "number": index + 1})


def visible_adjustment(request, adjustment_id: int) -> Adjustment:
    adjustment = get_object_or_404(
        Adjustment.objects.select_related("township__county", "edition", "filed_by", "new_edition"),
        pk=adjustment_id,
    )
    if not permissions.can_see_adjustment(request.user, adjustment):
        raise Http404("调整申请不存在。")
    return adjustment


@login_required
def adjustment_detail(request, adjustment_id: int):
    adjustment = visible_adjustment(request, adjustment_id)
    items = list(
        adjustment.items.select_related("category", "receiving_department").prefetch_related(
            "lead_departments"
        )
    )
    context = {
        "adjustment": adjustment,
        "items": items,
        "previews": services.preview_changes(adjustment.edition, items),
        "remarks": adjustment.remarks.select_related("author", "answered_by"),
        "can_review": permissions.can_review_adjustment(request.user, adjustment),
        "can_answer": permissions.can_answer_remark(request.user, adjustment),
        "decide_form": DecideAdjustmentForm(),
    }
    return render(request, "publication/adjustment.html", context)


@login_required
@require_POST
def adjustment_remark(request, adjustment_id: int):
    adjustment = visible_adjustment(request, adjustment_id)
    try:
        services.remark_on(adjustment, by=request.user, text=request.POST.get("text", ""))
    except REFUSALS as error:
        return refused_page(request, error, back=reverse("publication:adjustment", args=[adjustment.pk]))
    return redirect("publication:adjustment", adjustment.pk)


@login_required
@require_POST
def remark_answer(request, remark_id: int):
    remark = get_object_or_404(AdjustmentRemark.objects.select_related("adjustment"), pk=remark_id)
    adjustment = visible_adjustment(request, remark.adjustment_id)
    try:
        services.answer_remark(remark, by=request.user, answer=request.POST.get("answer", ""))
    except REFUSALS as error:
        return refused_page(request, error, back=reverse("publication:adjustment", args=[adjustment.pk]))
    return redirect("publication:adjustment", adjustment.pk)


@login_required
@require_POST
def adjustment_decide(request, adjustment_id: int):
    adjustment = visible_adjustment(request, adjustment_id)
    form = DecideAdjustmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("publication:adjustment", adjustment.pk)
    try:
        decided = services.decide_adjustment(adjustment, by=request.user, **form.cleaned_data)
    except REFUSALS as error:
        return refused_page(request, error, back=reverse("publication:adjustment", args=[adjustment.pk]))
    if decided.new_edition:
        messages.success(
            request, f"已批准，{decided.township.name}清单第 {decided.new_edition.number} 版已公布。"
        )
    else:
        messages.success(request, "已不予批准。")
    return redirect("publication:adjustment", adjustment.pk)

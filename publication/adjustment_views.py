"""The workbench pages of 动态调整: filing a request, the county editor's review, and the answers.

Every POST goes through `publication.services`, which checks who may act and
whether the request is still open.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog import permissions as catalog_permissions
from catalog.models import FROZEN_ORDER, Membership, Township

from . import permissions, services
from .forms import AdjustmentForm, AdjustmentItemFormSet, DecideAdjustmentForm
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


@login_required
def adjustment_new(request, code: str):
    township = get_object_or_404(Township.objects.select_related("county"), code=code)
    if not permissions.can_file_adjustment(request.user, township):
        raise PermissionDenied(f"您不能为{township.name}申请调整清单。")
    edition = services.current_edition(township)
    if edition is None:
        raise Http404(f"{township.name}还没有公布的清单。")
    edition.listed_items = list(edition.items.order_by(*FROZEN_ORDER))
    form = AdjustmentForm(request.POST or None)
    rows = AdjustmentItemFormSet(request.POST or None, form_kwargs={"edition": edition}, prefix="items")
    status = 200
    if request.method == "POST":
        status = 400
        if not rows.is_valid() and rows.non_form_errors():
            form.add_error(None, rows.non_form_errors())
        if form.is_valid() and rows.is_valid():
            changes = [change for change in (f.change() for f in rows) if change is not None]
            try:
                adjustment = services.file_adjustment(
                    township, by=request.user, summary=form.cleaned_data["summary"], changes=changes
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, "调整申请已提交，等待县委编办审核。")
                return redirect("publication:adjustment", adjustment.pk)
    context = {"township": township, "edition": edition, "form": form, "rows": rows}
    return render(request, "publication/adjustment_new.html", context, status=status)


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
    items = adjustment.items.select_related("category", "receiving_department").prefetch_related(
        "lead_departments"
    )
    context = {
        "adjustment": adjustment,
        "items": items,
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
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect("publication:adjustment", adjustment.pk)


@login_required
@require_POST
def remark_answer(request, remark_id: int):
    remark = get_object_or_404(AdjustmentRemark.objects.select_related("adjustment"), pk=remark_id)
    adjustment = visible_adjustment(request, remark.adjustment_id)
    try:
        services.answer_remark(remark, by=request.user, answer=request.POST.get("answer", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
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
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        if decided.new_edition:
            messages.success(
                request, f"已批准，{decided.township.name}清单第 {decided.new_edition.number} 版已公布。"
            )
        else:
            messages.success(request, "已不予批准。")
    return redirect("publication:adjustment", adjustment.pk)

"""派单异议 in the workbench: the county editor's queue of 12345 dispatch disputes, grouped by
township, where each is answered or several are turned into one adjustment request of their items
(the adjustment form, prefilled: `adjustment_views.adjustment_new` with `dispute` ids)."""

import uuid
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import permissions as catalog_permissions
from catalog.refusals import REFUSALS
from catalog.refused_views import refused_page

from . import queries, services
from .models import DispatchDispute

QUEUE_LIMIT = 200


@login_required
def queue(request):
    """The disputes of the counties the user edits, by state (待处理 first), of one item if `key`."""
    disputes = queries.disputes_handled_by(request.user)
    key = request.GET.get("key", "")
    try:
        disputes = disputes.filter(key=uuid.UUID(key)) if key else disputes
    except ValueError:
        key = ""
    state = request.GET.get("state", DispatchDispute.State.OPEN)
    if state not in DispatchDispute.State.values:
        state = DispatchDispute.State.OPEN
    shown = list(
        disputes.filter(state=state).order_by("township__order", "township__code", "filed_at", "pk")[
            :QUEUE_LIMIT
        ]
    )
    context = {
        "groups": [(township, list(rows)) for township, rows in groupby(shown, key=lambda d: d.township)],
        "count": len(shown),
        "state": state,
        "key": key,
        "tabs": queries.state_tabs(disputes, "state", DispatchDispute.State),
        "is_handler": catalog_permissions.is_county_editor(request.user),
        "limit": QUEUE_LIMIT,
    }
    return render(request, "publication/dispatch_disputes.html", context)


@login_required
@require_POST
def answer(request, dispute_id: int):
    dispute = get_object_or_404(queries.disputes_handled_by(request.user), pk=dispute_id)
    back = reverse("publication:dispatch_disputes") + f"?key={dispute.key}"
    try:
        services.answer_dispute(dispute, by=request.user, answer=request.POST.get("answer", ""))
    except REFUSALS as error:
        return refused_page(request, error, back=back)
    messages.success(request, f"已答复工单 {dispute.ticket_number} 的派单异议。")
    return redirect(back)

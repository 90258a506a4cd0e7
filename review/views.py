"""The review page of a list: its stage, what the user may do next, and what happened so far."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog import permissions
from catalog.models import DutyList

from . import workflow


def visible_list(request, list_id: int) -> DutyList:
    duty_list = get_object_or_404(DutyList.objects.select_related("township__county"), pk=list_id)
    if not permissions.can_view_list(request.user, duty_list):
        raise Http404("清单不存在。")
    return duty_list


@login_required
def list_review(request, list_id: int):
    duty_list = visible_list(request, list_id)
    return render(
        request,
        "review/list_review.html",
        {
            "duty_list": duty_list,
            "actions": workflow.available(duty_list, request.user),
            "changes": duty_list.stage_changes.select_related("changed_by"),
            "submissions": duty_list.submissions.select_related("submitted_by"),
        },
    )


@login_required
@require_POST
def list_action(request, list_id: int):
    duty_list = visible_list(request, list_id)
    action = request.POST.get("action", "")
    try:
        change = workflow.perform(
            duty_list, action, user=request.user, note=request.POST.get("note", "").strip()
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"“{duty_list.title}”已进入“{change.get_to_stage_display()}”阶段。")
    return redirect("review:list_review", duty_list.pk)

"""Applying an accepted proposal the list is waiting for (see review/proposals.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog.refusals import refusal_of

from . import services
from .views import visible_comment


@login_required
@require_POST
def comment_apply(request, comment_id: int):
    comment = visible_comment(request, comment_id)
    try:
        item = services.apply_accepted(comment, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_of(error).message)
    else:
        messages.success(request, f"已按{comment.signature}的意见修改“{item.name}”。")
    return redirect(reverse("review:list_comments", args=[comment.duty_list_id]) + f"#comment-{comment.pk}")

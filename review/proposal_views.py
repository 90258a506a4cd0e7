"""Applying an accepted proposal the list is waiting for (see review/proposals.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog.refusals import REFUSALS
from catalog.refused_views import refused_page

from . import services
from .views import visible_comment


@login_required
@require_POST
def comment_apply(request, comment_id: int):
    comment = visible_comment(request, comment_id)
    back = reverse("review:list_comments", args=[comment.duty_list_id]) + f"#comment-{comment.pk}"
    try:
        item = services.apply_accepted(comment, by=request.user)
    except REFUSALS as error:
        return refused_page(request, error, back=back)
    messages.success(request, f"已按{comment.signature}的意见修改“{item.name}”。")
    return redirect(back)

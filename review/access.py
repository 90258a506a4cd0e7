"""What a signed-in user reaches of the review by address, for the review pages and the API alike:
a list, a comment window or a comment of a list the user may not see answers 404 with the same message."""

import uuid

from django.http import Http404

from catalog import permissions as catalog_permissions
from catalog.models import Department, DutyList
from catalog.refusals import Forbidden

from . import permissions
from .models import Comment, CommentWindow, SubmittedItem

NOT_SUBMITTED = "事项不在本次提交的清单中。"


def visible_list(user, list_id: int) -> DutyList:
    duty_list = DutyList.objects.select_related("township__county").filter(pk=list_id).first()
    if duty_list is None or not catalog_permissions.can_view_list(user, duty_list):
        raise Http404("清单不存在。")
    return duty_list


def visible_window(user, window_id: int) -> CommentWindow:
    window = (
        # a round on the county template has pages of its own (review.template_views)
        CommentWindow.objects.select_related("duty_list__township__county", "submission")
        .filter(pk=window_id, catalogue__isnull=True)
        .first()
    )
    if window is None or not catalog_permissions.can_view_list(user, window.duty_list):
        raise Http404("意见征求不存在。")
    return window


def visible_comment(user, comment_id: int) -> Comment:
    comment = (
        Comment.objects.select_related("duty_list__township__county", "window__catalogue")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise Http404("意见不存在。")
    if comment.window.is_on_template:
        visible = permissions.can_see_template_round(user, comment.window)
    else:
        visible = catalog_permissions.can_view_list(user, comment.duty_list)
    if not visible:
        raise Http404("意见不存在。")
    return comment


def commenting_window(user, window_id: int) -> CommentWindow:
    """A window the user was asked to comment in (the window may since have closed: the service says so)."""
    window = visible_window(user, window_id)
    if not permissions.can_comment(user, window):
        raise Forbidden("本轮意见征求没有请您提出意见。", code="not_invited")
    return window


def submitted_item(window: CommentWindow, key) -> SubmittedItem | None:
    """The item of the window's submission a comment is about (none: the list as a whole, or an addition)."""
    if not key:
        return None
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        raise Http404(NOT_SUBMITTED) from None
    item = window.submission.items.filter(key=key).first()
    if item is None:
        raise Http404(NOT_SUBMITTED)
    return item


def signing_department(user, window: CommentWindow, department_id) -> Department | None:
    """The department the user declares 反馈完毕 for, when they name one; it must be one they sign for."""
    if not department_id:
        return None
    department = next(
        (d for d in permissions.signing_departments(user, window) if str(d.pk) == str(department_id)), None
    )
    if department is None:
        raise Forbidden("您不能以该部门的名义确认反馈完毕。", code="not_invited", field="department")
    return department

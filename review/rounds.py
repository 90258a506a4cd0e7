"""What a round of the review allows besides the table's plain moves: the township taking back a
submission nobody has answered yet, and the county editor giving the departments more time.

The withdrawal is a row of the workflow table (`review/workflow.py` names the functions below as its
precondition, effect and offer); extending a deadline changes no stage, so it is a service of its own
and leaves a `DeadlineExtension` behind.
"""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.actors import permits, recorded_user
from catalog.models import DutyList
from catalog.refusals import Conflict, Forbidden, Invalid

from . import notifications
from .models import Comment, CommentWindow, DeadlineExtension, Invitation, Submission
from .permissions import county_editor


def latest_windows(duty_list: DutyList):
    """The windows on the list's latest submission: the round a withdrawal would undo."""
    latest = Submission.objects.filter(duty_list=duty_list).order_by("-round").values("pk")[:1]
    return CommentWindow.objects.filter(submission__in=latest)


def feedback_given(duty_list: DutyList) -> list[str]:
    """The departments that have already said something on the latest submission."""
    windows = latest_windows(duty_list)
    commented = Comment.objects.filter(window__in=windows).values_list("signature", flat=True)
    finished = Invitation.objects.filter(window__in=windows, finished_at__isnull=False).values_list(
        "department__name", flat=True
    )
    return sorted(set(commented) | set(finished))


def nobody_answered_yet(duty_list: DutyList, params: dict) -> list[str]:
    given = feedback_given(duty_list)
    if given:
        return [f"{'、'.join(given)}已经对本次提交提出意见或确认反馈完毕，不能再撤回。"]
    return []


def withdrawable(duty_list: DutyList) -> bool:
    return not feedback_given(duty_list)


def withdraw(duty_list: DutyList, transition, by, note: str, params: dict) -> None:
    """Back to the township: the running window (if any) closes, and whoever it asked is told."""
    window = CommentWindow.objects.filter(duty_list=duty_list, closed_at__isnull=True).first()
    text = f"{duty_list.township.name}撤回了“{duty_list.title}”的{transition.label.removeprefix('撤回')}。"
    if window is not None:
        window.closed_by = recorded_user(by)
        window.closed_at = timezone.now()
        window.save(update_fields=["closed_by", "closed_at"])
        notifications.notify(
            notifications.department_reviewers(window.departments.all()),
            f"{text}本轮意见征求已取消。",
            reverse("review:window", args=[window.pk]),
        )
    notifications.notify(
        notifications.county_editors(duty_list.township.county_id),
        text,
        reverse("review:list_review", args=[duty_list.pk]),
    )


def check_deadline(deadline: date | None, *, what: str) -> None:
    """A deadline is given, today or later."""
    if deadline is None:
        raise Invalid(f"请填写{what}。", code="required", field="deadline")
    if deadline < timezone.localdate():
        raise Invalid(
            f"{what} {deadline:%Y-%m-%d} 已经过去，请选择今天或以后的日期。",
            code="deadline_past",
            field="deadline",
        )


@transaction.atomic
def extend_deadline(window: CommentWindow, *, by, deadline: date, note: str = "") -> DeadlineExtension:
    """The county editor moves an open window's deadline later; the departments still working on it
    are told, and reminded again before the new deadline."""
    window = (
        CommentWindow.objects.select_for_update(of=("self",))
        .select_related("duty_list__township")
        .get(pk=window.pk)
    )
    duty_list = window.duty_list
    if not permits(by, county_editor, duty_list):
        raise Forbidden("只有县委编办可以延长意见反馈截止日期。", code="not_allowed")
    if window.closed_at is not None:
        raise Conflict("本轮意见征求已经结束，不能再延长截止日期。", code="window_closed")
    check_deadline(deadline, what="新的截止日期")
    if window.deadline is not None and deadline <= window.deadline:
        raise Invalid(
            f"新的截止日期须晚于原截止日期 {window.deadline:%Y-%m-%d}。",
            code="deadline_not_later",
            field="deadline",
        )
    extension = DeadlineExtension.objects.create(
        window=window,
        previous_deadline=window.deadline,
        deadline=deadline,
        extended_by=recorded_user(by),
        note=note.strip(),
    )
    window.deadline = deadline
    window.save(update_fields=["deadline"])
    waiting = window.invitations.filter(finished_at__isnull=True)
    waiting.update(reminded_at=None)
    notifications.notify(
        notifications.department_reviewers([i.department for i in waiting.select_related("department")]),
        f"“{duty_list.title}”的意见反馈截止日期已延长至 {deadline:%Y-%m-%d}。",
        reverse("review:window", args=[window.pk]),
    )
    return extension

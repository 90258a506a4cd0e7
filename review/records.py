"""What the workflow's steps write besides the stage: the frozen submission, the comments its
changes leave outdated, the disputes raised, the window closed — and the two reads every step
starts from (the latest submission, the open window)."""

from collections.abc import Iterable

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from catalog.actors import recorded_user
from catalog.comparison import frozen_readings
from catalog.models import PUBLISHED_ORDER, DutyItem, DutyList

from .models import (
    Comment,
    CommentWindow,
    Dispute,
    Submission,
    SubmittedItem,
)

Stage = DutyList.Stage


def latest_submission(duty_list: DutyList) -> Submission | None:
    return Submission.objects.filter(duty_list=duty_list).order_by("-round").first()


def open_window(duty_list: DutyList) -> CommentWindow | None:
    return CommentWindow.objects.filter(duty_list=duty_list, closed_at__isnull=True).first()


def close_window(duty_list: DutyList, by) -> None:
    CommentWindow.objects.filter(duty_list=duty_list, closed_at__isnull=True).update(
        closed_by=recorded_user(by), closed_at=timezone.now()
    )


def freeze(duty_list: DutyList, stage: str, *, by, note: str) -> Submission:
    """Copy the list as it stands into a submission of its own."""
    latest = latest_submission(duty_list)
    submission = Submission.objects.create(
        duty_list=duty_list,
        round=(latest.round + 1) if latest else 1,
        stage=stage,
        list_version=duty_list.version,
        submitted_by=recorded_user(by),
        note=note,
    )
    items = (
        DutyItem.objects.active()
        .filter(duty_list=duty_list)
        .select_related("category__parent", "responsible_office", "receiving_department")
        .prefetch_related("lead_departments")
        # In the list's order, so rows whose 序号 tie keep the draft's order in the frozen copy too.
        .order_by(*PUBLISHED_ORDER)
    )
    SubmittedItem.objects.bulk_create(SubmittedItem.copy_of(submission, item) for item in items)
    return submission


def changed_fields(before: SubmittedItem, after: SubmittedItem) -> set[str]:
    """The compared fields two frozen versions of an item read differently, by the one comparison."""
    then, now = frozen_readings(before), frozen_readings(after)
    return {name for name in then.keys() | now.keys() if then.get(name) != now.get(name)}


def mark_outdated(duty_list: DutyList, submission: Submission, *, by) -> None:
    """Open comments whose field has changed since the text they were made on: kept, marked 已过时."""
    comments = list(
        Comment.objects.filter(
            duty_list=duty_list,
            state__in=[Comment.State.OPEN, Comment.State.ANSWERED],
            item_key__isnull=False,
            outdated_at__isnull=True,
        )
        .select_related("window", "proposed_receiving_department")
        .prefetch_related("proposed_lead_departments")
    )
    if not comments:
        return
    then = {
        (row.submission_id, row.key): row
        for row in SubmittedItem.objects.filter(
            submission__in={c.window.submission_id for c in comments}, key__in={c.item_key for c in comments}
        )
    }
    now = {row.key: row for row in submission.items.filter(key__in={c.item_key for c in comments})}
    now_at = timezone.now()
    outdated = []
    for comment in comments:
        before = then.get((comment.window.submission_id, comment.item_key))
        after = now.get(comment.item_key)
        if before is None:
            continue
        if after is None or changed_fields(before, after) & set(comment.concerned_fields()):
            comment.outdated_at = now_at
            outdated.append(comment)
    if outdated:
        bulk_update_with_history(
            outdated, Comment, ["outdated_at"], default_change_reason="已过时", default_user=recorded_user(by)
        )


def dispute_for(comment: Comment, *, raised_by, escalated: bool = False) -> Dispute:
    if comment.answer:
        township = f"{comment.get_answer_display()}：{comment.answer_reason}".rstrip("：")
    else:
        township = "（乡镇尚未答复）"
    return Dispute(
        duty_list_id=comment.duty_list_id,
        comment=comment,
        item_key=comment.item_key,
        item_name=comment.item_name or comment.proposed_name or "（整体意见）",
        department=comment.department,
        signature=comment.signature,
        department_position=comment.position_text(),
        township_position=township,
        raised_by=raised_by,
        is_escalated=escalated,
    )


def mark_disputed(comments: Iterable[Comment], *, by) -> None:
    comments = list(comments)
    for comment in comments:
        comment.move("dispute")
    if comments:
        bulk_update_with_history(
            comments, Comment, ["state"], default_change_reason="列为争议事项", default_user=recorded_user(by)
        )

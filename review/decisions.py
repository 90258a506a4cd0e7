"""The county leader's part: a comment escalated to a dispute, the decision on it, and the decision
written into the draft (after which the item is locked for the rest of the cycle)."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import Department, DutyItem, DutyList, Part, stages_where
from catalog.refusals import Conflict, Forbidden, Invalid

from . import notifications, permissions
from .changes import Change, write_change
from .models import Comment, Decision, Dispute
from .records import dispute_for

DECIDING_STAGES = stages_where(decides=True)
Stage = DutyList.Stage
Position = Comment.Position
State = Comment.State


@transaction.atomic
def escalate_comment(comment: Comment, *, by) -> Dispute:
    """The county editor takes a contested comment to the leader before the last round ends."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related(
            "duty_list__township", "department", "proposed_receiving_department", "proposed_category"
        )
        .get(pk=comment.pk)
    )
    if not permissions.can_escalate(by, comment.duty_list):
        raise Forbidden("只有县委编办可以提请协调。", code="cannot_escalate")
    if comment.duty_list.stage not in DECIDING_STAGES - {Stage.COORDINATION}:
        raise Conflict("清单已进入协调或之后的阶段，不能再提前提请协调。", code="wrong_stage")
    if comment.position == Position.AGREE or comment.state not in (State.OPEN, State.ANSWERED):
        raise Conflict("只有尚未解决的意见可以提请协调。", code="settled_comment")
    dispute = dispute_for(comment, raised_by=by, escalated=True)
    dispute.save()
    comment.move("dispute")
    comment._history_user = by
    comment._change_reason = "提请协调"
    comment.save(update_fields=["state"])
    notifications.notify(
        notifications.county_leaders(comment.duty_list.township.county_id),
        f"“{comment.duty_list.title}”的“{dispute.item_name}”提请协调拍板。",
        reverse("review:decide", args=[dispute.pk]),
    )
    return dispute


@transaction.atomic
def decide_dispute(
    dispute: Dispute,
    *,
    by,
    outcome: str,
    meeting: str,
    decided_on: date,
    document_number: str = "",
    part: str = "",
    lead_departments: Iterable[Department] = (),
    receiving_department: Department | None = None,
    name: str = "",
    content: str = "",
) -> Decision:
    """The leader's binding decision: recorded, applied to the draft, and the item locked for the cycle."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("duty_list__township", "comment__proposed_category", "department")
        .get(pk=dispute.pk)
    )
    if not permissions.can_decide(by, dispute):
        raise Forbidden("只有县领导可以协调拍板。", code="cannot_decide")
    if Decision.objects.filter(dispute=dispute).exists():
        raise Conflict(f"“{dispute.item_name}”已经协调拍板，决定不能更改。", code="already_decided")
    duty_list = dispute.duty_list
    if duty_list.stage not in DECIDING_STAGES:
        raise Conflict(f"清单处于“{duty_list.get_stage_display()}”阶段，不能再协调拍板。", code="wrong_stage")
    errors = {}
    if not outcome.strip():
        errors["outcome"] = ("required", "请写明决定内容。")
    if not meeting.strip():
        errors["meeting"] = ("required", "请填写会议名称。")
    if decided_on is None:
        errors["decided_on"] = ("required", "请填写决定日期。")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = ("future_date", "决定日期不能晚于今天。")
    if part and part not in Part.values:
        errors["part"] = ("unknown_part", "请选择基本、配合或上级部门收回事项。")
    leads = list(lead_departments)
    county_id = duty_list.township.county_id
    strangers = [d.name for d in [*leads, receiving_department] if d is not None and d.county_id != county_id]
    if strangers:
        errors["lead_departments"] = ("other_county", f"{'、'.join(strangers)}不属于本县。")
    if errors:
        raise Invalid.fields(errors)
    decision = Decision(
        dispute=dispute,
        part=part,
        receiving_department=receiving_department,
        name=name.strip(),
        content=content.strip(),
        outcome=outcome.strip(),
        meeting=meeting.strip(),
        decided_on=decided_on,
        document_number=document_number.strip(),
        decided_by=by,
    )
    apply_decision(dispute, decision, leads, by=by)
    decision.save()
    if leads:
        decision.lead_departments.set(leads)
    recipients = notifications.township_officials(duty_list.township)
    if dispute.department_id:
        recipients += notifications.department_reviewers([dispute.department])
    notifications.notify(
        recipients,
        f"“{duty_list.title}”的争议事项“{dispute.item_name}”已协调拍板：{decision.outcome}",
        reverse("review:list_disputes", args=[duty_list.pk]),
    )
    return decision


def apply_decision(dispute: Dispute, decision: Decision, leads: list[Department], *, by) -> DutyItem | None:
    """Write what the leader decided into the draft; an item that was decided stays so for the cycle."""
    if dispute.item_key is None and not decision.name:
        return None  # the proposed item is not added
    if dispute.item_key is None and dispute.comment.proposed_category is None:
        raise Invalid("该争议没有建议的类别，不能据此新增事项。", code="no_category", field="name")
    changes = decision.name or decision.content or decision.part or leads or decision.receiving_department
    if (
        dispute.item_key is not None
        and not changes
        and not DutyItem.objects.active().filter(duty_list=dispute.duty_list, key=dispute.item_key).exists()
    ):
        return None  # the township removed the item and the decision keeps it so
    change = Change(
        name=decision.name,
        content=decision.content,
        part=decision.part or (dispute.comment.proposed_part if dispute.item_key is None else ""),
        lead_departments=leads,
        receiving_department=decision.receiving_department,
        category=dispute.comment.proposed_category,
    )
    reason = f"协调拍板：{decision.meeting}（{decision.decided_on:%Y-%m-%d}）{decision.outcome}"
    return write_change(
        dispute.duty_list,
        dispute.item_key,
        change,
        what=dispute.item_name,
        by=by,
        reason=reason,
        decided=True,
    )

"""Comments, answers, disputes and decisions: every write of the review besides the stage moves.

Each function checks who is acting (`review/permissions.py`) and when (the
list's stage, the comment window and its deadline), refuses with a code, a
Chinese message and the parameter at fault (`catalog.refusals`), changing
nothing, and writes in one transaction. Changes to the
draft go through `catalog.services`, so they are versioned and recorded with
the comment or decision that caused them.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog import permissions as catalog_permissions
from catalog.actors import permits
from catalog.models import (
    CatalogueEntry,
    Category,
    Department,
    DutyItem,
    DutyList,
    Township,
    stages_where,
)
from catalog.refusals import Conflict, Forbidden, Invalid

from . import notifications, permissions
from .changes import Change, apply_proposal, write_change  # noqa: F401 (publication reads the first and last here)
from .models import Comment, CommentWindow, Invitation, Reply, SubmittedItem
from .records import open_window

CONSULTEES = CommentWindow.Kind.CONSULTEES

Stage = DutyList.Stage
Position = Comment.Position
Answer = Comment.Answer
State = Comment.State

ANSWERING_STAGES = stages_where(answers="departments")
CONSULTEE_STAGES = stages_where(answers="consultees")


def check_window_takes_comments(window: CommentWindow) -> None:
    if window.closed_at is not None:
        raise Conflict("本轮意见征求已经结束，不能再提出意见。", code="window_closed")
    if window.is_past_deadline():
        raise Conflict(
            f"意见反馈截止日期（{window.deadline:%Y-%m-%d}）已过，不能再提出意见。", code="deadline_passed"
        )


class Signer(NamedTuple):
    department: Department | None
    township: Township | None
    signature: str


def signer(by, window: CommentWindow, department: Department | None) -> Signer:
    """Who signs the comment: one of the user's invited departments, the user's invited township (on
    the county template), or the consultee's title."""
    if window.kind == CommentWindow.Kind.CONSULTEES:
        title = permissions.consultee_title(by, window.county_id)
        if title is None:
            raise Forbidden("只有征求意见对象可以在此阶段提出意见。", code="not_consultee")
        return Signer(None, None, title)
    if window.is_on_template:
        township = permissions.signing_township(by, window)
        if township is None:
            raise Forbidden("本轮模板意见征求没有请您所在的乡镇（街道）提出意见。", code="not_invited")
        return Signer(None, township, township.name)
    departments = permissions.signing_departments(by, window)
    if not departments:
        raise Forbidden("本轮意见征求没有请您所在的部门提出意见。", code="not_invited")
    if department is None:
        if len(departments) > 1:
            raise Invalid("请选择以哪个部门的名义提出意见。", code="required", field="department")
        department = departments[0]
    if department not in departments:
        raise Forbidden(
            f"您不能以“{department.name}”的名义提出意见。", code="not_invited", field="department"
        )
    invitation = Invitation.objects.get(window=window, department=department)
    if invitation.finished_at is not None:
        raise Conflict(f"{department.name}已确认反馈完毕，不能再提出意见。", code="feedback_finished")
    return Signer(department, None, department.name)


def check_position(
    comment: Comment, leads: list[Department], item: SubmittedItem | CatalogueEntry | None
) -> None:
    """The rules of each position; each problem is coded on the field that is wrong."""
    errors = {}
    proposes = any(
        [
            comment.proposed_name,
            comment.proposed_content,
            comment.proposed_part,
            leads,
            comment.proposed_receiving_department_id,
        ]
    )
    if comment.position == Position.AGREE and proposes:
        errors["position"] = ("proposal_with_agree", "“同意”不带修改建议；要提出修改请选择“建议修改”。")
    if comment.position == Position.MODIFY and not (proposes or comment.text.strip()):
        errors["text"] = (
            "proposal_required",
            "“建议修改”须写明建议的表述、清单类型或主责部门，或在意见内容中说明。",
        )
    if comment.position == Position.DISAGREE:
        if not comment.reason:
            errors["reason"] = ("reason_required", "“不同意”须选择理由。")
        elif comment.reason == Comment.Reason.OTHER and not comment.text.strip():
            errors["text"] = ("reason_required", "理由为“其他”时须写明具体理由。")
    if comment.position == Position.NOT_APPLICABLE:
        if not comment.text.strip():
            errors["text"] = ("reason_required", "“不适用本乡镇”须写明不适用的理由。")
        if proposes:
            errors["position"] = (
                "proposal_not_applicable",
                "“不适用本乡镇”不带修改建议；要提出修改请选择“建议修改”。",
            )
    if comment.position != Position.DISAGREE and comment.reason:
        errors["reason"] = ("reason_without_disagree", "只有“不同意”需要选择理由。")
    if comment.position == Position.ADD:
        if item is not None:
            errors["position"] = ("add_on_item", "建议增加事项时不针对已有事项。")
        if not comment.proposed_name.strip():
            errors["proposed_name"] = ("required", "建议增加事项须填写事项名称。")
        if not comment.proposed_part:
            errors["proposed_part"] = ("required", "建议增加事项须选择清单类型。")
        if comment.proposed_category_id is None:
            errors["proposed_category"] = ("required", "建议增加事项须选择类别。")
    elif comment.proposed_category_id is not None:
        errors["proposed_category"] = ("category_without_add", "只有建议增加事项需要选择类别。")
    if item is None and comment.window.is_on_template and comment.position != Position.ADD:
        errors["entry"] = ("required", "请选择所评的模板事项；模板缺少的事项请选择“建议增加事项”。")
    elif item is None and comment.position in (Position.AGREE, Position.MODIFY, Position.DISAGREE):
        if comment.position != Position.AGREE and not comment.text.strip():
            errors["text"] = ("required", "对清单的整体意见须写明意见内容。")
        if proposes and comment.position != Position.ADD:
            errors["position"] = ("proposal_needs_item", "修改建议须针对具体事项提出。")
    if item is not None and comment.proposed_part and comment.proposed_part == item.part:
        errors["proposed_part"] = ("same_part", f"该事项已是{comment.get_proposed_part_display()}。")
    if errors:
        raise Invalid.fields(errors)


@transaction.atomic
def add_comment(
    window: CommentWindow,
    *,
    by,
    position: str,
    item_key=None,
    department: Department | None = None,
    reason: str = "",
    text: str = "",
    proposed_name: str = "",
    proposed_content: str = "",
    proposed_part: str = "",
    proposed_lead_departments: Iterable[Department] = (),
    proposed_receiving_department: Department | None = None,
    proposed_category: Category | None = None,
    entry: CatalogueEntry | None = None,
) -> Comment:
    """Record a position on one item of the window's submission, on the list, or a missing item; in a
    round on the county template, on one of its entries (`entry`) or a missing one."""
    window = (
        CommentWindow.objects.select_for_update(of=("self",))
        .select_related("duty_list__township", "catalogue")
        .get(pk=window.pk)
    )
    check_window_takes_comments(window)
    department, township, signature = signer(by, window, department)
    item = commented_item(window, item_key, entry)
    county_id = window.county_id
    leads = list(proposed_lead_departments)
    proposals = [("proposed_lead_departments", lead) for lead in leads] + [
        ("proposed_receiving_department", proposed_receiving_department),
        ("proposed_category", proposed_category),
    ]
    for name, proposed in proposals:
        if proposed is not None and proposed.county_id != county_id:
            raise Invalid(f"“{proposed.name}”不属于本县。", code="other_county", field=name)
    comment = Comment(
        duty_list=window.duty_list,
        window=window,
        item_key=item_key,
        entry=entry,
        item_name=item.name if item else "",
        item_part=item.part if item else proposed_part,
        department=department,
        township=township,
        signature=signature,
        author=by,
        position=position,
        reason=reason,
        text=text.strip(),
        proposed_name=proposed_name.strip(),
        proposed_content=proposed_content.strip(),
        proposed_part=proposed_part,
        proposed_receiving_department=proposed_receiving_department,
        proposed_category=proposed_category,
        state=State.SETTLED if position == Position.AGREE else State.OPEN,
    )
    if position not in Comment.POSITIONS[window.kind]:
        *others, last = [Position(p).label for p in Comment.POSITIONS[window.kind]]
        raise Invalid(f"请选择意见：{'、'.join(others)}或{last}。", code="required", field="position")
    check_position(comment, leads, item)
    comment._history_user = by
    comment.save()
    if leads:
        comment.proposed_lead_departments.set(leads)
    if window.kind == CONSULTEES and position != Position.AGREE:
        # Departments' comments reach the township when their window closes; consultees' as they come.
        where = comment.item_name or comment.proposed_name or "清单整体"
        notifications.notify(
            notifications.township_officials(window.duty_list.township),
            f"{signature}对“{where}”提出了意见，请答复。",
            reverse("review:list_comments", args=[window.duty_list_id]) + f"#comment-{comment.pk}",
        )
    return comment


def commented_item(window: CommentWindow, item_key, entry: CatalogueEntry | None):
    """The frozen item of the window's submission with `item_key`, or the template's `entry`."""
    if window.is_on_template:
        if item_key is not None or (entry is not None and entry.catalogue_id != window.catalogue_id):
            raise Invalid("所评事项不在本县级标准模板中。", code="not_in_template", field="entry")
        return entry
    if entry is not None:
        raise Invalid(
            "本轮意见征求针对乡镇（街道）清单，不针对模板事项。", code="not_in_template", field="entry"
        )
    if item_key is None:
        return None
    item = window.submission.items.filter(key=item_key).first()
    if item is None:
        raise Invalid("所评事项不在本次提交的清单中。", code="not_in_submission", field="item_key")
    return item


@transaction.atomic
def withdraw_comment(comment: Comment, *, by) -> None:
    """A comment may be taken back by its author while its window still takes comments and nobody
    has acted on it yet (answered, applied or escalated), and before the department's 反馈完毕."""
    comment = Comment.objects.select_for_update(of=("self",)).select_related("window").get(pk=comment.pk)
    if comment.author_id != by.pk:
        raise Forbidden("只能撤回自己提出的意见。", code="not_author")
    check_window_takes_comments(comment.window)
    if comment.answer or comment.applied_at or comment.state == State.DISPUTED:
        raise Conflict("这条意见已经答复或列为争议事项，不能撤回。", code="already_answered")
    if Invitation.objects.filter(
        window=comment.window_id, department=comment.department_id, finished_at__isnull=False
    ).exists():
        raise Conflict(f"{comment.signature}已确认反馈完毕，不能再撤回意见。", code="feedback_finished")
    comment._history_user = by
    comment.proposed_lead_departments.clear()
    comment.delete()


@transaction.atomic
def finish_feedback(window: CommentWindow, *, by, department: Department | None = None) -> Invitation:
    """A department declares 反馈完毕: it has nothing more to say in this window."""
    if window.kind != CommentWindow.Kind.DEPARTMENTS:
        raise Conflict("征求意见对象无需确认反馈完毕。", code="not_department_window")
    check_window_takes_comments(window)
    department = signer(by, window, department).department
    invitation = Invitation.objects.select_for_update().get(window=window, department=department)
    invitation.finished_at = timezone.now()
    invitation.finished_by = by
    invitation.save(update_fields=["finished_at", "finished_by"])
    if not window.invitations.filter(finished_at__isnull=True).exists():
        notifications.notify(
            notifications.county_editors(window.duty_list.township.county_id),
            f"“{window.duty_list.title}”的意见征求各部门已反馈完毕，可以结束。",
            reverse("review:list_review", args=[window.duty_list_id]),
        )
    return invitation


def answering_is_open(comment: Comment) -> bool:
    """Whether the list is at the point where this comment is answered."""
    stage = comment.duty_list.stage
    if comment.window.kind == CommentWindow.Kind.CONSULTEES:
        return stage in CONSULTEE_STAGES
    return stage in ANSWERING_STAGES and open_window(comment.duty_list) is None


def check_can_answer(comment: Comment, by) -> None:
    if not permissions.can_answer(by, comment):
        raise Forbidden("只有该乡镇（街道）或县委编办可以答复意见。", code="cannot_answer")
    where = comment.item_name or "整体意见"
    if comment.position == Position.AGREE:
        raise Conflict(f"“{where}”的意见是“同意”，无需答复。", code="agreed_comment")
    if comment.state == State.DISPUTED:
        raise Conflict(f"“{where}”的意见已列为争议事项，由县领导协调拍板。", code="disputed_comment")
    if comment.acknowledged_at is not None:
        raise Conflict(f"{comment.signature}已认可对“{where}”的答复。", code="answer_acknowledged")
    if comment.applied_at is not None:
        raise Conflict(f"“{where}”已按该意见修改，答复不能再更改。", code="already_applied")
    if not answering_is_open(comment):
        raise Conflict(
            f"清单处于“{comment.duty_list.get_stage_display()}”阶段，现在不能答复“{where}”的意见。",
            code="wrong_stage",
        )


@transaction.atomic
def answer_comment(
    comment: Comment, *, by, answer: str, reason: str = "", apply: bool = False, seen_at=None
) -> Comment:
    """The township's answer: 采纳, 部分采纳 or 不采纳 (the last two with a reason).

    With `apply`, an accepted proposal is applied to the draft in the same step,
    recorded in the item's history as caused by this comment. `seen_at` is when
    the user's page was drawn: an answer given since then by someone else is
    not overwritten.
    """
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related(
            "duty_list__township",
            "window",
            "proposed_receiving_department",
            "proposed_category",
            "answered_by",
        )
        .get(pk=comment.pk)
    )
    check_can_answer(comment, by)
    where = comment.item_name or comment.proposed_name or "整体意见"
    if seen_at is not None and comment.answered_at is not None and comment.answered_at > seen_at:
        who = comment.answered_by.get_full_name() or comment.answered_by.username
        raise Conflict(
            f"“{where}”的意见已由{who}于{timezone.localtime(comment.answered_at):%m-%d %H:%M}"
            f"答复为“{comment.get_answer_display()}”，请刷新页面后再答复。",
            code="stale_answer",
        )
    reason = check_answer(where, answer, reason)
    if apply:
        if answer != Answer.ACCEPTED:
            raise Invalid(
                f"“{where}”：只有采纳的意见可以一键修改清单。", code="apply_not_accepted", field="apply"
            )
        if not comment.has_proposal:
            raise Invalid(
                f"“{where}”的意见没有可直接修改的建议，请在清单中修改。",
                code="nothing_to_apply",
                field="apply",
            )
        if catalog_permissions.can_edit_list(by, comment.duty_list):
            item = apply_proposal(comment, by=by)
            comment.applied_at = timezone.now()
            if comment.item_key is None:  # a proposed item now exists: the comment is about it
                comment.item_key, comment.item_name = item.key, item.name
        elif comment.window.kind != CONSULTEES:
            raise Conflict(
                f"清单处于“{comment.duty_list.get_stage_display()}”阶段，您现在不能修改清单，只能答复。",
                code="list_locked",
                field="apply",
            )
        # A consultee's proposal accepted by someone who may not edit the list now (the township during
        # 征求意见) waits for the county editor, who is told (below): applied later, never lost.
    record_answer(comment, by=by, answer=answer, reason=reason)
    if answer == Answer.ACCEPTED and comment.applied_at is None and comment.window.kind == CONSULTEES:
        tell_editors_a_proposal_waits(comment, where)
    return comment


def check_answer(where: str, answer: str, reason: str) -> str:
    """The answer is one of 采纳, 部分采纳, 不采纳, the last two with a reason; returns the reason."""
    if answer not in Answer.values:
        raise Invalid(f"请选择对“{where}”意见的采纳情况。", code="required", field="answer")
    reason = reason.strip()
    if answer != Answer.ACCEPTED and not reason:
        raise Invalid(f"“{where}”：部分采纳或不采纳须写明理由。", code="reason_required", field="reason")
    return reason


def record_answer(comment: Comment, *, by, answer: str, reason: str) -> None:
    """Write a checked answer on the comment, and keep it as a turn of the exchange."""
    comment.answer = answer
    comment.answer_reason = reason
    comment.answered_by = by
    comment.answered_at = timezone.now()
    comment.move("accept" if answer == Answer.ACCEPTED else "answer")
    comment._history_user = by
    comment._change_reason = f"答复：{comment.get_answer_display()}"
    comment.save()
    Reply.objects.create(comment=comment, kind=Reply.Kind.ANSWER, answer=answer, text=reason, by=by)


def tell_editors_a_proposal_waits(comment: Comment, where: str) -> None:
    if not comment.has_proposal:
        return
    township = comment.duty_list.township
    notifications.notify(
        notifications.county_editors(township.county_id),
        f"{township.name}采纳了{comment.signature}对“{where}”的修改建议，请按意见修改清单。",
        reverse("review:list_comments", args=[comment.duty_list_id]) + f"#comment-{comment.pk}",
    )


@transaction.atomic
def answer_comments(comments: Iterable[Comment], *, by, answer: str, reason: str = "", seen_at=None) -> int:
    """One answer for many comments: all of them, or none if any is refused."""
    comments = list(comments)
    if not comments:
        raise Invalid("请至少选择一条意见。", code="required", field="comments")
    for comment in comments:
        answer_comment(comment, by=by, answer=answer, reason=reason, seen_at=seen_at)
    return len(comments)


@transaction.atomic
def respond_to_answer(comment: Comment, *, by, accept: bool, note: str = "") -> Comment:
    """In a later window the department accepts the township's answer (认可), or keeps its position."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("duty_list__township")
        .get(pk=comment.pk)
    )
    if not permissions.can_respond_to_answer(by, comment):
        raise Forbidden(f"只有{comment.signature}可以回应这条意见的答复。", code="not_signer")
    if comment.state != State.ANSWERED:
        raise Conflict("这条意见没有待回应的答复。", code="no_answer_waiting")
    window = open_window(comment.duty_list)
    if window is None or window.kind != CommentWindow.Kind.DEPARTMENTS or window.pk == comment.window_id:
        raise Conflict("只能在下一轮意见征求期间回应乡镇的答复。", code="not_next_round")
    check_window_takes_comments(window)
    if not Invitation.objects.filter(
        window=window, department=comment.department_id, finished_at__isnull=True
    ).exists():
        raise Conflict(
            f"本轮意见征求没有请{comment.signature}反馈，或其已确认反馈完毕。", code="not_invited_this_round"
        )
    if not accept and not note.strip():
        raise Invalid("坚持原意见须说明理由。", code="reason_required", field="note")
    comment._history_user = by
    if accept:
        comment.move("acknowledge")
        comment.acknowledged_at = timezone.now()
        comment._change_reason = "部门认可答复"
    else:
        comment.move("insist")
        comment.text = f"{comment.text}\n【{timezone.localdate():%Y-%m-%d} 坚持原意见】{note.strip()}".strip()
        comment._change_reason = "部门坚持原意见"
    comment.save()
    kind = Reply.Kind.ACKNOWLEDGE if accept else Reply.Kind.INSIST
    Reply.objects.create(comment=comment, kind=kind, text=note.strip(), by=by)
    return comment


# A consultee's proposal the township accepted while it could not edit (see review/proposals.py).


@transaction.atomic
def apply_accepted(comment: Comment, *, by) -> DutyItem:
    """Write an accepted proposal into the list, by someone who may edit it now."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("duty_list__township")
        .get(pk=comment.pk)
    )
    where = comment.item_name or comment.proposed_name or "整体意见"
    if comment.answer != Comment.Answer.ACCEPTED or not comment.has_proposal:
        raise Conflict(f"“{where}”的意见没有被采纳的修改建议，不能按意见修改清单。", code="not_accepted")
    if comment.applied_at is not None:
        raise Conflict(f"“{where}”的意见已经修改到清单。", code="already_applied")
    if not permits(by, catalog_permissions.can_edit_list, comment.duty_list):
        raise Forbidden(
            f"清单处于“{comment.duty_list.get_stage_display()}”阶段，您不能修改清单；请县委编办按意见修改。",
            code="cannot_edit_list",
        )
    item = apply_proposal(comment, by=by)
    comment.applied_at = timezone.now()
    if comment.item_key is None:  # a proposed item now exists: the comment is about it
        comment.item_key, comment.item_name = item.key, item.name
    comment._history_user = by
    comment._change_reason = "按意见修改清单"
    comment.save()
    return item

"""Every stage change of a list, stated once: which action moves which stage to which, and who may.

The table below is the whole workflow. `perform` applies one action in one
transaction: it locks the list row, re-checks the stage against the table,
checks who is acting, moves the stage and writes a `StageChange` (and, for a
submission, freezes the list). Two people pressing the same button at once
therefore produce one change: the second finds the stage already moved and is
refused. Nothing else assigns `DutyList.stage`.

Counties differ after the coordination meeting: 征求意见 and 研究论证 can be
switched off and 人大常委会审议 switched on (`ReviewPolicy`); the chain of
those steps is computed per county.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from catalog import permissions
from catalog.models import DutyItem, DutyList

from .models import ReviewPolicy, StageChange, Submission, SubmittedItem

Stage = DutyList.Stage


def township_or_editor(user, duty_list: DutyList) -> bool:
    """The township's own officials submit; the county editor may do it for them."""
    return permissions.is_official_of(user, duty_list.township) or permissions.can_manage_county(
        user, duty_list.township.county_id
    )


def county_editor(user, duty_list: DutyList) -> bool:
    return permissions.can_manage_county(user, duty_list.township.county_id)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    source: str
    target: str
    allowed: Callable  # (user, duty_list) -> bool


# The three rounds: each 上 is a submission by the township, each 下 a round of
# comments the county editor opens.
ROUNDS = [
    Transition("submit", "一上：提交清单", Stage.DRAFTING, Stage.FIRST_SUBMITTED, township_or_editor),
    Transition(
        "open_comments", "一下：征求部门意见", Stage.FIRST_SUBMITTED, Stage.FIRST_FEEDBACK, county_editor
    ),
    Transition(
        "submit", "二上：提交修改稿", Stage.FIRST_FEEDBACK, Stage.SECOND_SUBMITTED, township_or_editor
    ),
    Transition(
        "open_comments", "二下：再次征求意见", Stage.SECOND_SUBMITTED, Stage.SECOND_FEEDBACK, county_editor
    ),
    Transition(
        "submit", "三上：提交送审稿", Stage.SECOND_FEEDBACK, Stage.THIRD_SUBMITTED, township_or_editor
    ),
    Transition(
        "start_coordination", "三下：协调拍板", Stage.THIRD_SUBMITTED, Stage.COORDINATION, county_editor
    ),
]
# After the coordination meeting: the steps a county has switched on, in this order.
CLOSING = [
    (Stage.CONSULTATION, "start_consultation", "征求意见", "has_consultation"),
    (Stage.DELIBERATION, "start_deliberation", "研究论证", "has_deliberation"),
    (Stage.CONGRESS_REVIEW, "start_congress_review", "人大常委会审议", "has_congress_review"),
    (Stage.APPROVED, "approve", "审定", None),
]
SUBMISSION_ROUND = {Stage.FIRST_SUBMITTED: 1, Stage.SECOND_SUBMITTED: 2, Stage.THIRD_SUBMITTED: 3}


def policy_for(county) -> ReviewPolicy:
    return ReviewPolicy.objects.filter(county=county).first() or ReviewPolicy(county=county)


def transitions(policy: ReviewPolicy) -> list[Transition]:
    """The county's whole table: the rounds, then the closing steps it has switched on."""
    table = list(ROUNDS)
    previous = Stage.COORDINATION
    for stage, action, label, switch in CLOSING:
        if switch is None or getattr(policy, switch):
            table.append(Transition(action, label, previous, stage, county_editor))
            previous = stage
    return table


def available(duty_list: DutyList, user) -> list[Transition]:
    """The actions the user may take on the list now (for buttons; `perform` checks again)."""
    table = transitions(policy_for(duty_list.township.county))
    return [t for t in table if t.source == duty_list.stage and t.allowed(user, duty_list)]


@transaction.atomic
def perform(duty_list: DutyList, action: str, *, user, note: str = "") -> StageChange:
    """Apply one action to the list, or refuse it with a Chinese message and change nothing."""
    locked = DutyList.objects.select_for_update().select_related("township__county").get(pk=duty_list.pk)
    table = transitions(policy_for(locked.township.county))
    transition = next((t for t in table if t.action == action and t.source == locked.stage), None)
    if transition is None:
        known = any(t.action == action for t in table)
        reason = "当前阶段不能进行此操作" if known else "没有这项操作"
        raise ValidationError(f"“{locked.title}”处于“{locked.get_stage_display()}”阶段，{reason}。")
    if user is None or not transition.allowed(user, locked):
        raise PermissionDenied(f"您不能对“{locked.title}”进行“{transition.label}”。")
    if (
        transition.target in SUBMISSION_ROUND
        and not DutyItem.objects.active().filter(duty_list=locked).exists()
    ):
        raise ValidationError(f"“{locked.title}”还没有任何事项，不能提交。")
    if action == "approve" and not note.strip():
        raise ValidationError("审定须写明会议名称、日期和文号。")
    if transition.target in SUBMISSION_ROUND:
        freeze(locked, SUBMISSION_ROUND[transition.target], user=user, note=note)
    change = StageChange.objects.create(
        duty_list=locked,
        action=action,
        from_stage=locked.stage,
        to_stage=transition.target,
        changed_by=user,
        note=note,
    )
    locked.stage = transition.target
    locked._change_reason = transition.label
    locked.save(update_fields=["stage", "updated_at"])
    duty_list.stage = locked.stage
    return change


def freeze(duty_list: DutyList, round_number: int, *, user, note: str) -> Submission:
    """Copy the list as it stands into a submission of its own."""
    submission = Submission.objects.create(
        duty_list=duty_list, round=round_number, list_version=duty_list.version, submitted_by=user, note=note
    )
    items = (
        DutyItem.objects.active()
        .filter(duty_list=duty_list)
        .select_related("category", "responsible_office", "receiving_department")
        .prefetch_related("lead_departments")
    )
    SubmittedItem.objects.bulk_create(SubmittedItem.copy_of(submission, item) for item in items)
    return submission

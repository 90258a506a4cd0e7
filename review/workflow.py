"""Every stage change of a list, stated once: which action moves which stage to which, who may, and when.

The table below is the whole workflow. `perform` applies one action in one
transaction: it locks the list row, re-checks the stage against the table,
checks who is acting and the action's preconditions, applies its effect
(freezing a submission, opening or closing a comment window, raising the
disputes, recording the approval), moves the stage and writes a
`StageChange`. Two people pressing the same button at once therefore produce
one change: the second finds the stage already moved and is refused. Nothing
else assigns `DutyList.stage`.

A round of comments (下) runs inside the submitted stage: the county editor
opens a window on the submission for the departments asked, with a deadline;
closing it sends the comments down to the township (一上 → 一下). The
township cannot submit again until every comment has an answer.

Counties differ after the coordination meeting: 征求意见 and 研究论证 can be
switched off and 人大常委会审议 switched on (`ReviewPolicy`); the chain of
those steps is computed per county.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog import coverage
from catalog.actors import permits, recorded_user
from catalog.models import DutyItem, DutyList
from catalog.refusals import Conflict, Forbidden, PreconditionFailed

from . import notifications, proposals, rounds
from .models import (
    Approval,
    Comment,
    CommentWindow,
    Dispute,
    Invitation,
    ReviewPolicy,
    StageChange,
)
from .permissions import county_editor, township_or_editor
from .records import (  # noqa: F401 (read from here by the rest of the project)
    changed_fields,
    close_window,
    dispute_for,
    freeze,
    latest_submission,
    mark_disputed,
    mark_outdated,
    open_window,
)

Stage = DutyList.Stage


# Preconditions: each returns the problems (Chinese sentences) that stop the action.


def has_items(duty_list: DutyList, params: dict) -> list[str]:
    if DutyItem.objects.active().filter(duty_list=duty_list).exists():
        return []
    return [f"“{duty_list.title}”还没有任何事项，不能提交。"]


def mandatory_listed(duty_list: DutyList, params: dict) -> list[str]:
    """The county's mandatory catalogue entries, when its policy stops a list that misses some."""
    if policy_for(duty_list.township.county).missing_mandatory != ReviewPolicy.MissingMandatory.BLOCK:
        return []
    missing = coverage.missing_mandatory(duty_list)
    return [coverage.missing_mandatory_lines(missing)] if missing else []


def first_submission_ready(duty_list: DutyList, params: dict) -> list[str]:
    return has_items(duty_list, params) + mandatory_listed(duty_list, params)


def comments_answered(duty_list: DutyList, params: dict) -> list[str]:
    waiting = Comment.objects.filter(duty_list=duty_list, state=Comment.State.OPEN).count()
    if waiting:
        return [f"还有 {waiting} 条意见没有答复，请逐条答复（采纳、部分采纳或不采纳）后再提交。"]
    return []


def can_submit_again(duty_list: DutyList, params: dict) -> list[str]:
    return has_items(duty_list, params) + comments_answered(duty_list, params)


def no_window_yet(duty_list: DutyList, params: dict) -> list[str]:
    problems = []
    if open_window(duty_list) is not None:
        problems.append("本轮意见征求已经发起，请先结束。")
    elif CommentWindow.objects.filter(submission=latest_submission(duty_list)).exists():
        problems.append("本次提交的意见征求已经结束，不能再次发起。")
    departments = list(params.get("departments") or [])
    if not departments:
        problems.append("请至少选择一个征求意见的部门。")
    elif any(d.county_id != duty_list.township.county_id for d in departments):
        problems.append("只能向本县的部门征求意见。")
    deadline = params.get("deadline")
    if deadline is None:
        problems.append("请填写反馈截止日期。")
    elif deadline < timezone.localdate():
        problems.append(f"截止日期 {deadline:%Y-%m-%d} 已经过去，请选择今天或以后的日期。")
    return problems


def window_can_close(duty_list: DutyList, params: dict) -> list[str]:
    """Before the deadline a window closes once every department has finished, or early when the editor
    confirms (`early`) that those still working are recorded as 未反馈."""
    window = open_window(duty_list)
    if window is None:
        return ["还没有发起意见征求，没有可以结束的意见征求。"]
    waiting = unfinished_departments(window)
    if window.is_past_deadline() or not waiting or params.get("early"):
        return []
    return [
        f"截止日期（{window.deadline:%Y-%m-%d}）前结束，须确认将尚未反馈完毕的部门记为“未反馈”；"
        f"尚未反馈完毕：{'、'.join(waiting)}。"
    ]


def unfinished_departments(window: CommentWindow) -> list[str]:
    return [i.department.name for i in window.invitations.select_related("department") if not i.finished_at]


def ready_for_coordination(duty_list: DutyList, params: dict) -> list[str]:
    if open_window(duty_list) is not None:
        return ["意见征求尚未结束，请先结束后再提请协调。"]
    return []


def disputes_decided(duty_list: DutyList, params: dict) -> list[str]:
    waiting = Dispute.objects.filter(duty_list=duty_list, decision__isnull=True).count()
    if waiting:
        return [f"还有 {waiting} 个争议事项等待县领导协调拍板。"]
    return []


def can_close_step(duty_list: DutyList, params: dict) -> list[str]:
    problems = disputes_decided(duty_list, params) + comments_answered(duty_list, params)
    problems += proposals.proposals_applied(duty_list, params)
    deadline = params.get("deadline")
    if deadline is not None and deadline < timezone.localdate():
        problems.append(f"截止日期 {deadline:%Y-%m-%d} 已经过去，请选择今天或以后的日期。")
    return problems


def approval_recorded(duty_list: DutyList, params: dict) -> list[str]:
    problems = can_close_step(duty_list, params)
    labels = {"meeting": "审定会议", "approved_on": "审定日期", "document_number": "文号"}
    missing = [label for name, label in labels.items() if not params.get(name)]
    if missing:
        problems.append(f"审定须填写{'、'.join(missing)}。")
    elif params["approved_on"] > timezone.localdate():
        problems.append("审定日期不能晚于今天。")
    return problems


def window_not_opened(duty_list: DutyList) -> bool:
    latest = latest_submission(duty_list)
    return latest is not None and not CommentWindow.objects.filter(submission=latest).exists()


def window_running(duty_list: DutyList) -> bool:
    return open_window(duty_list) is not None


# Effects: what an action does besides moving the stage.


def submit(duty_list: DutyList, transition: "Transition", by, note: str, params: dict) -> None:
    submission = freeze(duty_list, transition.target, by=by, note=note)
    mark_outdated(duty_list, submission, by=by)


def start_window(duty_list: DutyList, transition: "Transition", by, note: str, params: dict) -> None:
    window = CommentWindow.objects.create(
        duty_list=duty_list,
        submission=latest_submission(duty_list),
        deadline=params["deadline"],
        opened_by=recorded_user(by),
    )
    departments = list(params["departments"])
    Invitation.objects.bulk_create(Invitation(window=window, department=d) for d in departments)
    notifications.notify(
        notifications.department_reviewers(departments),
        f"请在 {window.deadline:%Y-%m-%d} 前对“{duty_list.title}”（{window.submission.label}）提出意见。",
        reverse("review:window", args=[window.pk]),
    )


def end_window(duty_list: DutyList, transition: "Transition", by, note: str, params: dict) -> None:
    window = open_window(duty_list)
    window.closed_by = recorded_user(by)
    window.closed_at = timezone.now()
    window.save(update_fields=["closed_by", "closed_at"])
    count = (
        Comment.objects.filter(duty_list=duty_list, state=Comment.State.OPEN)
        .exclude(position=Comment.Position.AGREE)
        .count()
    )
    notifications.notify(
        notifications.township_officials(duty_list.township),
        f"“{duty_list.title}”的部门意见已反馈，{count} 条意见待答复。",
        reverse("review:list_comments", args=[duty_list.pk]),
    )


def raise_disputes(duty_list: DutyList, transition: "Transition", by, note: str, params: dict) -> None:
    """What is still contested after the last round becomes a dispute with both positions."""
    contested = (
        Comment.objects.filter(duty_list=duty_list, state__in=[Comment.State.OPEN, Comment.State.ANSWERED])
        .exclude(position=Comment.Position.AGREE)
        .select_related("department", "proposed_receiving_department", "proposed_category")
        .prefetch_related("proposed_lead_departments")
    )
    disputes = [dispute_for(comment, raised_by=recorded_user(by)) for comment in contested]
    Dispute.objects.bulk_create(disputes)
    mark_disputed([d.comment for d in disputes], by=by)
    if disputes:
        notifications.notify(
            notifications.county_leaders(duty_list.township.county_id),
            f"“{duty_list.title}”有 {len(disputes)} 个争议事项提请协调拍板。",
            reverse("review:docket") + f"?county={duty_list.township.county_id}",
        )


def start_consultees(duty_list: DutyList, transition: "Transition", by, note: str, params: dict) -> None:
    """征求意见 and 研究论证: consultees comment on the text as it stands now."""
    close_window(duty_list, by)
    submission = freeze(duty_list, transition.target, by=by, note=note)
    CommentWindow.objects.create(
        duty_list=duty_list,
        submission=submission,
        kind=CommentWindow.Kind.CONSULTEES,
        deadline=params.get("deadline"),
        opened_by=recorded_user(by),
    )
    notifications.notify(
        notifications.consultees(duty_list.township.county_id),
        f"“{duty_list.title}”进入{transition.label}阶段，请提出意见。",
        reverse("review:window", args=[open_window(duty_list).pk]),
    )


def freeze_for_review(duty_list: DutyList, transition: "Transition", by, note: str, params: dict) -> None:
    close_window(duty_list, by)
    freeze(duty_list, transition.target, by=by, note=note)


def approve(duty_list: DutyList, transition: "Transition", by, note: str, params: dict) -> None:
    close_window(duty_list, by)
    submission = freeze(duty_list, transition.target, by=by, note=note)
    Approval.objects.create(
        duty_list=duty_list,
        submission=submission,
        meeting=params["meeting"],
        approved_on=params["approved_on"],
        document_number=params["document_number"],
        recorded_by=recorded_user(by),
    )


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    source: str
    target: str  # the same as `source` for an action inside a stage
    allowed: Callable  # (user, duty_list) -> bool
    preconditions: Callable | None = None  # (duty_list, params) -> list of problems
    effect: Callable | None = None  # (duty_list, transition, user, note, params) -> None
    params: tuple[str, ...] = field(default=())  # what the action's form asks for
    # Whether to offer the action at all just now (a window to close only while one is open).
    offered: Callable | None = None  # (duty_list) -> bool
    # The page (URL name taking the list's id) where the action's form lives, when it has one of
    # its own; otherwise the review page's form performs it.
    page: str = ""
    # Irreversible: the page shows what will happen and asks to confirm before performing it.
    confirm: bool = False

    @property
    def moves(self) -> bool:
        return self.source != self.target


def round_of(submitted: str, after: str, open_label: str, close_label: str) -> list[Transition]:
    """Opening and closing a window of comments on a submission (一下, 二下, and the 三上 check)."""
    return [
        Transition(
            "open_comments",
            open_label,
            submitted,
            submitted,
            county_editor,
            no_window_yet,
            start_window,
            ("departments", "deadline"),
            window_not_opened,
        ),
        Transition(
            "close_comments",
            close_label,
            submitted,
            after,
            county_editor,
            window_can_close,
            end_window,
            ("early",),
            offered=window_running,
        ),
    ]


def withdrawal(submitted: str, back: str, label: str) -> Transition:
    """The township takes a submission back while no department has given feedback on it."""
    return Transition(
        "withdraw",
        label,
        submitted,
        back,
        township_or_editor,
        rounds.nobody_answered_yet,
        rounds.withdraw,
        offered=rounds.withdrawable,
    )


# The three rounds: each 上 is a submission by the township, each 下 a window
# of comments the county editor opens and closes.
ROUNDS = [
    Transition(
        "submit",
        "一上：提交清单",
        Stage.DRAFTING,
        Stage.FIRST_SUBMITTED,
        township_or_editor,
        first_submission_ready,
        submit,
        confirm=True,
    ),
    *round_of(
        Stage.FIRST_SUBMITTED, Stage.FIRST_FEEDBACK, "一下：征求部门意见", "一下：结束征求，意见反馈乡镇"
    ),
    withdrawal(Stage.FIRST_SUBMITTED, Stage.DRAFTING, "撤回一上"),
    Transition(
        "submit",
        "二上：提交修改稿",
        Stage.FIRST_FEEDBACK,
        Stage.SECOND_SUBMITTED,
        township_or_editor,
        can_submit_again,
        submit,
        confirm=True,
    ),
    *round_of(
        Stage.SECOND_SUBMITTED, Stage.SECOND_FEEDBACK, "二下：征求部门意见", "二下：结束征求，意见反馈乡镇"
    ),
    withdrawal(Stage.SECOND_SUBMITTED, Stage.FIRST_FEEDBACK, "撤回二上"),
    Transition(
        "submit",
        "三上：提交送审稿",
        Stage.SECOND_FEEDBACK,
        Stage.THIRD_SUBMITTED,
        township_or_editor,
        can_submit_again,
        submit,
        confirm=True,
    ),
    # After 三上 the departments may be asked once more to confirm or keep
    # their positions; whatever is still contested then becomes a dispute.
    *round_of(Stage.THIRD_SUBMITTED, Stage.THIRD_SUBMITTED, "三上：请部门确认意见", "三上：结束意见确认"),
    withdrawal(Stage.THIRD_SUBMITTED, Stage.SECOND_FEEDBACK, "撤回三上"),
    Transition(
        "start_coordination",
        "三下：提请协调拍板",
        Stage.THIRD_SUBMITTED,
        Stage.COORDINATION,
        county_editor,
        ready_for_coordination,
        raise_disputes,
        confirm=True,
    ),
]
# After the coordination meeting: the steps a county has switched on, in this order.
CLOSING = [
    (Stage.CONSULTATION, "start_consultation", "征求意见", "has_consultation", start_consultees),
    (Stage.DELIBERATION, "start_deliberation", "研究论证", "has_deliberation", start_consultees),
    (
        Stage.CONGRESS_REVIEW,
        "start_congress_review",
        "人大常委会审议",
        "has_congress_review",
        freeze_for_review,
    ),
    (Stage.APPROVED, "approve", "审定", None, approve),
]
APPROVAL_PARAMS = ("meeting", "approved_on", "document_number")


# 印发公布 is the publication app's step (it builds on this one): `publication.services.publish_list`
# asks for this move and hands over the function that writes the edition, so the edition and the
# move are one transaction, and the move never happens without an edition.
def publication_ready(duty_list: DutyList, params: dict) -> list[str]:
    """What publishing an approved list needs: its approval, an effective date, a 文号 and an edition."""
    problems = []
    if not Approval.objects.filter(duty_list=duty_list).exists():
        problems.append("清单还没有审定记录，不能公布。")
    if not params.get("effective_on"):
        problems.append("请填写施行日期。")
    if not (params.get("document_number") or "").strip():
        problems.append("请填写印发文号。")
    if not callable(params.get("write_edition")):
        problems.append("请在“印发公布”页面公布：公布会生成清单的公布版本。")
    return problems


def publish(duty_list: DutyList, transition: "Transition", by, note: str, params: dict) -> None:
    params["write_edition"](
        duty_list,
        by=by,
        effective_on=params["effective_on"],
        document_number=params["document_number"].strip(),
        note=note,
    )


def policy_for(county) -> ReviewPolicy:
    return ReviewPolicy.objects.filter(county=county).first() or ReviewPolicy(county=county)


def transitions(policy: ReviewPolicy, current: str | None = None) -> list[Transition]:
    """The county's whole table: the rounds, then the closing steps it has switched on.

    The `current` stage of a list stays in its chain even if the county switched
    that step off meanwhile, so a list already in it can still move on.
    """
    table = list(ROUNDS)
    previous = Stage.COORDINATION
    for stage, action, label, switch, effect in CLOSING:
        if switch is None or getattr(policy, switch) or stage == current:
            preconditions = approval_recorded if action == "approve" else can_close_step
            params = APPROVAL_PARAMS if action == "approve" else ()
            table.append(
                Transition(
                    action,
                    label,
                    previous,
                    stage,
                    county_editor,
                    preconditions,
                    effect,
                    params,
                    confirm=action == "approve",
                )
            )
            previous = stage
    table.append(
        Transition(
            "publish",
            "印发公布",
            Stage.APPROVED,
            Stage.PUBLISHED,
            county_editor,
            publication_ready,
            publish,
            ("effective_on", "document_number"),
            page="publication:publish",
        )
    )
    return table


def available(duty_list: DutyList, by) -> list[Transition]:
    """The actions the user may take on the list now (for buttons; `perform` checks again)."""
    table = transitions(policy_for(duty_list.township.county), duty_list.stage)
    return [
        t
        for t in table
        if t.source == duty_list.stage
        and t.allowed(by, duty_list)
        and (t.offered is None or t.offered(duty_list))
    ]


@transaction.atomic
def perform(duty_list: DutyList, action: str, *, by, note: str = "", **params) -> StageChange:
    """Apply one action to the list, or refuse it with a Chinese message and change nothing."""
    locked = DutyList.objects.select_for_update().select_related("township__county").get(pk=duty_list.pk)
    table = transitions(policy_for(locked.township.county), locked.stage)
    transition = next((t for t in table if t.action == action and t.source == locked.stage), None)
    if transition is None:
        known = any(t.action == action for t in table)
        reason = "当前阶段不能进行此操作" if known else "没有这项操作"
        raise Conflict(
            f"“{locked.title}”处于“{locked.get_stage_display()}”阶段，{reason}。",
            code="wrong_stage" if known else "unknown_action",
        )
    if not permits(by, transition.allowed, locked):
        raise Forbidden(f"您不能对“{locked.title}”进行“{transition.label}”。", code="not_allowed")
    problems = transition.preconditions(locked, params) if transition.preconditions else []
    if problems:
        raise PreconditionFailed(problems)
    if transition.effect:
        transition.effect(locked, transition, by, note, params)
    change = StageChange.objects.create(
        duty_list=locked,
        action=action,
        label=transition.label,
        from_stage=locked.stage,
        to_stage=transition.target,
        changed_by=recorded_user(by),
        note=note,
    )
    if transition.moves:
        locked.stage = transition.target
        locked._change_reason = transition.label
        locked.save(update_fields=["stage", "updated_at"])
        duty_list.stage = locked.stage
    return change

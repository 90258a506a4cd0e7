"""Accepted proposals the list is still waiting for.

During 征求意见, 研究论证 and 人大常委会审议 the township answers the consultees' comments but may not
edit the list (`STAGE_RULES`): the county editor does. A proposal the township accepts then waits
until whoever may edit the list at that stage applies it (`services.apply_accepted`); the county editors are
told, and the list cannot take its next step while any waits, so 意见采纳情况表 never reports as
adopted a wording that is not in the list.
"""

from catalog.models import DutyList

from .models import Comment, CommentWindow


def waiting(duty_list: DutyList) -> list[Comment]:
    """Consultees' proposals the township accepted that are not in the list yet, oldest first."""
    candidates = (
        Comment.objects.filter(
            duty_list=duty_list,
            window__kind=CommentWindow.Kind.CONSULTEES,
            answer=Comment.Answer.ACCEPTED,
            applied_at__isnull=True,
            outdated_at__isnull=True,
            position__in=[Comment.Position.MODIFY, Comment.Position.ADD],
        )
        .select_related("proposed_receiving_department", "proposed_category")
        .prefetch_related("proposed_lead_departments")
        .order_by("answered_at", "pk")
    )
    return [comment for comment in candidates if comment.has_proposal]


def proposals_applied(duty_list: DutyList, params: dict) -> list[str]:
    """A precondition of every step after the coordination meeting."""
    pending = waiting(duty_list)
    if not pending:
        return []
    names = "、".join(f"“{c.item_name or c.proposed_name}”（{c.signature}）" for c in pending[:10])
    return [f"还有 {len(pending)} 条已采纳的意见没有修改到清单：{names}。请先按意见修改清单。"]

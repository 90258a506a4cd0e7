"""Who may take part in the review, and how: every rule once, here.

These rules say who may act; `review/services.py` and `review/workflow.py`
also check when (the stage, the window, the deadline) and refuse with a
Chinese message either way.

- A department reviewer comments for their own department, on lists of their
  county, in the windows that asked their department.
- A consultee comments in the consultees' window (征求意见, 研究论证).
- The township's officials answer the comments on their list; the county
  editor may answer for them, and answers the consultees' comments too.
- The county editor opens and closes windows, escalates a comment to a
  dispute and sees the whole county; the county leader decides disputes.
- On the county template the roles turn: the county editor opens a round to
  the county's townships and answers; the officials of an invited township
  comment for it. Whoever belongs to the county may read the round.
"""

from catalog import permissions
from catalog.models import Department, DutyList, Membership, Township

from .models import Comment, CommentWindow, Dispute

Role = Membership.Role


def reviewer_departments(user, county_id: int | None = None) -> list[Department]:
    """The departments the user reviews for (of one county, when given)."""
    return [
        m.department
        for m in permissions.memberships_of(user)
        if m.role == Role.DEPARTMENT_REVIEWER and (county_id is None or m.county_id == county_id)
    ]


def has_role(user, role: str, county_id: int) -> bool:
    return any(m.role == role and m.county_id == county_id for m in permissions.memberships_of(user))


def signing_departments(user, window: CommentWindow) -> list[Department]:
    """The departments the user may sign a comment for in the window."""
    if window.kind != CommentWindow.Kind.DEPARTMENTS:
        return []
    invited = {i.department_id for i in window.invitations.all()}
    county_id = window.duty_list.township.county_id
    return [d for d in reviewer_departments(user, county_id) if d.pk in invited]


def signing_township(user, window: CommentWindow) -> Township | None:
    """The invited township the user is an official of, in a round on the county template."""
    if not window.is_on_template:
        return None
    invited = {i.township_id: i.township for i in window.invitations.select_related("township")}
    return next(
        (
            invited[m.township_id]
            for m in permissions.memberships_of(user)
            if m.role == Role.TOWNSHIP_OFFICIAL and m.township_id in invited
        ),
        None,
    )


def can_run_template_rounds(user, county_id: int) -> bool:
    """Open, answer and close the rounds on the county's template: its editors."""
    return permissions.can_manage_county(user, county_id)


def can_see_template_round(user, window: CommentWindow) -> bool:
    """Anyone of the county (else the round answers 404)."""
    return user.is_superuser or any(m.county_id == window.county_id for m in permissions.memberships_of(user))


def consultee_title(user, county_id: int) -> str | None:
    """How a consultee signs (their title, or 征求意见对象), or None if they are none in the county."""
    for m in permissions.memberships_of(user):
        if m.role == Role.CONSULTEE and m.county_id == county_id:
            return m.title or "征求意见对象"
    return None


# Who may take a list's stage forward (the workflow table names one of these per action).


def township_or_editor(user, duty_list: DutyList) -> bool:
    """The township's own officials submit; the county editor may do it for them."""
    return permissions.is_official_of(user, duty_list.township) or permissions.can_manage_county(
        user, duty_list.township.county_id
    )


def county_editor(user, duty_list: DutyList) -> bool:
    return permissions.can_manage_county(user, duty_list.township.county_id)


def can_comment(user, window: CommentWindow) -> bool:
    if window.kind == CommentWindow.Kind.CONSULTEES:
        return consultee_title(user, window.duty_list.township.county_id) is not None
    if window.is_on_template:
        return signing_township(user, window) is not None
    return bool(signing_departments(user, window))


def can_answer(user, comment: Comment) -> bool:
    """The township answers the comments on its list; the county editor may answer for it. The
    townships' comments on the county template are the editor's to answer."""
    if comment.duty_list_id is None:
        return can_run_template_rounds(user, comment.window.county_id)
    return permissions.is_official_of(user, comment.duty_list.township) or permissions.can_manage_county(
        user, comment.duty_list.township.county_id
    )


def can_respond_to_answer(user, comment: Comment) -> bool:
    """Accept or keep a position after the township's answer: whoever may sign for its author."""
    if comment.department_id is None:
        return comment.author_id == user.pk
    county_id = comment.duty_list.township.county_id
    return any(d.pk == comment.department_id for d in reviewer_departments(user, county_id))


def can_escalate(user, duty_list: DutyList) -> bool:
    return permissions.can_manage_county(user, duty_list.township.county_id)


def can_decide_in(user, county_id: int) -> bool:
    return user.is_superuser or has_role(user, Role.COUNTY_LEADER, county_id)


def can_decide(user, dispute: Dispute) -> bool:
    return can_decide_in(user, dispute.duty_list.township.county_id)


def can_see_board(user, county_id: int) -> bool:
    """The county's board and docket: its editors and leaders, and, to read, the province and city
    editors above it (neither page acts; deciding is `can_decide`)."""
    return (
        permissions.can_manage_county(user, county_id)
        or has_role(user, Role.COUNTY_LEADER, county_id)
        or permissions.can_supervise_county(user, county_id)
    )

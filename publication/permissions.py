"""Who may file, see, review and answer adjustments of a published list (动态调整).

- A township's officials file for their township; a department's reviewers and the county
  editor for any township of their county.
- The county editor reviews (comments, approves or rejects) the adjustments of their county.
- Whoever may see the township's drafts sees its adjustments; the applicant, or the
  township's officials, answer the editor's comments.
"""

from catalog import permissions
from catalog.models import Membership, Township

from .models import Adjustment, Feedback

Role = Membership.Role


def can_file_adjustment(user, township: Township) -> bool:
    if permissions.is_official_of(user, township) or permissions.can_manage_county(user, township.county_id):
        return True
    return any(
        m.role == Role.DEPARTMENT_REVIEWER and m.county_id == township.county_id
        for m in permissions.memberships_of(user)
    )


def signature_for(user, township: Township) -> str:
    """The organisation an applicant files for: their township, department, or 县委编办."""
    if permissions.is_official_of(user, township):
        return township.name
    for m in permissions.memberships_of(user):
        if m.role == Role.DEPARTMENT_REVIEWER and m.county_id == township.county_id:
            return m.department.name
    return "县委编办"


def can_see_adjustment(user, adjustment: Adjustment) -> bool:
    return adjustment.filed_by_id == user.pk or permissions.can_see_township(user, adjustment.township)


def can_review_adjustment(user, adjustment: Adjustment) -> bool:
    return permissions.can_manage_county(user, adjustment.township.county_id)


def can_answer_remark(user, adjustment: Adjustment) -> bool:
    return adjustment.filed_by_id == user.pk or permissions.is_official_of(user, adjustment.township)


def can_handle_feedback(user, feedback: Feedback) -> bool:
    """群众反映 are handled by the county editor of the township's county."""
    return permissions.can_manage_county(user, feedback.township.county_id)


def can_file_dispatch_dispute(user, township: Township) -> bool:
    """派单异议 are recorded by accounts of the township's county (the hotline's integration account
    among them); nobody records one against another county's list."""
    return user.is_superuser or any(
        m.county_id == township.county_id for m in permissions.memberships_of(user)
    )


def can_handle_dispatch_dispute(user, dispute) -> bool:
    """The county editor answers a dispute, or turns it into an adjustment request."""
    return permissions.can_manage_county(user, dispute.township.county_id)

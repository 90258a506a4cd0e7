"""Who may file, see, review and answer adjustments of a published list (动态调整).

- A township's officials file for their township; a department's reviewers and the county
  editor for any township of their county.
- The county editor reviews (comments, approves or rejects) the adjustments of their county.
- Whoever may see the township's drafts sees its adjustments; the applicant, or the
  township's officials, answer the editor's comments.
"""

from catalog import permissions
from catalog.actors import is_integration
from catalog.models import Membership, Township

from .models import Adjustment, Admission, AdmissionPolicy, Feedback

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


# 职责准入: who files a request, who acts at each stage (`Admission.STAGES` names the rule).


def can_file_admission(user, county_id: int, department_id: int) -> bool:
    """A department's reviewers file for their department; the county editor for any of the county's
    (a request handed in on paper)."""
    if permissions.can_manage_county(user, county_id):
        return True
    return any(
        m.role == Role.DEPARTMENT_REVIEWER and m.department_id == department_id and m.county_id == county_id
        for m in permissions.memberships_of(user)
    )


def filing_departments(user) -> list[int]:
    """The departments a user files for as their reviewer."""
    return [m.department_id for m in permissions.memberships_of(user) if m.role == Role.DEPARTMENT_REVIEWER]


def admission_policy(county_id: int) -> AdmissionPolicy:
    """The county's settings, or the defaults (unsaved) while it has none."""
    return AdmissionPolicy.objects.filter(county_id=county_id).first() or AdmissionPolicy(county_id=county_id)


def is_legality_reviewer(user, policy: AdmissionPolicy) -> bool:
    """The reviewers of the department the county designated for legality review (司法局)."""
    return policy.legality_department_id is not None and any(
        m.role == Role.DEPARTMENT_REVIEWER and m.department_id == policy.legality_department_id
        for m in permissions.memberships_of(user)
    )


ADMISSION_ACTORS = {
    "county_editor": lambda user, policy: permissions.can_manage_county(user, policy.county_id),
    "legality_department": is_legality_reviewer,
}


def can_act_on_admission(user, admission: Admission, policy: AdmissionPolicy) -> bool:
    """Whether the user acts at the request's present stage (nobody once it is decided)."""
    stage = admission.stage
    return stage is not None and ADMISSION_ACTORS[stage.actor](user, policy)


def can_see_admission(user, admission: Admission) -> bool:
    """Everyone of the county but township officials (who see decided requests on the register)."""
    if user.is_superuser or admission.filed_by_id == user.pk:
        return True
    return any(
        m.county_id == admission.county_id and m.role != Role.TOWNSHIP_OFFICIAL
        for m in permissions.memberships_of(user)
    )


def can_file_dispatch_dispute(user, township: Township) -> bool:
    """派单异议 are recorded by accounts of the township's county: its people and its integrating
    systems (the hotline's account); nobody records one against another county's list."""
    if is_integration(user):
        return user.county_id == township.county_id
    return user.is_superuser or any(
        m.county_id == township.county_id for m in permissions.memberships_of(user)
    )


def can_handle_dispatch_dispute(user, dispute) -> bool:
    """The county editor answers a dispute, or turns it into an adjustment request."""
    return permissions.can_manage_county(user, dispute.township.county_id)

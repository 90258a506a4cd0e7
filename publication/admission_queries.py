"""Reads of 职责准入: the board of open requests, the public register and the tasks of 待我处理.
Each is a fixed number of queries whatever the number of requests or townships."""

from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse

from catalog import permissions as catalog_permissions
from catalog.models import Membership, Township
from review.inbox import Task

from .models import Admission, AdmissionPolicy

Role = Membership.Role
State = Admission.State


def states_acted_by(actor: str) -> list[str]:
    """The open states at which the rule `actor` of `Admission.STAGES` acts."""
    return [state for state, stage in Admission.STAGES.items() if stage.actor == actor]


def with_details(rows: QuerySet[Admission]) -> QuerySet[Admission]:
    return rows.select_related("county", "department", "matched_item__edition__township").prefetch_related(
        Prefetch("townships", queryset=Township.objects.order_by("order", "code"))
    )


def awaiting(user) -> QuerySet[Admission]:
    """The open requests at a stage where the user acts (see `Admission.STAGES`)."""
    if user.is_superuser:
        return Admission.objects.filter(state__in=Admission.STAGES)
    memberships = catalog_permissions.memberships_of(user)
    edited = [m.county_id for m in memberships if m.role == Role.COUNTY_EDITOR]
    reviewing = [m.department_id for m in memberships if m.role == Role.DEPARTMENT_REVIEWER]
    legality_counties = AdmissionPolicy.objects.filter(legality_department__in=reviewing).values("county")
    return Admission.objects.filter(
        Q(county__in=edited, state__in=states_acted_by("county_editor"))
        | Q(county__in=legality_counties, state__in=states_acted_by("legality_department"))
    )


def board(user) -> QuerySet[Admission]:
    """Every request the user may see (`permissions.can_see_admission`): open ones first, nearest
    deadline first, then decided ones, newest decision first (on every database: NULLs placed)."""
    rows = Admission.objects.all()
    if not user.is_superuser:
        memberships = catalog_permissions.memberships_of(user)
        counties = [m.county_id for m in memberships if m.role != Role.TOWNSHIP_OFFICIAL]
        rows = rows.filter(Q(county__in=counties) | Q(filed_by=user.pk))
    return with_details(rows).order_by(F("decided_at").desc(nulls_first=True), "deadline", "-filed_at")


def register(county) -> QuerySet[Admission]:
    """The county's decided requests, newest decision first: the public register."""
    return with_details(Admission.objects.filter(county=county, state__in=Admission.DECIDED)).order_by(
        "-decided_at", "-pk"
    )


def admission_tasks(user) -> list[Task]:
    """待我处理: each request waiting at a stage where the user acts, nearest deadline first
    (registered as a task source in apps.py)."""
    rows = awaiting(user).select_related("department").order_by("deadline", "filed_at")
    return [
        Task(
            "待办理的职责准入申请",
            f"{row.department.name}：{row.name}（{row.get_state_display()}）",
            reverse("publication:admission", args=[row.pk]),
            f"办理时限 {row.deadline:%Y-%m-%d}" + ("，已超期" if row.is_overdue else ""),
        )
        for row in rows
    ]

"""待我处理: what waits for a user. Review's own tasks are read here; other apps add theirs through
`register` (publication registers the public feedback waiting for the county editor in its
`AppConfig.ready`), since review may not import them. The badge counts what the page lists."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from catalog import permissions as catalog_permissions
from catalog.models import Department, DutyList, Membership, stages_where

from .models import Comment, CommentWindow, Dispute, Invitation, Notification, Submission

State = Comment.State
Role = Membership.Role


@dataclass(frozen=True)
class Task:
    """One task another app lists in 待我处理: under its section's heading, a link and a note."""

    section: str
    text: str
    url: str
    note: str = ""


# The callables `(user) -> list[Task]` other apps registered, each listing the tasks of its own.
SOURCES: list[Callable[..., list[Task]]] = []


def register(source: Callable[..., list[Task]]) -> None:
    """Add a task source (once, however often an app's `ready` runs)."""
    if source not in SOURCES:
        SOURCES.append(source)


@dataclass
class Inbox:
    to_answer: list = field(default_factory=list)  # (duty_list, count)
    to_comment: list = field(default_factory=list)  # QueueEntry-like: (window, invitation)
    to_respond: list = field(default_factory=list)  # (duty_list, department, count)
    to_decide: list = field(default_factory=list)  # Dispute
    to_close: list = field(default_factory=list)  # CommentWindow ready to close
    to_open: list = field(default_factory=list)  # DutyList submitted without a window
    to_consult: list = field(default_factory=list)  # consultees' windows open in the user's counties
    to_comment_template: list = field(
        default_factory=list
    )  # Invitation of the user's township to a template round
    to_answer_template: list = field(default_factory=list)  # template round (annotated `waiting`) to answer
    elsewhere: list = field(default_factory=list)  # Task: what other apps' registered sources list
    notifications: list = field(default_factory=list)

    # What the inbox page lists as tasks, section by section.
    TASKS = (
        "to_answer",
        "to_comment",
        "to_respond",
        "to_decide",
        "to_close",
        "to_open",
        "to_consult",
        "to_comment_template",
        "to_answer_template",
        "elsewhere",
    )

    @property
    def count(self) -> int:
        """The number beside 待我处理: one per task the page lists (a list to answer counts once,
        however many comments wait on it). Notifications are news, not tasks."""
        return sum(len(getattr(self, name)) for name in self.TASKS)


# Where a comment is answered: the township's stages after a round, or the consultees' steps.
ANSWERING = Q(
    duty_list__stage__in=stages_where(answers="departments"), window__kind=CommentWindow.Kind.DEPARTMENTS
) | Q(duty_list__stage__in=stages_where(answers="consultees"), window__kind=CommentWindow.Kind.CONSULTEES)


def inbox_for(user, *, with_notifications: bool = False) -> Inbox:
    inbox = Inbox()
    memberships = catalog_permissions.memberships_of(user)
    townships = [m.township_id for m in memberships if m.role == Role.TOWNSHIP_OFFICIAL]
    edited = [m.county_id for m in memberships if m.role == Role.COUNTY_EDITOR]
    leading = [m.county_id for m in memberships if m.role == Role.COUNTY_LEADER]
    departments = [m.department_id for m in memberships if m.role == Role.DEPARTMENT_REVIEWER]
    if townships or edited:
        department_window_open = Exists(
            CommentWindow.objects.filter(
                duty_list=OuterRef("duty_list"), closed_at__isnull=True, kind=CommentWindow.Kind.DEPARTMENTS
            )
        )
        # Townships answer every comment on their lists; editors the consultees' comments.
        whose = Q(duty_list__township__in=townships) | Q(
            duty_list__township__county__in=edited, window__kind=CommentWindow.Kind.CONSULTEES
        )
        waiting = (
            Comment.objects.filter(ANSWERING, whose, state=State.OPEN)
            .exclude(position=Comment.Position.AGREE)
            .exclude(department_window_open, window__kind=CommentWindow.Kind.DEPARTMENTS)
            .values("duty_list")
            .annotate(n=Count("pk"))
        )
        counts = {row["duty_list"]: row["n"] for row in waiting}
        lists = DutyList.objects.filter(pk__in=counts).select_related("township").order_by("township__order")
        inbox.to_answer = [(duty_list, counts[duty_list.pk]) for duty_list in lists]
    if departments:
        inbox.to_comment = list(
            Invitation.objects.filter(
                department__in=departments,
                finished_at__isnull=True,
                window__closed_at__isnull=True,
                window__deadline__gte=timezone.localdate(),
            )
            .select_related("department", "window__duty_list__township")
            .order_by("window__deadline")
        )
        responding = (
            Comment.objects.filter(department__in=departments, state=State.ANSWERED)
            .filter(
                Exists(
                    Invitation.objects.filter(
                        window__duty_list=OuterRef("duty_list"),
                        window__closed_at__isnull=True,
                        department=OuterRef("department"),
                    )
                )
            )
            .values("duty_list", "department")
            .annotate(n=Count("pk"))
        )
        rows = list(responding)
        lists = DutyList.objects.in_bulk({row["duty_list"] for row in rows})
        names = Department.objects.in_bulk({row["department"] for row in rows})
        inbox.to_respond = [(lists[row["duty_list"]], names[row["department"]], row["n"]) for row in rows]
    if leading or user.is_superuser:
        decide = Dispute.objects.filter(decision__isnull=True).select_related("duty_list__township")
        if not user.is_superuser:
            decide = decide.filter(duty_list__township__county__in=leading)
        inbox.to_decide = list(decide.order_by("duty_list__township__order", "raised_at"))
    if edited:
        today = timezone.localdate()
        windows = (
            CommentWindow.objects.filter(
                duty_list__township__county__in=edited,
                closed_at__isnull=True,
                kind=CommentWindow.Kind.DEPARTMENTS,
            )
            .annotate(unfinished=Count("invitations", filter=Q(invitations__finished_at__isnull=True)))
            .select_related("duty_list__township")
        )
        inbox.to_close = [w for w in windows if w.unfinished == 0 or w.deadline < today]
        # A window on the latest submission (a withdrawn submission's window does not count).
        latest = Submission.objects.filter(duty_list=OuterRef(OuterRef("pk"))).order_by("-round")
        has_window = Exists(CommentWindow.objects.filter(submission=Subquery(latest.values("pk")[:1])))
        inbox.to_open = list(
            DutyList.objects.filter(
                township__county__in=edited, stage__in=stages_where(asks_departments=True)
            )
            .exclude(has_window)
            .select_related("township")
        )
    consulting = [m.county_id for m in memberships if m.role == Role.CONSULTEE]
    if consulting:
        inbox.to_consult = list(
            CommentWindow.objects.filter(
                duty_list__township__county__in=consulting,
                kind=CommentWindow.Kind.CONSULTEES,
                closed_at__isnull=True,
            ).select_related("duty_list__township", "submission")
        )
    if townships:
        inbox.to_comment_template = list(
            Invitation.objects.filter(
                township__in=townships,
                window__closed_at__isnull=True,
                window__deadline__gte=timezone.localdate(),
            )
            .select_related("township", "window__catalogue")
            .order_by("window__deadline")
        )
    if edited:
        inbox.to_answer_template = list(
            CommentWindow.objects.filter(catalogue__county__in=edited, kind=CommentWindow.Kind.TOWNSHIPS)
            .annotate(waiting=Count("comments", filter=Comment.waiting("comments__")))
            .filter(waiting__gt=0)
            .select_related("catalogue")
        )
    inbox.elsewhere = [task for source in SOURCES for task in source(user)]
    if with_notifications:
        inbox.notifications = list(Notification.objects.filter(user=user).order_by("-created_at")[:50])
    return inbox

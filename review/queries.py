"""Reads for the review pages: each joins what its page shows in a fixed number of queries,
whatever the number of items or comments."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from catalog import merging
from catalog.columns import COLUMN, WORK_FIELDS
from catalog.comparison import ItemDiff, compare_rows
from catalog.models import (
    FROZEN_ORDER,
    PUBLISHED_ORDER,
    Department,
    DutyItem,
    DutyList,
    Membership,
    Township,
    naming_departments,
)

from . import permissions
from .models import (
    Comment,
    CommentWindow,
    Dispute,
    Invitation,
    Reply,
    StageChange,
    Submission,
    SubmittedItem,
)

Stage = DutyList.Stage
State = Comment.State
Role = Membership.Role
UNRESOLVED = [State.OPEN, State.ANSWERED]


def unresolved(via: str = "") -> Q:
    """Comments still to be settled (open or answered, and not 同意): the boards' 未解决意见, reached
    through `via` (e.g. "comments__")."""
    return Q(**{f"{via}state__in": UNRESOLVED}) & ~Q(**{f"{via}position": Comment.Position.AGREE})


def comments_with_names() -> QuerySet[Comment]:
    """Comments with everything their one-line summary prints."""
    return Comment.objects.select_related(
        "department",
        "author",
        "answered_by",
        "proposed_receiving_department",
        "proposed_category",
        "window__submission",
    ).prefetch_related("proposed_lead_departments")


def submitted_items(submission: Submission) -> list[SubmittedItem]:
    return list(submission.items.order_by(*FROZEN_ORDER))


def names_department(item: SubmittedItem, department_ids: set[int]) -> bool:
    return (
        bool(department_ids & set(item.lead_department_ids)) or item.receiving_department_id in department_ids
    )


# A department reviewer's work.


# The queue lists at most this many items naming the department per township; the window shows all.
QUEUE_ITEMS_SHOWN = 50


@dataclass
class QueueEntry:
    """One open window asking one of the user's departments, with the items that name it (the first
    `QUEUE_ITEMS_SHOWN`) and how many there are."""

    window: CommentWindow
    invitation: Invitation
    own_items: list[SubmittedItem]
    own_count: int
    other_count: int
    commented_keys: set
    to_respond: int

    @property
    def is_past_deadline(self) -> bool:
        return self.window.is_past_deadline()

    @property
    def hidden_count(self) -> int:
        return self.own_count - len(self.own_items)

    @property
    def is_cut(self) -> bool:
        return self.hidden_count > 0


def queue_for(user) -> list[QueueEntry]:
    """Per township, the items naming the user's departments in every window that asks them.

    The database picks the items naming the departments and counts the rest, so the rows read
    grow with those items (at most `QUEUE_ITEMS_SHOWN` a window), not with the lists' length.
    """
    departments = {d.pk for d in permissions.reviewer_departments(user)}
    invitations = list(
        Invitation.objects.filter(
            department__in=departments,
            window__closed_at__isnull=True,
            window__kind=CommentWindow.Kind.DEPARTMENTS,
        )
        .select_related("department", "window__submission", "window__duty_list__township")
        .order_by("window__deadline", "window__duty_list__township__order")
    )
    windows = {i.window_id: i.window for i in invitations}
    submissions = {w.submission_id for w in windows.values()}
    # Frozen rows may still name a department merged into the invitation's since they were frozen.
    invited = {invitation.department_id for invitation in invitations}
    merged = merging.merged_into(invited)
    own_ids = {pk: {pk} | merged.get(pk, set()) for pk in invited}
    counts = {
        row["submission_id"]: row
        for row in SubmittedItem.objects.filter(submission__in=submissions)
        .values("submission_id")
        .annotate(
            total=Count("pk"),
            **{f"own_{pk}": Count("pk", filter=naming_departments(ids)) for pk, ids in own_ids.items()},
        )
        .order_by()
    }
    items = defaultdict(list)
    every_own = set().union(*own_ids.values())
    shown = (
        SubmittedItem.objects.filter(submission__in=submissions)
        .naming(every_own)
        .annotate(place=Window(RowNumber(), partition_by=F("submission_id"), order_by=FROZEN_ORDER))
        .filter(place__lte=QUEUE_ITEMS_SHOWN)
        .order_by("submission_id", "place")
    )
    for item in shown:
        items[item.submission_id].append(item)
    commented = defaultdict(set)
    for window_id, department_id, key in Comment.objects.filter(
        window__in=windows, department__in=departments
    ).values_list("window_id", "department_id", "item_key"):
        commented[window_id, department_id].add(key)
    responding = {
        (row["duty_list_id"], row["department_id"]): row["count"]
        for row in Comment.objects.filter(
            duty_list__in={w.duty_list_id for w in windows.values()},
            department__in=departments,
            state=State.ANSWERED,
        )
        .values("duty_list_id", "department_id")
        .annotate(count=Count("pk"))
        .order_by()
    }
    entries = []
    for invitation in invitations:
        window = invitation.window
        own = own_ids[invitation.department_id]
        count = counts.get(window.submission_id, {})
        own_count = count.get(f"own_{invitation.department_id}", 0)
        entries.append(
            QueueEntry(
                window=window,
                invitation=invitation,
                own_items=[item for item in items[window.submission_id] if names_department(item, own)],
                own_count=own_count,
                other_count=count.get("total", 0) - own_count,
                commented_keys=commented[window.pk, invitation.department_id],
                to_respond=responding.get((window.duty_list_id, invitation.department_id), 0),
            )
        )
    return entries


@dataclass
class WindowRow:
    item: SubmittedItem
    names_us: bool
    comments: list[Comment] = field(default_factory=list)


@dataclass
class WindowPage:
    window: CommentWindow
    departments: list[Department]
    rows: list[WindowRow]
    list_comments: list[Comment]
    to_respond: list[Comment]
    finished: set[int]
    invitations: list[Invitation]  # every department asked, with its 反馈完毕 / 未反馈 / 待反馈

    @property
    def own_count(self) -> int:
        return sum(1 for row in self.rows if row.names_us)


def window_page(window: CommentWindow, user) -> WindowPage:
    """A window as the commenter sees it: items naming their departments first, then the rest,
    each with the comments already made on it in this window."""
    if window.kind == CommentWindow.Kind.DEPARTMENTS:
        departments = permissions.signing_departments(user, window)
    else:
        departments = []
    ids = {d.pk for d in departments}
    ids |= {old for merged in merging.merged_into(ids).values() for old in merged}
    comments = list(comments_with_names().filter(window=window).order_by("created_at", "pk"))
    by_key = defaultdict(list)
    for comment in comments:
        by_key[comment.item_key].append(comment)
    rows = [
        WindowRow(item, names_department(item, ids), by_key.get(item.key, []))
        for item in submitted_items(window.submission)
    ]
    rows.sort(key=lambda row: not row.names_us)  # stable: published order within each group
    if window.kind != CommentWindow.Kind.DEPARTMENTS:
        to_respond = []  # consultees' comments are answered, not responded to
    else:
        to_respond = list(
            comments_with_names()
            .filter(duty_list=window.duty_list_id, department__in=ids, state=State.ANSWERED)
            .exclude(window=window)
        )
    invitations = list(window.invitations.select_related("department"))
    finished = {i.department_id for i in invitations if i.finished_at}
    return WindowPage(
        window,
        departments,
        rows,
        [c for c in comments if c.item_key is None],
        to_respond,
        finished,
        invitations,
    )


# The township's answers.


@dataclass
class CommentGroup:
    """The comments on one item (or on the list as a whole)."""

    key: object
    name: str
    comments: list[Comment]


@dataclass
class Proposed:
    """One change a comment proposes, beside what the draft holds now."""

    label: str
    current: str
    proposed: str


def set_current_values(duty_list: DutyList, comments: list[Comment]) -> None:
    """Give each proposal to change an item `comment.beside`: its fields as the draft holds them now
    beside the proposed values, read with the draft rows in two queries however many comments."""
    keys = {c.item_key for c in comments if c.item_key and c.position == Comment.Position.MODIFY}
    items = {
        item.key: item
        for item in DutyItem.objects.active()
        .filter(duty_list=duty_list, key__in=keys)
        .select_related("category", "responsible_office", "receiving_department")
        .prefetch_related("lead_departments")
    }
    for comment in comments:
        item = items.get(comment.item_key) if comment.position == Comment.Position.MODIFY else None
        comment.beside = []
        for name, proposed in comment.proposals() if item is not None else ():
            # A proposed "content" is the wording of whatever column says what the item's part does.
            column = COLUMN[WORK_FIELDS[item.part] if name == "content" else name]
            comment.beside.append(Proposed(column.label, column.live_value(item), proposed))


def list_comments(duty_list: DutyList, *, only_waiting: bool = False) -> list[CommentGroup]:
    """Every comment on the list, grouped by item in the order of the latest submission."""
    comments = comments_with_names().filter(duty_list=duty_list).select_related("dispute__decision")
    if only_waiting:
        comments = comments.filter(state=State.OPEN).exclude(position=Comment.Position.AGREE)
    comments = list(comments.order_by("created_at", "pk"))
    set_current_values(duty_list, comments)
    latest = duty_list.submissions.order_by("-round").first()
    order = (
        {key: n for n, key in enumerate(latest.items.order_by(*FROZEN_ORDER).values_list("key", flat=True))}
        if latest
        else {}
    )
    groups: dict = {}
    for comment in comments:
        # Comments on an item share its group; a list-level comment or a proposed item stands alone.
        group_key = comment.item_key or f"comment-{comment.pk}"
        if group_key not in groups:
            title = comment.item_name or comment.proposed_name or "对清单的整体意见"
            groups[group_key] = CommentGroup(group_key, title, [])
        groups[group_key].comments.append(comment)
    return sorted(groups.values(), key=lambda g: order.get(g.key, len(order) + 1))


# Comparing two versions of a list.


@dataclass
class Comparison:
    before_label: str
    after_label: str
    items: list[ItemDiff]

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {label: self.count(kind) for kind, label in ItemDiff.KIND_LABELS.items()}


def draft_as_submitted(duty_list: DutyList) -> list[SubmittedItem]:
    """The current draft in the shape of a submission (unsaved rows), for comparing."""
    items = (
        DutyItem.objects.active()
        .filter(duty_list=duty_list)
        .select_related("category__parent", "responsible_office", "receiving_department")
        .prefetch_related("lead_departments")
        .order_by(*PUBLISHED_ORDER)
    )
    return [SubmittedItem.copy_of(None, item) for item in items]


def compare_versions(duty_list: DutyList, before: Submission, after: Submission | None) -> Comparison:
    """Items added, removed, changed (field by field) and moved between parts from `before` to
    `after` (the current draft when None), each with the comments that caused it."""
    new_rows = submitted_items(after) if after is not None else draft_as_submitted(duty_list)
    later = Q(window__submission__round__gte=before.round)
    if after is not None:
        later &= Q(window__submission__round__lt=after.round)
    causes = defaultdict(list)
    answered = Q(answer__in=[Comment.Answer.ACCEPTED, Comment.Answer.PARTLY]) | Q(state=State.DISPUTED)
    for comment in (
        comments_with_names().filter(later, answered, duty_list=duty_list).select_related("dispute__decision")
    ):
        causes[comment.item_key].append(comment)
    items = compare_rows(submitted_items(before), new_rows)
    for diff in items:
        diff.comments = causes.get(diff.key, [])
    after_label = after.label if after is not None else "当前草稿"
    return Comparison(before.label, after_label, items)


# Disputes.


def disputes(county_id: int, *, duty_list: DutyList | None = None, undecided: bool = False) -> list[Dispute]:
    """The docket: disputes grouped by township, then department."""
    rows = (
        Dispute.objects.filter(duty_list__township__county_id=county_id)
        .select_related("duty_list__township", "department", "decision__receiving_department", "comment")
        .prefetch_related("decision__lead_departments")
    )
    if duty_list is not None:
        rows = rows.filter(duty_list=duty_list)
    if undecided:
        rows = rows.filter(decision__isnull=True)
    return list(
        rows.order_by(
            "duty_list__township__order", "duty_list__township__code", "signature", "raised_at", "pk"
        )
    )


@dataclass
class Exchange:
    """Everything said about a disputed item: every comment on it in every round, each with the
    township's answers and the department's responses in order, and the item as the draft holds it."""

    item: DutyItem | None  # None for a proposed new item, or an item the township removed
    comments: list[Comment]


def exchange_for(dispute: Dispute) -> Exchange:
    """The whole exchange behind a dispute, in a fixed number of queries however many rounds it took."""
    if dispute.item_key is None:  # a proposed new item: its one comment is the exchange
        comments, item = comments_with_names().filter(pk=dispute.comment_id), None
    else:
        comments = comments_with_names().filter(duty_list=dispute.duty_list_id, item_key=dispute.item_key)
        item = (
            DutyItem.objects.active()
            .filter(duty_list=dispute.duty_list_id, key=dispute.item_key)
            .select_related("category__parent", "responsible_office", "receiving_department")
            .prefetch_related("lead_departments")
            .first()
        )
    replies = Prefetch("replies", queryset=Reply.objects.select_related("by").order_by("at", "pk"))
    ordered = comments.prefetch_related(replies).order_by("window__submission__round", "created_at", "pk")
    return Exchange(item, list(ordered))


# The county board.


@dataclass
class BoardRow:
    duty_list: DutyList
    days_in_stage: int
    open_comments: int
    disputes_waiting: int
    window: CommentWindow | None
    late_departments: list[str]


@dataclass
class Board:
    rows: list[BoardRow]
    open_by_department: list[tuple[str, int]]
    late: list[tuple[str, str, date]]  # township, department, deadline
    stage_counts: list[tuple[str, int]]
    not_started: list  # townships with no list being worked on


def board_for(county_id: int, today: date | None = None) -> Board:
    """Every township's list being worked on, by stage, with what holds it up."""
    today = today or timezone.localdate()
    entered = (
        StageChange.objects.filter(duty_list=OuterRef("pk"), to_stage=OuterRef("stage"))
        .exclude(from_stage=F("to_stage"))  # opening or closing a window does not restart the count
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    lists = list(
        DutyList.objects.filter(township__county_id=county_id)
        .exclude(stage=Stage.PUBLISHED)
        .select_related("township")
        .annotate(
            entered_at=Subquery(entered),
            open_comments=Count("comments", filter=unresolved("comments__"), distinct=True),
            disputes_waiting=Count("disputes", filter=Q(disputes__decision__isnull=True), distinct=True),
        )
        .order_by("township__order", "township__code", "-year")
    )
    windows = {
        w.duty_list_id: w
        for w in CommentWindow.objects.filter(duty_list__in=lists, closed_at__isnull=True).prefetch_related(
            Prefetch("invitations", queryset=Invitation.objects.select_related("department"))
        )
    }
    rows, late = [], []
    for duty_list in lists:
        window = windows.get(duty_list.pk)
        late_departments = []
        if window is not None and window.deadline and window.deadline < today:
            late_departments = [i.department.name for i in window.invitations.all() if not i.finished_at]
            late += [(duty_list.township.name, name, window.deadline) for name in late_departments]
        since = (
            timezone.localdate(duty_list.entered_at)
            if duty_list.entered_at
            else timezone.localdate(duty_list.created_at)
        )
        rows.append(
            BoardRow(
                duty_list,
                (today - since).days,
                duty_list.open_comments,
                duty_list.disputes_waiting,
                window,
                late_departments,
            )
        )
    open_by_department = list(
        Comment.objects.filter(unresolved(), duty_list__in=lists)
        .values_list("signature")
        .annotate(n=Count("pk"))
        .order_by("-n", "signature")
    )
    not_started = list(
        Township.objects.filter(county_id=county_id).exclude(duty_lists__in=lists).order_by("order", "code")
    )
    stages = Counter(row.duty_list.stage for row in rows)
    stage_counts = [(label, stages[value]) for value, label in Stage.choices if stages[value]]
    return Board(rows, open_by_department, late, stage_counts, not_started)


# The 意见采纳情况表.


def disposition_rows(duty_list: DutyList, submission: Submission | None = None) -> list[Comment]:
    """Every comment on the list (or on one submission), in the order of the report."""
    rows = (
        comments_with_names()
        .filter(duty_list=duty_list)
        .select_related("window__submission", "dispute__decision")
    )
    if submission is not None:
        rows = rows.filter(window__submission=submission)
    return list(rows.order_by("window__submission__round", "signature", "created_at", "pk"))


def named_departments(duty_list: DutyList) -> list[int]:
    """Departments the latest submission names as lead or receiving: asked by default."""
    latest = Submission.objects.filter(duty_list=duty_list).order_by("-round").first()
    if latest is None:
        return []
    named = set()
    for leads, receiving in latest.items.values_list("lead_department_ids", "receiving_department_id"):
        named.update(leads)
        if receiving:
            named.add(receiving)
    return sorted(named)


def departments_with_reviewers(county_id: int) -> set[int]:
    """The county's departments where someone holds a reviewer account: only they can answer a round."""
    return set(
        Membership.objects.filter(
            county_id=county_id, role=Role.DEPARTMENT_REVIEWER, user__is_active=True
        ).values_list("department_id", flat=True)
    )

"""Reads for the public site. They read only edition rows, never drafts, comments or unpublished
lists; each page is a fixed number of queries whatever the number of items."""

from dataclasses import dataclass, field
from itertools import groupby

from django.core.cache import cache
from django.db.models import Count, Min, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from catalog import permissions as catalog_permissions
from catalog.columns import WORK_FIELDS
from catalog.models import FROZEN_ORDER, County, Part, Township
from review.inbox import Task

from . import localpages, national
from .models import CurrentEdition, DispatchDispute, Edition, EditionItem, Feedback

# The public search lives in `publication.search`; its entry points are read from here as well.
from .search import (  # noqa: F401
    SEARCH_LIMIT,
    SearchFilters,
    matching,
    naming_department,
    search,
    term_found,
    tsquery,
)


def current_editions() -> QuerySet[Edition]:
    return Edition.objects.filter(current_of__isnull=False).select_related("township__county")


@dataclass(frozen=True)
class InForce:
    """Which edition of a township is in force, as the cache of rendered pages needs it."""

    township_id: int
    edition_id: int
    edition_number: int
    published_at: float  # timestamp


IN_FORCE_TIMEOUT = 60  # seconds


def in_force_key(code: str) -> str:
    return f"in-force:{code}"


def in_force(code: str) -> InForce | None:
    """The edition in force of the township with this code: kept in the cache (publishing a new
    edition drops it), so a page served from the cache needs no query at all."""
    value = cache.get(in_force_key(code))
    if value is None:
        value = in_force_row(code)
        corrected = False
        while value is not None:
            # Dropped on publishing; the timeout bounds how long another worker's copy can lag behind.
            cache.set(in_force_key(code), value, timeout=IN_FORCE_TIMEOUT)
            # A publication committed between the read and the write above has already dropped
            # the key, and the write put back the edition it replaced: read again until they agree
            # (a second query only when the edition in force leaves the cache, once a minute).
            again = in_force_row(code)
            if again == value:
                break
            if again is None:
                cache.delete(in_force_key(code))
            value, corrected = again, True
        if corrected:
            # Pages read with the edition put back meanwhile may sit in workers' memory: drop them.
            localpages.announce(code)
    return value


def in_force_row(code: str) -> InForce | None:
    row = (
        CurrentEdition.objects.filter(township__code=code)
        .values_list("township_id", "edition_id", "edition__number", "edition__published_at")
        .first()
    )
    return None if row is None else InForce(row[0], row[1], row[2], row[3].timestamp())


def published_township(code: str) -> Township:
    """A township that has published at least one edition (else 404: drafts are not public), with
    its county, city and province for the page's trail."""
    return get_object_or_404(
        Township.objects.select_related("county__city__province").filter(editions__isnull=False).distinct(),
        code=code,
    )


def edition_of(township: Township, number: int | None = None) -> Edition:
    """The edition in force, or edition `number`."""
    if number is None:
        pointer = get_object_or_404(CurrentEdition.objects.select_related("edition"), township=township)
        edition = pointer.edition
    else:
        edition = get_object_or_404(Edition, township=township, number=number)
    edition.township = township
    return edition


# What a published table reads of an item, as plain rows (a township page reads 340 of them; model
# instances took a third more time to build): every column but the search grams and the lead
# departments' ids (JSON decoded row by row; the table prints their names).
TABLE_FIELDS = [
    f.attname
    for f in EditionItem._meta.concrete_fields
    if f.name not in ("search_grams", "lead_department_ids")
]


@dataclass
class CategoryRows:
    name: str
    items: list  # rows of TABLE_FIELDS, read by attribute as an EditionItem is
    parent: str = ""  # a sub-category's parent category


@dataclass
class PartRows:
    part: Part
    count: int
    categories: list[CategoryRows] = field(default_factory=list)


def edition_parts(edition: Edition) -> list[PartRows]:
    """The edition's three parts, each grouped by category, in published order (one query)."""
    rows = list(edition.items.order_by(*FROZEN_ORDER).values_list(*TABLE_FIELDS, named=True))
    parts = []
    for part in Part:
        mine = [r for r in rows if r.part == part]
        groups = [
            CategoryRows(name, list(items), parent)
            for (_, _, parent, name), items in groupby(
                mine, key=lambda r: (r.category_parent_id, r.category_id, r.category_parent, r.category)
            )
        ]
        parts.append(PartRows(part, len(mine), groups))
    return parts


@dataclass
class ItemPage:
    item: EditionItem  # the item as last published
    edition: Edition  # the edition it comes from
    removed_in: Edition | None  # the edition that dropped it, if it is no longer in force
    editions: list[int]  # every edition number it appears in


def item_page(township: Township, key) -> ItemPage:
    """An item's permanent page: its text in force, or its last published text and when it was removed."""
    rows = list(
        EditionItem.objects.filter(edition__township=township, key=key)
        .select_related("edition")
        .order_by("-edition__number")
    )
    if not rows:
        raise EditionItem.DoesNotExist
    latest = rows[0]
    current = CurrentEdition.objects.select_related("edition").get(township=township).edition
    removed_in = None
    if latest.edition_id != current.pk:
        removed_in = (
            Edition.objects.filter(township=township, number__gt=latest.edition.number)
            .order_by("number")
            .first()
        )
    return ItemPage(latest, latest.edition, removed_in, sorted(r.edition.number for r in rows))


# Statistics.


@dataclass
class Bar:
    label: str
    value: int
    share: float  # of the largest value, 0..100, for drawing


def bars(counts: dict[str, int]) -> list[Bar]:
    top = max(counts.values(), default=0) or 1
    return [
        Bar(label, n, round(100 * n / top, 1))
        for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@dataclass
class CountyStats:
    county: County
    townships: list  # (township, edition) in force
    total: int
    shared: int  # coordinated + reclaimed
    leads: list[Bar]
    receivers: list[Bar]
    offices: list[Bar]

    @property
    def share(self) -> float:
        return national.share_of(self.shared, self.total)

    @property
    def national(self) -> float:
        return national.SHARED_SHARE

    def by_township(self) -> "national.Comparison":
        return national.compare_townships(self.townships)


def county_stats(county: County) -> CountyStats:
    """Items per part per township, the share coordinated or reclaimed, items per department as lead
    and as receiver, and items per township office — over the editions in force (three queries)."""
    editions = list(
        Edition.objects.filter(township__county=county, current_of__isnull=False)
        .select_related("township")
        .order_by("township__order", "township__code")
    )
    leads, receivers, offices = {}, {}, {}
    for part, lead, receiver, office, township in EditionItem.objects.filter(
        edition__in=editions
    ).values_list("part", "lead_departments", "receiving_department", "office", "edition__township__name"):
        if part == Part.COORDINATED:
            for name in filter(None, lead.split("、")):
                leads[name] = leads.get(name, 0) + 1
        elif part == Part.RECLAIMED and receiver:
            receivers[receiver] = receivers.get(receiver, 0) + 1
        elif office:
            label = f"{township} {office}"
            offices[label] = offices.get(label, 0) + 1
    total = sum(e.item_count for e in editions)
    shared = sum(e.coordinated_count + e.reclaimed_count for e in editions)
    return CountyStats(county, editions, total, shared, bars(leads), bars(receivers), bars(offices))


def items_matching(edition: Edition, words: str, limit: int) -> list[EditionItem]:
    """The edition's items whose name or work holds the words, in list order; at most `limit`."""
    found = Q(name__icontains=words)
    for part in Part:
        found |= Q(part=part, **{f"{WORK_FIELDS[part]}__icontains": words})
    return list(edition.items.filter(found).order_by(*FROZEN_ORDER)[:limit])


# Queues in the workbench (群众反映, 派单异议).


def state_tabs(rows: QuerySet, field: str, choices) -> list[tuple[str, str, int]]:
    """A queue's tabs: each state of `choices` with how many rows are in it (one query)."""
    counts = dict.fromkeys(choices.values, 0)
    for row in rows.order_by().values(field).annotate(count=Count("pk")):
        counts[row[field]] = row["count"]
    return [(value, label, counts[value]) for value, label in choices.choices]


def feedback_handled_by(user) -> QuerySet[Feedback]:
    """The reports a user handles: those of the counties they edit (every county for a superuser)."""
    reports = Feedback.objects.select_related("township__county", "edition")
    if user.is_superuser:
        return reports
    return reports.filter(township__county__in=catalog_permissions.edited_county_ids(user))


def feedback_tasks(user) -> list[Task]:
    """待我处理: each report still 待处理, oldest first (registered as a task source in apps.py)."""
    pending = feedback_handled_by(user).filter(status=Feedback.Status.PENDING).order_by("created_at", "pk")
    return [
        Task(
            "待处理的群众反映",
            f"{report.township.name}“{report.item_name}”：{report.get_kind_display()}",
            reverse("publication:feedback_handle", args=[report.pk]),
            f"受理编号 {report.receipt_number}，{timezone.localdate(report.created_at):%Y-%m-%d} 提交",
        )
        for report in pending
    ]


# 派单异议 in the workbench.


def disputes_handled_by(user) -> QuerySet[DispatchDispute]:
    """The 12345 dispatch disputes a user handles: those of the counties they edit."""
    disputes = DispatchDispute.objects.select_related("township__county", "edition", "filed_by")
    if user.is_superuser:
        return disputes
    return disputes.filter(township__county__in=catalog_permissions.edited_county_ids(user))


def dispute_tasks(user) -> list[Task]:
    """待我处理: one task per item with disputes 待处理, the item most disputed first (registered as
    a task source in apps.py)."""
    pending = (
        disputes_handled_by(user)
        .filter(state=DispatchDispute.State.OPEN)
        .values("township__name", "key", "item_name")
        .annotate(count=Count("pk"), first=Min("filed_at"))
        .order_by("-count", "first", "key")
    )
    return [
        Task(
            "待处理的派单异议",
            f"{row['township__name']}“{row['item_name']}”：{row['count']} 件退单",
            reverse("publication:dispatch_disputes") + f"?key={row['key']}",
            f"最早 {timezone.localdate(row['first']):%Y-%m-%d} 登记",
        )
        for row in pending
    ]


def disputes_to_adjust(user, township: Township, ids: list[str]) -> list[DispatchDispute]:
    """The disputes of the township, among `ids`, that the user may turn into an adjustment request."""
    numbers = [int(i) for i in ids if str(i).isdigit()][:MAX_DISPUTES_ADJUSTED]
    return list(
        disputes_handled_by(user)
        .filter(pk__in=numbers, township=township)
        .exclude(state=DispatchDispute.State.ADJUSTING)
        .order_by("filed_at", "pk")
    )


# Disputes turned into one adjustment request at most (its rows are bounded too).
MAX_DISPUTES_ADJUSTED = 50

"""履职体检: the year's evidence that each item in force was exercised, and the items with none.

Evidence comes from sources, each a name, a label and a function `(county, year) -> {item key:
count}` that reads its rows in one query: the public feedback and the adjustments below, and the
12345 hotline's look-ups and disputes (`publication.evidence`), registered in the app's `ready`. A
source is added with `register` — one line — and the page, the candidates and the tests of the count
of queries take it in without change. An item no source counts is a candidate for reclaiming or removal.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count

from catalog.models import FROZEN_ORDER, County

from .models import EditionChange, EditionItem, Feedback


@dataclass(frozen=True)
class Source:
    name: str
    label: str
    counts: Callable[[County, int], dict]  # (county, year) -> {item key: count}


SOURCES: list[Source] = []


def register(name: str, label: str, counts: Callable[[County, int], dict]) -> None:
    """Add an evidence source (once, however often it is registered)."""
    if all(source.name != name for source in SOURCES):
        SOURCES.append(Source(name, label, counts))


def feedback_counts(county: County, year: int) -> dict:
    """群众反映 received in the year, per item."""
    rows = (
        Feedback.objects.filter(township__county=county, created_at__year=year)
        .values("key")
        .annotate(n=Count("pk"))
    )
    return {row["key"]: row["n"] for row in rows}


def adjustment_counts(county: County, year: int) -> dict:
    """Lines of the change logs of editions an approved adjustment published in the year, per item."""
    rows = (
        EditionChange.objects.filter(
            edition__township__county=county,
            edition__adjustment__isnull=False,
            edition__published_at__year=year,
        )
        .values("key")
        .annotate(n=Count("pk"))
    )
    return {row["key"]: row["n"] for row in rows}


register("feedback", "群众反映", feedback_counts)
register("adjustments", "动态调整", adjustment_counts)


@dataclass
class ItemEvidence:
    item: EditionItem
    counts: list[int]  # one per source, in `SOURCES` order

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class AnnualReview:
    county: County
    year: int
    sources: list[Source]
    rows: list[ItemEvidence] = field(default_factory=list)

    @property
    def candidates(self) -> list[ItemEvidence]:
        """Items in force with no evidence of exercise in the year."""
        return [row for row in self.rows if not row.total]

    @property
    def exercised(self) -> list[ItemEvidence]:
        return [row for row in self.rows if row.total]


def annual_review(county: County, year: int, township_id: int | None = None) -> AnnualReview:
    """Every item in force of the county (or one township), with each source's count for the year:
    one query for the items and one per source, whatever the number of items or townships."""
    items = EditionItem.objects.filter(edition__current_of__isnull=False, edition__township__county=county)
    if township_id:
        items = items.filter(edition__township_id=township_id)
    items = items.select_related("edition__township").order_by(
        "edition__township__order", "edition__township__code", *FROZEN_ORDER
    )
    sources = list(SOURCES)
    counts = [source.counts(county, year) for source in sources]
    rows = [ItemEvidence(item, [found.get(item.key, 0) for found in counts]) for item in items]
    return AnnualReview(county, year, sources, rows)

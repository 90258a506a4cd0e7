"""The board of a province or a city (省级、市级看板): every county below, its townships by stage,
its open comments and disputes, its published townships — counted in the database, a fixed number
of grouped queries whatever the number of counties and townships.

A column per stage of `catalog.models.Stage` (the declaration, not a list of its own) but 已公布,
which is the board's last column: townships with a published list. A township counts in the stage
of each list it holds, so one with a published list and its next draft counts in both columns, as
the county board shows the draft and the public site the edition. 尚未开始 are townships without
any list.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from catalog.models import City, County, DutyList, Province, Stage
from catalog.regions import counties_below, is_province

from .models import Comment, Dispute
from .queries import unresolved

# The stages a list is worked through up to its approval; 已公布 is a column of its own.
WORKED_STAGES = [stage for stage in Stage if stage != Stage.PUBLISHED]


@dataclass
class Counts:
    """One county's figures, or the sum of several (a city's subtotal, the region's total)."""

    townships: int = 0
    not_started: int = 0
    by_stage: dict = field(default_factory=dict)  # stage → townships
    open_comments: int = 0
    open_disputes: int = 0
    published: int = 0

    @property
    def stage_cells(self) -> list[int]:
        return [self.by_stage.get(stage, 0) for stage in WORKED_STAGES]

    def add(self, other: "Counts") -> None:
        self.townships += other.townships
        self.not_started += other.not_started
        for stage, n in other.by_stage.items():
            self.by_stage[stage] = self.by_stage.get(stage, 0) + n
        self.open_comments += other.open_comments
        self.open_disputes += other.open_disputes
        self.published += other.published


@dataclass
class CountyRow:
    county: County
    counts: Counts


@dataclass
class CityGroup:
    city: City | None
    rows: list[CountyRow]
    subtotal: Counts


@dataclass
class RegionBoard:
    region: Province | City
    groups: list[CityGroup]  # one per city for a province; one for a city
    total: Counts
    stages: list = field(default_factory=lambda: [(stage, stage.label) for stage in WORKED_STAGES])

    @property
    def is_province(self) -> bool:
        return is_province(self.region)

    @property
    def county_count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


def counts_by_county(county_ids: list[int]) -> dict[int, Counts]:
    """Each county's figures in four grouped queries."""
    counts = {pk: Counts() for pk in county_ids}
    for pk, townships, with_lists in (
        County.objects.filter(pk__in=county_ids)
        .annotate(
            n=Count("townships", distinct=True),
            listed=Count("townships", filter=Q(townships__duty_lists__isnull=False), distinct=True),
        )
        .values_list("pk", "n", "listed")
    ):
        counts[pk].townships, counts[pk].not_started = townships, townships - with_lists
    for pk, stage, n in (
        DutyList.objects.filter(township__county__in=county_ids)
        .values_list("township__county_id", "stage")
        .annotate(n=Count("township", distinct=True))
        .order_by()
    ):
        if stage == Stage.PUBLISHED:
            counts[pk].published = n
        else:
            counts[pk].by_stage[stage] = n
    for pk, n in (
        Comment.objects.filter(unresolved(), duty_list__township__county__in=county_ids)
        .values_list("duty_list__township__county_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[pk].open_comments = n
    for pk, n in (
        Dispute.objects.filter(duty_list__township__county__in=county_ids, decision__isnull=True)
        .values_list("duty_list__township__county_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[pk].open_disputes = n
    return counts


def region_board(region: Province | City) -> RegionBoard:
    """The region's counties, city by city with a subtotal each, and the region's total (five queries)."""
    counties = list(counties_below(region))
    counts = counts_by_county([county.pk for county in counties])
    by_city: dict = defaultdict(list)
    for county in counties:
        by_city[county.city].append(CountyRow(county, counts[county.pk]))
    groups, total = [], Counts()
    for city, rows in by_city.items():
        subtotal = Counts()
        for row in rows:
            subtotal.add(row.counts)
        total.add(subtotal)
        groups.append(CityGroup(city, rows, subtotal))
    return RegionBoard(region, groups, total)

"""A province's or city's statistics over the editions in force (各县统计): per county, its items
per township and the share coordinated or reclaimed, set beside the national figures
(`publication.national`, stated there once). Two queries whatever the number of counties.
"""

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.urls import reverse

from catalog.models import City, County, Province
from catalog.regions import counties_below

from . import national
from .models import Edition


@dataclass
class CountyFigures:
    county: County
    townships: int  # townships with an edition in force
    basic: int
    coordinated: int
    reclaimed: int

    @property
    def items(self) -> int:
        return self.basic + self.coordinated + self.reclaimed

    @property
    def figures(self) -> national.Figures:
        return national.Figures(
            self.county.name,
            None,
            self.townships,
            self.items,
            self.coordinated + self.reclaimed,
            reverse("publication:statistics", args=[self.county.code]),
        )


@dataclass
class RegionStats:
    region: Province | City
    counties: list[CountyFigures]  # counties with an edition in force, city by city
    comparison: national.Comparison

    @property
    def townships(self) -> int:
        return sum(row.townships for row in self.counties)

    @property
    def total(self) -> int:
        return sum(row.items for row in self.counties)


def region_stats(region: Province | City) -> RegionStats:
    """The counties below the region that have editions in force, with their per-part totals."""
    counties = {county.pk: county for county in counties_below(region)}
    sums = (
        Edition.objects.filter(current_of__isnull=False, township__county__in=list(counties))
        .values_list("township__county_id")
        .annotate(
            n=Count("pk"),
            basic=Sum("basic_count"),
            coordinated=Sum("coordinated_count"),
            reclaimed=Sum("reclaimed_count"),
        )
        .order_by()
    )
    found = {pk: CountyFigures(counties[pk], *rest) for pk, *rest in sums}
    rows = [found[pk] for pk in counties if pk in found]
    average = "全省平均" if isinstance(region, Province) else "全市平均"
    return RegionStats(region, rows, national.compare([row.figures for row in rows], average))

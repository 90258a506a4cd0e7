"""The levels of the public site: 省 › 市 › 县 › 乡镇, each listing only what has been published.

A level's page lists its children with how many counties and townships have an edition in force
below each, counted in SQL over the editions in force (`CurrentEdition`), never by reading the
townships: every page is a fixed number of queries and, above the county, as many rows as there are
provinces, cities or counties with something published — never one per township. A county not
yet placed under a city (`County.city` is null, docs/decisions/0030) has no province: its counties
are one group of their own, beside the provinces.
"""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import reverse

from catalog.models import City, County, Province, Township

from .models import CurrentEdition, Edition

# How each level is reached from an edition in force, to group the editions by it.
PROVINCE_PATH = "township__county__city__province"
CITY_PATH = "township__county__city"
COUNTY_PATH = "township__county"

UNPLACED_NAME = "未归入省市的县（市、区）"


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str


@dataclass(frozen=True)
class AreaRow:
    """A child area and what has been published below it."""

    code: str
    name: str
    counties: int  # counties with at least one township published
    townships: int  # townships with an edition in force

    @property
    def url(self) -> str:
        return reverse("publication:area", args=[self.code])


def rows_by(path: str, editions: QuerySet[CurrentEdition]) -> list[AreaRow]:
    """The editions in force grouped by the area at `path`, with their counts, in code order (one query)."""
    grouped = (
        editions.values(f"{path}__code", f"{path}__name")
        .annotate(counties=Count(COUNTY_PATH, distinct=True), townships=Count("pk"))
        .order_by(f"{path}__code")
    )
    return [
        AreaRow(row[f"{path}__code"], row[f"{path}__name"], row["counties"], row["townships"])
        for row in grouped
    ]


def provinces_in_force() -> list[AreaRow]:
    """Every province with an edition in force below it (one query)."""
    return rows_by(PROVINCE_PATH, CurrentEdition.objects.filter(township__county__city__isnull=False))


def unplaced_in_force() -> AreaRow | None:
    """The group of counties not yet placed under a city, if any of them has published (one query)."""
    counts = CurrentEdition.objects.filter(township__county__city__isnull=True).aggregate(
        counties=Count(COUNTY_PATH, distinct=True), townships=Count("pk")
    )
    if not counts["townships"]:
        return None
    return AreaRow("", UNPLACED_NAME, counts["counties"], counts["townships"])


def cities_in_force(province: Province) -> list[AreaRow]:
    return rows_by(CITY_PATH, CurrentEdition.objects.filter(township__county__city__province=province))


def counties_in_force(city: City | None) -> list[AreaRow]:
    """The counties of the city with an edition in force; those not yet placed for `None`."""
    if city is None:
        return rows_by(COUNTY_PATH, CurrentEdition.objects.filter(township__county__city__isnull=True))
    return rows_by(COUNTY_PATH, CurrentEdition.objects.filter(township__county__city=city))


def townships_in_force(county: County) -> list[Edition]:
    """The county's editions in force, each with its township, in the county's order (one query)."""
    return list(
        Edition.objects.filter(township__county=county, current_of__isnull=False)
        .select_related("township")
        .order_by("township__order", "township__code")
    )


def area(code: str) -> Province | City | County:
    """The province, city or county with this division code (one query per level tried), else 404."""
    for found in (
        Province.objects.filter(code=code),
        City.objects.select_related("province").filter(code=code),
        County.objects.select_related("city__province").filter(code=code),
    ):
        place = found.first()
        if place is not None:
            return place
    raise Http404("没有这个行政区划代码。")


def trail(place: Province | City | County | Township | None) -> list[Crumb]:
    """The levels above a place, from the site's index down, each with its page (no query when
    the place was read with its levels above: `area`, `queries.published_township`)."""
    crumbs = [Crumb("各地清单", reverse("publication:index"))]
    if isinstance(place, Township):
        county = place.county
        return [*trail(county), Crumb(county.name, reverse("publication:area", args=[county.code]))]
    if isinstance(place, County):
        if place.city is None:
            return [*crumbs, Crumb(UNPLACED_NAME, reverse("publication:unplaced_counties"))]
        return [
            *trail(place.city),
            Crumb(place.city.name, reverse("publication:area", args=[place.city.code])),
        ]
    if isinstance(place, City):
        province = place.province
        return [*crumbs, Crumb(province.name, reverse("publication:area", args=[province.code]))]
    return crumbs

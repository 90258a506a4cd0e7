"""省级认领情况: for each entry of a province's reference catalogue and each county, what the county
made of it — 采用 (claimed, reading as the province wrote it), 修改 (claimed, with the columns that
differ), 不采用 (dropped, with the reason) or 未认领 — with the counts per county and per entry.

The claimed entry and the province's entry are compared by the one comparison engine
(`catalog.comparison`) on the compared columns an entry has. The province writes categories and
departments as text: they are read as the county's records they resolve to (`claims.resolve`),
so a county's own name for the province's category is no change; several departments are compared
as a set. The whole table is a fixed number of queries, however many counties and entries.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Prefetch, QuerySet

from . import permissions
from .claims import CountyNames, department_names, names_of_counties
from .columns import COLUMN, DEPARTMENTS
from .comparison import FieldChange, compare_readings, readings
from .models import (
    ENTRY_COMPARED_NAMES,
    Catalogue,
    CatalogueEntry,
    County,
    Department,
    DroppedEntry,
    Province,
)


class Status(models.TextChoices):
    ADOPTED = "adopted", "采用"
    CHANGED = "changed", "修改"
    DROPPED = "dropped", "不采用"
    UNCLAIMED = "unclaimed", "未认领"


@dataclass
class Cell:
    county: County
    status: Status
    claim: CatalogueEntry | None = None
    changes: list[FieldChange] = field(default_factory=list)
    drop: DroppedEntry | None = None

    @property
    def changed_columns(self) -> str:
        return "、".join(change.label for change in self.changes)


@dataclass
class Row:
    entry: CatalogueEntry
    cells: list[Cell]

    @property
    def counts(self) -> Counter:
        return Counter(cell.status for cell in self.cells)


@dataclass
class ClaimTable:
    catalogue: Catalogue
    counties: list[County]
    rows: list[Row]

    def county_counts(self) -> list[tuple[County, Counter]]:
        """Each county with how many entries it adopted, changed, dropped and left unclaimed."""
        counts = [Counter() for _county in self.counties]
        for row in self.rows:
            for n, cell in enumerate(row.cells):
                counts[n][cell.status] += 1
        return list(zip(self.counties, counts, strict=True))


def claim_counties(user, province: Province) -> QuerySet[County]:
    """The counties of the province whose claims the user sees: every one for the province's
    editors, a city editor's own, a county role's own county."""
    counties = County.objects.filter(city__province=province).select_related("city").order_by("code")
    if permissions.can_edit_province_catalogue(user, province):
        return counties
    own = {m.county_id for m in permissions.memberships_of(user)}
    return counties.filter(pk__in=own | permissions.supervised_county_ids(user))


def province_reading(entry: CatalogueEntry, names: CountyNames) -> dict[str, str]:
    """The province's entry as the county reads it: its names as the county's records where the
    county has them, as written where it has none."""
    reading = readings(entry, ENTRY_COMPARED_NAMES)
    category = names.category(entry.category_name)
    if category is not None:
        reading["category"] = category.name
    for name, value in (
        ("lead_departments", entry.lead_department_names),
        ("receiving_department", entry.receiving_department_name),
    ):
        if value:
            reading[name] = "、".join(
                sorted(
                    (names.department(text) or Department(name=text)).name for text in department_names(value)
                )
            )
    return reading


def claim_reading(claim: CatalogueEntry) -> dict[str, str]:
    reading = readings(claim, ENTRY_COMPARED_NAMES)
    for name in ENTRY_COMPARED_NAMES:
        if COLUMN[name].kind == DEPARTMENTS:
            reading[name] = "、".join(sorted(department_names(reading[name])))
    return reading


def differences(entry: CatalogueEntry, claim: CatalogueEntry, names: CountyNames) -> list[FieldChange]:
    """The compared columns in which the county's claimed entry differs from the province's."""
    changes = compare_readings(province_reading(entry, names), claim_reading(claim), ENTRY_COMPARED_NAMES)
    return [change for change in changes if change.changed]


def claim_table(
    catalogue: Catalogue, counties: list[County], *, only: CatalogueEntry | None = None
) -> ClaimTable:
    """The province catalogue's entries (or `only` one) × the counties: at most seven queries."""
    county_ids = [county.pk for county in counties]
    chosen = catalogue.entries.filter(pk=only.pk) if only is not None else catalogue.entries.all()
    entries = list(chosen.select_related("catalogue").order_by("part", "order", "id"))
    claims = {
        (claim.claimed_from_id, claim.catalogue.county_id): claim
        for claim in CatalogueEntry.objects.filter(
            claimed_from__in=chosen.values("pk"), catalogue__county__in=county_ids
        )
        .select_related("catalogue", "category", "receiving_department")
        .prefetch_related(Prefetch("lead_departments", queryset=Department.objects.order_by()))
    }
    drops = {
        (drop.entry_id, drop.county_id): drop
        for drop in DroppedEntry.objects.filter(
            entry__in=chosen.values("pk"), county__in=county_ids
        ).select_related("dropped_by")
    }
    names = names_of_counties(county_ids) if claims else {}
    rows = []
    for entry in entries:
        cells = []
        for county in counties:
            claim = claims.get((entry.pk, county.pk))
            drop = drops.get((entry.pk, county.pk))
            if claim is not None:
                changes = differences(entry, claim, names[county.pk])
                status = Status.CHANGED if changes else Status.ADOPTED
                cells.append(Cell(county, status, claim=claim, changes=changes))
            elif drop is not None:
                cells.append(Cell(county, Status.DROPPED, drop=drop))
            else:
                cells.append(Cell(county, Status.UNCLAIMED))
        rows.append(Row(entry, cells))
    return ClaimTable(catalogue, list(counties), rows)

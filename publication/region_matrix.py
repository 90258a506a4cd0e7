"""交叉比对 one level up: a province's or city's counties side by side, item by item, over the
editions in force (各县交叉比对).

A row is an item matched across counties by its name as the county matrix reads it
(`catalog.matrix`): the name of the catalogue entry the item came from, else its own name, through
`name_key` (spaces and bracket widths aside). Catalogue entries belong to one county, so across
counties it is the name that matches (docs/decisions/0032). A cell is one county: in how many of
its townships in force the item is listed, and in which part mostly. The part most counties list
it in mostly is the row's majority (`catalog.matrix.majority_of`, no majority on a tie); a county
listing it mostly otherwise differs.

A province holds a few hundred thousand items, so the database counts them: one grouped query
(county, entry, name, part → townships) and the entries' names; Python merges the groups into
rows. Editions' rows are never read one by one.
"""

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count

from catalog.columns import Part
from catalog.matrix import majority_of
from catalog.models import CatalogueEntry, County
from catalog.similarity import name_key

from .models import Edition, EditionItem

PART_ORDER = {part: n for n, part in enumerate(Part)}


@lru_cache(maxsize=8192)
def look(held: int, parts: tuple) -> tuple[str, str, str]:
    """A cell's part listed most, its label and its title, from its townships and their parts (most
    first): a province has few distinct ones and tens of thousands of cells."""
    mostly = parts[0][0]
    title = "，".join(f"{Part(part).label} {n} 个乡镇（街道）" for part, n in parts)
    return mostly, f"{held} {Part(mostly).short_label}", title


@dataclass(slots=True)
class CountyCell:
    parts: dict  # part → townships listing the item in that part
    held: int = 0  # townships listing the item (at most the county's townships in force)
    mostly: str = ""  # the part most of them list it in
    label: str = ""
    title: str = ""
    differs: bool = False


EMPTY = CountyCell({})  # every county without the item shares it; it is never changed


@dataclass
class RegionRow:
    name: str
    cells: list[CountyCell]  # one per county, in the region's order (`EMPTY` without the item)
    majority: str | None  # the part most counties list it in mostly

    @property
    def counties(self) -> int:
        return sum(1 for cell in self.cells if cell.held)

    @property
    def differing(self) -> int:
        return sum(1 for cell in self.cells if cell.differs)

    @property
    def majority_label(self) -> str:
        return Part(self.majority).label if self.majority else "无多数做法"


@dataclass
class RegionMatrix:
    counties: list[County]  # counties with an edition in force
    in_force: dict[int, int]  # county → its townships in force
    rows: list[RegionRow]
    total: int  # rows before filtering

    @property
    def columns(self) -> list[tuple[County, int]]:
        """Each county with its townships in force."""
        return [(county, self.in_force[county.pk]) for county in self.counties]


def editions_in_force_below(counties: list[County]) -> list[tuple]:
    """(edition, county, published at) of every edition in force of the counties (one query): what
    the matrix reads, and its cache key."""
    return list(
        Edition.objects.filter(current_of__isnull=False, township__county__in=counties)
        .order_by("pk")
        .values_list("pk", "township__county_id", "published_at")
    )


def region_matrix(
    counties: list[County], editions: list[tuple], *, part: str | None = None, differing: bool = False
) -> RegionMatrix:
    """The counties' editions in force compared row by row (two queries); rows listing the item in
    `part` somewhere, or with a differing county, when asked."""
    in_force = Counter(county_id for _, county_id, _ in editions)
    shown = [county for county in counties if in_force[county.pk]]
    groups = (
        EditionItem.objects.filter(edition__in=[pk for pk, *_ in editions])
        .values_list("edition__township__county_id", "catalogue_entry_id", "name", "part")
        # Items, not distinct editions: counting distinct rows sorts them all; a township listing
        # one item twice is rare, and a cell never shows more than the county's townships.
        .annotate(townships=Count("pk"))
        .order_by()
    )
    groups = list(groups)
    entries = dict(
        CatalogueEntry.objects.filter(pk__in={entry for _, entry, *_ in groups if entry})
        .order_by()
        .values_list("pk", "name")
    )
    by_key: dict[str, dict] = {}
    names: dict[str, Counter] = {}
    keys: dict[str, str] = {}
    for county_id, entry_id, name, item_part, townships in groups:
        shown_name = entries.get(entry_id, name)
        if shown_name not in keys:
            keys[shown_name] = name_key(shown_name)
        key = keys[shown_name]
        counted = by_key.setdefault(key, {}).setdefault(county_id, {})
        counted[item_part] = counted.get(item_part, 0) + townships
        names.setdefault(key, Counter())[shown_name] += townships
    rows = [
        build_row(names[key].most_common(1)[0][0], parts, shown, in_force) for key, parts in by_key.items()
    ]
    rows.sort(key=lambda row: (-row.counties, PART_ORDER.get(row.majority, 3), row.name))
    total = len(rows)
    if part is not None:
        rows = [row for row in rows if any(part in cell.parts for cell in row.cells)]
    if differing:
        rows = [row for row in rows if row.differing]
    return RegionMatrix(shown, dict(in_force), rows, total)


def build_row(name: str, parts: dict, counties: list[County], in_force: Counter) -> RegionRow:
    cells = []
    for county in counties:
        counted = parts.get(county.pk)
        if counted is None:
            cells.append(EMPTY)
            continue
        # Two items of one township in one row count once each: never more than its townships.
        held = min(sum(counted.values()), in_force[county.pk])
        ranked = tuple(sorted(counted.items(), key=lambda pair: (-pair[1], PART_ORDER[pair[0]])))
        cells.append(CountyCell(counted, held, *look(held, ranked)))
    held = [cell for cell in cells if cell.held]
    majority = majority_of([cell.mostly for cell in held]) if len(held) > 1 else None
    for cell in held:
        cell.differs = majority is not None and cell.mostly != majority
    return RegionRow(name, cells, majority)

"""部门事项台账: what one county department carries across the county's townships.

Every coordinated item it leads and every item it took back, matched across townships the way the
cross-township comparison matches them (`catalog.matrix`), with totals per township and per
category. It answers whether a department carries what it took back and what it asks townships to
do. The items are `Placed` rows, from the drafts (`matrix.draft_placements`) or from the editions in
force (`publication.matrix`), so both read through this one function.
"""

from dataclasses import dataclass, field

from .columns import Part
from .coverage import EntryIndex, county_entries
from .matrix import Placed, group_rows
from .models import Department, Township

# The parts in which a department is named, and what it is there.
ROLES = {Part.COORDINATED: "主责", Part.RECLAIMED: "承接"}


@dataclass
class Totals:
    coordinated: int = 0
    reclaimed: int = 0

    @property
    def total(self) -> int:
        return self.coordinated + self.reclaimed

    def add(self, part: str) -> None:
        setattr(self, part, getattr(self, part) + 1)


@dataclass
class LedgerItem:
    township: Township
    item: Placed


@dataclass
class LedgerRow:
    """One item matched across townships, in one part: where each township holds it."""

    name: str
    category: str
    part: str
    items: list[LedgerItem]

    @property
    def part_label(self) -> str:
        return Part(self.part).label


@dataclass
class Section:
    part: str
    rows: list[LedgerRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{ROLES[self.part]}的{Part(self.part).label}"

    @property
    def count(self) -> int:
        return sum(len(row.items) for row in self.rows)


@dataclass
class Ledger:
    department: Department
    sections: list[Section]
    townships: list[tuple[Township, Totals]]
    categories: list[tuple[str, Totals]]
    totals: Totals

    @property
    def items(self) -> list[LedgerItem]:
        """Every item, section by section, row by row: the workbook's detail sheet."""
        return [entry for section in self.sections for row in section.rows for entry in row.items]


def ledger_of(department: Department, townships: list[Township], items: list[Placed]) -> Ledger:
    """The department's ledger over the townships' items (2 queries besides the producer's)."""
    items = [item for item in items if item.part in ROLES and department.pk in item.department_ids]
    by_id = {township.pk: township for township in townships}
    position = {township.pk: number for number, township in enumerate(townships)}
    per_township = {township.pk: Totals() for township in townships}
    per_category: dict[tuple, tuple[str, Totals]] = {}
    totals = Totals()
    for item in items:
        per_township[item.township_id].add(item.part)
        per_category.setdefault(item.category_sort, (item.category, Totals()))[1].add(item.part)
        totals.add(item.part)
    index = EntryIndex(county_entries(department.county_id))
    sections = {part: Section(part) for part in ROLES}
    for part, section in sections.items():
        grouped = group_rows(townships, [item for item in items if item.part == part], index)
        for key, by_township in grouped.items():
            held = sorted(
                (item for kept in by_township.values() for item in kept),
                key=lambda item: position[item.township_id],
            )
            first = held[0]
            name = key[2] or first.name
            section.rows.append(
                LedgerRow(name, first.category, part, [LedgerItem(by_id[i.township_id], i) for i in held])
            )
        section.rows.sort(key=lambda row: (row.items[0].item.category_sort, row.name))
    return Ledger(
        department,
        list(sections.values()),
        [(township, per_township[township.pk]) for township in townships],
        [per_category[key] for key in sorted(per_category)],
        totals,
    )

"""What a list covers of its county's catalogues (查缺补漏): every finding of a draft or an edition.

A list is checked against every entry of its county's reference catalogues (`Catalogue.Kind`):

- 缺少必须列入的事项: an entry marked 必须列入 (`CatalogueEntry.is_mandatory`) that no item holds;
- 清单类型与模板不同: an item placed in another part than the county template (标准模板) places it;
- 部门与目录不同: an item in its entry's part naming another lead (配合) or receiving (收回) department;
- 没有对应目录事项: an item that no catalogue entry knows, neither by its link nor by its name;
- 应收回仍自行履行: an entry of a reclaimed-items reference catalogue (上级部门收回事项参考目录) that the
  township still keeps as a basic or coordinated item of its own.

An item holds an entry when it came from it (`catalogue_entry`), or, written by hand or imported
without the link, when it has the entry's name (spaces and bracket widths aside). An item that is not
linked is read against the entry of its name, the template's first. The item and its entry are read by
one function (`catalog.comparison.readings`) and compared by one (`compare_readings`), whether the item
is a draft's live row or an edition's frozen one. Whether a list missing mandatory entries may still be
submitted (一上) is the county's choice, read by the workflow (`review.models.ReviewPolicy`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from django.db import models

from .columns import COLUMNS, DEPARTMENT, DEPARTMENTS, Part
from .comparison import FieldChange, compare_readings, department_ids, readings
from .models import Catalogue, CatalogueEntry, DutyItem, DutyList
from .similarity import name_key


class Kind(models.TextChoices):
    """The kinds of finding, in the order the page lists them."""

    MISSING = "missing", "缺少必须列入的事项"
    PART = "part", "清单类型与县级标准模板不同"
    DEPARTMENT = "department", "主责或承接部门与目录不同"
    NO_ENTRY = "no_entry", "没有对应目录事项的事项"
    RECLAIMED_KEPT = "reclaimed_kept", "参考目录列为收回、仍自行履行的事项"


# What an item is compared on with its entry: its part, and the departments a part names.
DEPARTMENT_FIELDS = [column.name for column in COLUMNS if column.kind in (DEPARTMENT, DEPARTMENTS)]
COMPARED = ["part", *DEPARTMENT_FIELDS]


@dataclass
class Finding:
    kind: Kind
    sentence: str  # the finding in one Chinese sentence
    item: object = None  # the draft's DutyItem or the edition's frozen row; none for a missing entry
    entry: CatalogueEntry | None = None  # the catalogue entry it is measured against
    differences: list[FieldChange] = field(default_factory=list)  # what differs, field by field

    @property
    def kind_label(self) -> str:
        return self.kind.label


@dataclass
class Coverage:
    """Findings of one check, listed by kind; the quality check (`catalog.quality`) has its own kinds."""

    findings: list
    kinds: ClassVar[type[models.TextChoices]] = Kind

    def of_kind(self, kind: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.kind == kind]

    @property
    def missing(self) -> list[Finding]:
        return self.of_kind(Kind.MISSING)

    @property
    def counts(self) -> list[tuple[Kind, int]]:
        """Each kind with its number of findings, every kind listed."""
        return [(kind, len(self.of_kind(kind))) for kind in self.kinds]

    def __len__(self) -> int:
        return len(self.findings)


def county_entries(county_id: int) -> list[CatalogueEntry]:
    """Every entry of the county's catalogues, in catalogue order, read once (2 queries)."""
    return list(
        CatalogueEntry.objects.filter(catalogue__county_id=county_id)
        .select_related("catalogue", "category", "receiving_department")
        .prefetch_related("lead_departments")
        .order_by("catalogue__kind", "catalogue__name", "part", "category__order", "order", "id")
    )


def is_reclaimed_reference(entry: CatalogueEntry) -> bool:
    return entry.catalogue.kind == Catalogue.Kind.RECLAIMED and entry.part == Part.RECLAIMED


def part_label(value: str) -> str:
    return Part(value).label


class EntryIndex:
    """Which entry an item is read against: the entry it is linked to, else the entry of its name
    (the template's first). Coverage and the cross-township comparison (`catalog.matrix`) ask it."""

    def __init__(self, entries: list[CatalogueEntry]):
        self.by_id = {entry.pk: entry for entry in entries}
        self.keys: dict[str, str] = {}
        self.by_name: dict[str, CatalogueEntry] = {}
        for entry in sorted(entries, key=lambda e: e.catalogue.kind != Catalogue.Kind.TEMPLATE):
            self.by_name.setdefault(name_key(entry.name), entry)

    def entry_of(self, row) -> CatalogueEntry | None:
        return self.by_id.get(row.catalogue_entry_id) or self.by_name.get(self.key_of(row.name))

    def key_of(self, name: str) -> str:
        """`name_key`, worked out once per name: a county's townships repeat each other's names."""
        if name not in self.keys:
            self.keys[name] = name_key(name)
        return self.keys[name]


def coverage_of(county_id: int, rows: Iterable) -> Coverage:
    """The findings of a list's items (a draft's active items or an edition's rows, in list order)
    against the county's catalogues; two queries besides reading the rows."""
    entries = county_entries(county_id)
    rows = list(rows)
    index = EntryIndex(entries)
    by_id = index.by_id
    holders: dict[int, list] = {}  # entry → the rows holding it, by link
    named: dict[str, list] = {}  # name → the rows of that name
    for row in rows:
        if row.catalogue_entry_id in by_id:
            holders.setdefault(row.catalogue_entry_id, []).append(row)
        named.setdefault(name_key(row.name), []).append(row)

    found: list[Finding] = []
    for entry in entries:
        held = holders.get(entry.pk, []) + [
            row for row in named.get(name_key(entry.name), []) if row.catalogue_entry_id != entry.pk
        ]
        if entry.is_mandatory and not held:
            found.append(missing(entry))
        if is_reclaimed_reference(entry):
            found += [kept(row, entry) for row in held if row.part != Part.RECLAIMED]
    for row in rows:
        entry = index.entry_of(row)
        if entry is None:
            found.append(Finding(Kind.NO_ENTRY, f"“{row.name}”在本县的参考目录中没有对应的事项。", row))
        else:
            found += measured(row, entry)
    order = list(Kind)
    return Coverage(sorted(found, key=lambda finding: order.index(finding.kind)))


def missing(entry: CatalogueEntry) -> Finding:
    sentence = (
        f"“{entry.name}”在{entry.catalogue.name}中标为必须列入（{entry.get_part_display()}），本清单没有。"
    )
    return Finding(Kind.MISSING, sentence, entry=entry)


def kept(row, entry: CatalogueEntry) -> Finding:
    receiver = entry.receiving_department.name if entry.receiving_department else "县级部门"
    sentence = (
        f"“{row.name}”在{entry.catalogue.name}中列为上级部门收回事项（由{receiver}承接），"
        f"本清单仍列为{part_label(row.part)}。"
    )
    changes = compare_readings(readings(entry, COMPARED), readings(row, COMPARED), ["part"])
    return Finding(Kind.RECLAIMED_KEPT, sentence, row, entry, changes)


def measured(row, entry: CatalogueEntry) -> list[Finding]:
    """The item read against its entry: another part than the template's, or other departments."""
    changes = compare_readings(readings(entry, COMPARED), readings(row, COMPARED), COMPARED)
    by_name = {change.name: change for change in changes}
    if by_name["part"].changed:
        if entry.catalogue.kind != Catalogue.Kind.TEMPLATE:
            return []  # a reclaimed-items reference's entry kept in another part: `kept`
        sentence = (
            f"“{row.name}”列为{by_name['part'].after}，{entry.catalogue.name}列为{by_name['part'].before}。"
        )
        return [Finding(Kind.PART, sentence, row, entry, [by_name["part"]])]
    # Departments are the same when their ids are: an edition's rows keep the names of publication
    # time, and a department renamed or reordered since is still the one the entry names.
    differing = [
        c
        for c in changes
        if c.name != "part" and c.before and department_ids(entry, c.name) != department_ids(row, c.name)
    ]
    if not differing:
        return []
    said = "；".join(f"{c.label}为“{c.after or '未填写'}”，目录为“{c.before}”" for c in differing)
    sentence = f"“{row.name}”的{said}（{entry.catalogue.name}）。"
    return [Finding(Kind.DEPARTMENT, sentence, row, entry, differing)]


def draft_items(duty_list: DutyList):
    """A draft's active items in list order, with what their reading needs (2 queries)."""
    return (
        DutyItem.objects.active()
        .filter(duty_list=duty_list)
        .select_related("category", "receiving_department")
        .prefetch_related("lead_departments")
        .in_published_order()
    )


def draft_coverage(duty_list: DutyList) -> Coverage:
    """A draft's findings (4 queries, whatever its size)."""
    return coverage_of(duty_list.township.county_id, draft_items(duty_list))


def missing_mandatory(duty_list: DutyList) -> list[CatalogueEntry]:
    """The county's mandatory entries the list has no active item for, in catalogue order."""
    return [finding.entry for finding in draft_coverage(duty_list).of_kind(Kind.MISSING)]


def missing_mandatory_lines(entries: list[CatalogueEntry], *, limit: int = 20) -> str:
    """The missing entries as one Chinese sentence, naming at most `limit` of them."""
    names = "、".join(f"“{entry.name}”（{entry.catalogue.name}）" for entry in entries[:limit])
    more = f"等 {len(entries)} 项" if len(entries) > limit else f"共 {len(entries)} 项"
    return f"清单缺少县里规定必须列入的事项：{names}，{more}。"

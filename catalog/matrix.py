"""交叉比对: a county's townships side by side, item by item, and where one does otherwise.

Rows are items matched across the townships: by the catalogue entry an item came from, else by the
entry of its name, else by its name alone (`name_key`: spaces and bracket widths aside) — the way
coverage decides which entry an item is (`coverage.EntryIndex`). Columns are townships; a cell is
where the township placed the item: its part (基 / 配 / 收) and the department the part names (the
lead departments of a coordinated item, the receiving one of a reclaimed item, `PART_DEPARTMENT`).

The placement most townships holding a row share is the row's majority; a cell placed otherwise
differs, and a township without the item where more than half of the county's townships hold it
lacks it. Without a placement held by more townships than any other there is no majority and no
cell differs. Filters choose rows (a row stays whole, so the majority is always the county's).

The engine reads `Placed` items, which a draft (`draft_placements`, here) or an edition in force
(`publication.matrix`) produces, so drafts and editions are compared by one function. Reads are
bounded: every producer and the matrix take a fixed number of queries whatever the county's size.
"""

import gc
from collections import Counter
from contextlib import ContextDecorator
from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import reverse

from .columns import DEPARTMENTS, PART_DEPARTMENT, WORK_FIELDS, Part
from .coverage import EntryIndex, county_entries
from .models import Department, DutyItem, DutyList, Township
from .queries import current_drafts

DEPARTMENT_SEPARATOR = "、"  # how a frozen row joins the names of its lead departments


class collector_paused(ContextDecorator):
    """The cyclic garbage collector paused while a matrix is built and drawn (a view decorator).

    A county's matrix is tens of thousands of small objects (rows read, `Placed`, `Cell`) that live
    until the page is written and hold no reference cycles; while they pile up, the collector's
    passes re-scanned them again and again — more than half the page's time in the benchmark
    (docs/performance.md). Reference counting still frees every one of them when the page is done;
    the collector runs again as usual afterwards. Memory is bounded by the county's size.
    """

    def __enter__(self):
        self.was_enabled = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc):
        if self.was_enabled:
            gc.enable()
        return False


@dataclass(slots=True)
class Placed:
    """One item of one township as the comparison reads it (a draft's live row or an edition's row)."""

    township_id: int
    name: str
    part: str
    departments: tuple[str, ...]  # the names the part's department column holds, in its order
    department_ids: frozenset
    category: str  # the category path as a person reads it (民生服务 › 社会救助)
    category_ids: frozenset  # the category and its parent, for the category filter
    category_sort: tuple
    catalogue_entry_id: int | None
    url: str
    work: str = ""  # what the part says is done (read for the department's ledger only)
    placement: tuple = ()  # the part and the departments in name order: what the comparison compares

    def __post_init__(self):
        self.placement = placement_of(self.part, self.departments)

    @property
    def label(self) -> str:
        return placement_label(self.placement)


@lru_cache(maxsize=4096)
def placement_of(part: str, departments: tuple) -> tuple:
    """One tuple per placement (a county has few and thousands of items): equal ones are the same
    object, so comparing and counting them is quick."""
    return (part, tuple(sorted(departments)))


@lru_cache(maxsize=4096)
def placement_label(placement: tuple) -> str:
    """基 / 配 / 收 and the department(s): a county has few placements and thousands of cells."""
    part, departments = placement
    return " ".join([Part(part).short_label, DEPARTMENT_SEPARATOR.join(departments)]).strip()


def category_path(parent: str, name: str) -> str:
    return f"{parent} › {name}" if parent else name


def category_sort(parent_order, parent_id, order, category_id) -> tuple:
    """The list's category order (`list_order`) as a key: a sub-category right after its parent."""
    top = (parent_order, parent_id) if parent_id else (order, category_id or 0)
    return (*top, 1 if parent_id else 0, order, category_id or 0)


@dataclass
class Cell:
    """A township's items of one row (usually one), read once: the page draws thousands."""

    items: list[Placed] = field(default_factory=list)
    differs: bool = False  # placed otherwise than most townships
    lacks: bool = False  # not held where more than half of the townships hold it

    def __post_init__(self):
        items = self.items
        if len(items) == 1:  # nearly every cell
            self.placement = (items[0].placement,)
            self.label, self.url, self.title = placement_label(self.placement[0]), items[0].url, items[0].name
            return
        self.placement = tuple(sorted({item.placement for item in items}))
        self.label = "；".join(placement_label(p) for p in self.placement)
        self.url = items[0].url if items else ""
        self.title = "；".join(item.name for item in items)


@dataclass
class Row:
    name: str
    category: str
    category_sort: tuple
    is_catalogued: bool  # matched on a catalogue entry
    cells: list[Cell]  # one per township, in the county's order
    majority: tuple | None  # the placement most townships share, if one does

    @property
    def held(self) -> int:
        return sum(1 for cell in self.cells if cell.items)

    @property
    def differing(self) -> int:
        return sum(1 for cell in self.cells if cell.differs)

    @property
    def majority_label(self) -> str:
        if self.majority is None:
            return "无多数做法"
        return "；".join(placement_label(p) for p in self.majority)


@dataclass
class Matrix:
    townships: list[Township]
    rows: list[Row]
    total: int  # rows before filtering

    @property
    def differing_rows(self) -> int:
        return sum(1 for row in self.rows if row.differing)


@dataclass
class Filters:
    category: int | None = None
    department: int | None = None
    part: str | None = None
    differing: bool = False

    def keeps(self, row: Row) -> bool:
        if self.differing and not row.differing:
            return False
        if self.category is None and self.department is None and self.part is None:
            return True
        items = [item for cell in row.cells for item in cell.items]
        return any(
            (self.category is None or self.category in item.category_ids)
            and (self.department is None or self.department in item.department_ids)
            and (self.part is None or item.part == self.part)
            for item in items
        )


def row_key(item: Placed, index: EntryIndex):
    entry = index.entry_of(item)
    return ("entry", entry.pk, entry.name) if entry is not None else ("name", index.key_of(item.name), "")


def group_rows(townships: list[Township], items: list[Placed], index: EntryIndex) -> dict:
    """The items by their row, then by their township: {key: {township id: [Placed]}}."""
    rows: dict = {}
    for item in items:
        rows.setdefault(row_key(item, index), {}).setdefault(item.township_id, []).append(item)
    return rows


def majority_of(placements: list[tuple]) -> tuple | None:
    """The placement more townships share than any other, if one does."""
    counted = Counter(placements).most_common(2)
    if not counted or (len(counted) == 2 and counted[0][1] == counted[1][1]):
        return None
    return counted[0][0]


def build_row(key, by_township: dict, townships: list[Township]) -> Row:
    cells = [Cell(by_township.get(township.pk, [])) for township in townships]
    held = [cell for cell in cells if cell.items]
    majority = majority_of([cell.placement for cell in held]) if len(held) > 1 else None
    for cell in cells:
        cell.differs = majority is not None and bool(cell.items) and cell.placement != majority
        cell.lacks = not cell.items and len(held) * 2 > len(cells)
    first = held[0].items[0]
    names = Counter(item.name for cell in held for item in cell.items)
    categories = Counter((item.category_sort, item.category) for cell in held for item in cell.items)
    (sort, category), _ = categories.most_common(1)[0]
    kind, _, entry_name = key
    name = entry_name if kind == "entry" else names.most_common(1)[0][0]
    return Row(name or first.name, category, sort, kind == "entry", cells, majority)


def matrix_of(county_id: int, townships: list[Township], items: list[Placed], filters: Filters) -> Matrix:
    """The county's townships compared row by row (2 queries besides the producer's)."""
    index = EntryIndex(county_entries(county_id))
    rows = [build_row(key, group, townships) for key, group in group_rows(townships, items, index).items()]
    rows.sort(key=lambda row: (row.category_sort, row.majority or (), row.name))
    return Matrix(townships, [row for row in rows if filters.keeps(row)], len(rows))


# Drafts: each township's list being worked on.


def item_address(duty_list: DutyList) -> str:
    """Where an item of the draft is shown, but for its id and part (built once per list)."""
    return reverse("catalog:list_editor", args=[duty_list.pk])


def draft_placements(county, *, department: Department | None = None) -> tuple[list[Township], list[Placed]]:
    """Every township of the county that has a draft, and the drafts' active items (4 queries);
    only the items naming `department` when given, with what each asks (its part's work column)."""
    lists = {duty_list.pk: duty_list for duty_list in current_drafts(county)}
    items = DutyItem.objects.active().filter(duty_list__in=list(lists))
    if department is not None:
        items = items.naming_department(department)
    fields = ["duty_list_id", "name", "part", "catalogue_entry_id", "receiving_department_id"]
    fields += ["category__name", "category__order", "category__parent_id"]
    fields += ["category__parent__name", "category__parent__order"]
    works = sorted(set(WORK_FIELDS.values())) if department is not None else []
    rows = items.values_list("pk", "category_id", *fields, *works)
    leads: dict[int, list[int]] = {}
    through = DutyItem.lead_departments.through.objects.filter(
        dutyitem__duty_list__in=list(lists), dutyitem__deleted_at__isnull=True
    )
    for item_id, department_id in through.order_by("department__order", "department__name").values_list(
        "dutyitem_id", "department_id"
    ):
        leads.setdefault(item_id, []).append(department_id)
    names = dict(Department.objects.filter(county=county).order_by().values_list("pk", "name"))
    addresses = {pk: item_address(duty_list) for pk, duty_list in lists.items()}
    placed = []
    categories: dict[int, tuple] = {}  # a category's path, ids and order, worked out once
    for pk, category_id, list_id, name, part, entry_id, receiver, *rest in rows:
        if category_id not in categories:
            category, order, parent_id, parent, parent_order = rest[:5]
            categories[category_id] = (
                category_path(parent or "", category),
                frozenset({category_id, parent_id}) - {None},
                category_sort(parent_order, parent_id, order, category_id),
            )
        path, category_ids, sort = categories[category_id]
        work = dict(zip(works, rest[5:], strict=True)).get(WORK_FIELDS[part], "") if works else ""
        column = PART_DEPARTMENT[part]
        if column is None:
            ids = []
        else:
            ids = leads.get(pk, []) if column.kind == DEPARTMENTS else [receiver] if receiver else []
        placed.append(
            Placed(
                lists[list_id].township_id,
                name,
                part,
                tuple(names.get(i, "") for i in ids),
                frozenset(ids),
                path,
                category_ids,
                sort,
                entry_id,
                f"{addresses[list_id]}?part={part}#item-{pk}",
                work,
            )
        )
    townships = [duty_list.township for duty_list in lists.values()]
    return townships, placed


@lru_cache(maxsize=4096)
def department_names(text: str) -> tuple[str, ...]:
    """The names a frozen row's department column joins (few distinct texts in a county)."""
    return tuple(name for name in text.split(DEPARTMENT_SEPARATOR) if name)


@lru_cache(maxsize=4096)
def frozen_category(category: str, category_id, order, parent: str, parent_id, parent_order) -> tuple:
    """A frozen row's category as the comparison reads it: path, ids, sort key (worked out once)."""
    return (
        category_path(parent, category),
        frozenset({category_id, parent_id}) - {None},
        category_sort(parent_order, parent_id, order, category_id),
    )


def frozen_placement(row, township_id: int, url: str, *, with_work: bool = False) -> Placed:
    """An edition's (or a submission's) frozen row as the comparison reads it."""
    column = PART_DEPARTMENT[row.part]
    names, ids = (), frozenset()
    if column is not None:
        names = department_names(column.frozen_value(row) or "")
        kept = getattr(row, column.frozen_ids, None)  # not read unless rows are chosen by department
        ids = frozenset(kept if isinstance(kept, list) else [kept] if kept else [])
    path, category_ids, sort = frozen_category(
        row.category,
        row.category_id,
        row.category_order,
        row.category_parent,
        row.category_parent_id,
        row.category_parent_order,
    )
    return Placed(
        township_id,
        row.name,
        row.part,
        names,
        ids,
        path,
        category_ids,
        sort,
        row.catalogue_entry_id,
        url,
        getattr(row, WORK_FIELDS[row.part]) if with_work else "",
    )

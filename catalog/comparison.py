"""One comparison engine for two versions of an item or of a list, on the declared columns.

Every comparison reads both versions as a person reads them (names, not ids; 是/否; the part's label)
and lists them field by field in the printed order of `catalog.columns`: the draft's change feed and
item history (two historical records), 版本对比 (two submissions), an edition's change log (two
editions) and the import preview (a file's row against the draft). Lists are matched on the items'
stable keys.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from .columns import COLUMN, COMPARED_COLUMNS, DEPARTMENTS, FROZEN_COLUMN, Part
from .models.items import PartFields

# A field's label by its name on the live item or on frozen rows.
LABELS = {name: column.label for name, column in FROZEN_COLUMN.items()} | {
    name: column.label for name, column in COLUMN.items()
}
PRINTED = {name: column.printed for name, column in FROZEN_COLUMN.items()} | {
    name: column.printed for name, column in COLUMN.items()
}


@dataclass
class FieldChange:
    name: str
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def compare_readings(
    before: dict, after: dict, names: Iterable[str], *, printed: bool = False, labels: dict | None = None
) -> list[FieldChange]:
    """Each named field of two versions, before and after, labelled as the columns declare (as the
    printed sheet heads them when `printed`); `labels` names fields that are not columns."""
    known = (PRINTED if printed else LABELS) | (labels or {})
    return [FieldChange(name, known[name], before.get(name, ""), after.get(name, "")) for name in names]


def frozen_readings(row) -> dict[str, str]:
    """A frozen row's compared fields as a person reads them."""
    return {column.frozen_name: str(column.frozen_value(row) or "") for column in COMPARED_COLUMNS}


def readings(row, names: Iterable[str]) -> dict[str, str]:
    """The named columns of any version of an item as a person reads them: a live row (a draft's
    item, a catalogue entry) through its related rows as fetched (a province's entry through the
    names it writes), a frozen row through the names it keeps. Coverage reads an item and its catalogue entry with it, so the two read alike."""
    if isinstance(row, PartFields):
        return {name: str(row.reading(COLUMN[name]) or "") for name in names}
    return {name: str(FROZEN_COLUMN[name].frozen_value(row) or "") for name in names}


def department_ids(row, name: str) -> frozenset:
    """The ids of the departments a column names on any version of an item (names change when a
    department is renamed, ids do not): a live row through its related rows as fetched, a frozen
    row through the ids it keeps."""
    column = COLUMN[name]
    if isinstance(row, PartFields):
        if column.kind == DEPARTMENTS:
            return frozenset(department.pk for department in getattr(row, name).all())
        return frozenset({getattr(row, f"{name}_id")} - {None})
    kept = getattr(row, column.frozen_ids)
    return frozenset(kept if column.kind == DEPARTMENTS else {kept} - {None})


COMPARED_NAMES = [column.frozen_name for column in COMPARED_COLUMNS]


@dataclass
class ItemDiff:
    key: object
    name: str
    kind: str  # added, removed, changed, moved
    before_part_value: str
    after_part_value: str
    fields: list[FieldChange]
    comments: list = field(default_factory=list)  # what the caller attaches (review: the comments)

    KIND_LABELS = {"added": "新增", "removed": "删除", "changed": "修改", "moved": "调整清单类型"}

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS[self.kind]

    @property
    def before_part(self) -> str:
        return Part(self.before_part_value).label if self.before_part_value else ""

    @property
    def after_part(self) -> str:
        return Part(self.after_part_value).label if self.after_part_value else ""


def compare_rows(old_rows: Iterable, new_rows: Iterable) -> list[ItemDiff]:
    """Items added, changed (field by field), moved between parts and removed from one version of
    a list to another (frozen rows), matched on the items' keys; in the order of the newer version."""
    old = {row.key: row for row in old_rows}
    new = {row.key: row for row in new_rows}
    diffs = []
    for key, row in new.items():
        previous = old.get(key)
        if previous is None:
            diffs.append(ItemDiff(key, row.name, "added", "", row.part, []))
            continue
        readings = compare_readings(frozen_readings(previous), frozen_readings(row), COMPARED_NAMES)
        changes = [change for change in readings if change.changed]
        if changes:
            kind = "moved" if previous.part != row.part else "changed"
            diffs.append(ItemDiff(key, row.name, kind, previous.part, row.part, changes))
    diffs += [
        ItemDiff(key, row.name, "removed", row.part, "", []) for key, row in old.items() if key not in new
    ]
    return diffs

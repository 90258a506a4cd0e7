"""What an adjustment would change: for each requested change, the published value and the requested
value of every column that differs, read by the one comparison engine (`catalog.comparison`) on the
declared columns. The township sees it before filing and the county editor before approving.

The requested values are the published row with the change written into it the way `write_change`
writes a change into the live item: an empty field changes nothing, 调整清单类型 clears the columns
the new part does not carry and carries the township's work over.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

from catalog.columns import COLUMN, COMPARED_COLUMNS, PART_DEPENDENT_FIELDS, PART_FIELDS, WORK_FIELDS, Part
from catalog.comparison import COMPARED_NAMES, FieldChange, compare_readings, frozen_readings
from catalog.services import TOWNSHIP_WORK_PARTS

from ..models import AdjustmentItem, Edition

Action = AdjustmentItem.Action


@dataclass
class ChangePreview:
    """One requested change as a person checks it: what it does to which item, column by column."""

    action: str
    name: str
    basis: str
    reason: str
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return Action(self.action).label

    @property
    def is_removal(self) -> bool:
        return self.action == Action.REMOVE


def departments_of(change) -> list:
    """The lead departments of a change being filed (a list) or filed (a related manager)."""
    leads = change.lead_departments
    return list(leads.all()) if hasattr(leads, "all") else list(leads)


def empty_values(change) -> dict:
    """A new item before the change fills it in."""
    values = {column.frozen_name: "" for column in COMPARED_COLUMNS}
    values.update(is_safeguard=False, part=change.part or Part.BASIC)
    values["category"] = change.category.name if change.category else ""
    return values


def moved_values(values: dict, part: str, change) -> None:
    """Into another part, as `catalog.services.set_part` moves a live item."""
    township_work = values["content"] or values["township_duties"]
    for name in PART_DEPENDENT_FIELDS - PART_FIELDS[part]:
        values[COLUMN[name].frozen_name] = ""
    work = COLUMN[WORK_FIELDS[part]].frozen_name
    values[work] = values[work] or (township_work if part in TOWNSHIP_WORK_PARTS else "")
    values["part"] = part
    if part == Part.RECLAIMED and change.receiving_department is not None:
        values[COLUMN["receiving_department"].frozen_name] = change.receiving_department.name


def requested_values(row, change) -> dict:
    """The published row's frozen values with the change written in (`row` is None for a new item)."""
    values = empty_values(change) if row is None else row.frozen_values()
    if change.action != Action.MOVE and change.name.strip():
        values["name"] = change.name.strip()
    if row is not None and change.part and change.part != values["part"]:
        moved_values(values, change.part, change)
    elif change.receiving_department is not None:
        values[COLUMN["receiving_department"].frozen_name] = change.receiving_department.name
    leads = departments_of(change)
    if leads:
        values[COLUMN["lead_departments"].frozen_name] = "、".join(d.name for d in leads)
    if change.content.strip():
        values[COLUMN[WORK_FIELDS[values["part"]]].frozen_name] = change.content.strip()
    if change.action != Action.MOVE and change.basis.strip():
        values["basis"] = change.basis.strip()
    return values


def preview_change(row, change) -> ChangePreview:
    """What one change does to the published row (None for a new item), changed columns only."""
    name = change.name.strip() or (row.name if row is not None else "")
    preview = ChangePreview(change.action, name, change.basis, change.reason)
    if change.action == Action.REMOVE:
        return preview
    if row is not None:
        before = frozen_readings(row)
    else:  # nothing is published yet: a new item's part and category are news, its 否 is not
        before = frozen_readings(SimpleNamespace(**empty_values(change))) | {"part": "", "category": ""}
    after = frozen_readings(SimpleNamespace(**requested_values(row, change)))
    preview.fields = [c for c in compare_readings(before, after, COMPARED_NAMES) if c.changed]
    return preview


def preview_changes(edition: Edition, changes) -> list[ChangePreview]:
    """Each change (being filed, or filed as `AdjustmentItem` rows) against the edition it adjusts."""
    keys = {change.key for change in changes if change.key}
    published = {row.key: row for row in edition.items.filter(key__in=keys)}
    return [
        preview_change(published.get(change.key) if change.action != Action.ADD else None, change)
        for change in changes
    ]

"""Templates loop over an item's columns as `catalog.columns` declares them.

`cells` gives the columns that tell a part's table apart, with the item's values, for a live item
(the workbench) and a frozen row (submissions, editions) alike; `record` gives every open-data text
column of a frozen row, as the public item page lists them.
"""

from dataclasses import dataclass

from django import template

from ..columns import COLUMN, COLUMNS, DEPARTMENT, DEPARTMENTS, OFFICE, TEXT, WORK_FIELDS, Column
from ..columns import part_columns as columns_of_part
from ..models import CatalogueEntry, DutyItem

register = template.Library()

# What the public item page lists beneath the item's part and category: its text and who does it.
RECORD_COLUMNS = [
    c for c in COLUMNS if c.public and c.kind in (TEXT, OFFICE, DEPARTMENT, DEPARTMENTS) and c.name != "name"
]
DEPARTMENT_COLUMNS = [c for c in COLUMNS if c.kind in (DEPARTMENT, DEPARTMENTS)]


@dataclass(frozen=True)
class Cell:
    column: Column
    value: object


def value(item, column: Column):
    if isinstance(item, CatalogueEntry):  # a template entry has no office of its own
        return column.live_value(item) if hasattr(item, column.name) else ""
    return column.live_value(item) if isinstance(item, DutyItem) else column.frozen_value(item)


@register.filter
def part_columns(part) -> list[Column]:
    return columns_of_part(part)


@register.filter
def cells(item) -> list[Cell]:
    return [Cell(column, value(item, column)) for column in columns_of_part(item.part)]


@register.filter
def record(item) -> list[Cell]:
    return [Cell(column, value(item, column)) for column in RECORD_COLUMNS]


@register.filter
def work(row) -> str:
    """What a frozen row's (or a template entry's) part says is done."""
    return value(row, COLUMN[WORK_FIELDS[row.part]])


@register.filter
def departments(row) -> str:
    """The departments a frozen row names: its lead departments or the one that took it back."""
    return next((v for c in DEPARTMENT_COLUMNS if (v := value(row, c))), "")

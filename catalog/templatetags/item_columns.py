"""Templates loop over an item's columns as `catalog.columns` declares them.

`cells` gives the columns that tell a part's table apart, with the item's values, for a live item
(the workbench) and a frozen row (submissions, editions) alike; `record` gives every open-data text
column of a frozen row, as the public item page lists them.
"""

import html
from dataclasses import dataclass

from django import template
from django.utils.safestring import SafeString, mark_safe

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


def printed_text(value) -> str:
    """A text column's value as HTML: escaped, its line breaks kept — what Django's `linebreaksbr`
    filter writes (a test compares them), in a tenth of its time: a township page prints about
    1,000 texts, and the filter's lazy wrappers and regular expression took 5 ms of it."""
    return html.escape(str(value)).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


@register.simple_tag
def public_rows(items, items_url: str) -> SafeString:
    """The rows of a public table of frozen items of one part: 序号, the name linking to the item's
    page (`items_url` + key), the values of the part's own columns (`part_columns`), each labelled
    with its column's header (a phone shows the label beside the value), and the legal basis.
    Built here rather than node by node in the template: it is the loop of a township's page,
    about 340 rows, and it was two thirds of its time."""
    if not items:
        return mark_safe("")
    labelled = [(column, html.escape(column.printed)) for column in columns_of_part(items[0].part)]
    rows = []
    for number, item in enumerate(items, start=1):
        row = [
            f'<tr>\n      <td class="num">{number}</td>\n      <th scope="row" class="name">'
            f'<a href="{items_url}{item.key}/">{html.escape(item.name)}</a></th>\n      '
        ]
        for column, label in labelled:
            value = column.frozen_value(item)
            if column.is_text:
                row.append(f'<td data-label="{label}" class="text">{printed_text(value)}</td>')
            else:
                row.append(f'<td data-label="{label}">{html.escape(str(value))}</td>')
        row.append(
            f'\n      <td class="text basis" data-label="依据">{printed_text(item.basis)}</td>\n    </tr>'
        )
        rows.append("".join(row))
    return mark_safe("".join(rows))


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

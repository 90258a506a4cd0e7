"""A reference catalogue read from a workbook in the printed layout (the one its download gives, or
any layout the list import reads): all of it or nothing.

Each row becomes an entry of the catalogue: the entry of the same name (spaces and bracket widths
aside) is updated, any other row is added, entries the file does not name stay. A county's
catalogue names the county's categories and departments (a department by its name or short name);
a province's keeps the names as the file writes them, for each county's claim to resolve
(`catalog.claims`). Every unknown name and every row that breaks its part's rules is reported with
its sheet, row and column, and then nothing is written. Entries are saved through
`services.save_catalogue_entry`, one history record each.
"""

from dataclasses import dataclass

from django.db import transaction

from . import permissions, services
from .actors import permits
from .imports.layout import Problem, column_label, parse_sheets
from .imports.matching import DEPARTMENT_SEPARATORS, MODEL_FIELD_COLUMN, TRUE_WORDS
from .imports.reading import read_file
from .models import ENTRY_TEXT_COLUMNS, NAMED_BY_TEXT, Catalogue, CatalogueEntry, Category, Department, Part
from .refusals import Forbidden, Invalid
from .similarity import name_key

# The longest name a province's entry may write for each of them.
TEXT_LENGTHS = {name: CatalogueEntry._meta.get_field(text).max_length for name, text in NAMED_BY_TEXT.items()}


@dataclass
class CatalogueImport:
    added: int
    changed: int


@transaction.atomic
def import_catalogue(catalogue: Catalogue, data: bytes, filename: str, *, by) -> CatalogueImport:
    """Write the workbook's rows into the catalogue; refused, with every problem, if any row is wrong.
    Raises `ImportFileError` when the file cannot be read at all."""
    if not permits(by, permissions.can_edit_catalogue, catalogue):
        raise Forbidden(f"您无权修改目录“{catalogue}”。", code="cannot_manage_catalogue")
    parsed = parse_sheets(read_file(data, filename))
    problems = list(parsed.problems)
    provincial = catalogue.is_provincial
    categories = {c.name: c for c in Category.objects.filter(county_id=catalogue.county_id)}
    departments = {}
    for department in Department.objects.filter(county_id=catalogue.county_id):
        departments.setdefault(department.short_name, department)
        departments[department.name] = department
    existing = {name_key(entry.name): entry for entry in catalogue.entries.all()}
    seen, writes = set(), []
    for row in parsed.rows:
        where = {"sheet": row.sheet, "row": row.row}
        name = row.values.get("name", "").replace("\n", "")
        if not name or name_key(name) in seen:
            problems.append(
                Problem(
                    "缺少事项名称。" if not name else f"事项名称“{name}”重复。", column="事项名称", **where
                )
            )
            continue
        seen.add(name_key(name))
        named = [
            n.strip() for n in DEPARTMENT_SEPARATORS.split(row.values.get("department", "")) if n.strip()
        ]
        entry = existing.get(name_key(name)) or CatalogueEntry(catalogue=catalogue, order=len(writes) + 1)
        if provincial:
            named_problems = name_as_text(entry, row, named)
            problems.extend(Problem(message, column=column, **where) for column, message in named_problems)
            if named_problems:
                continue
            leads = []
        else:
            category = categories.get(row.category)
            if row.category and category is None:
                problems.append(
                    Problem(f"本县没有类别“{row.category}”，请先在后台添加。", column="类别", **where)
                )
                continue
            unknown = [n for n in named if n not in departments]
            if unknown:
                column = column_label(row.part, "department")
                problems.append(
                    Problem(
                        f"本县没有县直部门“{'、'.join(unknown)}”，请先在后台添加。", column=column, **where
                    )
                )
                continue
            entry.category = category
            leads = [departments[n] for n in named] if row.part == Part.COORDINATED else []
            entry.receiving_department = (
                departments[named[0]] if row.part == Part.RECLAIMED and named else None
            )
        entry.name, entry.part = name, row.part
        for column in ENTRY_TEXT_COLUMNS:
            setattr(entry, column.name, row.values.get(column.import_name, ""))
        if "safeguard" in row.values:
            entry.is_safeguard = row.values["safeguard"].strip().lower() in TRUE_WORDS
        for field, message in entry.part_errors(leads).items():
            column = MODEL_FIELD_COLUMN.get(field)
            problems.append(
                Problem(message, column=column_label(row.part, column) if column else "", **where)
            )
        writes.append((entry, leads))
    if problems:
        raise Invalid([str(problem) for problem in problems], code="file_problems", field="file")
    added = sum(1 for entry, _leads in writes if entry.pk is None)
    for entry, leads in writes:
        services.save_catalogue_entry(entry, lead_departments=leads, by=by, reason=f"导入《{filename}》")
    return CatalogueImport(added=added, changed=len(writes) - added)


def name_as_text(entry: CatalogueEntry, row, named: list[str]) -> list[tuple[str, str]]:
    """Write a province's row's category and departments as text; what is too long, by column."""
    values = {
        "category": row.category,
        "lead_departments": "、".join(named) if row.part == Part.COORDINATED else "",
        "receiving_department": named[0] if row.part == Part.RECLAIMED and named else "",
    }
    problems = []
    for name, value in values.items():
        if len(value) > TEXT_LENGTHS[name]:
            column = "类别" if name == "category" else column_label(row.part, "department")
            problems.append((column, f"名称过长（不超过 {TEXT_LENGTHS[name]} 字）。"))
        setattr(entry, NAMED_BY_TEXT[name], value)
    return problems

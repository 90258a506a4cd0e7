"""Resolve the names in a parsed file and compare its rows with the township's draft.

`plan_import` writes nothing: it returns an `ImportPlan` listing, per part,
what would be added, changed (field by field) and removed, and every problem
with its sheet, row and column. `apply_import` carries out a clean plan in one
transaction, through `catalog.services`, or not at all.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction

from .. import permissions, services
from ..actors import is_system, permits, recorded_user
from ..columns import COLUMNS, FIELD_NAMES, WORK_FIELDS, YES_NO
from ..comparison import FieldChange, compare_readings
from ..models import Catalogue, Category, Department, DutyItem, DutyList, Office, Part, Township
from ..quality import policy_for as quality_policy_for
from ..queries import current_draft
from ..refusals import Conflict, Forbidden, Invalid
from ..similarity import BigramIndex, name_key
from .layout import Parsed, ParsedRow, Problem, column_label, parse_sheets
from .names import CREATE, KIND_LABELS, NameResolution, Names, remember, unresolved_problem
from .reading import read_file

NAME_LIMIT = DutyItem._meta.get_field("name").max_length


DEPARTMENT_SEPARATORS = re.compile(r"[、，,；;/／\n]+")
# Compared fields every row of a file knows (it has a part, a position, a category and a name); the
# others are known when the file has their column.
ALWAYS_KNOWN = {"part", "order", "category", "name"}
# The text columns a file brings, by their field names, and the file column each field comes from.
TEXT_FIELDS = [c.name for c in COLUMNS if c.is_text and c.header_words and c.name not in ALWAYS_KNOWN]
MODEL_FIELD_COLUMN = {column.name: column.import_name for column in COLUMNS if column.header_words}
TRUE_WORDS = {"是", "√", "✓", "y", "yes", "true", "1", "兜底"}


@dataclass
class Incoming:
    """One row of the file, its names resolved to reference rows (or to ones to create)."""

    row: ParsedRow
    name: str
    part: str
    order: int
    category: Category
    office: Office | None = None
    leads: list[Department] = field(default_factory=list)
    receiving: Department | None = None
    texts: dict[str, str] = field(default_factory=dict)
    is_safeguard: bool | None = None  # None: the file has no 兜底 column
    entry: object = None  # the catalogue entry of the same name, if any
    # Without one: the entries whose names are alike (entry, similarity in %), closest first; the
    # person importing confirms one in the preview, or none.
    near_entries: list = field(default_factory=list)
    columns: frozenset = frozenset()  # the file's columns for this row's part

    @property
    def part_label(self) -> str:
        return Part(self.part).label

    def has(self, name: str) -> bool:
        """Whether the file speaks about this field; a missing column leaves it as it is."""
        return name in ALWAYS_KNOWN or MODEL_FIELD_COLUMN[name] in self.columns

    def comparable(self) -> dict[str, object]:
        safeguard = {} if self.is_safeguard is None else {"is_safeguard": YES_NO[self.is_safeguard]}
        return {
            "name": self.name,
            "part": self.part,
            "category": self.category.name,
            "order": self.order,
            **self.texts,
            "responsible_office": self.office.name if self.office else "",
            "lead_departments": "、".join(sorted(d.name for d in self.leads)),  # they have no order
            "receiving_department": self.receiving.name if self.receiving else "",
            **safeguard,
        }


@dataclass
class Change:
    item: DutyItem
    incoming: Incoming
    fields: list[FieldChange]


@dataclass
class ImportPlan:
    township: Township
    filename: str
    duty_list: DutyList | None
    list_version: int | None
    added: list[Incoming] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    missing: list[DutyItem] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # shown in the preview; they do not stop the import
    # How the file's names were resolved: created, mapped through an alias or a choice, or left to ask.
    names: NameResolution = field(default_factory=NameResolution)

    @property
    def to_create(self) -> dict[str, list[str]]:
        return self.names.to_create

    @property
    def unresolved(self) -> list:
        return list(self.names.unresolved.values())

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.missing)

    def by_part(self) -> list[dict]:
        return [
            {
                "part": part,
                "added": [i for i in self.added if i.part == part],
                "changed": [c for c in self.changed if c.incoming.part == part],
                "missing": [i for i in self.missing if i.part == part],
            }
            for part in Part
        ]

    def summary_lines(self) -> list[str]:
        """The plan as text, for the command line."""
        lines = [f"文件：{self.filename}  乡镇（街道）：{self.township.name}"]
        lines.append(f"清单：{self.duty_list.title if self.duty_list else '（将新建草稿）'}")
        for section in self.by_part():
            label = Part(section["part"]).label
            lines.append(
                f"{label}：新增 {len(section['added'])}，修改 {len(section['changed'])}，文件中没有 {len(section['missing'])}"
            )
            for new in section["added"]:
                lines.append(f"  + {new.name}")
                lines += [
                    f"      ? 名称相近的目录事项：“{entry.name}”（{entry.catalogue.name}，相似度 {score}%），"
                    "命令行导入不关联，请在网页导入时确认"
                    for entry, score in new.near_entries
                ]
            for change in section["changed"]:
                lines.append(f"  ~ {change.item.name}")
                lines += [
                    f"      {f.label}：{f.before or '（空）'} → {f.after or '（空）'}" for f in change.fields
                ]
            lines += [f"  - {i.name}（文件中没有，确认后才删除）" for i in section["missing"]]
        lines.append(f"未变化 {self.unchanged} 项")
        for kind, names in self.to_create.items():
            if names:
                label = KIND_LABELS[kind]
                lines.append(f"将新建{label}：{'、'.join(names)}")
        lines += [
            f"按已记住的对应关系：{r.label}“{r.name}”即“{r.target.name}”" for r in self.names.remembered
        ]
        lines += [f"  * {warning}" for warning in self.warnings]
        if self.problems:
            lines.append(f"发现 {len(self.problems)} 个问题，未导入：")
            lines += [f"  ! {problem}" for problem in self.problems]
        return lines


def plan_import(
    data: bytes,
    filename: str,
    township: Township,
    *,
    create_missing: bool = False,
    choices: dict | None = None,
    by,
) -> ImportPlan:
    """Read the file and compare it with the township's draft; writes nothing.

    `by` is the user importing, or `SYSTEM` (the command line), which may create
    names. `choices` are the preview's answers for names the county does not
    have: (kind, name) → the id of the existing record meant, or `names.CREATE`.
    Only the county editor creates reference data: an import that asks to
    create names for anyone else is refused outright.
    Raises `ImportFileError` when the file cannot be read at all.
    """
    choices = choices or {}
    may_create = permits(by, permissions.can_create_reference_data, township.county_id)
    if (create_missing or CREATE in choices.values()) and not may_create:
        raise Forbidden(
            "只有县委编办可以新建类别、责任科室和县直部门。",
            code="cannot_create_names",
            field="create_missing",
        )
    parsed = parse_sheets(read_file(data, filename))
    duty_list = current_draft(township)
    plan = ImportPlan(
        township=township,
        filename=filename,
        duty_list=duty_list,
        list_version=duty_list.version if duty_list else None,
        problems=list(parsed.problems),
    )
    names = Names(township, create_missing=create_missing, may_create=may_create, choices=choices)
    plan.names = names.result
    incoming = resolve_rows(parsed, township, plan, names)
    plan.problems[:0] = [
        unresolved_problem(unresolved, for_command=is_system(by), may_create=may_create)
        for unresolved in plan.unresolved
    ]
    if plan.problems:
        return plan
    compare_with_draft(plan, incoming, parsed)
    return plan


class CatalogueNames:
    """The county's template and safeguard entries, to link new items to: by name, or, for a name
    no entry has, the entries whose names are alike (the county's quality threshold, one similarity
    function with the draft's near-duplicate check)."""

    MOST = 3  # near entries offered for a row

    def __init__(self, county):
        self.by_key: dict = {}
        catalogues = Catalogue.objects.filter(
            county=county, kind__in=[Catalogue.Kind.TEMPLATE, Catalogue.Kind.SAFEGUARD]
        )
        # Later catalogues overwrite earlier ones: "safeguard" sorts before "template",
        # so an item named in both links to its template entry.
        for catalogue in catalogues.order_by("kind"):
            for entry in catalogue.entries.select_related("catalogue"):
                self.by_key[name_key(entry.name)] = entry
        self.entries = list(self.by_key.values())
        self.index = BigramIndex([entry.name for entry in self.entries])
        self.threshold = quality_policy_for(county.pk).threshold

    def get(self, name: str):
        return self.by_key.get(name_key(name))

    def near(self, name: str) -> list[tuple[object, int]]:
        alike = self.index.alike(name, self.threshold)[: self.MOST]
        return [(self.entries[position], int(score * 100)) for position, score in alike]


def resolve_rows(parsed: Parsed, township: Township, plan: ImportPlan, names: Names) -> list[Incoming]:
    entries = CatalogueNames(township.county)
    result: list[Incoming] = []
    seen: dict[str, ParsedRow] = {}
    positions: dict[tuple[str, str], int] = {}
    for row in parsed.rows:
        values = row.values
        name = values.get("name", "").replace("\n", "")
        where = {"sheet": row.sheet, "row": row.row}
        if not name:
            plan.problems.append(Problem("缺少事项名称。", column="事项名称", **where))
            continue
        if len(name) > NAME_LIMIT:
            plan.problems.append(
                Problem(
                    f"事项名称有 {len(name)} 个字，超过 {NAME_LIMIT} 字的上限。", column="事项名称", **where
                )
            )
            continue
        if name_key(name) in seen:
            first = seen[name_key(name)]
            plan.problems.append(
                Problem(
                    f"事项名称“{name}”与工作表“{first.sheet}”第 {first.row} 行重复。",
                    column="事项名称",
                    **where,
                )
            )
            continue
        seen[name_key(name)] = row
        if not row.category:
            plan.problems.append(
                Problem(f"事项“{name}”没有类别（既无类别列，也不在类别标题行之下）。", **where)
            )
            continue
        category = names.lookup("category", row.category, row, "类别")
        office = None
        if values.get("office"):
            office = names.lookup("office", values["office"].replace("\n", ""), row, "责任科室")
        departments = [
            names.lookup("department", part_name.strip(), row, column_label(row.part, "department"))
            for part_name in DEPARTMENT_SEPARATORS.split(values.get("department", ""))
            if part_name.strip()
        ]
        if category is None or None in departments or (values.get("office") and office is None):
            continue
        key = (row.part, category.name)
        positions[key] = positions.get(key, 0) + 1
        entry = entries.get(name)
        item = Incoming(
            row=row,
            name=name,
            part=row.part,
            order=positions[key],
            category=category,
            office=office,
            texts=part_texts(values, row, plan),
            entry=entry,
            near_entries=[] if entry is not None else entries.near(name),
            columns=frozenset(column for part, column in parsed.columns_seen if part == row.part),
        )
        if row.part == Part.BASIC and departments:
            plan.problems.append(
                Problem(
                    "这一行有县级部门，但所在的表被识别为基本履职事项。请将工作表命名为“配合履职事项清单”或"
                    "“上级部门收回事项清单”，或在表格上方加上这样的标题，再导入。",
                    **where,
                )
            )
        if row.part == Part.COORDINATED:
            item.leads = list({id(d): d for d in departments}.values())  # unsaved new ones cannot be hashed
        elif row.part == Part.RECLAIMED:
            item.receiving = departments[0] if departments else None
            if len(departments) > 1:
                plan.problems.append(
                    Problem(
                        "收回事项只能有一个收回部门。", column=column_label(row.part, "department"), **where
                    )
                )
        if "safeguard" in values:
            item.is_safeguard = values["safeguard"].strip().lower() in TRUE_WORDS
        check_part_rules(item, township, plan)
        result.append(item)
    return result


# Where a 具体内容 column goes on the parts that have none: their work column (docs/decisions/0003-excel.md).
CONTENT_FALLBACK = {part: field for part, field in WORK_FIELDS.items() if field != "content"}


def part_texts(values: dict[str, str], row: ParsedRow, plan: ImportPlan) -> dict[str, str]:
    texts = {name: values.get(name, "") for name in TEXT_FIELDS}
    target = CONTENT_FALLBACK.get(row.part)
    if target and texts["content"]:
        label = column_label(row.part, target)
        if texts[target]:
            plan.problems.append(
                Problem(
                    f"{Part(row.part).label}没有“具体内容”一栏，而“{label}”已填写：请把具体内容并入“{label}”或备注后再导入。",
                    sheet=row.sheet,
                    row=row.row,
                    column="具体内容",
                )
            )
        else:
            texts[target] = texts["content"]
            plan.warnings.append(
                Problem(
                    f"“具体内容”已作为“{label}”导入（{Part(row.part).label}没有具体内容一栏）。",
                    sheet=row.sheet,
                    row=row.row,
                )
            )
        texts["content"] = ""
    return texts


def check_part_rules(item: Incoming, township: Township, plan: ImportPlan) -> None:
    """The model's own per-part rules, reported against the file's row and column."""
    draft = DutyItem(
        duty_list=DutyList(township=township),
        part=item.part,
        category=item.category,
        name=item.name,
        responsible_office=item.office,
        receiving_department=item.receiving,
        is_safeguard=bool(item.is_safeguard),
        **{name: item.texts[name] for name in TEXT_FIELDS},
    )
    if item.receiving is not None and item.receiving.pk is None:
        draft.receiving_department_id = -1  # a department to be created: present, though not saved yet
    for field_name, message in draft.part_errors(item.leads).items():
        column = MODEL_FIELD_COLUMN.get(field_name)
        plan.problems.append(
            Problem(
                message,
                sheet=item.row.sheet,
                row=item.row.row,
                column=column_label(item.part, column) if column else "",
            )
        )


def stored_comparable(item: DutyItem, rank: int) -> dict[str, object]:
    return {
        "name": item.name,
        "part": item.part,
        "category": item.category.name,
        "order": rank,
        **{name: getattr(item, name) for name in TEXT_FIELDS},
        "responsible_office": item.responsible_office.name if item.responsible_office else "",
        "lead_departments": "、".join(sorted(d.name for d in item.lead_departments.all())),
        "receiving_department": item.receiving_department.name if item.receiving_department else "",
        "is_safeguard": YES_NO[item.is_safeguard],
    }


def compare_with_draft(plan: ImportPlan, incoming: list[Incoming], parsed: Parsed) -> None:
    existing: dict[str, DutyItem] = {}
    rank: dict[int, int] = {}  # an item's 序号 as printed: its place among its category's items
    if plan.duty_list is not None:
        items = (
            plan.duty_list.items.active()
            .select_related("category", "responsible_office", "receiving_department")
            .prefetch_related("lead_departments")
            .order_by("part", "category_id", "order", "id")
        )
        counters: dict[tuple, int] = {}
        for item in items:
            existing.setdefault(name_key(item.name), item)
            key = (item.part, item.category_id)
            counters[key] = counters.get(key, 0) + 1
            rank[item.pk] = counters[key]
    for new in incoming:
        item = existing.pop(name_key(new.name), None)
        if item is None:
            plan.added.append(new)
            continue
        before, after = stored_comparable(item, rank[item.pk]), new.comparable()
        # A column the file does not have leaves that field as it is, unless
        # the item moves to another part (then the new part's columns are set anew).
        moved = before["part"] != after["part"]
        compared = [name for name in FIELD_NAMES if name in after and (moved or new.has(name))]
        readings = compare_readings(readings_of(before), readings_of(after), compared, printed=True)
        changes = [change for change in readings if change.changed]
        if changes:
            plan.changed.append(Change(item=item, incoming=new, fields=changes))
        else:
            plan.unchanged += 1
    plan.missing = sorted(existing.values(), key=lambda item: (item.part, item.category.order, item.order))


def readings_of(values: dict) -> dict[str, str]:
    """Compared values as a person reads them."""
    return {name: Part(value).label if name == "part" else str(value) for name, value in values.items()}


class StalePlanError(Conflict):
    """The draft changed between the preview and the confirmation (409)."""

    def __init__(self, message: str = "预览之后清单已被修改，请重新预览后再导入。"):
        super().__init__(message, code="stale_plan")


@transaction.atomic
def apply_import(
    plan: ImportPlan, *, by, remove_missing: bool = False, links: dict[str, int] | None = None
) -> DutyList:
    """Carry out a clean plan: all of it or, on any error, none of it.

    `links` are the near-name entries the person importing confirmed: a new item's name → the id of
    one of the entries its row was offered (any other id is ignored)."""
    links = links or {}
    if not plan.ok:
        raise Invalid([str(problem) for problem in plan.problems], code="file_problems", field="plan")
    reason = f"导入《{plan.filename}》"
    duty_list = plan.duty_list
    if duty_list is not None:
        locked = DutyList.objects.select_for_update().get(pk=duty_list.pk)
        if locked.version != plan.list_version:
            raise StalePlanError()
        if not permits(by, permissions.can_edit_list, locked):
            raise Forbidden(f"您无权修改清单“{locked}”。", code="cannot_edit_list")
    else:
        if not permits(by, permissions.can_import_into, plan.township, None):
            raise Forbidden(f"您不能为{plan.township.name}新建清单。", code="cannot_start_list")
        duty_list = services.create_list(
            plan.township, title=f"{plan.township.name}履行职责事项清单", year=services.current_year()
        )
    save_new_names(plan)
    remember(plan.names, plan.township, recorded_by=recorded_user(by))
    new_items = []
    for incoming in plan.added:
        item = DutyItem(duty_list=duty_list, name=incoming.name, origin=DutyItem.Origin.INDIVIDUAL)
        set_values(item, incoming)
        incoming.entry = incoming.entry or confirmed_entry(incoming, links)
        if incoming.entry is not None:
            item.origin, item.catalogue_entry = DutyItem.Origin.COMMON, incoming.entry
            if incoming.is_safeguard is None:
                item.is_safeguard = incoming.entry.is_safeguard
        new_items.append((item, incoming.leads))
    services.add_items(duty_list, new_items, by=by, reason=reason)
    for change in plan.changed:
        item, incoming = change.item, change.incoming
        moved = item.part != incoming.part
        set_values(item, incoming, everything=moved)
        leads = incoming.leads if moved or incoming.has("lead_departments") else None
        services.save_item(item, lead_departments=leads, by=by, reason=reason)
    if remove_missing:
        for item in plan.missing:
            services.delete_item(item, by=by, reason=f"{reason}：文件中没有此事项")
    return duty_list


def confirmed_entry(incoming: Incoming, links: dict[str, int]):
    """The near-name entry confirmed for a new item, if it was one of those offered."""
    chosen = links.get(incoming.name)
    return next((entry for entry, _score in incoming.near_entries if entry.pk == chosen), None)


def set_values(item: DutyItem, incoming: Incoming, *, everything: bool = True) -> None:
    """Copy the file's values onto an item; without `everything`, only fields the file has a column for."""
    item.name = incoming.name
    item.part = incoming.part
    item.category = incoming.category
    item.order = incoming.order
    for name, value in incoming.texts.items():
        if everything or incoming.has(name):
            setattr(item, name, value)
    if everything or incoming.has("responsible_office"):
        item.responsible_office = incoming.office
    if everything or incoming.has("receiving_department"):
        item.receiving_department = incoming.receiving
    if incoming.is_safeguard is not None:
        item.is_safeguard = incoming.is_safeguard


def save_new_names(plan: ImportPlan) -> None:
    """Create the categories, offices and departments the user asked to create."""
    for row in {id(new): new for new in iter_new_rows(plan)}.values():
        if row.pk is None:
            row.full_clean()
            row.save()


def iter_new_rows(plan: ImportPlan):
    for incoming in plan.added + [change.incoming for change in plan.changed]:
        yield incoming.category
        if incoming.office is not None:
            yield incoming.office
        yield from incoming.leads
        if incoming.receiving is not None:
            yield incoming.receiving

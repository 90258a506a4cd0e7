"""Excel out: the three sheets a county prints and posts, columns described as data.

Workbooks are written with openpyxl's write-only mode, so memory stays flat
however many townships a county export holds. Rows come from `export_rows`,
plain values a published edition can produce as well as a draft.

Files handed out never carry a formula from user text: every workbook cell
goes through `text_cell` (strings are stored as text), every CSV value through
`csv_cell`, and every name inside a zip through `zip_member_name`.
"""

import gc
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from types import SimpleNamespace

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .claim_status import Status
from .columns import COLUMNS, exported_columns
from .ledger import ROLES
from .models import PUBLISHED_ORDER, Catalogue, CatalogueEntry, DutyItem, DutyList, FrozenItem, Part, Township

SHEET_NAMES = {
    Part.BASIC: "基本履职事项清单",
    Part.COORDINATED: "配合履职事项清单",
    Part.RECLAIMED: "上级部门收回事项清单",
}


class ExportRow(SimpleNamespace):
    """One item as the printed list shows it: its part and the text of each printed column, by field."""


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    value: Callable[[ExportRow], str]
    help: str = ""


def text(attribute: str) -> Callable[[ExportRow], str]:
    return lambda row: getattr(row, attribute)


# Each part's sheet: the printed columns of `catalog.columns`, after the 序号.
PART_COLUMNS: dict[str, list[Column]] = {
    part: [Column(c.printed, c.width, text(c.name), c.help) for c in exported_columns(part)] for part in Part
}
EXPORTED_COLUMNS = [column for column in COLUMNS if column.exported]
NUMBER_WIDTH = 6

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEADER_FONT = Font(name="黑体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=10.5)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
BODY = Alignment(vertical="top", wrap_text=True)


def export_rows(duty_list: DutyList) -> Iterable[ExportRow]:
    """A draft's active items in published order."""
    items = (
        DutyItem.objects.active()
        .filter(duty_list=duty_list)
        .select_related("category__parent", "responsible_office", "receiving_department")
        .prefetch_related("lead_departments")
        .order_by(*PUBLISHED_ORDER)
    )
    # The draft's items read as frozen rows, so drafts and editions print through one function.
    return frozen_export_rows(
        SimpleNamespace(**FrozenItem.values_of(item)) for item in items.iterator(chunk_size=500)
    )


def frozen_export_rows(rows: Iterable[FrozenItem]) -> Iterable[ExportRow]:
    """A submission's or a published edition's rows, already in published order."""
    for row in rows:
        yield ExportRow(
            part=row.part, **{column.name: column.frozen_value(row) for column in EXPORTED_COLUMNS}
        )


def write_workbook(
    township_name: str,
    rows: Iterable[ExportRow],
    stream,
    *,
    instructions: bool = False,
    title: str = "",
) -> None:
    """Three sheets, one per part, ready to print: A4 landscape, header repeated, pages numbered.
    Each sheet is headed with `title` (the township's list by default) and the part."""
    workbook = Workbook(write_only=True)
    title = title or f"{township_name}履行职责事项清单"
    sheets = {part: start_sheet(workbook, title, part) for part in Part}
    numbers = dict.fromkeys(Part, 0)
    widths = {part: [c.width for c in PART_COLUMNS[part]] for part in Part}
    looks = body_looks(sheets[Part.BASIC])
    for row in rows:
        numbers[row.part] += 1
        sheet, columns = sheets[row.part], PART_COLUMNS[row.part]
        values = [column.value(row) for column in columns]
        # Spreadsheets do not grow rows to wrapped text on their own when a file is
        # opened, so each row gets the height its longest cell needs.
        sheet.row_dimensions[numbers[row.part] + 2].height = row_height(widths[row.part], values)
        sheet.append(
            [looked_cell(sheet, numbers[row.part], looks[True])]
            + [looked_cell(sheet, v, looks[False]) for v in values]
        )
    if instructions:
        write_instructions(workbook)
    workbook.save(stream)
    # The saved workbook's objects refer to each other: freed only by the cyclic collector, whose
    # thresholds let several townships' workbooks pile up in a county's zip. A young-generation
    # pass (microseconds) frees this one now.
    del workbook, sheets
    gc.collect(1)


def start_sheet(workbook: Workbook, title: str, part: Part):
    columns = [("序号", NUMBER_WIDTH), *((column.header, column.width) for column in PART_COLUMNS[part])]
    return start_table(workbook, SHEET_NAMES[part], f"{title}（{part.label}）", columns)


def start_table(workbook: Workbook, sheet_name: str, title: str, columns: list[tuple[str, int]]):
    """A printable sheet: a title row, a header row repeated on every page, A4 landscape, page numbers."""
    sheet = workbook.create_sheet(sheet_name)
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as needed
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.merged_cells.add(f"A1:{get_column_letter(len(columns))}1")
    title_cell = text_cell(sheet, title)  # it holds the township's or the county's name
    title_cell.font, title_cell.alignment = TITLE_FONT, CENTER
    sheet.row_dimensions[1].height = 32
    sheet.append([title_cell])
    headers = []
    for header, _ in columns:
        cell = text_cell(sheet, header)
        cell.font, cell.alignment, cell.border, cell.fill = HEADER_FONT, CENTER, BORDER, HEADER_FILL
        headers.append(cell)
    sheet.append(headers)
    return sheet


LINE_HEIGHT = 14  # points, for the 10.5 pt body font


def row_height(widths: list[float], values: list[str]) -> float:
    """Points needed by the cell that wraps onto the most lines (a Chinese character is two width units)."""
    lines = 1
    for width, value in zip(widths, values, strict=True):
        per_line = max(1, int((width - 1) / 2))
        needed = sum(max(1, math.ceil(len(line) / per_line)) for line in (value or "").split("\n"))
        lines = max(lines, needed)
    return lines * LINE_HEIGHT + 4


def text_cell(sheet, value) -> WriteOnlyCell:
    """A workbook cell holding `value` as written: a string is text, never a formula."""
    if isinstance(value, str):
        # Control characters pasted from word processors cannot be stored in a workbook.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value if value != "" else None)
    if isinstance(value, str) and value:
        cell.data_type = "s"  # openpyxl would take "=…" for a formula
    return cell


def body_cell(sheet, value, *, center: bool = False) -> WriteOnlyCell:
    cell = text_cell(sheet, value)
    cell.font, cell.border = BODY_FONT, BORDER
    cell.alignment = CENTER if center else BODY
    return cell


def body_looks(sheet) -> dict[bool, WriteOnlyCell]:
    """The body cell's two looks (centred or not), styled once for a workbook: setting a style on
    a cell looks the style up in the workbook again, most of a workbook's time (0.8 ms a row)."""
    return {center: body_cell(sheet, "", center=center) for center in (False, True)}


def looked_cell(sheet, value, look: WriteOnlyCell) -> WriteOnlyCell:
    """A text cell taking the style of `look`, a cell of the same workbook."""
    cell = text_cell(sheet, value)
    cell._style = copy(look._style)
    return cell


def write_instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet("填写说明")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 70
    sheet.append([WriteOnlyCell(sheet, value="填写说明")])
    for line in [
        "1. 三张工作表分别填写基本履职事项、配合履职事项和上级部门收回事项，不要改动表名和表头。",
        "2. 每行一个事项；“序号”可留空，导入时按行的先后排序。",
        "3. 类别、责任科室、部门的名称须与系统中一致；导入预览会列出找不到的名称和最接近的已有名称。",
        "4. 单元格内可以换行、分条书写；不要使用公式。",
        "5. 导入前会先预览新增、修改和文件中没有的事项，确认后才写入；有任何问题都不会写入。",
    ]:
        sheet.append([line])
    sheet.append([])
    sheet.append([cell_bold(sheet, "工作表"), cell_bold(sheet, "列"), cell_bold(sheet, "怎么填")])
    for part in Part:
        for column in PART_COLUMNS[part]:
            sheet.append([SHEET_NAMES[part], column.header, column.help])


def cell_bold(sheet, value) -> WriteOnlyCell:
    cell = text_cell(sheet, value)
    cell.font = HEADER_FONT
    return cell


def list_workbook(duty_list: DutyList) -> bytes:
    stream = io.BytesIO()
    write_workbook(duty_list.township.name, export_rows(duty_list), stream)
    return stream.getvalue()


def catalogue_workbook(catalogue: Catalogue) -> bytes:
    """A reference catalogue in the printed layout of a list: its entries by part, each column the
    entry has (an entry names no township office and keeps no remarks: those stay empty; a province's
    entry names categories and departments as it writes them)."""
    entries = (
        catalogue.entries.select_related("category", "receiving_department")
        .prefetch_related("lead_departments")
        .order_by("part", "category__order", "order", "id")
    )
    names = {field.name for field in CatalogueEntry._meta.get_fields()}
    rows = (
        ExportRow(
            part=entry.part,
            **{
                column.name: (entry.reading(column) or "") if column.name in names else ""
                for column in EXPORTED_COLUMNS
            },
        )
        for entry in entries
    )
    stream = io.BytesIO()
    write_workbook(catalogue.name, rows, stream, title=catalogue.name)
    return stream.getvalue()


def blank_template(township_name: str = "××乡镇（街道）") -> bytes:
    stream = io.BytesIO()
    write_workbook(township_name, [], stream, instructions=True)
    return stream.getvalue()


def export_filename(township: Township, suffix: str = "") -> str:
    return f"{township.name}履行职责事项清单{suffix}.xlsx"


# A spreadsheet program reads a cell starting with one of these as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A CSV value a spreadsheet program opens as text: a formula-like start gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable) -> list:
    """The one way a row reaches a CSV file we hand out."""
    return [csv_cell(value) for value in values]


UNSAFE_NAME_CHARACTERS = re.compile(r'[/\\:*?"<>|]')


def zip_member_name(filename: str, taken: set[str] | None = None) -> str:
    """A name that unpacks as one file in the folder chosen, on any system; Chinese stays.

    No folders (`/`, `\\`), no `..`, no control or invisible formatting characters,
    no leading dot; a name already in `taken` gets a number.
    """
    name = "".join(c for c in filename if unicodedata.category(c) not in ("Cc", "Cf"))
    name = re.sub(r"\.{2,}", ".", UNSAFE_NAME_CHARACTERS.sub("_", name)).lstrip(". ")
    name = name or "未命名.xlsx"
    if taken is not None:
        stem, dot, suffix = name.rpartition(".")
        number = 1
        while name in taken:
            number += 1
            name = f"{stem}（{number}）{dot}{suffix}" if dot else f"{suffix}（{number}）"
        taken.add(name)
    return name


def write_county_zip(
    lists: Sequence[DutyList], stream, progress: Callable[[int, int], None] | None = None
) -> int:
    """One workbook per township in a zip, written one after another; returns how many.

    `progress(done, total)` is told after each township.
    """
    count = 0
    taken: set[str] = set()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for duty_list in lists:
            with archive.open(zip_member_name(export_filename(duty_list.township), taken), "w") as member:
                write_workbook(duty_list.township.name, export_rows(duty_list), member)
            count += 1
            if progress is not None:
                progress(count, len(lists))
    return count


# The coverage workbook's columns (查缺补漏): a finding's kind, its item or entry, what differs.
COVERAGE_COLUMNS = [
    ("序号", NUMBER_WIDTH),
    ("问题类型", 22),
    ("事项名称", 26),
    ("本清单的清单类型", 14),
    ("参考目录", 20),
    ("目录事项", 26),
    ("差异（目录 → 本清单）", 34),
    ("说明", 50),
]


def coverage_values(finding) -> list[str]:
    """One finding as the workbook's row reads it (after its 序号)."""
    item, entry = finding.item, finding.entry
    return [
        finding.kind_label,
        item.name if item is not None else entry.name,
        Part(item.part).label if item is not None else "",
        entry.catalogue.name if entry is not None else "",
        entry.name if entry is not None else "",
        "\n".join(f"{c.label}：{c.before or '（空）'} → {c.after or '（空）'}" for c in finding.differences),
        finding.sentence,
    ]


def coverage_workbook(title: str, findings) -> bytes:
    """Every finding of a list against its county's catalogues, one row each, ready to print."""
    workbook = Workbook(write_only=True)
    sheet = start_table(workbook, "查缺补漏", f"{title}查缺补漏情况表", COVERAGE_COLUMNS)
    widths = [width for _, width in COVERAGE_COLUMNS[1:]]
    for number, finding in enumerate(findings, start=1):
        values = coverage_values(finding)
        sheet.row_dimensions[number + 2].height = row_height(widths, values)
        sheet.append([body_cell(sheet, number, center=True)] + [body_cell(sheet, v) for v in values])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


# 交叉比对: the matrix as the page shows it, the same cells filled as the page highlights them.
DIFFERS_FILL = PatternFill("solid", fgColor="FFE08A")  # placed otherwise than most townships
LACKS_FILL = PatternFill("solid", fgColor="E4E4E4")  # not held where most townships hold it
TOWNSHIP_WIDTH = 14


def matrix_workbook(title: str, matrix) -> bytes:
    """The cross-township comparison: a row per item, a column per township, each cell its part
    (基 / 配 / 收) and department; a cell that differs from most townships is filled, as on the page."""
    workbook = Workbook(write_only=True)
    columns = [("序号", NUMBER_WIDTH), ("类别", 14), ("事项名称", 26), ("多数做法", 16)]
    columns += [(township.name, TOWNSHIP_WIDTH) for township in matrix.townships]
    columns += [("列入乡镇数", 8), ("不同乡镇数", 8)]
    sheet = start_table(workbook, "交叉比对", title, columns)
    # A county's 12,000 cells take one of three looks: styled once each, then copied to every cell
    # (setting a style on a cell looks the style up again, most of the workbook's time).
    looks = {}
    for fill in (None, DIFFERS_FILL, LACKS_FILL):
        looks[fill] = body_cell(sheet, "", center=True)
        if fill is not None:
            looks[fill].fill = fill
    for number, row in enumerate(matrix.rows, start=1):
        cells = [body_cell(sheet, number, center=True)]
        cells += [body_cell(sheet, value) for value in (row.category, row.name, row.majority_label)]
        for cell in row.cells:
            look = DIFFERS_FILL if cell.differs else LACKS_FILL if cell.lacks else None
            cells.append(looked_cell(sheet, cell.label or ("未列入" if cell.lacks else ""), looks[look]))
        cells += [body_cell(sheet, row.held, center=True), body_cell(sheet, row.differing, center=True)]
        sheet.append(cells)
    sheet.append([])
    legend = text_cell(
        sheet,
        "黄色：与多数乡镇（街道）的清单类型或部门不同；灰色：多数乡镇（街道）列入、本乡镇（街道）未列入。",
    )
    sheet.append([legend])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


LEDGER_COLUMNS = [
    ("序号", NUMBER_WIDTH),
    ("清单类型", 14),
    ("类别", 14),
    ("事项名称", 26),
    ("乡镇（街道）", 14),
    ("本部门", 8),
    ("县级部门", 20),
    ("乡镇（街道）配合职责 / 收回理由及工作方式", 46),
]
TOTALS_COLUMNS = [("配合履职事项（主责）", 12), ("上级部门收回事项（承接）", 12), ("合计", 8)]


def ledger_workbook(title: str, ledger) -> bytes:
    """A department's ledger: every item, then the totals per township and per category."""
    workbook = Workbook(write_only=True)
    sheet = start_table(workbook, "事项明细", title, LEDGER_COLUMNS)
    widths = [width for _, width in LEDGER_COLUMNS[1:]]
    for number, entry in enumerate(ledger.items, start=1):
        item = entry.item
        values = [
            Part(item.part).label,
            item.category,
            item.name,
            entry.township.name,
            ROLES[item.part],
            "、".join(item.departments),
            item.work,
        ]
        sheet.row_dimensions[number + 2].height = row_height(widths, values)
        sheet.append([body_cell(sheet, number, center=True)] + [body_cell(sheet, v) for v in values])
    for name, label, rows in [
        ("按乡镇", "乡镇（街道）", [(t.name, totals) for t, totals in ledger.townships]),
        ("按类别", "类别", ledger.categories),
    ]:
        totals_sheet = start_table(workbook, name, f"{title}（{name}合计）", [(label, 20), *TOTALS_COLUMNS])
        for row_name, totals in [*rows, ("合计", ledger.totals)]:
            values = [totals.coordinated, totals.reclaimed, totals.total]
            totals_sheet.append(
                [body_cell(totals_sheet, row_name)]
                + [body_cell(totals_sheet, v, center=True) for v in values]
            )
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def claims_workbook(title: str, table) -> bytes:
    """省级认领情况: a row per province entry, a column per county (采用 / 修改：the columns / 不采用：
    the reason / 未认领), the counts per entry; then the counts per county on a sheet of their own."""
    workbook = Workbook(write_only=True)
    columns = [("序号", NUMBER_WIDTH), ("清单类型", 14), ("类别", 14), ("事项名称", 26)]
    columns += [(county.name, TOWNSHIP_WIDTH) for county in table.counties]
    columns += [(status.label, 8) for status in Status]
    sheet = start_table(workbook, "认领情况", title, columns)
    for number, row in enumerate(table.rows, start=1):
        entry, counts = row.entry, row.counts
        values = [Part(entry.part).label, entry.category_name, entry.name]
        values += [claim_cell_text(cell) for cell in row.cells]
        sheet.append(
            [body_cell(sheet, number, center=True)]
            + [body_cell(sheet, value) for value in values]
            + [body_cell(sheet, counts[status], center=True) for status in Status]
        )
    totals = start_table(
        workbook, "按县汇总", f"{title}（按县汇总）", [("县", 20), *((s.label, 10) for s in Status)]
    )
    for county, counts in table.county_counts():
        totals.append(
            [body_cell(totals, county.name)] + [body_cell(totals, counts[s], center=True) for s in Status]
        )
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def claim_cell_text(cell) -> str:
    if cell.changes:
        return f"{cell.status.label}：{cell.changed_columns}"
    if cell.drop is not None:
        return f"{cell.status.label}：{cell.drop.reason}"
    return cell.status.label

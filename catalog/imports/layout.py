"""Find the three parts' tables in sheets of any layout counties use.

A sheet may hold one part (named by the sheet, its title row or its columns)
or all three under part headings (一、基本履职事项清单（共N项）). Above each
table sit title rows; the header has one or two rows with wording that
varies; categories come as a column, as vertically merged cells or as section
rows (一、党的建设（25项）/（一）党的建设/一 | 党的建设); notes (注：…) end a
table. What a printed page repeats (the header, the title, a page number) and
count rows (合计) are skipped, so a list turned back from print reads as one table.
"""

import re
from dataclasses import dataclass, field

from ..columns import COLUMNS, HEADER_WORDS, IMPLIED_PART, Part
from .reading import Sheet

# Header wording → the import's name for the column (`catalog.columns` declares the words), compared
# after `header_key` strips spaces, brackets of both widths and marks. "department" is the lead
# department on a coordinated table and the receiving department on a reclaimed one.
HEADER_FIELD = {word: name for name, words in HEADER_WORDS.items() for word in words}
# Columns that tell a part from the others when nothing names it.
PART_COLUMNS = IMPLIED_PART

NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|[（(]\s*[一二三四五六七八九十百]+\s*[）)]|\d+\s*[、.．])\s*"
)
COUNT_SUFFIX = re.compile(r"[（(]\s*(?:共)?\s*\d+\s*(?:项|条)?\s*[）)]\s*$")
SECTION = re.compile(r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|[（(]\s*[一二三四五六七八九十百]+\s*[）)])")
ORDER = re.compile(r"^[（(]?\s*(\d+)\s*[）)]?\s*[.．、]?$")
# A 序号 cell holding a section number (一 / 一、 / （一）): the row names a category.
SECTION_NUMBER = re.compile(r"^[（(]?\s*[一二三四五六七八九十百]+\s*[）)]?\s*[、.．]?$")
# Single cells that are neither items nor categories: a list title, a unit and date
# line (单位：…  填报时间：…) or a page number, repeated when a printed list was
# turned back into a table.
PAGE_MARK = re.compile(r"^(?:第\s*\d+\s*页.*|[-－—]?\s*\d+\s*[-－—]?|\d+\s*/\s*\d+)$")
TITLE_LIKE = re.compile(r"清单|(?:单位|填报|填表|制表|日期|时间|审核|联系人|电话)\s*[:：]")
# A count row (合计 | 97项, or 小计 after each category) is no item, whatever its cells.
TOTAL = re.compile(r"^\s*(?:合\s*计|总\s*计|小\s*计)")
NOTE = re.compile(r"^\s*(?:注|备注|说明)\s*[:：]")
PART_HEADING = {
    Part.BASIC: re.compile(r"基本履职事项"),
    Part.COORDINATED: re.compile(r"配合履职事项"),
    Part.RECLAIMED: re.compile(r"收回(?:履职)?事项"),
}


@dataclass
class Problem:
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"工作表“{self.sheet}”")
        if self.row:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"“{self.column}”列")
        return f"{''.join(where)}：{self.message}" if where else self.message


@dataclass
class ParsedRow:
    part: str
    sheet: str
    row: int
    category: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Parsed:
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns_seen: set = field(default_factory=set)  # (part, field) pairs present in the file


def header_key(text: str) -> str:
    return re.sub(r"[\s()（）\[\]【】*＊:：/、]", "", text)


def clean_text(text: str) -> str:
    """Cell text as stored: full-width spaces and stray whitespace gone, line breaks kept."""
    text = text.replace("\u3000", " ").replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def clean_category(text: str) -> str:
    text = clean_text(text).replace("\n", "")
    text = NUMBERING.sub("", text)
    return COUNT_SUFFIX.sub("", text).strip()


def part_named_in(text: str) -> str | None:
    for part, pattern in PART_HEADING.items():
        if pattern.search(text):
            return part
    return None


def match_header(row: list[str]) -> dict[int, str]:
    """Columns of a row that read as headers, by field."""
    found: dict[int, str] = {}
    for column, text in enumerate(row):
        name = HEADER_FIELD.get(header_key(text))
        if name and name not in found.values():
            found[column] = name
    return found


def header_at(rows: list[list[str]], index: int) -> tuple[dict[int, str], int] | None:
    """The header starting at row `index`, and how many rows it takes (one or two)."""
    first = match_header(rows[index])
    if "name" not in first.values() or len(first) < 2:
        return None
    if index + 1 < len(rows):
        below = rows[index + 1]
        name_column = next(c for c, n in first.items() if n == "name")
        continues = below[name_column] in ("", rows[index][name_column]) and any(
            HEADER_FIELD.get(header_key(text)) for text in below if text
        )
        if continues:
            combined: dict[int, str] = {}
            for column in range(len(below)):
                for text in (below[column], rows[index][column]):
                    name = HEADER_FIELD.get(header_key(text)) if text else None
                    if name and name not in combined.values():
                        combined[column] = name
                        break
            return combined, 2
    return first, 1


def parse_sheets(sheets: list[Sheet]) -> Parsed:
    parsed = Parsed()
    for sheet in sheets:
        parse_sheet(sheet, parsed)
        for address in sheet.formulas:
            parsed.problems.append(
                Problem(
                    f"单元格 {address} 是公式，不是数值。请在 Excel 中复制后“选择性粘贴→数值”，再导入。",
                    sheet=sheet.title,
                )
            )
    if not parsed.rows and not parsed.problems:
        if parsed.columns_seen:
            parsed.problems.append(Problem("文件中有清单表头，但表头下没有任何事项。"))
        else:
            parsed.problems.append(
                Problem("没有找到清单表头：表头应有“序号”“事项名称”等列。请检查文件是否为履职事项清单。")
            )
    return parsed


def parse_sheet(sheet: Sheet, parsed: Parsed) -> None:
    rows = sheet.rows
    part = part_named_in(sheet.title)
    # A part named by the sheet or a heading holds until the next heading; one
    # guessed from the columns is guessed again for each table of another header.
    named = part is not None
    header: dict[int, str] | None = None
    category = ""
    index = 0
    while index < len(rows):
        row = rows[index]
        number = index + 1
        index += 1
        filled = [(column, text.strip()) for column, text in enumerate(row) if text.strip()]
        if not filled:
            continue
        single = len(filled) == 1
        first_text = filled[0][1]
        if NOTE.match(first_text):
            # Notes close the table, whether merged into one cell or spread over
            # several ("注：" | "1.本清单……"); a data row never starts with one.
            header = None
            continue
        if TOTAL.match(first_text):
            continue
        found = header_at(rows, number - 1)
        if found:
            if found[0] != header:
                header = found[0]
                part = part if named else part_from_columns(header)
                category = ""
                parsed.columns_seen.update((part, name) for name in header.values())
            index += found[1] - 1  # a header repeated on each printed page is skipped
            continue
        if single and PAGE_MARK.match(first_text):
            continue
        heading = part_named_in(first_text) if single else None
        if heading:  # a title row or a part heading: 二、配合履职事项清单（共N项）, in whichever column
            part, named, header, category = heading, True, None, ""
            continue
        if single and (header is None or filled[0][0] not in name_columns(header)):
            if header is not None and not TITLE_LIKE.search(first_text):
                category = clean_category(first_text)  # a section row: 一、党的建设（25项）
            continue
        if header is None:
            continue
        section = section_in_name_column(filled, header)
        if section:  # 一 | 党的建设（25项）, or the section text alone in the name column
            category = clean_category(section)
            continue
        values = {name: clean_text(row[column]) for column, name in header.items() if column < len(row)}
        if not any(value for name, value in values.items() if name not in ("order", "category")):
            continue
        if continues_item(sheet, parsed, header, number - 1, values):
            continue
        if values.get("category"):
            category = clean_category(values["category"])
        parsed.rows.append(
            ParsedRow(
                part=part or Part.BASIC, sheet=sheet.title, row=number, category=category, values=values
            )
        )


def continues_item(sheet: Sheet, parsed: Parsed, header: dict[int, str], index: int, values: dict) -> bool:
    """A row whose 事项名称 is the previous row's, merged down over it, adds its text to that item.

    Some counties write an item's sub-points, or its several departments, on
    rows of their own under one merged name cell.
    """
    name_column = next((c for c, n in header.items() if n == "name"), None)
    if name_column is None or (index, name_column) not in sheet.merged_below:
        return False
    previous = parsed.rows[-1] if parsed.rows else None
    if previous is None or previous.sheet != sheet.title or previous.values.get("name") != values.get("name"):
        return False
    for column, name in header.items():
        if name in ("name", "order", "category") or (index, column) in sheet.merged_below:
            continue
        if values.get(name):
            previous.values[name] = "\n".join(
                text for text in (previous.values.get(name, ""), values[name]) if text
            )
    return True


def section_in_name_column(filled: list[tuple[int, str]], header: dict[int, str]) -> str:
    """The category a section row names when it is written in the name column.

    Some counties put the section number in the 序号 column and the category in
    the 事项名称 column, or the whole "（一）党的建设" in the name column; either
    way the row has nothing else, and an item's 序号 is never a Chinese numeral.
    """
    names = name_columns(header)
    orders = {column for column, name in header.items() if name == "order"}
    texts = {column: text for column, text in filled}
    if not names & set(texts) or set(texts) - names - orders:
        return ""
    name = next(texts[column] for column in names if column in texts)
    order = next((texts[column] for column in orders if column in texts), "")
    if order and SECTION_NUMBER.match(order):
        return name
    if not order and SECTION.match(name):
        return name
    return ""


def name_columns(header: dict[int, str]) -> set[int]:
    return {column for column, name in header.items() if name == "name"}


def part_from_columns(header: dict[int, str]) -> str:
    for name in header.values():
        if name in PART_COLUMNS:
            return PART_COLUMNS[name]
    return Part.BASIC


def column_label(part: str, name: str) -> str:
    """A column of the file as the printed list heads it on the part's sheet."""
    named = [column for column in COLUMNS if column.import_name == name]
    return next((column for column in named if part in column.parts), named[0]).printed

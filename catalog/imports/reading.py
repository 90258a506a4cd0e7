"""From uploaded bytes to grids of cell text, refusing what is not a sound workbook.

Every refusal is an `ImportFileError` with a Chinese message that says what to do.
Limits keep a hostile or mistaken file from exhausting memory: the file size,
the unpacked size of the workbook's parts, the number of rows (blank ones
included) and the length of a cell. A CSV file is read one row at a time, so
a file of nothing but line breaks stops at the row limit without being held.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed size of one part; real sheets stay far below
MAX_ROWS = 5000  # filled rows per sheet; a township list has a few hundred
MAX_ROW_NUMBER = 20000  # content further down is not a list, and would cost memory to reach
MAX_MERGES = 5000
MAX_SHEETS = 20
MAX_COLUMNS = 40
MAX_CELL_CHARS = 32767  # what a spreadsheet program holds in one cell
MAX_RECORD_CHARS = 1024 * 1024  # one CSV row, its cells together


class ImportFileError(Exception):
    """The file cannot be read at all; the message says why and what to do."""


@dataclass
class Sheet:
    title: str
    rows: list[list[str]]  # cell text, merged cells resolved, 0-based
    formulas: list[str]  # addresses of cells holding formulas
    # (row, column), 0-based, of cells whose text was copied down from a vertical merge
    merged_below: set = field(default_factory=set)


def read_file(data: bytes, filename: str) -> list[Sheet]:
    if not data:
        raise ImportFileError("文件是空的。")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"文件有 {len(data) // 1024 // 1024} MB，超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限。"
        )
    head = data[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise ImportFileError(
                "文件设置了打开密码，无法读取。请在 Excel 或 WPS 中取消密码并另存为 .xlsx 后再导入。"
            )
        raise ImportFileError(
            "这是旧版 Excel（.xls）文件。请在 Excel 或 WPS 中“另存为” Excel 工作簿（.xlsx）后再导入。"
        )
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(data)
    if filename.lower().endswith(".csv"):
        return [read_csv(data, filename)]
    raise ImportFileError("文件不是 Excel 工作簿（.xlsx）。请上传 .xlsx 文件；.xls 请先另存为 .xlsx。")


def check_archive(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ImportFileError("文件已损坏，无法作为 Excel 工作簿打开。") from None
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise ImportFileError("文件不是 Excel 工作簿（.xlsx）：压缩包中没有工作簿内容。")
    unpacked = sum(entry.file_size for entry in entries)
    suspicious = any(
        entry.file_size > 10 * 1024 * 1024 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
        for entry in entries
    )
    if unpacked > MAX_UNPACKED_BYTES or suspicious:
        raise ImportFileError("文件解压后体积异常（可能已损坏或是恶意文件），未导入。请检查文件后重新保存。")


def read_xlsx(data: bytes) -> list[Sheet]:
    """Stream each sheet once (memory stays flat whatever the sheet's size) and resolve merges."""
    check_archive(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        if len(visible) > MAX_SHEETS:
            raise ImportFileError(
                f"工作簿有 {len(visible)} 张工作表，超过 {MAX_SHEETS} 张，不像一个乡镇（街道）的清单。"
            )
        sheets = [read_sheet(ws, *sheet_outline(archive, ws)) for ws in visible]
        workbook.close()
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        raise ImportFileError(
            "文件无法读取，可能已损坏或不是 Excel 工作簿。请在 Excel 或 WPS 中打开并另存为 .xlsx 后再导入。"
        ) from None
    if not any(any(cell for cell in row) for sheet in sheets for row in sheet.rows):
        raise ImportFileError("工作簿中没有任何内容。")
    return sheets


def sheet_outline(archive: zipfile.ZipFile, ws) -> tuple[list[CellRange], int]:
    """The sheet's merged cells and the number of its last row holding a value, from its XML.

    openpyxl's streaming reader skips merges, and walks every row up to the
    sheet's stated size, so a stray value at row 1,048,576 would cost a million
    empty rows: this pass finds where the content really ends first.
    """
    ranges: list[CellRange] = []
    last = filled = 0
    with archive.open(ws._worksheet_path) as xml:
        for _event, element in ElementTree.iterparse(xml):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "row":
                if any(child.tag.endswith(("}v", "}is", "}f")) for cell in element for child in cell):
                    last = max(last, int(element.get("r") or last + 1))
                    filled += 1
                element.clear()
            elif tag == "mergeCell":
                ranges.append(CellRange(element.get("ref")))
                if len(ranges) > MAX_MERGES:
                    raise ImportFileError(
                        f"工作表“{ws.title}”的合并单元格超过 {MAX_MERGES} 处，不像一个乡镇（街道）的清单。"
                    )
    if filled > MAX_ROWS:
        raise ImportFileError(
            f"工作表“{ws.title}”超过 {MAX_ROWS} 行，不像一个乡镇（街道）的清单。请只保留清单内容后再导入。"
        )
    if last > MAX_ROW_NUMBER:
        raise ImportFileError(
            f"工作表“{ws.title}”第 {last} 行还有内容，超出一份清单的合理范围（{MAX_ROW_NUMBER} 行）。请删除表格下方无关的内容后再导入。"
        )
    return ranges, last


def read_sheet(ws, merges: list[CellRange], last_row: int) -> Sheet:
    rows: list[list[str]] = []
    formulas: list[str] = []
    filled = 0
    if last_row == 0:
        return Sheet(title=ws.title, rows=[], formulas=[])
    for number, values in enumerate(
        ws.iter_rows(max_row=last_row, max_col=MAX_COLUMNS, values_only=True), start=1
    ):
        texts = []
        for column, value in enumerate(values, start=1):
            if value is None:
                texts.append("")
            elif isinstance(value, str) and value.startswith("="):
                formulas.append(f"{get_column_letter(column)}{number}")
                texts.append("")
            else:
                texts.append(cell_text(value))
                if len(texts[-1]) > MAX_CELL_CHARS:
                    raise ImportFileError(f"工作表“{ws.title}”" + oversized_cell(number, column))
        if any(texts):
            filled += 1
            if filled > MAX_ROWS:
                raise ImportFileError(
                    f"工作表“{ws.title}”超过 {MAX_ROWS} 行，不像一个乡镇（街道）的清单。请只保留清单内容后再导入。"
                )
            # Rows are kept up to the last one with content; formatted empty rows after it are not.
            rows.extend([] for _ in range(number - 1 - len(rows)))
            rows.append(texts)
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    below: set[tuple[int, int]] = set()
    for merged in merges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(rows) or left >= width:
            continue
        value = rows[top][left]
        # A vertical merge (a category spanning its items) counts for every row
        # it covers; a horizontal one (a title or section row) stays in its first cell.
        for r in range(top + 1, min(merged.max_row, len(rows))):
            rows[r][left] = value
            below.add((r, left))
    return Sheet(title=ws.title, rows=rows, formulas=formulas, merged_below=below)


def cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_csv(data: bytes, filename: str) -> Sheet:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            rows = csv_rows(data, encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("CSV 文件的编码无法识别，请另存为 UTF-8 编码的 CSV 或 .xlsx 后再导入。")
    width = min(max((len(row) for row in rows), default=0), MAX_COLUMNS)
    grid = [[(row[c] if c < len(row) else "") for c in range(width)] for row in rows]
    formulas = [
        f"{get_column_letter(c + 1)}{r + 1}"
        for r, row in enumerate(grid)
        for c, value in enumerate(row)
        if value.startswith("=")
    ]
    name = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return Sheet(title=name, rows=grid, formulas=formulas)


class RecordLines:
    """The file's lines for `csv.reader`, refusing a row longer than `MAX_RECORD_CHARS`.

    It keeps the lines of the row being read, so a cell too long for the csv
    module can still be reported with its column.
    """

    def __init__(self, stream: io.TextIOBase):
        self.stream = stream
        self.lines: list[str] = []
        self.chars = 0
        self.number = 1  # of the row being read

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.stream.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.lines.append(line)
        self.chars += len(line)
        if self.chars > MAX_RECORD_CHARS:
            raise ImportFileError(
                f"第 {self.number} 行的内容超过 {MAX_RECORD_CHARS} 字，不像一个乡镇（街道）的清单。"
            )
        return line

    def next_record(self) -> None:
        self.lines, self.chars = [], 0
        self.number += 1


def csv_rows(data: bytes, encoding: str) -> list[list[str]]:
    """The file's rows, read one at a time: stops at the row and cell limits before reading on.

    Blank rows count toward `MAX_ROW_NUMBER` as they do in a workbook; filled
    ones toward `MAX_ROWS`.
    """
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    lines = RecordLines(stream)
    reader = csv.reader(lines)
    rows: list[list[str]] = []
    filled = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as error:
            if "field larger than field limit" in str(error):  # the csv module's own cell limit
                raise ImportFileError(
                    oversized_cell(lines.number, long_column("".join(lines.lines)))
                ) from None
            raise ImportFileError(
                f"第 {lines.number} 行的格式无法识别。请在 Excel 或 WPS 中打开文件并另存为 .xlsx 后再导入。"
            ) from None
        if lines.number > MAX_ROW_NUMBER:
            raise ImportFileError(
                f"文件超过 {MAX_ROW_NUMBER} 行（空行也计算在内），超出一份清单的合理范围。"
                "请删除多余的行后再导入。"
            )
        for column, value in enumerate(row[:MAX_COLUMNS], start=1):
            if len(value) > MAX_CELL_CHARS:
                raise ImportFileError(oversized_cell(lines.number, column))
            if "\x00" in value:  # no database column holds it
                raise ImportFileError(
                    f"第 {lines.number} 行第 {column} 列含有空字符（NUL），文件可能已损坏。"
                    "请在 Excel 或 WPS 中打开并另存后再导入。"
                )
        if any(row):
            filled += 1
            if filled > MAX_ROWS:
                raise ImportFileError(f"文件超过 {MAX_ROWS} 行，不像一个乡镇（街道）的清单。")
        rows.append(row[:MAX_COLUMNS])
        lines.next_record()


def oversized_cell(row: int, column: int) -> str:
    return f"第 {row} 行第 {column} 列的内容超过 {MAX_CELL_CHARS} 字，请精简后再导入。"


def long_column(record: str) -> int:
    """The column of the first cell in a CSV row longer than `MAX_CELL_CHARS`."""
    column, length, quoted = 1, 0, False
    for char in record:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            column, length = column + 1, 0
            continue
        length += 1
        if length > MAX_CELL_CHARS:
            break
    return column

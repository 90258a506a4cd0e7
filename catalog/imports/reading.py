"""From uploaded bytes to grids of cell text, refusing what is not a sound workbook.

Every refusal is an `ImportFileError` with a Chinese message that says what to do.
Limits keep a hostile or mistaken file from exhausting memory: the file size,
the unpacked size of the workbook's parts, and the number of rows.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed size of one part; real sheets stay far below
MAX_ROWS = 5000  # per sheet; a township list has a few hundred rows
MAX_COLUMNS = 40


class ImportFileError(Exception):
    """The file cannot be read at all; the message says why and what to do."""


@dataclass
class Sheet:
    title: str
    rows: list[list[str]]  # cell text, merged cells resolved, 0-based
    formulas: list[str]  # addresses of cells holding formulas


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
        sheets = [
            read_sheet(ws, merged_ranges(archive, ws._worksheet_path))
            for ws in workbook.worksheets
            if ws.sheet_state == "visible"
        ]
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


def merged_ranges(archive: zipfile.ZipFile, path: str) -> list[CellRange]:
    """The sheet's merged cells, read from its XML (openpyxl's streaming reader skips them)."""
    ranges = []
    with archive.open(path) as xml:
        for _event, element in ElementTree.iterparse(xml):
            if element.tag.endswith("}mergeCell"):
                ranges.append(CellRange(element.get("ref")))
            element.clear()
    return ranges


def read_sheet(ws, merges: list[CellRange]) -> Sheet:
    rows: list[list[str]] = []
    formulas: list[str] = []
    filled = 0
    for number, values in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        texts = []
        for column, value in enumerate(values, start=1):
            if value is None:
                texts.append("")
            elif isinstance(value, str) and value.startswith("="):
                formulas.append(f"{get_column_letter(column)}{number}")
                texts.append("")
            else:
                texts.append(cell_text(value))
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
    for merged in merges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(rows) or left >= width:
            continue
        value = rows[top][left]
        # A vertical merge (a category spanning its items) counts for every row
        # it covers; a horizontal one (a title or section row) stays in its first cell.
        for r in range(top + 1, min(merged.max_row, len(rows))):
            rows[r][left] = value
    return Sheet(title=ws.title, rows=rows, formulas=formulas)


def cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def read_csv(data: bytes, filename: str) -> Sheet:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("CSV 文件的编码无法识别，请另存为 UTF-8 编码的 CSV 或 .xlsx 后再导入。")
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"文件超过 {MAX_ROWS} 行，不像一个乡镇（街道）的清单。")
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

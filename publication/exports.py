"""Published editions as files: open-data columns, CSV and JSON, and the county-wide downloads.

No HTTP here. County files are written to a file object item by item (the zip: one
township's workbook at a time), so memory holds at most one item, or one workbook, however
large the county is.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from typing import BinaryIO, TextIO

from catalog import exports
from catalog.columns import FROZEN_COLUMN, PUBLIC_COLUMNS
from catalog.models import FROZEN_ORDER, County

from .models import Edition, EditionItem

# The open-data columns, in order: (field, column name): the item's key, then the public columns.
DATA_COLUMNS = [("key", "事项标识"), *((c.frozen_name, c.label) for c in PUBLIC_COLUMNS)]
# Columns a county-wide CSV adds before each item's, to say whose it is.
TOWNSHIP_COLUMNS = [("乡镇（街道）", "name"), ("行政区划代码", "code")]
# The extension of the county-wide file of each download format.
COUNTY_FILE_EXTENSIONS = {"xlsx": "zip", "csv": "csv", "json": "json"}

Group = tuple  # (township, edition, rows of the edition)
Progress = Callable[[int, int], None]


def data_value(row: EditionItem, field: str):
    if field == "key":
        return str(row.key)
    return FROZEN_COLUMN[field].frozen_value(row)


def edition_rows(edition: Edition) -> Iterable[EditionItem]:
    return edition.items.order_by(*FROZEN_ORDER).iterator(chunk_size=1000)


def data_item(row: EditionItem) -> dict:
    return {label: data_value(row, field) for field, label in DATA_COLUMNS}


def edition_document(township, edition: Edition, rows: Iterable[EditionItem]) -> dict:
    return {
        "乡镇（街道）": township.name,
        "行政区划代码": township.code,
        "县（市、区）": township.county.name,
        "版次": edition.number,
        "施行日期": edition.effective_on.isoformat(),
        "文号": edition.document_number,
        "事项": [data_item(row) for row in rows],
    }


def write_edition_json(text: TextIO, township, edition: Edition, rows: Iterable[EditionItem]) -> None:
    """`edition_document` as `json.dumps(…, indent=1)` writes it, written item by item: memory holds
    one item, not the township's list."""
    head = json.dumps(edition_document(township, edition, []), ensure_ascii=False, indent=1)
    text.write(head.removesuffix("]\n}"))  # up to and with the items' opening bracket
    written = False
    for row in rows:
        item = json.dumps(data_item(row), ensure_ascii=False, indent=1)
        # Two levels down (document, list); JSON strings hold no raw line breaks, so each is the layout's.
        text.write((",\n" if written else "\n") + "  " + item.replace("\n", "\n  "))
        written = True
    text.write("\n ]\n}" if written else "]\n}")


def write_csv(text: TextIO, leading: list, groups: Iterable[Group]) -> None:
    """One CSV row per item; `leading` names township columns put before the item's (county files)."""
    text.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(text)
    writer.writerow(
        [label for label, _ in leading] + (["版次"] if leading else []) + [label for _, label in DATA_COLUMNS]
    )
    for township, edition, rows in groups:
        prefix = [getattr(township, attribute) for _, attribute in leading] + (
            [edition.number] if leading else []
        )
        for row in rows:
            writer.writerow(exports.csv_row(prefix + [data_value(row, field) for field, _ in DATA_COLUMNS]))


def county_file_name(county: County, fmt: str) -> str:
    return f"{county.name}乡镇（街道）履行职责事项清单.{COUNTY_FILE_EXTENSIONS[fmt]}"


def write_county_file(
    county: County, editions: list[Edition], fmt: str, stream: BinaryIO, progress: Progress
) -> None:
    """Every township's edition in force in one file: a zip of workbooks, one CSV, or one JSON."""
    total = len(editions)

    def groups() -> Iterable[Group]:
        for done, edition in enumerate(editions):
            progress(done, total)
            yield edition.township, edition, edition_rows(edition)
        progress(total, total)

    if fmt == "xlsx":
        taken: set[str] = set()
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for township, edition, rows in groups():
                name = exports.zip_member_name(
                    exports.export_filename(township, f"（第{edition.number}版）"), taken
                )
                with archive.open(name, "w") as member:
                    exports.write_workbook(township.name, exports.frozen_export_rows(rows), member)
        return
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        if fmt == "csv":
            write_csv(text, TOWNSHIP_COLUMNS, groups())
        else:
            write_county_json(text, county, groups())
        text.flush()
    finally:
        text.detach()  # the caller closes the file


def write_county_json(text: TextIO, county: County, groups: Iterable[Group]) -> None:
    """{"县（市、区）": …, "乡镇（街道）": [each township's document]}, written item by item."""
    text.write("{\n" + json.dumps("县（市、区）", ensure_ascii=False) + ": ")
    text.write(json.dumps(county.name, ensure_ascii=False) + ",\n")
    text.write(json.dumps("乡镇（街道）", ensure_ascii=False) + ": [")
    for index, group in enumerate(groups):
        text.write(",\n" if index else "\n")
        write_edition_json(text, *group)
    text.write("\n]\n}\n")

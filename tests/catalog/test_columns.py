"""An item's columns are declared once (`catalog.columns`); every list of them is derived from that
declaration and matches the printed layout counties use."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog import columns, exports
from catalog.forms import DutyItemForm
from catalog.imports.layout import HEADER_FIELD, column_label, header_key, part_from_columns
from catalog.imports.matching import TEXT_FIELDS
from catalog.models import FrozenItem, Part
from publication.exports import DATA_COLUMNS
from publication.services import SEARCHED_FIELDS
from review import workflow
from tests.conftest import make_item
from tests.publication.conftest import approve_and_publish

# The printed list counties use: each part's sheet, after its 序号.
PRINTED = {
    Part.BASIC: ["类别", "事项名称", "具体内容", "责任科室", "依据", "备注"],
    Part.COORDINATED: [
        "类别",
        "事项名称",
        "县级主责部门",
        "县级部门职责",
        "乡镇（街道）配合职责",
        "履职保障",
        "依据",
        "备注",
    ],
    Part.RECLAIMED: ["类别", "事项名称", "收回部门", "收回理由及工作方式", "依据", "备注"],
}
# The columns that tell each part's table apart, as the workbench and the public page show them.
PART_TABLE = {
    Part.BASIC: ["具体内容", "责任科室"],
    Part.COORDINATED: ["县级主责部门", "县级部门职责", "乡镇（街道）配合职责", "履职保障"],
    Part.RECLAIMED: ["收回部门", "收回理由及工作方式"],
}
OPEN_DATA = [
    "事项标识",
    "清单类型",
    "类别",
    "序号",
    "事项名称",
    "具体内容",
    "责任科室",
    "县级主责部门",
    "县级部门职责",
    "乡镇（街道）配合职责",
    "履职保障",
    "收回（承接）部门",
    "收回理由及工作方式",
    "依据",
    "备注",
    "兜底事项",
]
SEARCHED = [
    "category",
    "name",
    "content",
    "office",
    "lead_departments",
    "department_duties",
    "township_duties",
    "receiving_department",
    "reclaim_reason",
    "remarks",
]


def test_every_list_of_columns_is_derived_from_the_declaration_and_matches_the_printed_list():
    for part, headers in PRINTED.items():
        assert [c.printed for c in columns.exported_columns(part)] == headers
        assert [c.header for c in exports.PART_COLUMNS[part]] == headers
        assert [c.printed for c in columns.part_columns(part)] == PART_TABLE[part]
        assert columns.PART_FIELDS[part] == {c.name for c in columns.part_columns(part)}
        # An import reads every printed header back as the column it heads, on that part's sheet.
        for header in headers:
            name = HEADER_FIELD[header_key(header)]
            assert column_label(part, name) == header
    assert columns.PART_FIELDS == {
        Part.BASIC: {"content", "responsible_office"},
        Part.COORDINATED: {"lead_departments", "department_duties", "township_duties", "support"},
        Part.RECLAIMED: {"receiving_department", "reclaim_reason"},
    }
    assert [label for _, label in DATA_COLUMNS] == OPEN_DATA
    assert SEARCHED_FIELDS == SEARCHED
    assert list(FrozenItem.COMPARED_FIELDS.values()) == [
        "清单类型",
        "类别",
        *PRINTED[Part.BASIC][1:3],
        "责任科室",
        *PRINTED[Part.COORDINATED][2:6],
        "收回（承接）部门",
        "收回理由及工作方式",
        "依据",
        "备注",
        "兜底事项",
    ]
    assert TEXT_FIELDS == [
        "content",
        "department_duties",
        "township_duties",
        "support",
        "reclaim_reason",
        "basis",
        "remarks",
    ]


def test_import_header_words_are_the_declared_ones():
    for column in columns.COLUMNS:
        for word in column.header_words:
            assert HEADER_FIELD[header_key(word)] == column.import_name
    # Alternative wordings counties use, and the part a column tells when nothing else names it.
    assert HEADER_FIELD[header_key("承接单位")] == HEADER_FIELD[header_key("县直部门")] == "department"
    assert HEADER_FIELD[header_key("乡镇（街道）职责")] == "township_duties"
    assert part_from_columns({1: "name", 2: "department", 3: "support"}) == Part.COORDINATED
    assert part_from_columns({1: "name", 2: "department", 3: "reclaim_reason"}) == Part.RECLAIMED
    assert part_from_columns({1: "name", 2: "content", 3: "department"}) == Part.BASIC


def section(page: str, start: str) -> str:
    """The HTML from an element's opening tag to the next </section>."""
    return page[page.index(start) :].split("</section>", 1)[0]


def headers(html: str) -> list[str]:
    return re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html)


@pytest.mark.django_db
def test_a_column_of_one_part_shows_only_in_that_parts_form_tables_and_sheet(client, cast, duty_list):
    for part in Part:
        support = {"support": "县财政保障工作经费"} if part == Part.COORDINATED else {}
        make_item(duty_list, part, name=f"{part.label}样例", **support)
    official, editor = cast["township_official"], cast["county_editor"]
    client.force_login(official)
    editor_page = client.get(reverse("catalog:list_editor", args=[duty_list.pk])).content.decode()
    draft_sheets = load_workbook(io.BytesIO(exports.list_workbook(duty_list)))
    workflow.perform(duty_list, "submit", by=official)
    edition = approve_and_publish(duty_list, editor)
    public_page = client.get(reverse("publication:township", args=[duty_list.township.code])).content.decode()
    download = reverse("publication:download", args=[duty_list.township.code, edition.number, "xlsx"])
    published_sheets = load_workbook(io.BytesIO(client.get(download).content))

    single_part = [c for c in columns.COLUMNS if c.by_part]
    assert {c.name for c in single_part} == set().union(*columns.PART_FIELDS.values())
    for part in Part:
        form = DutyItemForm(duty_list=duty_list, part=part)
        in_editor = headers(section(editor_page, f'id="panel-{part.value}"'))
        in_public = headers(section(public_page, f'id="part-{part.value}"'))
        sheet_headers = [
            [cell for cell in next(sheets[exports.SHEET_NAMES[part]].iter_rows(min_row=2, values_only=True))]
            for sheets in (draft_sheets, published_sheets)
        ]
        for column in single_part:
            carried = part in column.parts
            assert (column.name in form.fields) is carried, (part, column.name)
            assert (column.printed in in_editor) is carried, (part, column.name, in_editor)
            assert (column.printed in in_public) is carried, (part, column.name, in_public)
            for sheet in sheet_headers:
                assert (column.printed in sheet) is carried, (part, column.name, sheet)
        # The tables show the part's own columns between the name and the basis, in printed order.
        assert in_editor[2:-2] == in_public[2:-1] == PART_TABLE[part]

    # Each table's cells hold the part's values: the public page shows the coordinated item's 履职保障.
    coordinated = edition.items.get(part=Part.COORDINATED)
    shown = section(public_page, 'id="part-coordinated"')
    assert coordinated.lead_departments in shown and "县财政保障工作经费" in shown
    rows = list(
        csv.reader(io.StringIO(client.get(download.replace("xlsx", "csv")).content.decode("utf-8-sig")))
    )
    assert rows[0] == OPEN_DATA

"""Files handed out never run user text: CSV cells neutralised, workbook text stored as text, safe zip names."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog import exports
from catalog.models import Job, Township
from review import reports
from tests.conftest import make_duty_list, make_item, make_township
from tests.publication.conftest import approve_and_publish
from tests.publication.test_public_site import county_file

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = ['=HYPERLINK("http://evil.example","点击")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture
def hostile(cast, duty_list):
    """城关镇 renamed “=cmd”, with an item of each formula-like name, published."""
    Township.objects.filter(pk=duty_list.township_id).update(name="=cmd")
    duty_list.township.refresh_from_db()
    for name in HOSTILE_NAMES:
        make_item(duty_list, name=name, content="=1+1")
    return approve_and_publish(duty_list, cast["county_editor"])


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def assert_text_cells(sheet) -> None:
    """No cell of the sheet holds a formula, and the hostile names are there as written."""
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    values = {cell.value for cell in cells}
    assert set(HOSTILE_NAMES) - {"\rx"} <= values  # a workbook stores "\r" as a line break
    assert "=cmd履行职责事项清单（基本履职事项）" in values


def test_a_csv_cell_starting_like_a_formula_gets_a_leading_quote():
    values = ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "普通文字", "a=b", 3, ""]
    assert exports.csv_row(values) == [
        "'=1+1",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "普通文字",
        "a=b",
        3,
        "",
    ]


def test_public_township_and_county_csv_neutralise_every_formula_like_cell(client, hostile):
    township = hostile.township
    township_csv = csv_rows(
        client.get(reverse("publication:download", args=[township.code, hostile.number, "csv"]))
    )
    names = [row[4] for row in township_csv[1:]]
    assert sorted(names) == sorted("'" + name for name in HOSTILE_NAMES)
    assert all(row[5] == "'=1+1" for row in township_csv[1:])

    county_csv = list(
        csv.reader(io.StringIO(county_file(client, township.county.code, "csv").decode("utf-8-sig")))
    )
    assert {row[0] for row in county_csv[1:]} == {"'=cmd"}
    assert sorted(row[7] for row in county_csv[1:]) == sorted("'" + name for name in HOSTILE_NAMES)


def test_edition_and_draft_workbooks_hold_user_text_as_text(client, cast, hostile):
    township = hostile.township
    edition = client.get(reverse("publication:download", args=[township.code, hostile.number, "xlsx"]))
    assert_text_cells(load_workbook(io.BytesIO(edition.content))["基本履职事项清单"])

    client.force_login(cast["county_editor"])
    draft = make_duty_list(township)
    for name in HOSTILE_NAMES:
        make_item(draft, name=name)
    export = client.get(reverse("catalog:list_export", args=[draft.pk]))
    assert_text_cells(load_workbook(io.BytesIO(export.content))["基本履职事项清单"])


def test_review_reports_hold_titles_and_names_as_text(county):
    county.name = "=cmd县"
    docket = load_workbook(io.BytesIO(reports.docket_workbook(county, [])))["争议事项"]
    assert docket["A1"].value == "=cmd县乡镇（街道）履职事项争议协调清单" and docket["A1"].data_type == "s"

    rows = [["一上稿", "=cmd", name, "不同意", "+1", "—", "@x"] for name in HOSTILE_NAMES]
    title = "=cmd履行职责事项清单意见采纳情况表"
    sheet = load_workbook(
        io.BytesIO(reports.table_workbook("意见采纳情况表", title, reports.DISPOSITION_COLUMNS, rows))
    )["意见采纳情况表"]
    assert sheet["A1"].value == title and sheet["A1"].data_type == "s"
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    assert {cell.value for cell in cells} >= {"=cmd", "+1", "@x", HOSTILE_NAMES[0]}


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("../x", "_x履行职责事项清单.xlsx"),
        ("a/b\\c", "a_b_c履行职责事项清单.xlsx"),
        (".隐藏镇", "隐藏镇履行职责事项清单.xlsx"),
        ("城关\x07镇\u202e", "城关镇履行职责事项清单.xlsx"),
    ],
)
def test_zip_entries_are_named_safely(county, name, entry):
    township = make_township(county, name)
    make_item(make_duty_list(township))
    stream = io.BytesIO()
    exports.write_county_zip([township.duty_lists.get()], stream)
    assert zipfile.ZipFile(stream).namelist() == [entry]


def test_staff_and_public_county_zips_name_townships_safely(client, cast, duty_list):
    county = duty_list.township.county
    Township.objects.filter(pk=duty_list.township_id).update(name="../x")
    make_item(duty_list)
    client.force_login(cast["county_editor"])
    client.post(reverse("catalog:county_export", args=[county.code]))  # runs at once without a broker
    job = Job.objects.get(kind=Job.Kind.COUNTY_DRAFTS)
    staff = zipfile.ZipFile(
        io.BytesIO(b"".join(client.get(reverse("catalog:job_file", args=[job.pk])).streaming_content))
    )
    public_list = make_duty_list(make_township(county, "a/b"))
    make_item(public_list)
    approve_and_publish(public_list, cast["county_editor"])
    public = zipfile.ZipFile(io.BytesIO(county_file(client, county.code, "xlsx")))
    names = staff.namelist() + public.namelist()
    assert "_x履行职责事项清单.xlsx" in names and "a_b履行职责事项清单（第1版）.xlsx" in names
    assert all("/" not in n and "\\" not in n and not n.startswith(".") for n in names)


def test_two_townships_whose_names_clean_to_one_get_two_entries(county):
    lists = [make_duty_list(make_township(county, name)) for name in ("a/b", "a_b")]
    for duty_list in lists:
        make_item(duty_list)
    stream = io.BytesIO()
    assert exports.write_county_zip(lists, stream) == 2
    assert zipfile.ZipFile(stream).namelist() == ["a_b履行职责事项清单.xlsx", "a_b履行职责事项清单（2）.xlsx"]

"""Excel in and out: round trip, bad files, previews, the upload page, the commands and the exports."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from catalog import exports
from catalog.actors import SYSTEM
from catalog.imports import ImportFileError, apply_import, plan_import
from catalog.models import County, DutyItem, DutyList, Office, Part, Township
from tests.conftest import make_category, make_department, make_item, make_office

pytestmark = pytest.mark.django_db

BASIC_HEADER = ["序号", "类别", "事项名称", "具体内容", "责任科室", "依据", "备注"]
COORDINATED_HEADER = [
    "序号",
    "类别",
    "事项名称",
    "县级主责部门",
    "县级部门职责",
    "乡镇（街道）配合职责",
    "履职保障",
    "依据",
    "备注",
]
RECLAIMED_HEADER = ["序号", "类别", "事项名称", "收回部门", "收回理由及工作方式", "依据", "备注"]


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


@pytest.fixture
def place(duty_list):
    """城关镇 with what the small workbooks below name."""
    county = duty_list.township.county
    make_category(county, "党的建设", 1)
    make_category(county, "平安法治", 2)
    make_office(duty_list.township, "党政办公室")
    make_department(county, "县应急管理局")
    make_department(county, "县公安局")
    return duty_list.township


def small_workbook(**changes) -> bytes:
    basic = [["城关镇履行职责事项清单（基本履职事项）"], BASIC_HEADER]
    basic.append(
        [1, "党的建设", "基层党组织建设", "1.指导村党组织建设\n2.开展换届", "党政办公室", "《条例》", ""]
    )
    basic.append([2, "党的建设", "意识形态工作", "落实责任制", "党政办公室", "", ""])
    coordinated = [["城关镇履行职责事项清单（配合履职事项）"], COORDINATED_HEADER]
    coordinated.append(
        [1, "平安法治", "防汛抗旱", "县应急管理局、县公安局", "统筹调度", "巡查报告", "", "", ""]
    )
    reclaimed = [["城关镇履行职责事项清单（上级部门收回事项）"], RECLAIMED_HEADER]
    reclaimed.append([1, "平安法治", "危险化学品监管", "县应急管理局", "由县应急管理局直接实施", "", ""])
    sheets = {"基本履职事项清单": basic, "配合履职事项清单": coordinated, "上级部门收回事项清单": reclaimed}
    for title, rows in changes.items():
        sheets[title] = rows
    return workbook_bytes(sheets)


def state(duty_list: DutyList) -> tuple:
    duty_list.refresh_from_db()
    items = (
        DutyItem.objects.filter(duty_list=duty_list)
        .order_by("pk")
        .values_list("name", "part", "version", "deleted_at")
    )
    return duty_list.version, list(items)


# Importing


def test_importing_writes_every_part_with_user_and_file_in_history(place, duty_list, cast):
    plan = plan_import(small_workbook(), "城关镇.xlsx", place, by=SYSTEM)
    assert plan.ok, plan.problems
    assert [len(s["added"]) for s in plan.by_part()] == [2, 1, 1]
    apply_import(plan, by=cast["township_official"])

    flood = DutyItem.objects.get(name="防汛抗旱")
    assert flood.part == Part.COORDINATED
    assert sorted(d.name for d in flood.lead_departments.all()) == ["县公安局", "县应急管理局"]
    assert DutyItem.objects.get(name="基层党组织建设").content == "1.指导村党组织建设\n2.开展换届"
    assert DutyItem.objects.get(name="危险化学品监管").receiving_department.name == "县应急管理局"
    record = flood.history.get()
    assert (record.history_user, record.history_change_reason) == (
        cast["township_official"],
        "导入《城关镇.xlsx》",
    )
    assert [r.department_id for r in record.historicaldutyitem_lead_departments_set.all()] != []


def test_importing_the_same_file_again_changes_nothing(place, duty_list):
    apply_import(plan_import(small_workbook(), "a.xlsx", place, by=SYSTEM), by=SYSTEM)
    before = state(duty_list)
    plan = plan_import(small_workbook(), "a.xlsx", place, by=SYSTEM)
    assert (plan.added, plan.changed, plan.missing, plan.unchanged) == ([], [], [], 4)
    apply_import(plan, by=SYSTEM)
    assert state(duty_list) == before


def test_a_revised_file_updates_adds_and_lists_missing_items_removed_only_when_confirmed(place, duty_list):
    apply_import(plan_import(small_workbook(), "v1.xlsx", place, by=SYSTEM), by=SYSTEM)
    revised = [["基本"], BASIC_HEADER]
    revised.append([1, "党的建设", "基层党组织建设", "指导村党组织规范化建设", "党政办公室", "《条例》", ""])
    revised.append([2, "党的建设", "统一战线工作", "做好统战工作", "党政办公室", "", ""])
    plan = plan_import(small_workbook(基本履职事项清单=revised), "v2.xlsx", place, by=SYSTEM)

    assert [i.name for i in plan.added] == ["统一战线工作"]
    changed = {c.item.name: [(f.label, f.before, f.after) for f in c.fields] for c in plan.changed}
    assert changed == {
        "基层党组织建设": [("具体内容", "1.指导村党组织建设\n2.开展换届", "指导村党组织规范化建设")]
    }
    assert [i.name for i in plan.missing] == ["意识形态工作"]

    apply_import(plan, by=SYSTEM)
    assert DutyItem.objects.active().filter(name="意识形态工作").exists()  # kept: not confirmed
    apply_import(
        plan_import(small_workbook(基本履职事项清单=revised), "v2.xlsx", place, by=SYSTEM),
        remove_missing=True,
        by=SYSTEM,
    )
    assert DutyItem.objects.deleted().get().name == "意识形态工作"


def test_unknown_names_are_reported_with_the_closest_and_created_only_when_asked(place, duty_list):
    rows = [["基本"], BASIC_HEADER, [1, "党的建设", "新事项", "内容", "党政综合办公室", "", ""]]
    rows_coordinated = [
        ["配合"],
        COORDINATED_HEADER,
        [1, "平安法治", "消防", "县应急局", "", "巡查", "", "", ""],
    ]
    data = small_workbook(基本履职事项清单=rows, 配合履职事项清单=rows_coordinated)
    before = state(duty_list)

    plan = plan_import(data, "x.xlsx", place, by=SYSTEM)
    messages = [str(p) for p in plan.problems]
    assert (
        "工作表“基本履职事项清单”第 3 行“责任科室”列：找不到责任科室“党政综合办公室”，最接近的是“党政办公室”。"
        in messages
    )
    assert (
        "工作表“配合履职事项清单”第 3 行“县级主责部门”列：找不到县直部门“县应急局”，最接近的是“县应急管理局”。"
        in messages
    )
    with pytest.raises(ValidationError):
        apply_import(plan, by=SYSTEM)
    assert state(duty_list) == before and not Office.objects.filter(name="党政综合办公室").exists()

    plan = plan_import(data, "x.xlsx", place, create_missing=True, by=SYSTEM)
    assert (
        plan.ok
        and plan.to_create["office"] == ["党政综合办公室"]
        and plan.to_create["department"] == ["县应急局"]
    )
    apply_import(plan, by=SYSTEM)
    assert DutyItem.objects.get(name="新事项").responsible_office.name == "党政综合办公室"


def test_any_error_means_nothing_is_written(place, duty_list):
    rows = [
        ["基本"],
        BASIC_HEADER,
        [1, "党的建设", "好的事项", "内容", "党政办公室", "", ""],
        [2, "党的建设", "", "没有名称", "", "", ""],
    ]
    before = state(duty_list)
    plan = plan_import(small_workbook(基本履职事项清单=rows), "bad.xlsx", place, by=SYSTEM)
    assert [str(p) for p in plan.problems] == ["工作表“基本履职事项清单”第 4 行“事项名称”列：缺少事项名称。"]
    assert plan.added == []
    assert state(duty_list) == before


def test_per_part_rules_are_reported_against_the_row(place, duty_list):
    rows = [["配合"], COORDINATED_HEADER, [1, "平安法治", "防汛抗旱", "", "统筹", "", "", "", ""]]
    plan = plan_import(small_workbook(配合履职事项清单=rows), "x.xlsx", place, by=SYSTEM)
    assert {str(p) for p in plan.problems} == {
        "工作表“配合履职事项清单”第 3 行“县级主责部门”列：配合履职事项至少需要一个县级主责部门。",
        "工作表“配合履职事项清单”第 3 行“乡镇（街道）配合职责”列：配合履职事项必须填写乡镇（街道）配合职责。",
    }


# Bad files: a clear message, nothing written


def bomb() -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    return stream.getvalue()


def many_rows() -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("基本履职事项清单")
    sheet.append(BASIC_HEADER)
    for n in range(50_000):
        sheet.append([n, "党的建设", f"事项{n}", "内容", "党政办公室", "", ""])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def formulas() -> bytes:
    return small_workbook(
        基本履职事项清单=[
            BASIC_HEADER,
            ["=ROW()-1", "党的建设", "基层党组织建设", '=CONCAT("a","b")', "党政办公室", "", ""],
        ]
    )


BAD_FILES = {
    "empty": (lambda: b"", "x.xlsx", "文件是空的。"),
    "not a workbook": (lambda: b"%PDF-1.7 not a workbook", "清单.pdf", "文件不是 Excel 工作簿（.xlsx）"),
    "old xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "清单.xls", "旧版 Excel（.xls）"),
    "password": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\0" * 600,
        "清单.xlsx",
        "设置了打开密码",
    ),
    "damaged": (lambda: small_workbook()[:3000], "清单.xlsx", "已损坏"),
    "empty workbook": (lambda: workbook_bytes({"Sheet1": []}), "清单.xlsx", "工作簿中没有任何内容。"),
    "no header": (
        lambda: workbook_bytes({"Sheet1": [["一些说明"], ["甲", "乙", "丙"]]}),
        "清单.xlsx",
        "没有找到清单表头",
    ),
    "bomb": (bomb, "清单.xlsx", "解压后体积异常"),
    "50,000 rows": (many_rows, "清单.xlsx", "超过 5000 行"),
    "formulas": (formulas, "清单.xlsx", "是公式，不是数值"),
    "name too long": (
        lambda: small_workbook(
            基本履职事项清单=[BASIC_HEADER, [1, "党的建设", "长" * 201, "内容", "党政办公室", "", ""]]
        ),
        "清单.xlsx",
        "事项名称有 201 个字，超过 200 字的上限。",
    ),
}


@pytest.mark.parametrize(
    "case",
    # Building and refusing 50,000 rows takes seconds: a slow test (`make test-fast` leaves it out).
    [pytest.param(case, marks=pytest.mark.slow) if case == "50,000 rows" else case for case in BAD_FILES],
)
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(place, duty_list, case):
    build, filename, message = BAD_FILES[case]
    before = state(duty_list)
    try:
        plan = plan_import(build(), filename, place, by=SYSTEM)
    except ImportFileError as error:
        assert message in str(error)
    else:
        assert not plan.ok
        assert any(message in str(problem) for problem in plan.problems), [str(p) for p in plan.problems]
    assert state(duty_list) == before


# The upload page


def test_upload_preview_then_confirm(client, cast, place, duty_list):
    client.force_login(cast["township_official"])
    url = reverse("catalog:import_upload", args=[place.code])
    upload = io.BytesIO(small_workbook())
    upload.name = "城关镇清单.xlsx"
    preview = client.post(url, {"file": upload})
    text = preview.content.decode()
    assert preview.status_code == 200 and "导入预览：《城关镇清单.xlsx》" in text and "新增 2 项" in text
    assert DutyItem.objects.count() == 0

    token = preview.context["token"]
    done = client.post(reverse("catalog:import_confirm", args=[place.code]), {"token": token})
    assert done.status_code == 302
    assert DutyItem.objects.filter(duty_list=duty_list).count() == 4


def test_upload_of_a_bad_file_says_why_next_to_the_field(client, cast, place):
    client.force_login(cast["township_official"])
    upload = io.BytesIO(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    upload.name = "旧清单.xls"
    response = client.post(reverse("catalog:import_upload", args=[place.code]), {"file": upload})
    assert response.status_code == 200
    assert "旧版 Excel（.xls）" in str(response.context["form"].errors["file"])


def test_confirming_after_someone_edited_the_list_shows_a_fresh_preview(client, cast, place, duty_list):
    client.force_login(cast["township_official"])
    upload = io.BytesIO(small_workbook())
    upload.name = "a.xlsx"
    token = client.post(reverse("catalog:import_upload", args=[place.code]), {"file": upload}).context[
        "token"
    ]
    make_item(duty_list, name="预览后别人新增的")
    from catalog import services

    services.save_item(DutyItem.objects.get(name="预览后别人新增的"), by=SYSTEM)
    response = client.post(reverse("catalog:import_confirm", args=[place.code]), {"token": token})
    assert response.status_code == 409 and "预览之后清单已被修改" in response.content.decode()
    assert DutyItem.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [("department_reviewer", 403), ("other_county_editor", 404), ("other_township_official", 404)],
)
def test_only_editors_of_the_list_may_import(client, cast, place, role, status):
    client.force_login(cast[role])
    assert client.get(reverse("catalog:import_upload", args=[place.code])).status_code == status


def test_a_stale_or_foreign_token_imports_nothing(client, cast, place):
    client.force_login(cast["township_official"])
    response = client.post(
        reverse("catalog:import_confirm", args=[place.code]), {"token": "made-up"}, follow=True
    )
    assert "预览已失效" in response.content.decode()
    assert DutyItem.objects.count() == 0


# The commands


def test_import_command_dry_run_prints_the_preview_and_fails_on_errors(place, duty_list, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(small_workbook())
    out = io.StringIO()
    call_command("import_lists", str(good), "--township", place.code, "--dry-run", stdout=out)
    assert "基本履职事项：新增 2" in out.getvalue() and DutyItem.objects.count() == 0

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        small_workbook(基本履职事项清单=[BASIC_HEADER, [1, "党的建设", "x", "", "不存在的科室", "", ""]])
    )
    with pytest.raises(CommandError, match="发现 1 个问题，未导入"):
        call_command("import_lists", str(bad), "--township", place.code, "--dry-run", stdout=io.StringIO())

    call_command("import_lists", str(good), "--township", place.code, stdout=io.StringIO())
    assert DutyItem.objects.count() == 4


def test_export_command_writes_a_workbook_and_a_county_zip(place, duty_list, tmp_path):
    make_item(duty_list, name="出口事项")
    call_command(
        "export_lists", "--township", place.code, "--output", str(tmp_path / "a.xlsx"), stdout=io.StringIO()
    )
    assert load_workbook(tmp_path / "a.xlsx").sheetnames == list(exports.SHEET_NAMES.values())
    call_command(
        "export_lists",
        "--county",
        place.county.code,
        "--output",
        str(tmp_path / "c.zip"),
        stdout=io.StringIO(),
    )
    assert zipfile.ZipFile(tmp_path / "c.zip").namelist() == ["城关镇履行职责事项清单.xlsx"]


# Exporting


def test_export_has_the_printed_layout(client, cast, place, duty_list):
    county = place.county
    first, second = (
        County.objects.get(pk=county.pk).categories.get(name="党的建设"),
        County.objects.get(pk=county.pk).categories.get(name="平安法治"),
    )
    apply_import(plan_import(small_workbook(), "a.xlsx", place, by=SYSTEM), by=SYSTEM)
    client.force_login(cast["department_reviewer"])
    response = client.get(reverse("catalog:list_export", args=[duty_list.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["基本履职事项清单", "配合履职事项清单", "上级部门收回事项清单"]
    basic, coordinated = workbook["基本履职事项清单"], workbook["配合履职事项清单"]
    assert basic["A1"].value == "城关镇履行职责事项清单（基本履职事项）"
    assert [c.value for c in basic[2]] == BASIC_HEADER
    assert [c.value for c in coordinated[2]] == COORDINATED_HEADER
    assert [c.value for c in workbook["上级部门收回事项清单"][2]] == RECLAIMED_HEADER
    assert [(r[0].value, r[1].value, r[2].value) for r in basic.iter_rows(min_row=3)] == [
        (1, first.name, "基层党组织建设"),
        (2, first.name, "意识形态工作"),
    ]
    assert coordinated["D3"].value in {"县应急管理局、县公安局", "县公安局、县应急管理局"}
    assert second.name == coordinated["B3"].value
    assert basic.page_setup.orientation == "landscape" and basic.print_title_rows == "$2:$2"
    assert basic.freeze_panes == "A3" and "&P" in basic.oddFooter.center.text
    assert basic["D3"].alignment.wrap_text


def test_export_query_count_does_not_grow_with_items(
    client, cast, place, duty_list, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast["county_editor"])
    url = reverse("catalog:list_export", args=[duty_list.pk])
    for n in range(5):
        make_item(duty_list, Part.COORDINATED, name=f"配合{n}")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(60):
        make_item(duty_list, Part.COORDINATED, name=f"更多{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_other_counties_cannot_download(client, cast, duty_list):
    client.force_login(cast["other_county_editor"])
    assert client.get(reverse("catalog:list_export", args=[duty_list.pk])).status_code == 404
    assert (
        client.post(reverse("catalog:county_export", args=[duty_list.township.county.code])).status_code
        == 404
    )
    client.force_login(cast["township_official"])
    assert (
        client.post(reverse("catalog:county_export", args=[duty_list.township.county.code])).status_code
        == 404
    )


def test_blank_template_has_the_three_sheets_and_instructions(client, cast):
    client.force_login(cast["township_official"])
    workbook = load_workbook(io.BytesIO(client.get(reverse("catalog:blank_template")).content))
    assert workbook.sheetnames == [*exports.SHEET_NAMES.values(), "填写说明"]
    assert [c.value for c in workbook["配合履职事项清单"][2]] == COORDINATED_HEADER


# Round trip on the demo lists


@pytest.mark.slow  # loads the whole demo county, exports a list and imports it again
@pytest.mark.parametrize("township_name", ["城关镇", "青山镇", "白云乡", "东湖街道"])
def test_export_then_import_into_an_empty_list_reproduces_every_item(township_name):
    call_command("load_demo", stdout=io.StringIO())
    source = DutyList.objects.filter(township__name=township_name).latest("pk")
    county = source.township.county
    empty = Township.objects.create(
        county=county, name="新建镇", code="999001099", kind=Township.Kind.ZHEN, order=99
    )

    plan = plan_import(exports.list_workbook(source), "往返.xlsx", empty, create_missing=True, by=SYSTEM)
    assert plan.ok, [str(p) for p in plan.problems][:5]
    assert plan.to_create["category"] == [] and plan.to_create["department"] == []
    copy = apply_import(plan, by=SYSTEM)

    def fields(duty_list):
        items = list(
            duty_list.items.active()
            .select_related("category", "responsible_office", "receiving_department", "catalogue_entry")
            .prefetch_related("lead_departments")
            .order_by("part", "category__order", "order", "pk")
        )
        # 序号 travels as the item's place within its category (gaps left by deletions close up).
        rank = {}
        for item in items:
            rank[item.pk] = (
                sum(
                    1
                    for other in items[: items.index(item)]
                    if (other.part, other.category_id) == (item.part, item.category_id)
                )
                + 1
            )
        return {
            item.name: (
                item.part,
                item.category.name,
                rank[item.pk],
                item.content,
                item.basis,
                item.remarks,
                item.responsible_office.name if item.responsible_office else None,
                sorted(d.name for d in item.lead_departments.all()),
                item.department_duties,
                item.township_duties,
                item.support,
                item.receiving_department.name if item.receiving_department else None,
                item.reclaim_reason,
                item.is_safeguard,
                item.origin,
                item.catalogue_entry_id,
            )
            for item in items
        }

    assert fields(copy) == fields(source)


def test_departments_in_a_table_read_as_basic_are_not_dropped_silently(place):
    sheet = [
        ["清单"],
        ["序号", "事项名称", "收回部门", "依据"],
        ["（一）平安法治"],
        [1, "危险化学品监管", "县应急管理局", ""],
    ]
    plan = plan_import(workbook_bytes({"Sheet1": sheet}), "x.xlsx", place, by=SYSTEM)
    assert any("被识别为基本履职事项" in str(problem) for problem in plan.problems)


def test_a_created_category_goes_after_the_existing_ones(place):
    rows = [["基本"], BASIC_HEADER, [1, "新类别", "新事项", "内容", "党政办公室", "", ""]]
    plan = plan_import(small_workbook(基本履职事项清单=rows), "x.xlsx", place, create_missing=True, by=SYSTEM)
    apply_import(plan, by=SYSTEM)
    assert place.county.categories.get(name="新类别").order == 3


def far_away_cell() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(BASIC_HEADER)
    sheet["A1048576"] = "远处的一个值"
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def many_merges() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(BASIC_HEADER)
    for n in range(6000):
        sheet.merge_cells(start_row=n + 2, start_column=1, end_row=n + 2, end_column=2)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (far_away_cell, "第 1048576 行还有内容"),
        pytest.param(many_merges, "合并单元格超过", marks=pytest.mark.slow),  # 6,000 merges to write first
    ],
    ids=["value at the last row", "thousands of merges"],
)
def test_small_hostile_workbooks_are_refused_before_the_rows_are_walked(place, build, message):
    with pytest.raises(ImportFileError, match=message):
        plan_import(build(), "x.xlsx", place, by=SYSTEM)


def test_names_differing_only_in_bracket_width_or_spaces_are_the_same_item(place, duty_list):
    make_item(duty_list, category=place.county.categories.get(name="党的建设"), name="村（社区）党组织建设")
    rows = [["基本"], BASIC_HEADER, [1, "党的建设", "村(社区) 党组织建设", "内容", "党政办公室", "", ""]]
    plan = plan_import(small_workbook(基本履职事项清单=rows), "x.xlsx", place, by=SYSTEM)
    assert [i.name for i in plan.added if i.part == Part.BASIC] == []
    assert [c.item.name for c in plan.changed] == ["村（社区）党组织建设"]
    twice = [
        ["基本"],
        BASIC_HEADER,
        [1, "党的建设", "试点（一）", "", "", "", ""],
        [2, "党的建设", "试点(一)", "", "", "", ""],
    ]
    plan = plan_import(small_workbook(基本履职事项清单=twice), "x.xlsx", place, by=SYSTEM)
    assert any("重复" in str(problem) for problem in plan.problems)


def test_sub_point_rows_under_a_merged_name_belong_to_that_item(place):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "基本履职事项清单"
    sheet.append(BASIC_HEADER)
    sheet.append([1, "党的建设", "基层党组织建设", "1.指导村党组织建设", "党政办公室", "《条例》", ""])
    sheet.append([None, None, None, "2.开展换届选举", None, None, None])
    sheet.append([2, "党的建设", "意识形态工作", "落实责任制", "党政办公室", "", ""])
    for column in "ABCEF":
        sheet.merge_cells(f"{column}2:{column}3")
    stream = io.BytesIO()
    workbook.save(stream)
    plan = plan_import(stream.getvalue(), "x.xlsx", place, by=SYSTEM)
    assert plan.ok, [str(p) for p in plan.problems]
    contents = {i.name: i.texts["content"] for i in plan.added}
    assert contents == {"基层党组织建设": "1.指导村党组织建设\n2.开展换届选举", "意识形态工作": "落实责任制"}


def test_re_importing_an_export_after_a_deletion_changes_nothing(place, duty_list):
    from catalog import services

    apply_import(plan_import(small_workbook(), "a.xlsx", place, by=SYSTEM), by=SYSTEM)
    services.delete_item(DutyItem.objects.get(name="基层党组织建设"), by=SYSTEM)
    before = state(duty_list)
    plan = plan_import(exports.list_workbook(duty_list), "export.xlsx", place, by=SYSTEM)
    assert (plan.added, plan.changed, plan.missing) == ([], [], [])
    assert state(duty_list) == before


def test_a_content_column_on_a_coordinated_table_becomes_township_duties_with_a_note(place):
    header = ["序号", "类别", "事项名称", "具体内容", "县级主责部门", "县级部门职责"]
    rows = [["配合"], header, [1, "平安法治", "防汛抗旱", "汛期巡查报告险情", "县应急管理局", "统筹调度"]]
    plan = plan_import(small_workbook(配合履职事项清单=rows), "x.xlsx", place, by=SYSTEM)
    assert plan.ok, [str(p) for p in plan.problems]
    flood = next(i for i in plan.added if i.name == "防汛抗旱")
    assert (flood.texts["township_duties"], flood.texts["content"]) == ("汛期巡查报告险情", "")
    assert any("已作为“乡镇（街道）配合职责”导入" in str(w) for w in plan.warnings)


def test_a_township_official_starts_the_first_draft_by_importing(client, cast, duty_list):
    neighbour = Township.objects.get(name="青山镇")
    make_office(neighbour, "党政办公室")
    county = neighbour.county
    make_category(county, "党的建设", 1)
    make_category(county, "平安法治", 2)
    make_department(county, "县应急管理局")
    make_department(county, "县公安局")
    client.force_login(cast["other_township_official"])  # 青山镇's official
    upload = io.BytesIO(small_workbook())
    upload.name = "青山镇.xlsx"
    token = client.post(reverse("catalog:import_upload", args=[neighbour.code]), {"file": upload}).context[
        "token"
    ]
    client.post(reverse("catalog:import_confirm", args=[neighbour.code]), {"token": token})
    draft = DutyList.objects.get(township=neighbour)
    assert draft.items.count() == 4


def test_export_rows_are_tall_enough_for_their_wrapped_text(place, duty_list):
    make_item(duty_list, category=place.county.categories.get(name="党的建设"), content="很长的内容" * 40)
    make_item(duty_list, category=place.county.categories.get(name="党的建设"), content="短")
    sheet = load_workbook(io.BytesIO(exports.list_workbook(duty_list)))["基本履职事项清单"]
    assert sheet.row_dimensions[3].height > 3 * sheet.row_dimensions[4].height


def test_exported_cells_drop_control_characters_and_never_hold_formulas(duty_list):
    make_item(duty_list, name='=HYPERLINK("http://evil.example","点击")', content="受理申请\x0b并入户调查")
    sheet = load_workbook(io.BytesIO(exports.list_workbook(duty_list)))["基本履职事项清单"]
    name, content = sheet["C3"], sheet["D3"]
    assert name.value == '=HYPERLINK("http://evil.example","点击")' and name.data_type == "s"
    assert content.value == "受理申请并入户调查"

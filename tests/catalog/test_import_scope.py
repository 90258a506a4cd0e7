"""Only the county editor creates reference data from an import; everyone else is told whom to ask."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from catalog.actors import SYSTEM
from catalog.imports import apply_import, plan_import
from catalog.models import Category, Department, DutyItem, Office
from tests.conftest import make_category, make_department, make_office

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
]


@pytest.fixture
def place(duty_list):
    county = duty_list.township.county
    make_category(county, "党的建设", 1)
    make_office(duty_list.township, "党政办公室")
    make_department(county, "县公安局")
    return duty_list.township


def basic_and_coordinated(basic_rows: list, coordinated_rows: list) -> bytes:
    workbook = Workbook()
    basic = workbook.active
    basic.title = "基本履职事项清单"
    for row in [BASIC_HEADER, *basic_rows]:
        basic.append(row)
    coordinated = workbook.create_sheet("配合履职事项清单")
    for row in [COORDINATED_HEADER, *coordinated_rows]:
        coordinated.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def file_with_new_names() -> bytes:
    """A new category, office and department, each with nothing in the system close to it."""
    return basic_and_coordinated(
        [
            [1, "党的建设", "村务监督", "指导村务监督", "纪检监察室", "", ""],
            [1, "生态环保", "秸秆禁烧", "巡查", "党政办公室", "", ""],
        ],
        [[1, "党的建设", "文物保护", "文旅体局", "组织实施", "巡查报告", ""]],
    )


def reference_counts() -> tuple:
    return Category.objects.count(), Office.objects.count(), Department.objects.count()


def upload(client, township, **fields):
    file = io.BytesIO(file_with_new_names())
    file.name = "新名称.xlsx"
    return client.post(reverse("catalog:import_upload", args=[township.code]), {"file": file, **fields})


def test_a_township_official_is_told_each_unknown_name_where_it_is_and_may_only_map_it(client, cast, place):
    before = reference_counts()
    client.force_login(cast["township_official"])
    page = client.get(reverse("catalog:import_upload", args=[place.code])).content.decode()
    assert "新建缺少的名称" not in page and "请联系县委编办添加" in page

    response = upload(client, place)
    text = response.content.decode()
    assert response.status_code == 200 and "不能导入" in text
    ask = "请在下方选择它对应的已有名称；系统中确实没有的，请联系县委编办添加。"
    assert [str(problem) for problem in response.context["plan"].problems] == [
        f"工作表“基本履职事项清单”第 2 行“责任科室”列：找不到责任科室“纪检监察室”，{ask}",
        f"工作表“基本履职事项清单”第 3 行“类别”列：找不到类别“生态环保”，{ask}",
        f"工作表“配合履职事项清单”第 2 行“县级主责部门”列：找不到县直部门“文旅体局”，{ask}",
    ]
    # Each name can be mapped to an existing record; nothing can be created, and no command is named.
    assert text.count("请选择…") == 3 and "新建" not in text and "--create-missing" not in text
    assert reference_counts() == before and DutyItem.objects.count() == 0


def test_a_forged_request_to_create_names_from_a_township_official_is_refused(client, cast, place, settings):
    before = reference_counts()
    client.force_login(cast["township_official"])
    response = upload(client, place, create_missing="on")
    assert response.status_code == 403
    assert reference_counts() == before and DutyItem.objects.count() == 0
    assert not settings.IMPORT_UPLOAD_DIR.exists() or not any(settings.IMPORT_UPLOAD_DIR.iterdir())
    with pytest.raises(PermissionDenied, match="只有县委编办可以新建"):
        plan_import(file_with_new_names(), "x.xlsx", place, create_missing=True, by=cast["township_official"])


def test_the_county_editor_creates_the_names_by_importing(client, cast, place):
    client.force_login(cast["county_editor"])
    page = client.get(reverse("catalog:import_upload", args=[place.code])).content.decode()
    assert "新建缺少的名称" in page
    preview = upload(client, place, create_missing="on")
    assert preview.status_code == 200 and "将新建类别：生态环保" in preview.content.decode()
    done = client.post(
        reverse("catalog:import_confirm", args=[place.code]), {"token": preview.context["token"]}
    )
    assert done.status_code == 302
    assert Category.objects.filter(county=place.county, name="生态环保").exists()
    assert Office.objects.filter(township=place, name="纪检监察室").exists()
    assert Department.objects.filter(county=place.county, name="文旅体局").exists()
    assert DutyItem.objects.filter(duty_list__township=place).count() == 3


def test_the_command_imports_as_the_system_and_may_create_names(place, tmp_path):
    path = tmp_path / "新名称.xlsx"
    path.write_bytes(file_with_new_names())
    call_command(
        "import_lists", str(path), "--township", place.code, "--create-missing", stdout=io.StringIO()
    )
    assert Department.objects.filter(name="文旅体局").exists() and DutyItem.objects.count() == 3


def test_an_editor_is_offered_to_create_what_an_official_is_told_to_ask_for(client, cast, place):
    plan = plan_import(file_with_new_names(), "x.xlsx", place, by=cast["county_editor"])
    assert all("请在下方选择它对应的已有名称，或新建。" in str(p) for p in plan.problems)
    assert not any("--create-missing" in str(p) for p in plan.problems)
    client.force_login(cast["county_editor"])
    text = upload(client, place).content.decode()
    assert "新建县直部门“文旅体局”" in text and "--create-missing" not in text
    plan = plan_import(file_with_new_names(), "x.xlsx", place, create_missing=True, by=cast["county_editor"])
    apply_import(plan, by=cast["county_editor"])
    assert Category.objects.filter(name="生态环保").exists()


def test_only_the_command_is_told_of_its_flag(place):
    plan = plan_import(file_with_new_names(), "x.xlsx", place, by=SYSTEM)
    assert all("加 --create-missing 新建" in str(p) for p in plan.problems)

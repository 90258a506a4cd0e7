"""A name the county does not have is mapped in the preview to an existing record, plausibly suggested,
and remembered for the county's next import; nothing is created unless the county editor chose to."""

import io

import pytest
from django.urls import reverse

from catalog.actors import SYSTEM
from catalog.imports import apply_import, plan_import
from catalog.imports.names import CREATE, similarity, stem, suggestions
from catalog.models import Category, Department, DutyItem, NameAlias, Office
from tests.catalog.test_import_scope import basic_and_coordinated, reference_counts
from tests.conftest import make_category, make_office

pytestmark = pytest.mark.django_db


class Named:
    def __init__(self, name):
        self.name = name


OFFICES = [
    "党政办公室",
    "应急管理办公室",
    "经济发展办公室",
    "社会事务办公室",
    "党群服务中心",
    "平安法治办公室",
]
DEPARTMENTS = ["县公安局", "县应急管理局", "县农业农村局", "县文化和旅游体育局", "县城市管理局"]


def names_suggested(name, existing, places=("示范县", "城关镇")):
    return [record.name for record in suggestions(name, [Named(n) for n in existing], places)]


def test_a_shared_suffix_does_not_make_names_close():
    assert stem("应急管理办公室") == "应急" and stem("党政办公室") == "党政"
    assert similarity("党政办公室", "应急管理办公室") == 0
    assert names_suggested("党政办公室", ["应急管理办公室", "党群服务中心"]) == []
    assert names_suggested("县公安分局", ["县应急管理局", "县农业农村局"]) == []


def test_the_true_near_match_is_offered_first():
    assert names_suggested("党政办", OFFICES) == ["党政办公室"]
    assert names_suggested("党政综合办公室", OFFICES)[0] == "党政办公室"
    assert names_suggested("经发办", OFFICES) == ["经济发展办公室"]
    assert names_suggested("应急办", OFFICES) == ["应急管理办公室"]
    assert names_suggested("县应急局", DEPARTMENTS) == ["县应急管理局"]
    assert names_suggested("示范县文旅体局", DEPARTMENTS) == ["县文化和旅游体育局"]
    assert names_suggested("城管局", DEPARTMENTS) == ["县城市管理局"]


@pytest.fixture
def place(duty_list):
    township = duty_list.township
    make_category(township.county, "平安法治", 1)
    for name in OFFICES:
        make_office(township, name)
    for name in DEPARTMENTS:
        Department.objects.get_or_create(county=township.county, name=name)
    return township


def workbook_with_abbreviations() -> bytes:
    return basic_and_coordinated(
        [
            [1, "平安法治", "应急值守", "做好值班值守", "应急办", "", ""],
            [2, "平安法治", "防汛巡查", "汛期巡查", "应急办", "", ""],
        ],
        [[1, "平安法治", "森林防火", "县应急局", "组织实施", "巡查报告", ""]],
    )


def upload(client, township):
    file = io.BytesIO(workbook_with_abbreviations())
    file.name = "简称.xlsx"
    return client.post(reverse("catalog:import_upload", args=[township.code]), {"file": file})


def choose(client, township, preview, chosen: dict):
    """Answer the preview's questions: {name: record id or CREATE}."""
    data = {"token": preview.context["token"]}
    for index, unresolved in enumerate(preview.context["plan"].unresolved, start=1):
        data |= {f"kind-{index}": unresolved.kind, f"name-{index}": unresolved.name}
        data[f"choice-{index}"] = chosen.get(unresolved.name, "")
    return client.post(reverse("catalog:import_names", args=[township.code]), data)


def test_a_plan_suggests_plausible_records_for_each_unknown_name(place):
    plan = plan_import(workbook_with_abbreviations(), "简称.xlsx", place, by=SYSTEM)
    asked = {u.name: ([s.name for s in u.suggestions], u.rows) for u in plan.unresolved}
    assert asked == {"应急办": (["应急管理办公室"], 2), "县应急局": (["县应急管理局"], 1)}
    assert str(plan.problems[0]) == (
        "工作表“基本履职事项清单”第 2 行“责任科室”列：找不到责任科室“应急办”（文件中共 2 行），"
        "最接近的是“应急管理办公室”。"
    )


def test_an_official_maps_unknown_names_to_existing_ones_and_nothing_is_created(client, cast, place):
    before = reference_counts()
    office = Office.objects.get(township=place, name="应急管理办公室")
    department = Department.objects.get(name="县应急管理局")
    client.force_login(cast["township_official"])

    preview = upload(client, place)
    assert [u.name for u in preview.context["plan"].unresolved] == ["应急办", "县应急局"]
    mapped = choose(client, place, preview, {"应急办": office.pk, "县应急局": department.pk})
    text = mapped.content.decode()
    assert mapped.status_code == 200 and mapped.context["plan"].ok
    assert "责任科室“应急办”将导入为已有的“应急管理办公室”" in text
    assert "县直部门“县应急局”将导入为已有的“县应急管理局”" in text

    done = client.post(
        reverse("catalog:import_confirm", args=[place.code]), {"token": mapped.context["token"]}
    )
    assert done.status_code == 302
    assert reference_counts() == before
    assert {item.responsible_office for item in DutyItem.objects.filter(part="basic")} == {office}
    assert list(DutyItem.objects.get(name="森林防火").lead_departments.all()) == [department]
    remembered = {(a.kind, a.text): (a.target, a.created_by) for a in NameAlias.objects.all()}
    assert remembered == {
        ("office", "应急办"): (office, cast["township_official"]),
        ("department", "县应急局"): (department, cast["township_official"]),
    }


def test_a_remembered_choice_resolves_the_next_import_of_the_county_and_the_preview_says_so(
    client, cast, place
):
    office = Office.objects.get(township=place, name="应急管理办公室")
    department = Department.objects.get(name="县应急管理局")
    first = plan_import(
        workbook_with_abbreviations(),
        "简称.xlsx",
        place,
        choices={("office", "应急办"): str(office.pk), ("department", "县应急局"): str(department.pk)},
        by=cast["county_editor"],
    )
    apply_import(first, by=cast["county_editor"])
    DutyItem.objects.all().delete()

    again = plan_import(workbook_with_abbreviations(), "简称.xlsx", place, by=cast["township_official"])
    assert again.ok and not again.unresolved and len(again.added) == 3
    assert {(r.name, r.target) for r in again.names.remembered} == {
        ("应急办", office),
        ("县应急局", department),
    }

    client.force_login(cast["township_official"])
    text = upload(client, place).content.decode()
    assert "责任科室“应急办”按之前记住的对应关系导入为“应急管理办公室”（editor 于 " in text
    assert "确认导入" in text


def test_a_neighbouring_township_uses_the_remembered_office_name_where_it_has_that_office(cast, place):
    office = Office.objects.get(township=place, name="应急管理办公室")
    apply_import(
        plan_import(
            workbook_with_abbreviations(),
            "简称.xlsx",
            place,
            choices={("office", "应急办"): str(office.pk), ("department", "县应急局"): CREATE},
            by=cast["county_editor"],
        ),
        by=cast["county_editor"],
    )
    neighbour = place.county.townships.get(name="青山镇")
    own = make_office(neighbour, "应急管理办公室")
    plan = plan_import(workbook_with_abbreviations(), "简称.xlsx", neighbour, by=SYSTEM)
    assert plan.ok and {i.office for i in plan.added if i.part == "basic"} == {own}
    # The editor created the department on purpose; the next import finds it by its name.
    assert Department.objects.filter(name="县应急局").exists() and not plan.names.remembered[1:]


def test_a_township_official_cannot_create_a_name_from_the_preview(client, cast, place, settings):
    before = reference_counts()
    client.force_login(cast["township_official"])
    preview = upload(client, place)
    assert "新建" not in preview.content.decode()
    forged = choose(client, place, preview, {"应急办": CREATE, "县应急局": CREATE})
    assert forged.status_code == 403
    assert reference_counts() == before and not NameAlias.objects.exists() and not DutyItem.objects.exists()
    assert not any(settings.IMPORT_UPLOAD_DIR.iterdir())  # the staged file is gone


def test_the_county_editor_creates_a_name_only_by_choosing_to(client, cast, place):
    client.force_login(cast["county_editor"])
    preview = upload(client, place)
    office = Office.objects.get(township=place, name="应急管理办公室")
    mapped = choose(client, place, preview, {"应急办": office.pk, "县应急局": CREATE})
    assert "将新建县直部门：县应急局" in mapped.content.decode()
    client.post(reverse("catalog:import_confirm", args=[place.code]), {"token": mapped.context["token"]})
    assert Department.objects.filter(name="县应急局").exists()
    assert not Office.objects.filter(name="应急办").exists() and Category.objects.count() == 1
    assert list(NameAlias.objects.values_list("text", flat=True)) == ["应急办"]  # a created name needs none


def test_a_townships_own_office_alias_wins_over_a_neighbours(cast, place):
    neighbour = place.county.townships.get(name="青山镇")
    theirs = make_office(neighbour, "应急管理办公室")
    own = Office.objects.get(township=place, name="平安法治办公室")
    NameAlias.objects.create(
        county=place.county, kind="office", township=neighbour, text="应急办", office=theirs
    )
    NameAlias.objects.create(county=place.county, kind="office", township=place, text="应急办", office=own)
    NameAlias.objects.create(
        county=place.county,
        kind="department",
        text="县应急局",
        department=Department.objects.get(name="县应急管理局"),
    )
    plan = plan_import(workbook_with_abbreviations(), "简称.xlsx", place, by=SYSTEM)
    assert plan.ok and {i.office for i in plan.added if i.part == "basic"} == {own}

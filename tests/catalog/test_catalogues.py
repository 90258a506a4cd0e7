"""Reference catalogues as data: the four kinds the county keeps, the demo's illustrative ones, and a
catalogue as a workbook in the printed layout, which the list import reads back."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from catalog.actors import SYSTEM
from catalog.imports import apply_import, plan_import
from catalog.models import Catalogue, CatalogueEntry, DutyItem, Part
from tests.conftest import make_category, make_department, make_item

pytestmark = pytest.mark.django_db


def test_the_county_keeps_the_four_kinds_of_reference_catalogue():
    assert {Catalogue.Kind.TEMPLATE, Catalogue.Kind.SAFEGUARD, Catalogue.Kind.RECLAIMED} <= set(
        Catalogue.Kind
    )
    assert Catalogue.Kind.DEPARTMENT.label == "部门事项目录"


def test_the_demo_ships_one_illustrative_catalogue_of_each_kind(db):
    from publication.management.commands.load_demo import DEMO_FIXTURES
    from tests.catalog.test_demo_data import FIXTURES

    call_command("loaddata", *[FIXTURES / name for name in DEMO_FIXTURES], verbosity=0)
    catalogues = Catalogue.objects.all()
    assert {c.kind for c in catalogues} == {
        Catalogue.Kind.TEMPLATE,
        Catalogue.Kind.SAFEGUARD,
        Catalogue.Kind.RECLAIMED,
        Catalogue.Kind.DEPARTMENT,
    }
    assert all(c.is_illustrative for c in catalogues)
    own = catalogues.get(kind=Catalogue.Kind.DEPARTMENT)
    assert "示例" in own.name and own.description.startswith("示例数据")
    assert {(e.part, tuple(d.name for d in e.lead_departments.all())) for e in own.entries.all()} == {
        (Part.COORDINATED, ("县应急管理局",))
    }


@pytest.fixture
def template(duty_list):
    county = duty_list.township.county
    catalogue = Catalogue.objects.create(county=county, name="示范县标准模板", kind=Catalogue.Kind.TEMPLATE)
    category = make_category(county, "平安法治", 1)
    water = make_department(county, "县水利局")
    CatalogueEntry.objects.create(
        catalogue=catalogue, name="农村低保审核", part=Part.BASIC, category=category, content="入户调查"
    )
    flood = CatalogueEntry.objects.create(
        catalogue=catalogue,
        name="防汛抗旱",
        part=Part.COORDINATED,
        category=category,
        department_duties="统筹调度",
        township_duties="巡查报告",
        basis="《防汛条例》",
    )
    flood.lead_departments.set([water])
    CatalogueEntry.objects.create(
        catalogue=catalogue,
        name="河道采砂执法",
        part=Part.RECLAIMED,
        category=category,
        receiving_department=water,
        reclaim_reason="由县水利局直接实施",
    )
    return catalogue


def test_the_county_editor_downloads_a_catalogue_in_the_printed_layout(client, cast, template):
    client.force_login(cast["county_editor"])
    response = client.get(reverse("catalog:catalogue_export", args=[template.pk]))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    coordinated = workbook["配合履职事项清单"]
    assert coordinated["A1"].value == "示范县标准模板（配合履职事项）"
    assert list(next(coordinated.iter_rows(min_row=3, values_only=True)))[:5] == [
        1,
        "平安法治",
        "防汛抗旱",
        "县水利局",
        "统筹调度",
    ]
    assert workbook["上级部门收回事项清单"].cell(3, 3).value == "河道采砂执法"


@pytest.mark.parametrize("role", ["township_official", "department_reviewer", "other_county_editor"])
def test_only_the_countys_editors_download_its_catalogues(client, cast, template, role):
    client.force_login(cast[role])
    assert client.get(reverse("catalog:catalogue_export", args=[template.pk])).status_code == 404


def test_a_downloaded_template_imports_into_a_draft_as_common_items_linked_to_its_entries(
    client, cast, duty_list, template
):
    make_item(duty_list, name="已有事项")
    client.force_login(cast["county_editor"])
    data = client.get(reverse("catalog:catalogue_export", args=[template.pk])).content

    plan = plan_import(data, "示范县标准模板.xlsx", duty_list.township, by=SYSTEM)
    assert plan.ok, plan.problems
    apply_import(plan, by=SYSTEM)
    imported = {
        item.name: (item.part, item.catalogue_entry, item.origin)
        for item in DutyItem.objects.filter(duty_list=duty_list, catalogue_entry__isnull=False)
    }
    assert imported == {
        entry.name: (entry.part, entry, DutyItem.Origin.COMMON) for entry in template.entries.all()
    }
    flood = DutyItem.objects.get(name="防汛抗旱")
    assert [d.name for d in flood.lead_departments.all()] == ["县水利局"] and flood.basis == "《防汛条例》"


def workbook_of(client, catalogue) -> "Workbook":  # noqa: F821
    return load_workbook(
        io.BytesIO(client.get(reverse("catalog:catalogue_export", args=[catalogue.pk])).content)
    )


def saved(workbook) -> bytes:
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_a_catalogues_workbook_edited_and_imported_back_updates_and_adds_entries(client, cast, template):
    from catalog.catalogue_imports import import_catalogue

    client.force_login(cast["county_editor"])
    workbook = workbook_of(client, template)
    basic = workbook["基本履职事项清单"]
    basic.cell(3, 4).value = "入户调查，张榜公示"  # 具体内容 of 农村低保审核
    basic.append([2, "平安法治", "矛盾纠纷排查化解", "定期排查", "", "《人民调解法》", ""])

    result = import_catalogue(template, saved(workbook), "模板.xlsx", by=cast["county_editor"])
    assert (result.added, result.changed) == (1, 3)
    entries = {e.name: e for e in template.entries.all()}
    assert entries["农村低保审核"].content == "入户调查，张榜公示"
    assert (
        entries["矛盾纠纷排查化解"].basis == "《人民调解法》"
        and entries["矛盾纠纷排查化解"].part == Part.BASIC
    )
    assert [d.name for d in entries["防汛抗旱"].lead_departments.all()] == ["县水利局"]
    assert entries["农村低保审核"].history.first().history_change_reason == "导入《模板.xlsx》"


def test_a_catalogue_workbook_with_an_unknown_department_or_a_broken_row_changes_nothing(
    client, cast, template
):
    from catalog.catalogue_imports import import_catalogue
    from catalog.refusals import refusal_of

    client.force_login(cast["county_editor"])
    workbook = workbook_of(client, template)
    workbook["配合履职事项清单"].cell(3, 4).value = "县林业局"
    workbook["基本履职事项清单"].cell(3, 4).value = "改了也不会写入"
    workbook["上级部门收回事项清单"].cell(3, 4).value = ""
    before = sorted(template.entries.values_list("name", "content"))

    with pytest.raises(Exception) as refused:
        import_catalogue(template, saved(workbook), "模板.xlsx", by=cast["county_editor"])
    refusal = refusal_of(refused.value)
    assert refusal.code == "file_problems"
    assert (
        "工作表“配合履职事项清单”第 3 行" in refusal.message
        and "本县没有县直部门“县林业局”" in refusal.message
    )
    assert "工作表“上级部门收回事项清单”第 3 行" in refusal.message
    assert sorted(template.entries.values_list("name", "content")) == before


def test_only_the_countys_editor_imports_into_its_catalogue(client, cast, template):
    from catalog.catalogue_imports import import_catalogue
    from catalog.refusals import refusal_of

    client.force_login(cast["county_editor"])
    data = saved(workbook_of(client, template))
    with pytest.raises(Exception) as refused:
        import_catalogue(template, data, "模板.xlsx", by=cast["township_official"])
    assert refusal_of(refused.value).code == "cannot_manage_catalogue"


def upload(data: bytes, name: str = "模板.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return {"file": file}


def test_the_import_page_writes_a_clean_workbook_and_lists_every_problem_of_a_bad_one(client, cast, template):
    client.force_login(cast["county_editor"])
    url = reverse("catalog:catalogue_import", args=[template.pk])
    assert client.get(url).status_code == 200

    workbook = workbook_of(client, template)
    workbook["配合履职事项清单"].cell(3, 4).value = "县林业局"
    refused = client.post(url, upload(saved(workbook)))
    assert refused.status_code == 400
    assert "本县没有县直部门“县林业局”" in refused.content.decode()
    assert [d.name for d in template.entries.get(name="防汛抗旱").lead_departments.all()] == ["县水利局"]

    workbook["配合履职事项清单"].cell(3, 4).value = "县水利局"
    workbook["基本履职事项清单"].append([2, "平安法治", "矛盾纠纷排查化解", "定期排查", "", "", ""])
    done = client.post(url, upload(saved(workbook)))
    assert done.status_code == 302
    assert template.entries.filter(name="矛盾纠纷排查化解").exists()


@pytest.mark.parametrize("role", ["township_official", "other_county_editor"])
def test_only_the_countys_editors_open_the_import_page(client, cast, template, role):
    client.force_login(cast[role])
    assert client.get(reverse("catalog:catalogue_import", args=[template.pk])).status_code == 404

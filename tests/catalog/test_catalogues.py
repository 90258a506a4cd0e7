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

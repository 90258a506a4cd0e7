"""An imported row keeps its link to the catalogue entry of its name; a row whose name is only alike
to an entry's is offered that entry in the preview, and linked only when the person importing
confirms it."""

import io

import pytest
from django.urls import reverse

from catalog.actors import SYSTEM
from catalog.imports import apply_import, plan_import
from catalog.models import Catalogue, CatalogueEntry, DutyItem, Part, QualityPolicy
from tests.catalog import test_import_export
from tests.catalog.test_import_export import BASIC_HEADER, small_workbook

place = test_import_export.place  # a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(place):
    county = place.county
    template = Catalogue.objects.create(county=county, name="县级标准模板", kind=Catalogue.Kind.TEMPLATE)
    safeguard = Catalogue.objects.create(county=county, name="兜底事项目录", kind=Catalogue.Kind.SAFEGUARD)
    return {
        "exact": CatalogueEntry.objects.create(catalogue=template, name="基层党组织建设", part=Part.BASIC),
        "near": CatalogueEntry.objects.create(
            catalogue=safeguard, name="意识形态工作责任制落实", part=Part.BASIC, is_safeguard=True
        ),
        "far": CatalogueEntry.objects.create(catalogue=template, name="森林防火巡查", part=Part.BASIC),
    }


def workbook() -> bytes:
    basic = [["基本"], BASIC_HEADER]
    basic.append([1, "党的建设", "基层党组织建设", "指导村党组织建设", "党政办公室", "《条例》", ""])
    basic.append([2, "党的建设", "意识形态工作责任制", "落实责任制", "党政办公室", "", ""])
    basic.append([3, "党的建设", "特色茶产业培育", "培育茶产业", "党政办公室", "", ""])
    return small_workbook(基本履职事项清单=basic)


def test_a_row_named_as_an_entry_links_to_it_and_a_row_named_alike_is_offered_the_entry(place, entries):
    plan = plan_import(workbook(), "城关镇.xlsx", place, by=SYSTEM)
    basic = {incoming.name: incoming for incoming in plan.added if incoming.part == Part.BASIC}

    assert basic["基层党组织建设"].entry == entries["exact"] and basic["基层党组织建设"].near_entries == []
    assert basic["意识形态工作责任制"].entry is None
    assert basic["意识形态工作责任制"].near_entries == [(entries["near"], 88)]
    assert basic["特色茶产业培育"].near_entries == []
    assert any(
        "名称相近的目录事项：“意识形态工作责任制落实”（兜底事项目录，相似度 88%）" in line
        for line in plan.summary_lines()
    )

    QualityPolicy.objects.create(county=place.county, similarity_threshold=95)
    stricter = plan_import(workbook(), "城关镇.xlsx", place, by=SYSTEM)
    assert all(incoming.near_entries == [] for incoming in stricter.added)


def items(place):
    return {
        item.name: (item.catalogue_entry, item.origin, item.is_safeguard)
        for item in DutyItem.objects.filter(duty_list__township=place, part=Part.BASIC)
    }


def test_without_confirmation_an_alike_row_is_an_individual_item_and_with_it_a_common_one(place, entries):
    apply_import(plan_import(workbook(), "a.xlsx", place, by=SYSTEM), by=SYSTEM)
    assert items(place)["意识形态工作责任制"] == (None, DutyItem.Origin.INDIVIDUAL, False)
    assert items(place)["基层党组织建设"] == (entries["exact"], DutyItem.Origin.COMMON, False)

    DutyItem.objects.all().delete()
    links = {"意识形态工作责任制": entries["near"].pk, "特色茶产业培育": entries["far"].pk}
    apply_import(plan_import(workbook(), "a.xlsx", place, by=SYSTEM), by=SYSTEM, links=links)
    linked = items(place)
    assert linked["意识形态工作责任制"] == (entries["near"], DutyItem.Origin.COMMON, True)
    # An entry the row was not offered is not linked, whatever was posted.
    assert linked["特色茶产业培育"] == (None, DutyItem.Origin.INDIVIDUAL, False)


def test_the_preview_offers_the_alike_entry_and_the_confirmation_links_it(client, cast, place, entries):
    client.force_login(cast["township_official"])
    upload = io.BytesIO(workbook())
    upload.name = "城关镇清单.xlsx"
    preview = client.post(reverse("catalog:import_upload", args=[place.code]), {"file": upload})
    page = preview.content.decode()
    assert "名称相近的目录事项：请确认是否关联（1 项）" in page
    assert f'name="link-1" value="{entries["near"].pk}"' in page
    assert "关联“意识形态工作责任制落实”（兜底事项目录，相似度 88%）" in page
    assert DutyItem.objects.count() == 0

    done = client.post(
        reverse("catalog:import_confirm", args=[place.code]),
        {
            "token": preview.context["token"],
            "link-name-1": "意识形态工作责任制",
            "link-1": entries["near"].pk,
        },
    )
    assert done.status_code == 302
    assert items(place)["意识形态工作责任制"] == (entries["near"], DutyItem.Origin.COMMON, True)
    message = client.get(done["Location"]).content.decode()
    assert "按名称相近关联目录事项 1 项" in message

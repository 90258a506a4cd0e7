"""省级认领情况 and the pages of the province's catalogue: the status of each entry for each county,
who sees which counties, the county's claim pages, the workbook in and out, and constant queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from catalog import claims, exports
from catalog.claim_status import Status, claim_table
from catalog.models import Catalogue, CatalogueEntry, DroppedEntry, NameAlias, Part
from tests.catalog.province_world import more_counties, province_entry, province_world
from tests.conftest import make_category, make_department

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, duty_list):
    return province_world(duty_list)


def other_city(cast):
    return cast["other_city_editor"].region_memberships.get().city


def statuses(table) -> dict:
    return {(row.entry.name, cell.county.name): cell.status for row in table.rows for cell in row.cells}


def test_each_entry_reads_adopted_changed_dropped_or_unclaimed(cast, world):
    east, west = more_counties(world.county, other_city(cast))
    reclaimed = province_entry(world.catalogue, "低保资金发放", Part.RECLAIMED)
    editor = cast["county_editor"]
    claims.claim_entry(world.basic, into=world.template, by=editor)
    changed = claims.claim_entry(world.coordinated, into=world.template, by=editor)
    claims.drop_entry(reclaimed, county=world.county, by=editor, reason="本县已由民政局实施")

    table = claim_table(world.catalogue, [world.county, east])
    assert statuses(table) == {
        ("农村低保审核", "示范县"): Status.ADOPTED,
        ("殡葬管理", "示范县"): Status.ADOPTED,
        ("低保资金发放", "示范县"): Status.DROPPED,
        ("农村低保审核", "东县"): Status.UNCLAIMED,
        ("殡葬管理", "东县"): Status.UNCLAIMED,
        ("低保资金发放", "东县"): Status.UNCLAIMED,
    }

    # The county adapts its claimed entry: a new wording and another lead department.
    changed.township_duties = "配合做好殡葬改革宣传"
    services_save(changed, editor, leads=[make_department(world.county, "县文明办")])
    table = claim_table(world.catalogue, [world.county, east, west])
    row = next(row for row in table.rows if row.entry == world.coordinated)
    cell = row.cells[0]
    assert cell.status == Status.CHANGED
    assert [(c.label, c.before, c.after) for c in cell.changes] == [
        ("县级主责部门", "县民政局", "县文明办"),
        ("乡镇（街道）配合职责", "配合", "配合做好殡葬改革宣传"),
    ]
    assert cell.changed_columns == "县级主责部门、乡镇（街道）配合职责"
    dropped = next(row for row in table.rows if row.entry == reclaimed).cells[0]
    assert dropped.drop.reason == "本县已由民政局实施"

    assert row.counts == {Status.CHANGED: 1, Status.UNCLAIMED: 2}
    counts = dict((county.name, dict(c)) for county, c in table.county_counts())
    assert counts == {
        "示范县": {Status.ADOPTED: 1, Status.CHANGED: 1, Status.DROPPED: 1},
        "东县": {Status.UNCLAIMED: 3},
        "西县": {Status.UNCLAIMED: 3},
    }


def services_save(entry, by, *, leads):
    from catalog import services

    services.save_catalogue_entry(entry, lead_departments=leads, by=by)


def test_a_countys_own_name_for_the_provinces_category_is_no_change(cast, world):
    own = make_category(world.county, "民生保障")
    entry = province_entry(world.catalogue, "临时救助", category_name="社会民生")
    claims.claim_entry(
        entry, into=world.template, by=cast["county_editor"], choices={("category", "社会民生"): own}
    )
    assert NameAlias.objects.filter(county=world.county, text="社会民生", category=own).exists()
    row = next(row for row in claim_table(world.catalogue, [world.county]).rows if row.entry == entry)
    assert row.cells[0].status == Status.ADOPTED


def test_a_claimed_entry_the_county_deleted_reads_unclaimed_again(cast, world):
    claim = claims.claim_entry(world.basic, into=world.template, by=cast["county_editor"])
    claim.delete()
    row = claim_table(world.catalogue, [world.county]).rows[0]
    assert (row.entry, row.cells[0].status) == (world.basic, Status.UNCLAIMED)


# Who sees what


@pytest.mark.parametrize(
    "who, counties",
    [
        ("province_editor", ["示范县", "东县", "西县"]),
        ("city_editor", ["示范县", "东县"]),
        ("county_editor", ["示范县"]),
        ("township_official", ["示范县"]),
    ],
)
def test_the_claims_page_shows_the_counties_the_user_sees(client, cast, world, who, counties):
    more_counties(world.county, other_city(cast))
    client.force_login(cast[who])
    page = client.get(reverse("catalog:catalogue_claims", args=[world.catalogue.pk]))
    assert page.status_code == 200
    assert [county.name for county in page.context["table"].counties] == counties
    assert "省级参考目录认领情况" in page.content.decode()


@pytest.mark.parametrize("who", ["other_province_editor", "other_county_editor", "no_role"])
def test_other_provinces_people_do_not_see_the_catalogue(client, cast, world, who):
    client.force_login(cast[who])
    for name in ("catalog:province_catalogue", "catalog:catalogue_claims", "catalog:catalogue_export"):
        assert client.get(reverse(name, args=[world.catalogue.pk])).status_code == 404
    province = world.county.city.province
    assert client.get(reverse("catalog:province_catalogues", args=[province.code])).status_code == 404


def test_the_claims_page_takes_the_same_queries_however_many_counties_and_entries(
    client, cast, world, django_assert_num_queries
):
    client.force_login(cast["province_editor"])
    url = reverse("catalog:catalogue_claims", args=[world.catalogue.pk])
    claims.claim_entry(world.basic, into=world.template, by=cast["county_editor"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    east, west = more_counties(world.county, other_city(cast))
    for county in (east, west):
        make_category(county, "民生服务")
        make_department(county, "县民政局")
        template = Catalogue.objects.create(county=county, name="模板", kind=Catalogue.Kind.TEMPLATE)
        claims.claim_all(world.catalogue, into=template, by=_system())
    for n in range(5):
        entry = province_entry(world.catalogue, f"新增事项{n}", Part.COORDINATED)
        claims.drop_entry(entry, county=east, by=_system(), reason="不适用")
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["table"].rows) == 7
    assert len(page.context["table"].counties) == 3


def _system():
    from catalog.actors import SYSTEM

    return SYSTEM


def test_the_claims_workbook_has_a_column_per_county_and_the_totals(client, cast, world):
    claims.drop_entry(world.basic, county=world.county, by=cast["county_editor"], reason="本县无此职责")
    client.force_login(cast["city_editor"])
    response = client.get(reverse("catalog:catalogue_claims_export", args=[world.catalogue.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["认领情况"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:5] == ("序号", "清单类型", "类别", "事项名称", "示范县")
    assert ("不采用：本县无此职责" in rows[1]) or ("不采用：本县无此职责" in rows[2])
    totals = list(book["按县汇总"].iter_rows(min_row=3, values_only=True))
    assert totals == [("示范县", 0, 0, 1, 1)]


# The province's pages


def test_province_editor_starts_a_catalogue_and_imports_its_workbook(client, cast, world):
    province = world.county.city.province
    client.force_login(cast["province_editor"])
    response = client.post(
        reverse("catalog:province_catalogues", args=[province.code]),
        {"name": "兜底事项目录", "kind": Catalogue.Kind.SAFEGUARD, "description": ""},
    )
    new = Catalogue.objects.get(province=province, name="兜底事项目录")
    assert response.status_code == 302

    upload = io.BytesIO(exports.catalogue_workbook(world.catalogue))
    upload.name = "省级参考目录.xlsx"
    response = client.post(reverse("catalog:catalogue_import", args=[new.pk]), {"file": upload})
    assert response.status_code == 302
    assert response.url == reverse("catalog:province_catalogue", args=[new.pk])
    copied = new.entries.get(name="殡葬管理")
    assert (copied.category_name, copied.lead_department_names, copied.township_duties) == (
        "民生服务",
        "县民政局",
        "配合",
    )
    assert copied.category is None and not copied.lead_departments.exists()
    page = client.get(reverse("catalog:province_catalogue", args=[new.pk]))
    assert "县民政局" in page.content.decode()


def test_a_province_catalogue_import_reports_each_bad_row_and_writes_nothing(client, cast, world):
    province_entry(world.catalogue, "防汛", Part.RECLAIMED)
    CatalogueEntry.objects.filter(name="防汛").update(receiving_department_name="")  # breaks its part's rule
    upload = io.BytesIO(exports.catalogue_workbook(world.catalogue))
    upload.name = "目录.xlsx"
    target = Catalogue.objects.create(province=world.catalogue.province, name="空目录", kind="other")
    client.force_login(cast["province_editor"])
    response = client.post(reverse("catalog:catalogue_import", args=[target.pk]), {"file": upload})
    assert response.status_code == 400
    assert "上级部门收回事项必须填写收回（承接）部门" in response.content.decode()
    assert not target.entries.exists()


@pytest.mark.parametrize("who", ["city_editor", "county_editor"])
def test_readers_download_but_cannot_import_or_start(client, cast, world, who):
    client.force_login(cast[who])
    assert client.get(reverse("catalog:catalogue_export", args=[world.catalogue.pk])).status_code == 200
    assert client.get(reverse("catalog:catalogue_import", args=[world.catalogue.pk])).status_code == 404
    province = world.county.city.province
    response = client.post(
        reverse("catalog:province_catalogues", args=[province.code]), {"name": "x", "kind": "other"}
    )
    assert response.status_code == 404
    assert Catalogue.objects.filter(province=province).count() == 1


# The county's pages


def test_county_editor_claims_on_the_entry_page_answering_an_unknown_department(client, cast, world):
    entry = province_entry(
        world.catalogue, "殡葬改革", Part.COORDINATED, lead_department_names="县殡葬管理所"
    )
    client.force_login(cast["county_editor"])
    url = reverse("catalog:entry_claim", args=[world.county.code, entry.pk])
    page = client.get(url)
    assert "省级目录的部门“县殡葬管理所”在本县对应" in page.content.decode()
    response = client.post(url, {"action": "claim", "into": world.template.pk, "name_0": world.department.pk})
    assert response.status_code == 302
    claim = world.template.entries.get(claimed_from=entry)
    assert list(claim.lead_departments.all()) == [world.department]


def test_dropping_without_a_reason_on_the_page_is_refused_and_nothing_changes(client, cast, world):
    client.force_login(cast["county_editor"])
    url = reverse("catalog:entry_claim", args=[world.county.code, world.basic.pk])
    response = client.post(url, {"action": "drop", "reason": " "})
    assert response.status_code == 400
    assert "不采用须填写理由。" in response.content.decode()
    assert not DroppedEntry.objects.exists()
    response = client.post(url, {"action": "drop", "reason": "本县无此职责"})
    assert response.status_code == 302
    assert DroppedEntry.objects.get().reason == "本县无此职责"


def test_bulk_claim_on_the_county_page(client, cast, world):
    client.force_login(cast["county_editor"])
    url = reverse("catalog:county_claims", args=[world.county.code])
    page = client.get(url)
    assert "认领全部未认领的 2 项" in page.content.decode()
    response = client.post(url, {"catalogue": world.catalogue.pk, "into": world.template.pk})
    assert response.status_code == 302
    assert world.template.entries.filter(claimed_from__isnull=False).count() == 2
    assert "采用 2 项" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "who", ["province_editor", "city_editor", "township_official", "other_county_editor"]
)
def test_only_the_countys_editor_reaches_its_claim_pages(client, cast, world, who):
    client.force_login(cast[who])
    assert client.get(reverse("catalog:county_claims", args=[world.county.code])).status_code == 404
    url = reverse("catalog:entry_claim", args=[world.county.code, world.basic.pk])
    assert client.post(url, {"action": "claim", "into": world.template.pk}).status_code == 404
    assert not world.template.entries.exists()


def test_the_county_page_takes_the_same_queries_however_many_entries(
    client, cast, world, django_assert_num_queries
):
    client.force_login(cast["county_editor"])
    url = reverse("catalog:county_claims", args=[world.county.code])
    claims.claim_entry(world.basic, into=world.template, by=cast["county_editor"])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        entry = province_entry(world.catalogue, f"新增事项{n}", Part.COORDINATED)
        if n % 2:
            claims.claim_entry(entry, into=world.template, by=cast["county_editor"])
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["tables"][0].rows) == 8


# 我的工作


def test_home_links_to_the_catalogue_and_the_claims(client, cast, world):
    province = world.county.city.province
    for who in ("province_editor", "city_editor"):
        client.force_login(cast[who])
        assert (
            reverse("catalog:province_catalogues", args=[province.code])
            in client.get("/work/").content.decode()
        )
    client.force_login(cast["county_editor"])
    assert reverse("catalog:county_claims", args=[world.county.code]) in client.get("/work/").content.decode()
    client.force_login(cast["other_county_editor"])
    assert "认领省级参考目录" not in client.get("/work/").content.decode()


def test_bulk_claim_naming_no_catalogue_of_the_province_answers_404(client, cast, world):
    client.force_login(cast["county_editor"])
    url = reverse("catalog:county_claims", args=[world.county.code])
    for chosen in ("x", world.template.pk):
        assert client.post(url, {"catalogue": chosen, "into": world.template.pk}).status_code == 404
    assert not world.template.entries.exists()

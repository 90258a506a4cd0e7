"""查缺补漏: every kind of finding of a draft or an edition against the county's catalogues, the page,
the panel in the list editor, the workbook, who sees them and what they cost in queries."""

import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from catalog import permissions
from catalog.coverage import Kind, coverage_of, draft_coverage
from catalog.models import Catalogue, CatalogueEntry, Department, FrozenItem, Part
from tests.conftest import make_department, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments(county):
    farm = Department.objects.filter(county=county, name="县农业农村局").first()  # the cast's department
    return {
        "农业": farm or make_department(county, "县农业农村局"),
        "应急": make_department(county, "县应急管理局"),
    }


@pytest.fixture
def catalogues(county):
    return {
        kind: Catalogue.objects.create(county=county, name=kind.label, kind=kind)
        for kind in (Catalogue.Kind.TEMPLATE, Catalogue.Kind.SAFEGUARD, Catalogue.Kind.RECLAIMED)
    }


def entry(catalogue, name, part=Part.BASIC, *, leads=(), **fields):
    made = CatalogueEntry.objects.create(catalogue=catalogue, name=name, part=part, **fields)
    made.lead_departments.set(leads)
    return made


def kinds(duty_list):
    return [
        (finding.kind, (finding.item or finding.entry).name) for finding in draft_coverage(duty_list).findings
    ]


def test_a_mandatory_entry_no_item_holds_is_missing_and_one_held_by_link_or_name_is_not(
    duty_list, catalogues
):
    safeguard = catalogues[Catalogue.Kind.SAFEGUARD]
    low_income = entry(safeguard, "最低生活保障申请受理", is_mandatory=True)
    entry(safeguard, "应急处置", is_mandatory=True)
    entry(safeguard, "文化活动")  # not mandatory: never missing

    assert kinds(duty_list) == [
        (Kind.MISSING, "最低生活保障申请受理"),
        (Kind.MISSING, "应急处置"),
    ]
    make_item(duty_list, name="低保受理（改写）", catalogue_entry=low_income)
    make_item(duty_list, name="应急 处置")  # the same name, spaces aside
    assert [k for k, _ in kinds(duty_list)] == []


def test_an_item_in_another_part_than_the_template_places_it_is_found_and_one_in_the_same_part_is_not(
    duty_list, catalogues, departments
):
    template = catalogues[Catalogue.Kind.TEMPLATE]
    moved = entry(template, "农村宅基地管理", Part.BASIC)
    kept = entry(template, "农田水利建设", Part.BASIC)
    make_item(
        duty_list, Part.COORDINATED, name="宅基地审批", catalogue_entry=moved, leads=[departments["农业"]]
    )
    make_item(duty_list, Part.BASIC, name="农田水利建设")

    found = draft_coverage(duty_list).findings
    assert [(f.kind, f.item.name, f.entry) for f in found] == [(Kind.PART, "宅基地审批", moved)]
    assert [(c.label, c.before, c.after) for c in found[0].differences] == [
        ("清单类型", "基本履职事项", "配合履职事项")
    ]
    assert found[0].sentence == "“宅基地审批”列为配合履职事项，县级标准模板列为基本履职事项。"
    assert kept not in [f.entry for f in found]


def test_another_lead_or_receiving_department_than_the_entry_names_is_found_and_the_same_is_not(
    duty_list, catalogues, departments
):
    template = catalogues[Catalogue.Kind.TEMPLATE]
    farm, emergency = departments["农业"], departments["应急"]
    led = entry(template, "动物防疫", Part.COORDINATED, leads=[farm])
    same = entry(template, "森林防火", Part.COORDINATED, leads=[emergency])
    taken = entry(template, "危化品执法", Part.RECLAIMED, receiving_department=emergency)
    make_item(duty_list, Part.COORDINATED, name="动物防疫", catalogue_entry=led, leads=[emergency])
    make_item(duty_list, Part.COORDINATED, name="森林防火", catalogue_entry=same, leads=[emergency])
    make_item(duty_list, Part.RECLAIMED, name="危化品执法", catalogue_entry=taken, receiving_department=farm)

    found = draft_coverage(duty_list).findings
    assert [(f.kind, f.item.name) for f in found] == [
        (Kind.DEPARTMENT, "动物防疫"),
        (Kind.DEPARTMENT, "危化品执法"),
    ]
    assert [(c.label, c.before, c.after) for f in found for c in f.differences] == [
        ("县级主责部门", "县农业农村局", "县应急管理局"),
        ("收回（承接）部门", "县应急管理局", "县农业农村局"),
    ]


def test_an_item_no_catalogue_entry_knows_is_found_and_one_known_by_name_is_not(duty_list, catalogues):
    entry(catalogues[Catalogue.Kind.TEMPLATE], "村级财务监督")
    make_item(duty_list, name="村级财务监督")
    own = make_item(duty_list, name="特色茶产业培育")

    found = draft_coverage(duty_list).findings
    assert [(f.kind, f.item) for f in found] == [(Kind.NO_ENTRY, own)]
    assert found[0].sentence == "“特色茶产业培育”在本县的参考目录中没有对应的事项。"


def test_a_reclaimed_reference_entry_the_township_keeps_as_its_own_is_found_and_one_it_gave_back_is_not(
    duty_list, catalogues, departments
):
    reclaimed = catalogues[Catalogue.Kind.RECLAIMED]
    emergency = departments["应急"]
    kept = entry(reclaimed, "非煤矿山安全监管", Part.RECLAIMED, receiving_department=emergency)
    entry(reclaimed, "烟花爆竹经营许可", Part.RECLAIMED, receiving_department=emergency)
    make_item(duty_list, Part.BASIC, name="非煤矿山安全监管")
    make_item(duty_list, Part.RECLAIMED, name="烟花爆竹经营许可", receiving_department=emergency)

    found = draft_coverage(duty_list).findings
    assert [(f.kind, f.item.name, f.entry) for f in found] == [
        (Kind.RECLAIMED_KEPT, "非煤矿山安全监管", kept)
    ]
    assert "由县应急管理局承接" in found[0].sentence and "仍列为基本履职事项" in found[0].sentence


def test_deleted_items_hold_nothing_and_are_not_measured(duty_list, catalogues):
    mandatory = entry(catalogues[Catalogue.Kind.SAFEGUARD], "殡葬管理", is_mandatory=True)
    removed = make_item(duty_list, Part.BASIC, name="殡葬管理", catalogue_entry=mandatory)
    removed.deleted_at = removed.duty_list.updated_at
    removed.save()
    make_item(duty_list, name="未列入目录的事项").delete()

    assert kinds(duty_list) == [(Kind.MISSING, "殡葬管理")]


def test_an_editions_frozen_rows_are_read_against_the_same_entries_as_a_drafts_items(
    duty_list, catalogues, departments
):
    template = catalogues[Catalogue.Kind.TEMPLATE]
    led = entry(template, "动物防疫", Part.COORDINATED, leads=[departments["农业"]])
    entry(catalogues[Catalogue.Kind.SAFEGUARD], "应急处置", is_mandatory=True)
    make_item(duty_list, Part.COORDINATED, name="动物防疫", catalogue_entry=led, leads=[departments["应急"]])
    make_item(duty_list, name="特色茶产业培育")
    frozen = [SimpleNamespace(**FrozenItem.values_of(item)) for item in duty_list.items.all()]

    edition = coverage_of(duty_list.township.county_id, frozen)
    draft = draft_coverage(duty_list)
    assert [(f.kind, f.sentence) for f in edition.findings] == [(f.kind, f.sentence) for f in draft.findings]
    assert [k for k, count in edition.counts if count] == [Kind.MISSING, Kind.DEPARTMENT, Kind.NO_ENTRY]


def many_items(duty_list, catalogues, departments, count):
    template = catalogues[Catalogue.Kind.TEMPLATE]
    for number in range(count):
        linked = entry(template, f"模板事项{number}", Part.COORDINATED, leads=[departments["农业"]])
        make_item(
            duty_list,
            Part.COORDINATED,
            name=f"事项{number}",
            catalogue_entry=linked,
            leads=[departments["应急"]],
        )
        make_item(duty_list, name=f"个性事项{number}")
    entry(catalogues[Catalogue.Kind.SAFEGUARD], f"必列{count}", is_mandatory=True)


@pytest.mark.parametrize("count", [2, 20])
def test_the_findings_cost_a_fixed_number_of_queries_whatever_the_size(
    duty_list, catalogues, departments, count, django_assert_num_queries
):
    many_items(duty_list, catalogues, departments, count)
    with django_assert_num_queries(4):
        found = draft_coverage(duty_list)
    assert len(found) == 2 * count + 1


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_and_the_editor_cost_the_same_queries_at_two_sizes(
    client, cast, duty_list, catalogues, departments
):
    client.force_login(cast["township_official"])
    urls = [
        reverse("catalog:list_coverage", args=[duty_list.pk]),
        reverse("catalog:list_coverage_export", args=[duty_list.pk]),
        reverse("catalog:list_editor", args=[duty_list.pk]),
    ]
    many_items(duty_list, catalogues, departments, 2)
    small = [page_queries(client, url) for url in urls]
    many_items(duty_list, catalogues, departments, 15)
    assert [page_queries(client, url) for url in urls] == small


@pytest.fixture
def findings(duty_list, catalogues, departments):
    entry(catalogues[Catalogue.Kind.SAFEGUARD], "应急处置", Part.BASIC, is_mandatory=True)
    moved = entry(catalogues[Catalogue.Kind.TEMPLATE], "农村宅基地管理", Part.BASIC)
    return {
        "moved": make_item(
            duty_list, Part.COORDINATED, name="宅基地审批", catalogue_entry=moved, leads=[departments["农业"]]
        ),
        "own": make_item(duty_list, name='=HYPERLINK("http://x")'),
    }


def test_the_page_lists_every_finding_with_the_link_that_fixes_it(client, cast, duty_list, findings):
    client.force_login(cast["township_official"])
    page = client.get(reverse("catalog:list_coverage", args=[duty_list.pk])).content.decode()

    assert "缺少必须列入的事项（1 项）" in page and "应急处置" in page
    assert reverse("catalog:item_add", args=[duty_list.pk, Part.BASIC]) in page
    assert "“宅基地审批”列为配合履职事项，县级标准模板列为基本履职事项。" in page
    assert reverse("catalog:item_move", args=[findings["moved"].pk]) in page
    assert reverse("catalog:item_edit", args=[findings["own"].pk]) in page


def test_who_cannot_edit_sees_the_findings_without_the_links_to_fix_them(client, cast, duty_list, findings):
    client.force_login(cast["department_reviewer"])
    response = client.get(reverse("catalog:list_coverage", args=[duty_list.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "宅基地审批" in page and reverse("catalog:item_move", args=[findings["moved"].pk]) not in page


def test_the_editor_shows_the_counts_per_kind_linking_to_the_page(client, cast, duty_list, findings):
    client.force_login(cast["township_official"])
    page = client.get(reverse("catalog:list_editor", args=[duty_list.pk])).content.decode()

    coverage_url = reverse("catalog:list_coverage", args=[duty_list.pk])
    assert "查缺补漏：对照本县参考目录发现 3 项问题" in page
    assert (
        f'href="{coverage_url}#coverage-part"' in page and f'href="{coverage_url}#coverage-no_entry"' in page
    )
    assert "缺少必须列入的事项（1 项）" in page


def test_the_editor_shows_no_panel_when_nothing_is_found(client, cast, duty_list, catalogues):
    make_item(duty_list, name="农田水利建设")
    entry(catalogues[Catalogue.Kind.TEMPLATE], "农田水利建设")
    client.force_login(cast["township_official"])

    assert (
        "查缺补漏：" not in client.get(reverse("catalog:list_editor", args=[duty_list.pk])).content.decode()
    )


@pytest.mark.parametrize(
    "role",
    [
        "county_editor",
        "township_official",
        "department_reviewer",
        "county_leader",
        "consultee",
        "other_township_official",
        "other_county_editor",
        "other_county_leader",
        "no_role",
    ],
)
def test_who_sees_a_drafts_coverage_is_who_may_view_the_list(client, cast, duty_list, findings, role):
    client.force_login(cast[role])
    allowed = permissions.can_view_list(cast[role], duty_list)
    for name in ("catalog:list_coverage", "catalog:list_coverage_export"):
        assert client.get(reverse(name, args=[duty_list.pk])).status_code == (200 if allowed else 404)


def test_anonymous_visitors_are_sent_to_log_in(client, duty_list):
    response = client.get(reverse("catalog:list_coverage", args=[duty_list.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_workbook_holds_one_row_per_finding_as_text(client, cast, duty_list, findings):
    client.force_login(cast["county_editor"])
    response = client.get(reverse("catalog:list_coverage_export", args=[duty_list.pk]))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["查缺补漏"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [(row[1], row[2]) for row in rows] == [
        ("缺少必须列入的事项", "应急处置"),
        ("清单类型与县级标准模板不同", "宅基地审批"),
        ("没有对应目录事项的事项", '=HYPERLINK("http://x")'),
    ]
    assert rows[1][6] == "清单类型：基本履职事项 → 配合履职事项"
    formula_like = next(sheet.iter_rows(min_row=5, max_row=5))[2]
    assert formula_like.data_type == "s"


def test_the_demo_lists_show_findings_in_the_panel(db):
    from django.core.management import call_command

    from catalog.models import DutyList
    from publication.management.commands.load_demo import DEMO_FIXTURES
    from tests.catalog.test_demo_data import FIXTURES

    call_command("loaddata", *[FIXTURES / name for name in DEMO_FIXTURES], verbosity=0)
    found = {
        duty_list.township.name: draft_coverage(duty_list)
        for duty_list in DutyList.objects.select_related("township")
    }
    kept = [
        (f.item.name, f.entry.catalogue.kind) for c in found.values() for f in c.of_kind(Kind.RECLAIMED_KEPT)
    ]
    assert ("茶园农药使用监管", Catalogue.Kind.RECLAIMED) in kept and (
        "占道经营和流动摊贩治理",
        Catalogue.Kind.RECLAIMED,
    ) in kept
    assert "景区游船经营安全监督检查" not in [name for name, _ in kept]  # given back: no finding
    assert all(coverage.of_kind(Kind.NO_ENTRY) for coverage in found.values())


@pytest.fixture
def edition(cast, duty_list, catalogues, departments):
    from tests.publication.conftest import approve_and_publish

    moved = entry(catalogues[Catalogue.Kind.TEMPLATE], "农村宅基地管理", Part.BASIC)
    make_item(
        duty_list, Part.COORDINATED, name="宅基地审批", catalogue_entry=moved, leads=[departments["农业"]]
    )
    make_item(duty_list, name="特色茶产业培育")
    return approve_and_publish(duty_list, cast["county_editor"])


def test_an_editions_page_and_workbook_list_its_frozen_rows_findings(client, cast, edition):
    code = edition.township.code
    client.force_login(cast["county_editor"])
    page = client.get(reverse("publication:edition_coverage", args=[code, 1])).content.decode()

    assert "“宅基地审批”列为配合履职事项，县级标准模板列为基本履职事项。" in page
    assert "“特色茶产业培育”在本县的参考目录中没有对应的事项。" in page
    assert reverse("publication:adjustment_new", args=[code]) in page
    workbook = client.get(reverse("publication:edition_coverage_export", args=[code, 1]))
    rows = list(
        load_workbook(io.BytesIO(workbook.content))["查缺补漏"].iter_rows(min_row=3, values_only=True)
    )
    assert [row[2] for row in rows] == ["宅基地审批", "特色茶产业培育"]


def test_an_editions_coverage_is_for_the_county_and_the_township_only(client, cast, edition):
    code = edition.township.code
    url = reverse("publication:edition_coverage", args=[code, 1])
    for role, status in [
        ("township_official", 200),
        ("other_township_official", 404),
        ("other_county_editor", 404),
    ]:
        client.force_login(cast[role])
        assert client.get(url).status_code == status
    client.logout()
    assert client.get(url).status_code == 302


def test_an_editions_coverage_costs_the_same_queries_at_two_sizes(
    client, cast, edition, catalogues, departments
):
    from catalog.models import Township
    from tests.conftest import make_duty_list
    from tests.publication.conftest import approve_and_publish

    client.force_login(cast["county_editor"])
    small = page_queries(client, reverse("publication:edition_coverage", args=[edition.township.code, 1]))
    neighbour = make_duty_list(Township.objects.get(name="青山镇"))
    many_items(neighbour, catalogues, departments, 15)
    larger = approve_and_publish(neighbour, cast["county_editor"])
    assert larger.items.count() == 30
    assert (
        page_queries(client, reverse("publication:edition_coverage", args=[larger.township.code, 1])) == small
    )


def test_the_adjustment_request_leads_to_the_coverage_of_the_edition_in_force(client, cast, edition):
    code = edition.township.code
    client.force_login(cast["township_official"])
    page = client.get(reverse("publication:adjustment_new", args=[code])).content.decode()
    coverage = reverse("publication:edition_coverage", args=[code, edition.number])
    assert f'href="{coverage}"' in page
    assert "“特色茶产业培育”在本县的参考目录中没有对应的事项。" in client.get(coverage).content.decode()


def test_an_editions_departments_are_compared_with_the_entrys_by_id_not_by_the_names_it_kept(
    cast, duty_list, catalogues, departments
):
    """An edition's rows keep the names of publication time: a department renamed or reordered since
    is still the one the entry names, and another department is still another."""
    from publication.coverage_views import edition_coverage_of
    from tests.publication.conftest import approve_and_publish

    template = catalogues[Catalogue.Kind.TEMPLATE]
    farm, emergency = departments["农业"], departments["应急"]
    water = make_department(duty_list.township.county, "县水利局")
    both = entry(template, "防汛抗旱", Part.COORDINATED, leads=[farm, water])
    led = entry(template, "动物防疫", Part.COORDINATED, leads=[farm])
    taken = entry(template, "危化品执法", Part.RECLAIMED, receiving_department=emergency)
    make_item(duty_list, Part.COORDINATED, name="防汛抗旱", catalogue_entry=both, leads=[farm, water])
    make_item(duty_list, Part.COORDINATED, name="动物防疫", catalogue_entry=led, leads=[emergency])
    make_item(
        duty_list, Part.RECLAIMED, name="危化品执法", catalogue_entry=taken, receiving_department=emergency
    )
    edition = approve_and_publish(duty_list, cast["county_editor"])

    emergency.name = "县应急管理和消防局"  # renamed after publication
    emergency.save()
    farm.order, water.order = 9, 1  # the leads now read in the other order
    farm.save()
    water.save()

    found = edition_coverage_of(edition).findings
    assert [(f.kind, f.item.name) for f in found] == [(Kind.DEPARTMENT, "动物防疫")]
    assert [(c.before, c.after) for c in found[0].differences] == [("县农业农村局", "县应急管理局")]

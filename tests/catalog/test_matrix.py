"""交叉比对 of a county's drafts: rows matched across townships, the cell that differs from most
townships highlighted on the page and in the workbook, filters, who may see it, bounded queries."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog.columns import Part
from catalog.matrix import Filters, draft_placements, matrix_of
from catalog.models import Catalogue, CatalogueEntry, Department, Township
from tests.conftest import make_category, make_department, make_duty_list, make_item, make_township

pytestmark = pytest.mark.django_db


def county_drafts(duty_list):
    """城关镇 (the list), 青山镇 and 河口镇: 农田水利设施管护 is coordinated with 县农业农村局 in two
    and reclaimed by 县应急管理局 in 河口镇; a basic item two of three townships hold, named with a
    space in one; a template entry held by link in one township and by name in another."""
    county = duty_list.township.county
    agriculture = Department.objects.get(county=county, name="县农业农村局")
    emergency = make_department(county, "县应急管理局")
    category = make_category(county, "农业农村", order=1)
    other_category = make_category(county, "平安法治", order=2)
    template = Catalogue.objects.create(county=county, name="县级标准模板", kind=Catalogue.Kind.TEMPLATE)
    flood = CatalogueEntry.objects.create(catalogue=template, name="防汛抗旱", part=Part.BASIC)
    qingshan = make_duty_list(Township.objects.get(county=county, name="青山镇"))
    hekou = make_duty_list(make_township(county, "河口镇"))
    lists = {"城关镇": duty_list, "青山镇": qingshan, "河口镇": hekou}
    items = {}
    for name, draft in lists.items():
        if name == "河口镇":
            items[name] = make_item(
                draft,
                Part.RECLAIMED,
                name="农田水利设施管护",
                category=category,
                receiving_department=emergency,
            )
        else:
            items[name] = make_item(
                draft, Part.COORDINATED, name="农田水利设施管护", category=category, leads=[agriculture]
            )
    make_item(duty_list, name="秸秆禁烧巡查", category=other_category)
    make_item(qingshan, name="秸秆禁烧 巡查", category=other_category)
    make_item(duty_list, name="防汛抗旱工作", category=other_category, catalogue_entry=flood)
    make_item(qingshan, name="防汛抗旱", category=other_category)
    return lists, items, {"agriculture": agriculture, "emergency": emergency, "category": category}


def row_named(matrix, name):
    return next(row for row in matrix.rows if row.name == name)


def test_a_township_placing_an_item_otherwise_than_most_differs(cast, duty_list):
    lists, items, named = county_drafts(duty_list)
    county = duty_list.township.county
    townships, placed = draft_placements(county)
    matrix = matrix_of(county.pk, townships, placed, Filters())

    assert [t.name for t in matrix.townships] == ["城关镇", "青山镇", "河口镇"]
    row = row_named(matrix, "农田水利设施管护")
    assert row.majority_label == "配 县农业农村局"
    assert [cell.label for cell in row.cells] == ["配 县农业农村局", "配 县农业农村局", "收 县应急管理局"]
    assert [cell.differs for cell in row.cells] == [False, False, True]
    assert row.cells[2].url == (
        reverse("catalog:list_editor", args=[lists["河口镇"].pk])
        + f"?part=reclaimed#item-{items['河口镇'].pk}"
    )


def test_rows_match_on_the_catalogue_entry_else_on_the_name_without_spaces(cast, duty_list):
    county_drafts(duty_list)
    county = duty_list.township.county
    matrix = matrix_of(county.pk, *draft_placements(county), Filters())

    names = [row.name for row in matrix.rows]
    assert names.count("防汛抗旱") == 1 and "防汛抗旱工作" not in names
    flood = row_named(matrix, "防汛抗旱")
    assert flood.is_catalogued and flood.held == 2
    straw = next(row for row in matrix.rows if row.name.startswith("秸秆禁烧"))
    assert [bool(cell.items) for cell in straw.cells] == [True, True, False]
    assert [cell.lacks for cell in straw.cells] == [False, False, True]  # two of three hold it
    assert len(matrix.rows) == 3


def test_two_townships_each_otherwise_have_no_majority(cast, duty_list):
    county = duty_list.township.county
    department = Department.objects.get(name="县农业农村局")
    make_item(duty_list, Part.COORDINATED, name="动物防疫", leads=[department])
    make_item(make_duty_list(Township.objects.get(name="青山镇")), name="动物防疫")
    matrix = matrix_of(county.pk, *draft_placements(county), Filters())

    row = row_named(matrix, "动物防疫")
    assert row.majority is None and row.majority_label == "无多数做法"
    assert not any(cell.differs for cell in row.cells)


def test_the_county_editor_sees_the_matrix_with_the_differing_cell_highlighted(client, cast, duty_list):
    lists, items, _named = county_drafts(duty_list)
    client.force_login(cast["county_editor"])
    county = duty_list.township.county

    response = client.get(reverse("catalog:county_matrix", args=[county.code]))

    assert response.status_code == 200
    page = response.content.decode()
    differing = (
        f'<td class="matrix-differs"><a href="{reverse("catalog:list_editor", args=[lists["河口镇"].pk])}'
    )
    assert differing in page and page.count('class="matrix-differs"><a') == 1
    assert '<td class="matrix-lacks">未列入</td>' in page
    assert "共 3 个事项，显示 3 个，其中 1 个有乡镇（街道）与多数做法不同" in page
    assert reverse("catalog:department_ledger", args=[Department.objects.get(name="县应急管理局").pk]) in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"part": "reclaimed"}, ["农田水利设施管护"]),
        ({"department": "emergency"}, ["农田水利设施管护"]),
        ({"category": "category"}, ["农田水利设施管护"]),
        ({"differing": "on"}, ["农田水利设施管护"]),
        ({"part": "basic"}, ["秸秆禁烧巡查", "防汛抗旱"]),
        ({"part": "nonsense", "department": "x"}, ["农田水利设施管护", "秸秆禁烧巡查", "防汛抗旱"]),
    ],
)
def test_filters_choose_rows_by_part_department_category_and_difference(
    client, cast, duty_list, query, shown
):
    _lists, _items, named = county_drafts(duty_list)
    client.force_login(cast["county_editor"])
    query = {name: named[value].pk if value in named else value for name, value in query.items()}

    response = client.get(reverse("catalog:county_matrix", args=[duty_list.township.county.code]), query)

    assert response.status_code == 200
    names = [row.name for row in response.context["matrix"].rows]
    assert sorted(n.replace(" ", "") for n in names) == sorted(shown)
    # A row stays whole: the majority is the county's, whatever the filter.
    if "农田水利设施管护" in names:
        assert row_named(response.context["matrix"], "农田水利设施管护").majority_label == "配 县农业农村局"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("county_editor", 200),
        ("department_reviewer", 200),
        ("county_leader", 200),
        ("township_official", 404),
        ("other_county_editor", 404),
        ("no_role", 404),
    ],
)
def test_only_the_county_staff_see_the_drafts_matrix(client, cast, duty_list, role, status):
    county_drafts(duty_list)
    client.force_login(cast[role])
    code = duty_list.township.county.code

    assert client.get(reverse("catalog:county_matrix", args=[code])).status_code == status
    assert client.get(reverse("catalog:county_matrix_export", args=[code])).status_code == status


def test_the_workbook_fills_the_differing_cell_as_the_page_highlights_it(client, cast, duty_list):
    county_drafts(duty_list)
    client.force_login(cast["county_editor"])

    response = client.get(reverse("catalog:county_matrix_export", args=[duty_list.township.county.code]))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["交叉比对"]
    rows = list(sheet.iter_rows(min_row=2, values_only=False))
    header = [cell.value for cell in rows[0]]
    assert header[:4] == ["序号", "类别", "事项名称", "多数做法"]
    assert header[4:7] == ["城关镇", "青山镇", "河口镇"]
    by_name = {row[2].value: row for row in rows[1:] if row[2].value}
    water = by_name["农田水利设施管护"]
    assert [c.value for c in water[4:7]] == ["配 县农业农村局", "配 县农业农村局", "收 县应急管理局"]
    assert water[6].fill.fgColor.rgb.endswith("FFE08A")
    assert water[4].fill.fill_type is None
    assert water[8].value == 1  # townships that differ
    straw = next(row for name, row in by_name.items() if name.startswith("秸秆禁烧"))
    assert straw[6].value == "未列入" and straw[6].fill.fgColor.rgb.endswith("E4E4E4")


def test_the_matrix_page_takes_the_same_queries_whatever_the_townships_and_items(
    client, cast, duty_list, django_assert_num_queries
):
    county_drafts(duty_list)
    client.force_login(cast["county_editor"])
    url = reverse("catalog:county_matrix", args=[duty_list.township.county.code])
    with django_assert_num_queries(13) as small:
        client.get(url)
    first = small.captured_queries
    county_drafts_more(duty_list)
    with django_assert_num_queries(len(first)):
        response = client.get(url)
    assert len(response.context["matrix"].townships) == 6
    assert response.context["matrix"].total > 10


def county_drafts_more(duty_list):
    county = duty_list.township.county
    category = make_category(county, "城乡建设", order=3)
    department = Department.objects.get(name="县农业农村局")
    for number in range(3):
        draft = make_duty_list(make_township(county))
        make_item(draft, Part.COORDINATED, name="农田水利设施管护", category=category, leads=[department])
        for other in range(4):
            make_item(draft, name=f"个性事项{number}-{other}", category=category)


def test_names_in_the_cells_are_escaped(client, cast, duty_list):
    county = duty_list.township.county
    make_item(duty_list, name="<b>加粗</b>事项")
    make_item(make_duty_list(Township.objects.get(name="青山镇")), name="<b>加粗</b>  事项")
    client.force_login(cast["county_editor"])

    page = client.get(reverse("catalog:county_matrix", args=[county.code])).content.decode()

    assert "<b>加粗</b>" not in page
    assert "&lt;b&gt;加粗&lt;/b&gt;事项" in page  # the row's name
    assert 'title="&lt;b&gt;加粗&lt;/b&gt;  事项"' in page  # the township's own name of it


def test_the_collector_is_paused_while_a_matrix_is_built_and_runs_again_after(
    client, cast, duty_list, monkeypatch
):
    """The page's tens of thousands of acyclic objects are not re-scanned by the cyclic collector
    while they pile up (docs/performance.md); the collector is on again once the page is written,
    also when the page fails."""
    import gc

    from catalog import matrix_views

    county_drafts(duty_list)
    client.force_login(cast["county_editor"])
    url = reverse("catalog:county_matrix", args=[duty_list.township.county.code])
    seen = []
    build = matrix_views.matrix_of

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return build(*args, **kwargs)

    monkeypatch.setattr(matrix_views, "matrix_of", watched)
    assert gc.isenabled()
    assert client.get(url).status_code == 200
    assert (
        client.get(reverse("catalog:county_matrix_export", args=[duty_list.township.county.code])).status_code
        == 200
    )
    assert seen == [False, False] and gc.isenabled()

    def failing(*args, **kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(matrix_views, "matrix_of", failing)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        client.get(url)
    assert gc.isenabled()

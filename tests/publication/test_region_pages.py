"""A province's or city's public pages over the editions in force — the counties' statistics beside
the national figures and the cross-county comparison — and the province and city editors in the
publication's permission matrix: they publish, adjust and act on admissions nowhere."""

import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog.models import City, County, DutyList, Part
from publication import permissions
from publication.models import Adjustment, Admission, AdmissionPolicy, Edition
from publication.national import ITEMS_PER_TOWNSHIP, SHARED_SHARE
from tests.conftest import (
    make_category,
    make_county,
    make_department,
    make_duty_list,
    make_item,
    make_township,
)

from .conftest import approve, approve_and_publish

pytestmark = pytest.mark.django_db


def published(county, superuser, items: list[tuple[str, str]]) -> Edition:
    """A township of the county publishing the items (name, part)."""
    draft = make_duty_list(make_township(county))
    category = county.categories.first() or make_category(county, "民生服务")
    department = county.departments.first() or make_department(county, "县民政局")
    for name, part in items:
        make_item(
            draft, part, name=name, category=category, leads=[department] if part == Part.COORDINATED else ()
        )
    return approve_and_publish(draft, superuser)


@pytest.fixture
def region(cast, superuser):
    """The cast's county in 示范市 (9991 00) and 东县 beside it; 邻县 in 邻市. Every township
    publishes 农村低保审核: basic in 示范县 (twice) and 邻县, reclaimed in 东县."""
    own = cast["county_editor"].memberships.get().county
    city = own.city
    # The cast's city and county move to codes make_county never gives (9991 00, 9991 01).
    City.objects.filter(pk=city.pk).update(code="999100")
    County.objects.filter(pk=own.pk).update(code="999101")
    own.refresh_from_db()
    city.refresh_from_db()
    east = make_county("东县", "999102", city=city)
    next_city = cast["other_city_editor"].region_memberships.get().city
    neighbour = make_county("邻县", f"{next_city.code[:4]}01", city=next_city)
    published(own, superuser, [("农村低保审核", Part.BASIC), ("殡葬管理", Part.BASIC)])
    published(own, superuser, [("农村低保审核", Part.BASIC), ("殡葬管理", Part.COORDINATED)])
    published(east, superuser, [("农村低保审核", Part.RECLAIMED)])
    published(neighbour, superuser, [("农 村低保审核", Part.BASIC)])  # the same name, spaces aside
    return {
        "province": city.province,
        "city": city,
        "next_city": next_city,
        "counties": [own, east, neighbour],
    }


def test_the_region_statistics_set_each_county_beside_the_national_figures(client, region):
    response = client.get(reverse("publication:region_statistics", args=[region["province"].code]))
    assert response.status_code == 200
    stats = response.context["stats"]
    # Counties in the order of their cities' codes: 邻市 (9902 00) first.
    assert [row.county.name for row in stats.counties] == ["邻县", "示范县", "东县"]
    own = stats.counties[1]
    assert (own.townships, own.basic, own.coordinated, own.reclaimed) == (2, 3, 1, 0)
    rows = {row.label: row for row in stats.comparison.rows}
    assert rows["示范县"].items == 2.0 and rows["示范县"].share == 25.0
    assert rows["东县"].items == 1 and rows["东县"].share == 100.0
    assert rows["示范县"].items_difference == f"−{ITEMS_PER_TOWNSHIP - 2}.0"
    average = stats.comparison.average
    assert average.label == "全省平均" and average.items == 1.5 and average.share == round(200 / 6, 1)
    page = response.content.decode()
    assert f"{SHARED_SHARE}%" in page and reverse("publication:statistics", args=["999101"]) in page


def test_the_province_and_city_pages_link_to_their_statistics_and_comparison(client, region):
    for level in ["province", "city"]:
        code = region[level].code
        page = client.get(reverse("publication:area", args=[code])).content.decode()
        assert f'href="{reverse("publication:region_statistics", args=[code])}"' in page
        assert f'href="{reverse("publication:region_matrix", args=[code])}"' in page


def test_a_city_statistics_count_only_its_counties(client, region):
    stats = client.get(reverse("publication:region_statistics", args=[region["city"].code])).context["stats"]
    assert [row.county.name for row in stats.counties] == ["示范县", "东县"]
    assert stats.comparison.average.label == "全市平均" and stats.townships == 3


def test_the_cross_county_comparison_counts_townships_and_highlights_the_county_placing_otherwise(
    client, region
):
    response = client.get(reverse("publication:region_matrix", args=[region["province"].code]))
    assert response.status_code == 200
    matrix = response.context["matrix"]
    assert [county.name for county in matrix.counties] == ["邻县", "示范县", "东县"]
    rows = {row.name: row for row in matrix.rows}
    assert set(rows) == {"农村低保审核", "殡葬管理"}  # 农 村低保审核 is the same item
    welfare = rows["农村低保审核"]
    assert [(cell.held, cell.mostly, cell.differs) for cell in welfare.cells] == [
        (1, Part.BASIC, False),
        (2, Part.BASIC, False),
        (1, Part.RECLAIMED, True),
    ]
    assert welfare.majority == Part.BASIC and welfare.majority_label == Part.BASIC.label
    page = response.content.decode()
    assert f'<td class="matrix-differs" title="{Part.RECLAIMED.label} 1 个乡镇（街道）">1 收</td>' in page
    only_reclaimed = client.get(
        reverse("publication:region_matrix", args=[region["province"].code]) + "?part=reclaimed"
    )
    assert [row.name for row in only_reclaimed.context["matrix"].rows] == ["农村低保审核"]


def test_the_comparison_workbook_fills_the_differing_county_and_keeps_the_filters(client, region):
    url = reverse("publication:region_matrix", args=[region["province"].code])
    page = client.get(url + "?part=reclaimed&junk=1").content.decode()
    export = reverse("publication:region_matrix_export", args=[region["province"].code])
    assert f'href="{export}?part=reclaimed"' in page
    response = client.get(export + "?part=reclaimed")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "各县交叉比对" and "各县（市、区）履职事项交叉比对表" in sheet["A1"].value
    assert [c.value for c in sheet[2]][:7] == [
        "序号",
        "事项名称",
        "列入的县",
        "多数做法",
        "邻县",
        "示范县",
        "东县",
    ]
    assert [c.value for c in sheet[3]][4:7] == [1, 2, 1]  # townships in force
    assert [c.value for c in sheet[4]][:7] == [1, "农村低保审核", 3, Part.BASIC.label, "1 基", "2 基", "1 收"]
    assert (
        sheet["G4"].fill.fgColor.rgb.endswith("FFE08A")
        and sheet["F4"].fill.fgColor.rgb != sheet["G4"].fill.fgColor.rgb
    )
    assert sheet.max_row == 6  # the one reclaimed row, a blank row and the legend


def test_the_comparison_is_kept_until_a_county_below_publishes_again(client, cast, region, superuser):
    url = reverse("publication:region_matrix", args=[region["city"].code])
    first = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    published(region["counties"][1], superuser, [("新的事项", Part.BASIC)])
    second = client.get(url)
    assert second["ETag"] != first["ETag"] and "新的事项" in second.content.decode()


def test_a_code_naming_no_region_or_a_region_without_editions_answers_404(client, region, cast):
    assert client.get(reverse("publication:region_statistics", args=["770000"])).status_code == 404
    assert client.get(reverse("publication:region_matrix", args=["abcdef"])).status_code == 404
    elsewhere = cast["other_province_editor"].region_memberships.get().province
    assert client.get(reverse("publication:region_matrix", args=[elsewhere.code])).status_code == 404


def test_the_region_pages_take_the_same_queries_whatever_the_number_of_counties(
    client, region, superuser, django_assert_num_queries
):
    stats_url = reverse("publication:region_statistics", args=[region["province"].code])
    matrix_url = reverse("publication:region_matrix", args=[region["province"].code])
    with django_assert_num_queries(3) as stats_small:
        client.get(stats_url)
    with django_assert_num_queries(4) as matrix_small:
        client.get(matrix_url)
    for n in range(3):
        county = make_county(f"增县{n}", f"99910{n + 3}", city=region["city"])
        published(county, superuser, [("农村低保审核", Part.BASIC), (f"个性事项{n}", Part.BASIC)])
    with django_assert_num_queries(len(stats_small.captured_queries)):
        assert len(client.get(stats_url).context["stats"].counties) == 6
    with django_assert_num_queries(len(matrix_small.captured_queries)):
        assert len(client.get(matrix_url).context["matrix"].counties) == 6


# The province and city editors in the publication's permission matrix.

SUPERVISORS = ["province_editor", "city_editor"]


@pytest.mark.parametrize("role", SUPERVISORS)
def test_no_publication_rule_lets_a_supervisor_act(cast, duty_list, role):
    user, township = cast[role], duty_list.township
    department = cast["department_reviewer"].memberships.get().department
    assert not permissions.can_file_adjustment(user, township)
    assert not permissions.can_file_admission(user, township.county_id, department.pk)
    assert permissions.filing_departments(user) == []
    policy = AdmissionPolicy(county_id=township.county_id, legality_department=department)
    assert not any(actor(user, policy) for actor in permissions.ADMISSION_ACTORS.values())
    # The rules read only the row's township and filer: a row of the township stands for any.
    row = SimpleNamespace(township=township, filed_by_id=None)
    assert not permissions.can_review_adjustment(user, row)
    assert not permissions.can_answer_remark(user, row)
    assert not permissions.can_handle_feedback(user, row)
    assert not permissions.can_file_dispatch_dispute(user, township)
    assert not permissions.can_handle_dispatch_dispute(user, row)


@pytest.mark.parametrize("role", SUPERVISORS)
def test_a_supervisor_cannot_publish_adjust_or_request_admission(client, cast, duty_list, role):
    approve(duty_list, cast["county_editor"])
    client.force_login(cast[role])
    township = duty_list.township
    publish = client.post(
        reverse("publication:publish", args=[duty_list.pk]),
        {"publish-effective_on": "2025-07-01", "publish-document_number": "示办发〔2025〕1号"},
    )
    assert publish.status_code == 403
    duty_list.refresh_from_db()
    assert duty_list.stage == DutyList.Stage.APPROVED and not Edition.objects.exists()
    admission = client.get(reverse("publication:admission_new", args=[township.county.code]))
    assert admission.status_code in (403, 404) and not Admission.objects.exists()
    adjustment = client.post(reverse("publication:adjustment_new", args=[township.code]), {"summary": "改"})
    assert adjustment.status_code in (403, 404) and not Adjustment.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("province_editor", 200),
        ("city_editor", 200),
        ("other_city_editor", 404),
        ("other_province_editor", 404),
    ],
)
def test_the_drafts_comparison_of_a_county_is_read_from_above_only(client, cast, duty_list, role, status):
    make_item(duty_list, name="农村低保审核")
    client.force_login(cast[role])
    county = duty_list.township.county
    assert client.get(reverse("catalog:county_matrix", args=[county.code])).status_code == status

"""交叉比对 of the editions in force, on the public site, and the departments' ledgers over them: only
published rows are read, the page is kept in the cache while the same editions are in force."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog.columns import Part
from catalog.models import Department, Township
from publication.models import EditionItem
from tests.conftest import make_category, make_department, make_duty_list, make_item, make_township

from .conftest import approve_and_publish

pytestmark = pytest.mark.django_db


def publish_county(cast, duty_list, *, more: int = 0):
    """城关镇 and 青山镇 coordinate 农田水利设施管护 with 县农业农村局; 河口镇 published it as reclaimed
    by 县应急管理局. `more` further townships publish it as coordinated too."""
    county = duty_list.township.county
    agriculture = Department.objects.get(county=county, name="县农业农村局")
    emergency = make_department(county, "县应急管理局")
    category = make_category(county, "农业农村", order=1)
    lists = [
        duty_list,
        make_duty_list(Township.objects.get(county=county, name="青山镇")),
        make_duty_list(make_township(county, "河口镇")),
    ]
    lists += [make_duty_list(make_township(county)) for _ in range(more)]
    editions = []
    for draft in lists:
        if draft.township.name == "河口镇":
            make_item(
                draft,
                Part.RECLAIMED,
                name="农田水利设施管护",
                category=category,
                receiving_department=emergency,
            )
        else:
            make_item(
                draft, Part.COORDINATED, name="农田水利设施管护", category=category, leads=[agriculture]
            )
        make_item(draft, name=f"{draft.township.name}个性事项", category=category)
        editions.append(approve_and_publish(draft, cast["county_editor"]))
    return editions, agriculture, emergency


def test_residents_see_the_township_that_published_an_item_otherwise_highlighted(client, cast, duty_list):
    editions, _agriculture, _emergency = publish_county(cast, duty_list)
    hekou = editions[2]
    row = EditionItem.objects.get(edition=hekou, name="农田水利设施管护")
    # A draft changed after publication is not what the public page compares.
    make_item(duty_list, name="尚未公布的事项")

    response = client.get(reverse("publication:county_matrix", args=[duty_list.township.county.code]))

    assert response.status_code == 200
    page = response.content.decode()
    address = reverse("publication:item", args=[hekou.township.code, row.key])
    assert f'<td class="matrix-differs"><a href="{address}">收 县应急管理局</a></td>' in page
    assert page.count('class="matrix-differs"><a') == 1
    assert "尚未公布的事项" not in page
    assert "城关镇个性事项" in page


def test_the_public_page_is_kept_until_a_township_publishes_again(
    client, cast, duty_list, django_assert_num_queries
):
    editions, _agriculture, _emergency = publish_county(cast, duty_list)
    url = reverse("publication:county_matrix", args=[duty_list.township.county.code])
    first = client.get(url)
    # The county, its editions in force, and its categories and departments to read the filters.
    with django_assert_num_queries(4):
        again = client.get(url)
    assert again.content == first.content
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    qingshan = editions[1].duty_list
    qingshan.refresh_from_db()
    make_item(make_duty_list(qingshan.township), name="新公布的事项")
    approve_and_publish(qingshan.township.duty_lists.order_by("-pk").first(), cast["county_editor"])
    assert "新公布的事项" in client.get(url).content.decode()


def test_the_public_page_takes_the_same_queries_whatever_the_townships(
    client, cast, duty_list, django_assert_num_queries
):
    publish_county(cast, duty_list, more=3)
    url = reverse("publication:county_matrix", args=[duty_list.township.county.code])
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["matrix"].townships) == 6


def test_the_public_workbook_fills_the_differing_cell(client, cast, duty_list):
    publish_county(cast, duty_list)

    response = client.get(reverse("publication:county_matrix_export", args=[duty_list.township.county.code]))

    sheet = load_workbook(io.BytesIO(response.content))["交叉比对"]
    rows = {row[2].value: row for row in sheet.iter_rows(min_row=3) if row[2].value}
    water = rows["农田水利设施管护"]
    assert [c.value for c in water[4:7]] == ["配 县农业农村局", "配 县农业农村局", "收 县应急管理局"]
    assert water[6].fill.fgColor.rgb.endswith("FFE08A") and water[5].fill.fill_type is None


def test_a_county_without_editions_in_force_has_no_public_matrix(client, cast, duty_list):
    make_item(duty_list, name="草稿中的事项")
    response = client.get(reverse("publication:county_matrix", args=[duty_list.township.county.code]))
    assert response.status_code == 404


def test_the_public_county_pages_link_to_the_matrix(client, cast, duty_list):
    publish_county(cast, duty_list)
    county = duty_list.township.county
    matrix = reverse("publication:county_matrix", args=[county.code])
    assert matrix in client.get(reverse("publication:area", args=[county.code])).content.decode()
    assert matrix in client.get(reverse("publication:statistics", args=[county.code])).content.decode()


def test_the_departments_ledger_in_force_reads_the_published_rows(client, cast, duty_list):
    _editions, agriculture, emergency = publish_county(cast, duty_list)
    client.force_login(cast["department_reviewer"])  # 县农业农村局

    response = client.get(reverse("publication:department_ledger", args=[agriculture.pk]))

    assert response.status_code == 200
    coordinated, reclaimed = response.context["ledger"].sections
    assert [(row.name, [e.township.name for e in row.items]) for row in coordinated.rows] == [
        ("农田水利设施管护", ["城关镇", "青山镇"])
    ]
    assert reclaimed.rows == []
    assert client.get(reverse("publication:department_ledger", args=[emergency.pk])).status_code == 404
    client.force_login(cast["county_editor"])
    response = client.get(reverse("publication:department_ledger_export", args=[emergency.pk]))
    detail = list(
        load_workbook(io.BytesIO(response.content))["事项明细"].iter_rows(min_row=3, values_only=True)
    )
    assert [(r[3], r[4], r[5], r[7]) for r in detail] == [
        ("农田水利设施管护", "河口镇", "承接", "由县级部门直接实施")
    ]


def test_the_public_matrix_filters_by_department_on_the_ids_the_rows_keep(client, cast, duty_list):
    _editions, agriculture, emergency = publish_county(cast, duty_list)
    url = reverse("publication:county_matrix", args=[duty_list.township.county.code])

    for department in (agriculture, emergency):
        response = client.get(url, {"department": department.pk})
        assert [row.name for row in response.context["matrix"].rows] == ["农田水利设施管护"]
    assert len(client.get(url).context["matrix"].rows) == 4

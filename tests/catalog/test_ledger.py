"""部门事项台账 over the drafts: every coordinated item a department leads and every item it took
back, across townships, with totals per township and per category; who may see which ledger."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog.columns import Part
from catalog.models import Department
from tests.conftest import make_category, make_department, make_duty_list, make_item, make_township

pytestmark = pytest.mark.django_db


def ledger_drafts(duty_list):
    """县农业农村局 leads 动物防疫 in 城关镇 and 河口镇 and took back 农机安全监理 in 河口镇;
    县应急管理局 leads one item of 城关镇 (with 县农业农村局) and nothing else."""
    county = duty_list.township.county
    agriculture = Department.objects.get(county=county, name="县农业农村局")
    emergency = make_department(county, "县应急管理局")
    farming = make_category(county, "乡村振兴", order=1)
    safety = make_category(county, "平安法治", order=2)
    hekou = make_duty_list(make_township(county, "河口镇"))
    make_item(duty_list, Part.COORDINATED, name="动物防疫", category=farming, leads=[agriculture])
    make_item(hekou, Part.COORDINATED, name="动物防疫", category=farming, leads=[agriculture])
    make_item(hekou, Part.RECLAIMED, name="农机安全监理", category=safety, receiving_department=agriculture)
    make_item(duty_list, Part.COORDINATED, name="防汛抗旱", category=safety, leads=[emergency, agriculture])
    make_item(duty_list, name="殡葬管理", category=safety)
    return agriculture, emergency


def test_the_departments_reviewer_sees_what_it_leads_and_took_back_with_totals(client, cast, duty_list):
    agriculture, _emergency = ledger_drafts(duty_list)
    client.force_login(cast["department_reviewer"])  # 县农业农村局

    response = client.get(reverse("catalog:department_ledger", args=[agriculture.pk]))

    assert response.status_code == 200
    ledger = response.context["ledger"]
    coordinated, reclaimed = ledger.sections
    assert [(row.name, [e.township.name for e in row.items]) for row in coordinated.rows] == [
        ("动物防疫", ["城关镇", "河口镇"]),
        ("防汛抗旱", ["城关镇"]),
    ]
    assert [(row.name, [e.township.name for e in row.items]) for row in reclaimed.rows] == [
        ("农机安全监理", ["河口镇"])
    ]
    by_township = {t.name: (n.coordinated, n.reclaimed) for t, n in ledger.townships}
    assert by_township == {"城关镇": (2, 0), "河口镇": (1, 1)}  # 青山镇 has no draft
    assert [(name, n.coordinated, n.reclaimed) for name, n in ledger.categories] == [
        ("乡村振兴", 2, 0),
        ("平安法治", 1, 1),
    ]
    page = response.content.decode()
    assert "共 4 项（主责配合 3 项，收回承接 1 项）" in page
    assert "殡葬管理" not in page


@pytest.mark.parametrize(
    ("who", "own", "status"),
    [
        ("department_reviewer", True, 200),
        ("department_reviewer", False, 404),
        ("county_editor", False, 200),
        ("county_leader", True, 404),
        ("township_official", True, 404),
        ("other_county_editor", True, 404),
    ],
)
def test_reviewers_see_their_own_ledger_and_editors_every_ledger_of_their_county(
    client, cast, duty_list, who, own, status
):
    agriculture, emergency = ledger_drafts(duty_list)
    client.force_login(cast[who])
    department = agriculture if own else emergency

    for name in ["catalog:department_ledger", "catalog:department_ledger_export"]:
        assert client.get(reverse(name, args=[department.pk])).status_code == status


def test_the_workbook_lists_every_item_and_the_totals(client, cast, duty_list):
    agriculture, _emergency = ledger_drafts(duty_list)
    client.force_login(cast["county_editor"])

    response = client.get(reverse("catalog:department_ledger_export", args=[agriculture.pk]))

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["事项明细", "按乡镇", "按类别"]
    detail = [row for row in workbook["事项明细"].iter_rows(min_row=3, values_only=True)]
    assert [(r[1], r[3], r[4], r[5]) for r in detail] == [
        ("配合履职事项", "动物防疫", "城关镇", "主责"),
        ("配合履职事项", "动物防疫", "河口镇", "主责"),
        ("配合履职事项", "防汛抗旱", "城关镇", "主责"),
        ("上级部门收回事项", "农机安全监理", "河口镇", "承接"),
    ]
    assert detail[0][7] == "配合开展工作"  # what the department asks the township to do
    assert detail[3][7] == "由县级部门直接实施"
    townships = list(workbook["按乡镇"].iter_rows(min_row=3, values_only=True))
    assert townships == [("城关镇", 2, 0, 2), ("河口镇", 1, 1, 2), ("合计", 3, 1, 4)]


def test_the_ledger_takes_the_same_queries_whatever_the_townships_and_items(
    client, cast, duty_list, django_assert_num_queries
):
    agriculture, _emergency = ledger_drafts(duty_list)
    client.force_login(cast["department_reviewer"])
    url = reverse("catalog:department_ledger", args=[agriculture.pk])
    with django_assert_num_queries(9):
        client.get(url)
    county = duty_list.township.county
    farming = make_category(county, "城乡建设", order=3)
    for _ in range(3):
        draft = make_duty_list(make_township(county))
        make_item(draft, Part.COORDINATED, name="动物防疫", category=farming, leads=[agriculture])
        make_item(
            draft, Part.RECLAIMED, name="农机安全监理", category=farming, receiving_department=agriculture
        )
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.context["ledger"].totals.total == 10


def test_my_work_links_the_matrix_to_the_county_staff_and_the_ledger_to_the_departments_reviewer(
    client, cast, duty_list
):
    agriculture, _emergency = ledger_drafts(duty_list)
    county = duty_list.township.county
    matrix = reverse("catalog:county_matrix", args=[county.code])
    ledger = reverse("catalog:department_ledger", args=[agriculture.pk])

    client.force_login(cast["department_reviewer"])
    page = client.get(reverse("catalog:home")).content.decode()
    assert matrix in page and ledger in page
    client.force_login(cast["township_official"])
    page = client.get(reverse("catalog:home")).content.decode()
    assert matrix not in page and ledger not in page

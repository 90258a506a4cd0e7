"""The province's and city's board: counties by stage, open comments and disputes, published
townships; read by the editors of that province or city only; a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import City, County, DutyList, Stage
from review.models import Comment, Dispute
from review.region_queries import WORKED_STAGES
from tests.conftest import make_county, make_duty_list, make_item, make_township
from tests.review.conftest import make_comment, make_window

pytestmark = pytest.mark.django_db


def set_stage(duty_list: DutyList, stage: str) -> None:
    # Test setup only: in the product, review/workflow.py moves stages.
    DutyList.objects.filter(pk=duty_list.pk).update(stage=stage)
    duty_list.refresh_from_db()


def county_with_lists(city, name: str, stages: list[str], *, idle: int = 0):
    """A county of the city with one township per stage (a list at that stage) and `idle` townships
    without a list."""
    county = make_county(name, city=city, code=f"{city.code[:4]}{len(city.counties.all()) + 10:02d}")
    for stage in stages:
        set_stage(make_duty_list(make_township(county)), stage)
    for _ in range(idle):
        make_township(county)
    return county


@pytest.fixture
def region(cast, duty_list):
    """The cast's province: its county (城关镇 drafting, 青山镇 without a list, one open comment, one
    dispute) and a second county in the same city; a third county in the next city."""
    county = duty_list.township.county
    city = county.city
    # The cast's city and county move to codes make_county never gives (9991 00, 9991 01), so the
    # counties the test adds can be numbered under them freely.
    City.objects.filter(pk=city.pk).update(code="999100")
    County.objects.filter(pk=county.pk).update(code="999101")
    county.refresh_from_db()
    city.refresh_from_db()
    window = make_window(duty_list, cast["department_reviewer"].memberships.get().department)
    item = make_item(duty_list, name="农村低保审核")
    make_comment(window, item, author=cast["department_reviewer"])
    make_comment(window, item, author=cast["department_reviewer"], position=Comment.Position.AGREE)
    disputed = make_comment(window, item, author=cast["department_reviewer"], state=Comment.State.DISPUTED)
    Dispute.objects.create(
        duty_list=duty_list,
        comment=disputed,
        item_key=item.key,
        item_name=item.name,
        department=disputed.department,
        signature=disputed.signature,
        department_position="应列为配合",
        township_position="应列为基本",
        raised_by=cast["county_editor"],
    )
    second = county_with_lists(city, "东县", [Stage.FIRST_SUBMITTED, Stage.FIRST_SUBMITTED, Stage.PUBLISHED])
    next_city = cast["other_city_editor"].region_memberships.get().city
    third = county_with_lists(next_city, "邻县", [Stage.APPROVED], idle=2)
    return {
        "province": city.province,
        "city": city,
        "next_city": next_city,
        "counties": [county, second, third],
    }


def board_of(client, user, code):
    client.force_login(user)
    return client.get(reverse("review:region_board", args=[code]))


def test_the_province_board_counts_each_county_by_stage_and_subtotals_each_city(client, cast, region):
    response = board_of(client, cast["province_editor"], region["province"].code)
    assert response.status_code == 200
    board = response.context["board"]
    # Cities in the order of their codes: 邻市 (9902 00) before 示范市 (9991 00).
    assert [group.city for group in board.groups] == [region["next_city"], region["city"]]
    third = board.groups[0].rows[0].counts
    assert (third.townships, third.not_started, third.by_stage) == (3, 2, {Stage.APPROVED: 1})
    own, second = (row.counts for row in board.groups[1].rows)
    assert (own.townships, own.not_started, own.open_comments, own.open_disputes) == (2, 1, 1, 1)
    assert own.by_stage == {Stage.DRAFTING: 1} and own.published == 0
    assert second.by_stage == {Stage.FIRST_SUBMITTED: 2} and second.published == 1
    assert board.groups[1].subtotal.townships == 5 and board.groups[1].subtotal.published == 1
    assert board.total.townships == 8 and board.total.open_comments == 1
    assert board.total.stage_cells == [
        {Stage.DRAFTING: 1, Stage.FIRST_SUBMITTED: 2, Stage.APPROVED: 1}.get(s, 0) for s in WORKED_STAGES
    ]
    page = response.content.decode()
    assert "示范市小计" in page and "邻市小计" in page and "合计" in page
    # The columns are the declared stages, 已公布 last.
    assert all(f">{stage.label}</th>" in page for stage in WORKED_STAGES) and page.count(">已公布</th>") == 1
    county = region["counties"][0]
    assert f"{reverse('review:board')}?county={county.pk}" in page


def test_a_city_editor_sees_only_the_counties_of_their_city(client, cast, region):
    response = board_of(client, cast["city_editor"], region["city"].code)
    board = response.context["board"]
    assert [row.county for row in board.groups[0].rows] == region["counties"][:2]
    assert len(board.groups) == 1 and "小计" not in response.content.decode()
    assert board_of(client, cast["city_editor"], region["province"].code).status_code == 404
    assert board_of(client, cast["city_editor"], region["next_city"].code).status_code == 404


@pytest.mark.parametrize(
    ("role", "province", "city", "next_city"),
    [
        ("province_editor", 200, 200, 200),
        ("city_editor", 404, 200, 404),
        ("other_city_editor", 404, 404, 200),
        ("other_province_editor", 404, 404, 404),
        ("county_editor", 404, 404, 404),
        ("county_leader", 404, 404, 404),
        ("no_role", 404, 404, 404),
    ],
)
def test_who_reads_which_region_board(client, cast, region, role, province, city, next_city):
    for level, status in [("province", province), ("city", city), ("next_city", next_city)]:
        assert board_of(client, cast[role], region[level].code).status_code == status


def test_a_superuser_reads_every_board_and_a_code_naming_no_region_is_404(client, superuser, region):
    assert board_of(client, superuser, region["province"].code).status_code == 200
    assert board_of(client, superuser, region["next_city"].code).status_code == 200
    for code in ["770000", "779900", region["counties"][0].code + "1", "abcdef"]:
        assert board_of(client, superuser, code).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, region):
    response = client.get(reverse("review:region_board", args=[region["province"].code]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role", ["province_editor", "city_editor"])
def test_a_supervisor_reads_the_county_board_and_docket_of_a_county_below_and_no_other(
    client, cast, region, role
):
    client.force_login(cast[role])
    own, next_door = region["counties"][0], region["counties"][2]
    board = client.get(reverse("review:board") + f"?county={own.pk}")
    assert board.status_code == 200 and board.context["county"] == own
    docket = client.get(reverse("review:docket") + f"?county={own.pk}")
    assert docket.status_code == 200 and "农村低保审核" in docket.content.decode()
    assert "协调拍板" not in docket.content.decode()  # reading, never deciding
    expected = 200 if role == "province_editor" else 404
    assert client.get(reverse("review:board") + f"?county={next_door.pk}").status_code == expected
    elsewhere = cast["other_county_editor"].memberships.get().county
    assert client.get(reverse("review:board") + f"?county={elsewhere.pk}").status_code == 404


def grow(region, more: int) -> None:
    """More counties in the city, each with townships at several stages, comments and disputes."""
    for n in range(more):
        county_with_lists(
            region["city"], f"增县{n}", [Stage.DRAFTING, Stage.SECOND_FEEDBACK, Stage.PUBLISHED], idle=1
        )


def test_the_board_takes_the_same_queries_whatever_the_number_of_counties(
    client, cast, region, django_assert_num_queries
):
    client.force_login(cast["province_editor"])
    url = reverse("review:region_board", args=[region["province"].code])
    client.get(url)  # the session and the user's memberships are read as on any page
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    # The session, the user, their memberships, the region, the counties and the four grouped counts
    # (nine on SQLite, eight on PostgreSQL).
    assert len(small.captured_queries) <= 9
    grow(region, 4)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["board"].county_count == 7


def test_my_work_links_a_supervisor_to_their_regions_pages_and_no_one_else(client, cast, region):
    client.force_login(cast["city_editor"])
    page = client.get(reverse("catalog:home")).content.decode()
    code = region["city"].code
    for name in ["review:region_board", "publication:region_matrix", "publication:region_statistics"]:
        assert f'href="{reverse(name, args=[code])}"' in page
    assert reverse("review:region_board", args=[region["province"].code]) not in page
    client.force_login(cast["county_editor"])
    assert "/regions/" not in client.get(reverse("catalog:home")).content.decode()

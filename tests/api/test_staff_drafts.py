"""Staff reading and editing of drafts through the API: what a user sees, and item edits carrying
the version in If-Match, written through the item services (history, version, list version)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api import tokens
from api.models import Scope
from catalog.models import DutyItem, DutyList, Part
from tests.conftest import (
    make_category,
    make_department,
    make_duty_list,
    make_item,
    make_office,
    make_township,
)

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def items_url(duty_list):
    return reverse("api:list_items", args=[duty_list.pk])


def item_url(item):
    return reverse("api:list_item", args=[item.duty_list_id, item.pk])


def test_a_township_official_sees_only_the_lists_of_their_township(cast, duty_list):
    make_duty_list(make_township(duty_list.township.county, "河西镇"))

    answer = api_for(cast["township_official"]).get(reverse("api:lists"))

    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [duty_list.pk]
    assert answer.json()["results"][0]["township"]["name"] == "城关镇"


def test_without_login_the_staff_api_answers_401_in_chinese(duty_list):
    answer = APIClient().get(reverse("api:lists"))

    assert answer.status_code == 401
    assert answer.json()["code"] == "not_authenticated"
    assert any("\u4e00" <= c <= "\u9fff" for c in answer.json()["message"])


def test_a_personal_staff_token_edits_as_its_person_and_a_reading_token_cannot(cast, duty_list):
    item = make_item(duty_list, name="农村低保审核")
    person = cast["township_official"]
    _, staff = tokens.create_token(by=person, name="工作", scopes=[Scope.STAFF])
    _, reading = tokens.create_token(by=person, name="只读")
    body = {"name": "农村低保初审"}

    refused = APIClient().patch(
        item_url(item), body, format="json", headers={"Authorization": f"Bearer {reading}", "If-Match": '"1"'}
    )
    edited = APIClient().patch(
        item_url(item), body, format="json", headers={"Authorization": f"Bearer {staff}", "If-Match": '"1"'}
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert "权限范围" in refused.json()["message"]
    assert edited.status_code == 200, edited.json()
    assert item.history.first().history_user == person
    assert DutyItem.objects.get(pk=item.pk).name == "农村低保初审"


def test_the_items_of_a_draft_carry_every_column_with_references_by_id_and_name(cast, duty_list):
    department = make_department(duty_list.township.county, "县民政局")
    make_item(duty_list, Part.COORDINATED, name="殡葬管理", leads=[department])

    answer = api_for(cast["department_reviewer"]).get(items_url(duty_list))

    row = answer.json()["results"][0]
    assert row["name"] == "殡葬管理" and row["part"] == "coordinated" and row["version"] == 1
    assert row["lead_departments"] == [{"id": department.pk, "name": "县民政局"}]
    assert row["category"]["name"] and row["responsible_office"] is None


def test_reading_the_items_of_a_draft_takes_the_same_queries_for_more_items(
    cast, duty_list, django_assert_num_queries
):
    api = api_for(cast["county_editor"])
    make_item(duty_list, Part.COORDINATED)
    api.get(items_url(duty_list))  # the user's memberships are read on the first request
    with django_assert_num_queries(3) as few:
        assert api.get(items_url(duty_list)).status_code == 200
    for part in (Part.BASIC, Part.COORDINATED, Part.RECLAIMED) * 3:
        make_item(duty_list, part)
    with django_assert_num_queries(len(few.captured_queries)):
        answer = api.get(items_url(duty_list))
    assert len(answer.json()["results"]) == 10


def test_an_edit_with_the_version_read_is_saved_with_its_reason_and_a_new_etag(cast, duty_list):
    item = make_item(duty_list, name="农村低保审核")
    office = make_office(duty_list.township, "社会事务办公室")
    api = api_for(cast["township_official"])
    etag = api.get(item_url(item))["ETag"]

    answer = api.patch(
        item_url(item),
        {"name": "农村低保初审", "responsible_office": office.pk, "reason": "按县民政局意见"},
        format="json",
        headers={"If-Match": etag},
    )

    assert answer.status_code == 200, answer.json()
    assert answer["ETag"] == '"2"' and answer.json()["responsible_office"]["name"] == "社会事务办公室"
    item.refresh_from_db()
    assert (item.name, item.version, item.responsible_office_id) == ("农村低保初审", 2, office.pk)
    record = item.history.first()
    assert (record.history_user, record.history_change_reason) == (
        cast["township_official"],
        "按县民政局意见",
    )


def test_an_edit_without_if_match_is_refused_and_changes_nothing(cast, duty_list):
    item = make_item(duty_list, name="农村低保审核")

    answer = api_for(cast["township_official"]).patch(item_url(item), {"name": "改"}, format="json")

    assert answer.status_code == 412
    assert answer.json()["field"] == "If-Match" and "版本号" in answer.json()["message"]
    assert DutyItem.objects.get(pk=item.pk).name == "农村低保审核"


@pytest.mark.parametrize(
    "body, field, words",
    [
        ({"category": 999999}, "category", "没有编号为 999999 的类别"),
        ({"category": "党建"}, "category", "类别应为编号"),
        ({"lead_departments": 5}, "lead_departments", "列表"),
        ({"name": ""}, "name", ""),
        ({"is_safeguard": "也许"}, "is_safeguard", ""),
        ({"part": "reclaimed"}, "part", "move"),
        (
            {"township_duties": "配合"},
            "township_duties",
            "不填写",
        ),
    ],
)
def test_bad_input_answers_400_naming_the_field_and_changes_nothing(cast, duty_list, body, field, words):
    item = make_item(duty_list, name="农村低保审核")
    before = list(DutyItem.objects.values())

    answer = api_for(cast["township_official"]).patch(
        item_url(item), body, format="json", headers={"If-Match": '"1"'}
    )

    assert answer.status_code == 400, answer.json()
    assert answer.json()["field"] == field and words in answer.json()["message"], answer.json()
    assert list(DutyItem.objects.values()) == before


def test_a_category_of_another_county_is_no_choice(cast, duty_list):
    item = make_item(duty_list)
    elsewhere = make_category(cast["other_county_editor"].memberships.get().county, "别县类别")

    answer = api_for(cast["county_editor"]).patch(
        item_url(item), {"category": elsewhere.pk}, format="json", headers={"If-Match": '"1"'}
    )

    assert (answer.status_code, answer.json()["field"]) == (400, "category")
    assert "别县类别" not in answer.json()["message"]


def test_adding_an_item_twice_with_one_key_adds_it_once(cast, duty_list):
    category = make_category(duty_list.township.county, "民生服务")
    department = make_department(duty_list.township.county, "县民政局")
    body = {
        "key": "6921b301-63a5-50f6-a9af-700b95330a41",
        "part": "coordinated",
        "name": "殡葬管理",
        "category": category.pk,
        "lead_departments": [department.pk],
        "township_duties": "劝导文明治丧",
    }
    api = api_for(cast["township_official"])

    first = api.post(items_url(duty_list), body, format="json")
    again = api.post(items_url(duty_list), body, format="json")

    assert (first.status_code, again.status_code) == (201, 200), first.json()
    item = DutyItem.objects.get(duty_list=duty_list)
    assert (item.name, item.order, list(item.lead_departments.all())) == ("殡葬管理", 1, [department])
    assert first.json()["id"] == again.json()["id"] == item.pk


def test_an_item_missing_its_parts_columns_is_refused_with_the_models_message(cast, duty_list):
    category = make_category(duty_list.township.county)

    answer = api_for(cast["township_official"]).post(
        items_url(duty_list),
        {"part": "coordinated", "name": "殡葬管理", "category": category.pk},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json()["field"] in ("lead_departments", "township_duties")
    assert not DutyItem.objects.exists()


def test_moving_an_item_to_another_part_takes_the_new_parts_columns(cast, duty_list):
    item = make_item(duty_list, name="宅基地审批")
    department = make_department(duty_list.township.county, "县自然资源局")

    answer = api_for(cast["county_editor"]).post(
        reverse("api:item_move", args=[duty_list.pk, item.pk]),
        {
            "part": "reclaimed",
            "reason": "技术性强",
            "receiving_department": department.pk,
            "work": "由县局直接实施",
        },
        format="json",
        headers={"If-Match": '"1"'},
    )

    assert answer.status_code == 200, answer.json()
    item.refresh_from_db()
    assert (item.part, item.receiving_department, item.reclaim_reason, item.content) == (
        Part.RECLAIMED,
        department,
        "由县局直接实施",
        "",
    )


def test_moving_without_the_receiving_department_is_refused_with_the_forms_message(cast, duty_list):
    item = make_item(duty_list)

    answer = api_for(cast["county_editor"]).post(
        reverse("api:item_move", args=[duty_list.pk, item.pk]),
        {"part": "reclaimed", "reason": "技术性强"},
        format="json",
        headers={"If-Match": '"1"'},
    )

    assert (answer.status_code, answer.json()["field"]) == (400, "receiving_department")
    assert "收回（承接）部门" in answer.json()["message"]
    assert DutyItem.objects.get(pk=item.pk).part == Part.BASIC


def test_delete_and_restore_with_the_version(cast, duty_list):
    item = make_item(duty_list)
    api = api_for(cast["township_official"])

    deleted = api.delete(item_url(item) + "?reason=重复", headers={"If-Match": '"1"'})
    restored = api.post(
        reverse("api:item_restore", args=[duty_list.pk, item.pk]), headers={"If-Match": '"2"'}
    )

    assert (deleted.status_code, restored.status_code) == (200, 200)
    assert deleted.json()["deleted_at"] and restored.json()["deleted_at"] is None
    assert DutyItem.objects.get(pk=item.pk).version == 3


def test_an_item_is_reached_only_under_its_own_list(cast, duty_list):
    other = make_duty_list(make_township(duty_list.township.county))
    item = make_item(other)

    answer = api_for(cast["county_editor"]).get(reverse("api:list_item", args=[duty_list.pk, item.pk]))

    assert (answer.status_code, answer.json()["message"]) == (404, "事项不存在。")


def test_a_list_detail_counts_its_parts(cast, duty_list):
    make_item(duty_list)
    make_item(duty_list, Part.RECLAIMED)

    answer = api_for(cast["consultee"]).get(reverse("api:list", args=[duty_list.pk]))

    assert answer.json()["basic_count"] == 1 and answer.json()["reclaimed_count"] == 1
    assert answer.json()["stage"] == DutyList.Stage.DRAFTING


def test_reading_the_lists_takes_the_same_queries_for_more_lists(cast, duty_list, django_assert_num_queries):
    api = api_for(cast["county_editor"])
    api.get(reverse("api:lists"))
    with django_assert_num_queries(1):
        assert api.get(reverse("api:lists")).status_code == 200
    for _ in range(3):
        make_duty_list(make_township(duty_list.township.county))
    with django_assert_num_queries(1):
        assert len(api.get(reverse("api:lists")).json()["results"]) == 4


JUNK = [
    [1, 2],
    "text",
    {"name": {"a": 1}},
    {"category": [1]},
    {"lead_departments": [{"id": 1}, None]},
    {"key": "not-a-uuid"},
    {"is_safeguard": [True]},
    {"name": "很" * 300},
    {"category": None},
]


@pytest.mark.parametrize("body", JUNK)
def test_junk_in_an_item_body_answers_400_never_500(cast, duty_list, body):
    item = make_item(duty_list, name="农村低保审核")
    api = api_for(cast["county_editor"])

    changed = api.patch(item_url(item), body, format="json", headers={"If-Match": '"1"'})
    added = api.post(items_url(duty_list), body, format="json")
    moved = api.post(
        reverse("api:item_move", args=[duty_list.pk, item.pk]),
        body,
        format="json",
        headers={"If-Match": '"1"'},
    )

    for answer in (changed, added, moved):
        assert answer.status_code == 400, answer.content
        assert any("\u4e00" <= c <= "\u9fff" for c in answer.json()["message"])
    assert DutyItem.objects.get().name == "农村低保审核"


@pytest.mark.parametrize("header", ["*", "abc", '"-1"', '"99999999999"', 'W/"x"'])
def test_a_bad_if_match_answers_400_naming_it(cast, duty_list, header):
    item = make_item(duty_list)

    answer = api_for(cast["county_editor"]).patch(
        item_url(item), {"name": "改"}, format="json", headers={"If-Match": header}
    )

    assert (answer.status_code, answer.json()["field"]) == (400, "If-Match")


def test_a_misspelt_column_is_refused_instead_of_dropped(cast, duty_list):
    item = make_item(duty_list)

    answer = api_for(cast["county_editor"]).patch(
        item_url(item), {"nmae": "改名"}, format="json", headers={"If-Match": '"1"'}
    )

    assert (answer.status_code, answer.json()["field"]) == (400, "nmae")
    assert "没有“nmae”这一列" in answer.json()["message"]
    assert DutyItem.objects.get(pk=item.pk).version == 1

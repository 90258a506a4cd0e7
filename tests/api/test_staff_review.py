"""The review through the API: the workflow's actions as the review page offers and refuses them, a
department's comments and 反馈完毕, the township's answers with "apply the proposal", and reading
submissions, windows and comments in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import DutyItem, DutyList
from review import workflow
from review.models import Comment, CommentWindow, StageChange
from tests.conftest import make_item
from tests.review.conftest import make_comment, make_window

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def department(cast):
    return cast["department_reviewer"].memberships.get().department


@pytest.fixture
def submitted(cast, duty_list):
    make_item(duty_list, name="农村低保审核")
    make_item(duty_list, name="殡葬管理")
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    return duty_list


def test_the_actions_offered_are_the_workflow_tables(cast, duty_list):
    make_item(duty_list)

    official = api_for(cast["township_official"]).get(reverse("api:actions", args=[duty_list.pk]))
    reviewer = api_for(cast["department_reviewer"]).get(reverse("api:actions", args=[duty_list.pk]))

    assert [(a["action"], a["label"], a["confirm"]) for a in official.json()] == [
        ("submit", "一上：提交清单", True)
    ]
    assert reviewer.json() == []


def test_submitting_through_the_api_moves_the_stage_and_records_who(cast, duty_list):
    make_item(duty_list)

    answer = api_for(cast["township_official"]).post(
        reverse("api:action", args=[duty_list.pk, "submit"]), {"note": "初稿"}, format="json"
    )

    assert answer.status_code == 200, answer.json()
    assert (answer.json()["to_stage"], answer.json()["list"]["stage"]) == ("first_submitted",) * 2
    duty_list.refresh_from_db()
    change = StageChange.objects.get(duty_list=duty_list)
    assert (duty_list.stage, change.changed_by, change.note) == (
        "first_submitted",
        cast["township_official"],
        "初稿",
    )
    assert duty_list.submissions.count() == 1


def test_the_address_without_a_final_slash_is_the_same_action(cast, duty_list):
    make_item(duty_list)
    address = reverse("api:action", args=[duty_list.pk, "submit"]).rstrip("/")

    answer = api_for(cast["township_official"]).post(address, {}, format="json")

    assert answer.status_code == 200
    assert DutyList.objects.get(pk=duty_list.pk).stage == "first_submitted"


def test_opening_a_window_parses_its_parameters_with_the_review_pages_form(cast, submitted, department):
    api = api_for(cast["county_editor"])
    address = reverse("api:action", args=[submitted.pk, "open_comments"])
    deadline = (timezone.localdate() + timedelta(days=5)).isoformat()

    missing = api.post(address, {"deadline": deadline}, format="json")
    opened = api.post(address, {"departments": [department.pk], "deadline": deadline}, format="json")

    assert (missing.status_code, missing.json()["field"]) == (400, "departments")
    assert missing.json()["message"] == "请至少选择一个征求意见的部门。"
    assert opened.status_code == 200, opened.json()
    window = workflow.open_window(submitted)
    assert [i.department for i in window.invitations.all()] == [department]


def test_an_unknown_action_is_refused_as_the_page_refuses_it(cast, duty_list):
    answer = api_for(cast["county_editor"]).post(
        reverse("api:action", args=[duty_list.pk, "launch"]), {}, format="json"
    )

    assert (answer.status_code, answer.json()["code"]) == (409, "unknown_action")
    assert "没有这项操作" in answer.json()["message"]


def test_a_department_comments_finishes_and_the_township_applies_the_proposal(cast, submitted, department):
    editor, reviewer, official = cast["county_editor"], cast["department_reviewer"], cast["township_official"]
    workflow.perform(
        submitted,
        "open_comments",
        by=editor,
        departments=[department],
        deadline=timezone.localdate() + timedelta(days=5),
    )
    window = workflow.open_window(submitted)
    key = window.submission.items.get(name="农村低保审核").key

    commented = api_for(reviewer).post(
        reverse("api:comment_add", args=[window.pk]),
        {"item_key": str(key), "position": "modify", "proposed_name": "农村低保初审", "text": "名称更准确"},
        format="json",
    )
    finished = api_for(reviewer).post(reverse("api:window_finish", args=[window.pk]), {}, format="json")
    workflow.perform(submitted, "close_comments", by=editor)
    answered = api_for(official).post(
        reverse("api:comment_answer", args=[commented.json()["id"]]),
        {"answer": "accepted", "apply": True},
        format="json",
    )

    assert commented.status_code == 201, commented.json()
    assert (
        commented.json()["signature"] == "县农业农村局"
        and commented.json()["proposed_name"] == "农村低保初审"
    )
    assert finished.status_code == 200 and finished.json()["invitations"][0]["finished_at"]
    assert answered.status_code == 200, answered.json()
    assert answered.json()["state"] == "settled" and answered.json()["applied_at"]
    item = DutyItem.objects.get(duty_list=submitted, key=key)
    assert item.name == "农村低保初审" and item.version == 2


def test_a_comment_without_a_reason_for_disagreeing_is_refused_on_its_field(cast, submitted, department):
    window = make_window(submitted, department)
    key = window.submission.items.first().key

    answer = api_for(cast["department_reviewer"]).post(
        reverse("api:comment_add", args=[window.pk]),
        {"item_key": str(key), "position": "disagree"},
        format="json",
    )

    assert (answer.status_code, answer.json()["field"], answer.json()["code"]) == (
        400,
        "reason",
        "reason_required",
    )
    assert not Comment.objects.exists()


def test_a_user_not_asked_cannot_comment(cast, submitted, department):
    window = make_window(submitted, department)

    answer = api_for(cast["township_official"]).post(
        reverse("api:comment_add", args=[window.pk]), {"position": "agree"}, format="json"
    )

    assert (answer.status_code, answer.json()["message"]) == (403, "本轮意见征求没有请您提出意见。")


def test_a_key_that_is_no_uuid_answers_400_naming_it_and_an_unknown_one_404(cast, submitted, department):
    window = make_window(submitted, department)

    answer = api_for(cast["department_reviewer"]).post(
        reverse("api:comment_add", args=[window.pk]),
        {"item_key": "nonsense", "position": "agree"},
        format="json",
    )

    unknown = api_for(cast["department_reviewer"]).post(
        reverse("api:comment_add", args=[window.pk]),
        {"item_key": "6921b301-63a5-50f6-a9af-700b95330a41", "position": "agree"},
        format="json",
    )

    assert (answer.status_code, answer.json()["field"]) == (400, "item_key")
    assert (unknown.status_code, unknown.json()["message"]) == (404, "事项不在本次提交的清单中。")


def test_reading_comments_windows_and_submissions_takes_the_same_queries_for_more(
    cast, submitted, department, django_assert_num_queries
):
    api = api_for(cast["county_editor"])
    window = make_window(submitted, department)
    items = list(window.submission.items.all())
    make_comment(window, items[0], author=cast["department_reviewer"])
    addresses = [
        reverse(f"api:{name}", args=[submitted.pk]) for name in ("comments", "windows", "submissions")
    ]
    for address in addresses:
        api.get(address)
    counts = []
    for address in addresses:
        with django_assert_num_queries(20, exact=False) as captured:
            assert api.get(address).status_code == 200
        counts.append(len(captured.captured_queries))
    for item in items * 3:
        make_comment(window, item, author=cast["department_reviewer"])
    CommentWindow.objects.filter(pk=window.pk).update(closed_at=timezone.now())
    workflow.freeze(submitted, submitted.stage, by=cast["county_editor"], note="")
    make_window(submitted, department)
    for address, count in zip(addresses, counts, strict=True):
        with django_assert_num_queries(count):
            assert api.get(address).status_code == 200
    assert len(api.get(addresses[0]).json()["results"]) == 7


ACTION_JUNK = [
    [1],
    {"departments": "all", "deadline": "明天"},
    {"departments": [{"id": 1}], "deadline": "2026-13-45"},
    {"departments": [None], "deadline": None, "note": {"x": 1}},
]


@pytest.mark.parametrize("body", ACTION_JUNK)
def test_junk_in_an_action_or_a_comment_answers_4xx_never_500(cast, submitted, department, body):
    window = make_window(submitted, department)
    editor, reviewer = api_for(cast["county_editor"]), api_for(cast["department_reviewer"])
    before = (StageChange.objects.count(), Comment.objects.count())

    acted = editor.post(reverse("api:action", args=[submitted.pk, "close_comments"]), body, format="json")
    commented = reviewer.post(reverse("api:comment_add", args=[window.pk]), body, format="json")
    answered = editor.post(reverse("api:comment_answer", args=[0]), body, format="json")

    for answer in (acted, commented, answered):
        assert 400 <= answer.status_code < 500, answer.content
        assert any("\u4e00" <= c <= "\u9fff" for c in answer.json()["message"])
    assert (StageChange.objects.count(), Comment.objects.count()) == before


def test_a_submissions_items_are_its_frozen_text_in_a_fixed_number_of_queries(
    cast, submitted, django_assert_num_queries
):
    api = api_for(cast["department_reviewer"])
    address = reverse("api:submitted_items", args=[submitted.pk, 1])
    api.get(address)
    DutyItem.objects.filter(duty_list=submitted, name="殡葬管理").update(name="改过的名称")

    with django_assert_num_queries(3):
        answer = api.get(address)

    rows = answer.json()["results"]
    assert sorted(row["name"] for row in rows) == ["农村低保审核", "殡葬管理"]
    assert rows[0]["part"] == "basic" and rows[0]["category"]
    missing = api.get(reverse("api:submitted_items", args=[submitted.pk, 2]))
    assert (missing.status_code, missing.json()["message"]) == (404, "没有这一轮提交。")


def test_a_changed_key_is_refused(cast, duty_list):
    item = make_item(duty_list)

    answer = api_for(cast["county_editor"]).patch(
        reverse("api:list_item", args=[duty_list.pk, item.pk]),
        {"key": "6921b301-63a5-50f6-a9af-700b95330a41"},
        format="json",
        headers={"If-Match": '"1"'},
    )

    assert (answer.status_code, answer.json()["code"]) == (400, "key_fixed")
    assert DutyItem.objects.get(pk=item.pk).key == item.key

"""Every rule the pages enforce on a draft, asked of a page and of the API by the same person: both
refuse with the same Chinese message, the page with its status and the API with the matching one
(a stale version is 409 on a page, which has no precondition header, and 412 for `If-Match`), and
neither changes anything."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import DutyItem, DutyList
from review import services as review
from review import workflow
from review.models import Comment, StageChange
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


def snapshot() -> list:
    return [
        list(model.objects.order_by("pk").values()) for model in (DutyItem, DutyList, StageChange, Comment)
    ]


def at_stage(duty_list, stage):
    DutyList.objects.filter(pk=duty_list.pk).update(stage=stage)


def edit(item):
    return {
        "page": (
            reverse("catalog:item_edit", args=[item.pk]),
            {"name": "改名", "expected_version": item.version},
        ),
        "api": ("patch", reverse("api:list_item", args=[item.duty_list_id, item.pk]), {"name": "改名"}),
    }


def delete(item, version):
    return {
        "page": (reverse("catalog:item_delete", args=[item.pk]), {"expected_version": version}),
        "api": ("delete", reverse("api:list_item", args=[item.duty_list_id, item.pk]), None),
        "if_match": f'"{version}"',
    }


def action(duty_list, name):
    return {
        "page": (reverse("review:list_action", args=[duty_list.pk]), {"action": name}),
        "api": ("post", reverse("api:action", args=[duty_list.pk, name]), {}),
    }


def other_township(w):
    return "other_township_official", edit(w.item)


def other_county(w):
    return "other_county_editor", edit(w.item)


def wrong_stage_edit(w):
    at_stage(w.duty_list, DutyList.Stage.FIRST_SUBMITTED)
    return "township_official", edit(w.item)


def wrong_stage_action(w):
    return "county_editor", action(w.duty_list, "start_coordination")


def unmet_precondition(w):
    DutyItem.objects.filter(pk=w.item.pk).update(deleted_at=timezone.now())
    return "township_official", action(w.duty_list, "submit")


def decided_item(w):
    DutyItem.objects.filter(pk=w.item.pk).update(is_decided=True)
    return "county_editor", edit(w.item)


def stale_version(w):
    DutyItem.objects.filter(pk=w.item.pk).update(version=3)
    return "township_official", delete(w.item, 2)


def other_township_answers(w):
    make_item(w.duty_list, name="殡葬管理")
    reviewer, editor = w.cast["department_reviewer"], w.cast["county_editor"]
    workflow.perform(w.duty_list, "submit", by=w.cast["township_official"])
    department = reviewer.memberships.get().department
    workflow.perform(
        w.duty_list,
        "open_comments",
        by=editor,
        departments=[department],
        deadline=timezone.localdate() + timedelta(days=5),
    )
    window = workflow.open_window(w.duty_list)
    key = window.submission.items.get(name="殡葬管理").key
    comment = review.add_comment(
        window, by=reviewer, item_key=key, position="disagree", reason="not_our_duty"
    )
    review.finish_feedback(window, by=reviewer)
    workflow.perform(w.duty_list, "close_comments", by=editor)
    body = {"answer": "accepted", "answer_reason": ""}
    return "other_township_official", {
        "page": (reverse("review:comment_answer", args=[comment.pk]), body),
        "api": ("post", reverse("api:comment_answer", args=[comment.pk]), body),
    }


# rule: (the case, the page's status, the API's status)
RULES = {
    "other township": (other_township, 404, 404),
    "other county": (other_county, 404, 404),
    "wrong stage (an edit)": (wrong_stage_edit, 403, 403),
    "wrong stage (a workflow action)": (wrong_stage_action, 409, 409),
    "a step's precondition unmet": (unmet_precondition, 412, 412),
    "decided item": (decided_item, 403, 403),
    "stale version": (stale_version, 409, 412),
    "other township answers a comment": (other_township_answers, 404, 404),
}


class World:
    def __init__(self, cast, duty_list):
        self.cast, self.duty_list = cast, duty_list
        self.item = make_item(duty_list, name="农村低保审核")
        DutyItem.objects.filter(pk=self.item.pk).update(version=2)
        self.item.refresh_from_db()


@pytest.mark.parametrize("rule", RULES)
def test_the_api_refuses_what_the_page_refuses_with_the_same_message(client, cast, duty_list, rule):
    case, page_status, api_status = RULES[rule]
    who, requests = case(World(cast, duty_list))
    user = cast[who]
    before = snapshot()

    api = APIClient()
    api.force_authenticate(user)
    method, address, data = requests["api"]
    headers = {"If-Match": requests.get("if_match", '"2"')}
    answer = getattr(api, method)(address, data, format="json", headers=headers)
    assert snapshot() == before

    client.force_login(user)
    page = client.post(*requests["page"])
    assert snapshot() == before

    message = answer.json()["message"]
    assert any("\u4e00" <= c <= "\u9fff" for c in message)
    assert (answer.status_code, page.status_code) == (api_status, page_status)
    assert message in page.content.decode()


def test_a_stale_version_answers_the_item_as_it_stands_now(cast, duty_list):
    world = World(cast, duty_list)
    _, requests = stale_version(world)
    api = APIClient()
    api.force_authenticate(cast["township_official"])

    answer = api.delete(requests["api"][1], headers={"If-Match": '"2"'})

    assert answer.status_code == 412
    assert answer["ETag"] == '"3"'
    body = answer.json()
    assert (body["code"], body["field"]) == ("stale_version", "If-Match")
    assert body["current"]["version"] == 3 and body["current"]["name"] == "农村低保审核"
    assert DutyItem.objects.get(pk=world.item.pk).deleted_at is None

"""Every staff endpoint, asked with bodies, headers and parameters that make no sense, answers 4xx
with a Chinese message in the API's error shape — never a 500 — and changes nothing."""

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

BODIES = [
    [],
    "text",
    {"a": {"b": [1, {"c": None}]}},
    {
        "part": 5,
        "name": ["x"],
        "category": "党建",
        "departments": "x",
        "deadline": [1],
        "early": {"x": 1},
        "answer": None,
        "apply": "maybe",
        "seen_at": "yesterday",
        "position": {"x": 1},
        "item_key": 5,
        "department": "县局",
        "choices": "x",
        "remove_missing": "yes",
        "reason": {"why": 1},
        "accept": [1],
    },
    {
        "choices": [{"kind": "nothing", "name": 1, "value": []}],
        "lead_departments": [[1]],
        "receiving_department": "x",
    },
]
QUERY = "?part=x&deleted=maybe&state=zzz&cursor=bad&page_size=-1"


def snapshot() -> list:
    return [
        list(model.objects.order_by("pk").values()) for model in (DutyItem, DutyList, StageChange, Comment)
    ]


@pytest.fixture
def world(cast, duty_list):
    item = make_item(duty_list, name="农村低保审核")
    editor, reviewer = cast["county_editor"], cast["department_reviewer"]
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    department = reviewer.memberships.get().department
    workflow.perform(
        duty_list,
        "open_comments",
        by=editor,
        departments=[department],
        deadline=timezone.localdate() + timedelta(days=5),
    )
    window = workflow.open_window(duty_list)
    comment = review.add_comment(
        window, by=reviewer, item_key=item.key, position="disagree", reason="not_our_duty"
    )
    code = duty_list.township.code
    return {
        "get": [
            reverse("api:lists") + QUERY,
            reverse("api:list_items", args=[duty_list.pk]) + QUERY,
            reverse("api:comments", args=[duty_list.pk]) + QUERY,
            reverse("api:submitted_items", args=[duty_list.pk, 1]) + QUERY,
        ],
        "post": [
            reverse("api:list_items", args=[duty_list.pk]),
            reverse("api:item_move", args=[duty_list.pk, item.pk]),
            reverse("api:item_restore", args=[duty_list.pk, item.pk]),
            reverse("api:action", args=[duty_list.pk, "close_comments"]),
            reverse("api:action", args=[duty_list.pk, "open_comments"]),
            reverse("api:comment_add", args=[window.pk]),
            reverse("api:comment_answer", args=[comment.pk]),
            reverse("api:comment_apply", args=[comment.pk]),
            reverse("api:comment_respond", args=[comment.pk]),
            reverse("api:imports", args=[code]),
            reverse("api:import", args=[code, "token"]),
            reverse("api:import_names", args=[code, "token"]),
        ],
        "patch": [reverse("api:list_item", args=[duty_list.pk, item.pk])],
        "delete": [reverse("api:list_item", args=[duty_list.pk, item.pk])],
    }


@pytest.mark.parametrize("who", ["county_editor", "department_reviewer"])
def test_nonsense_answers_4xx_in_chinese_and_changes_nothing(cast, world, who):
    api = APIClient()
    api.force_authenticate(cast[who])
    before = snapshot()
    answers = []
    for address in world["get"]:
        answers.append((address, api.get(address)))
    for method in ("post", "patch", "delete"):
        for address in world[method]:
            for body in BODIES:
                # A DELETE with the right version needs no body: it is no nonsense.
                for if_match in ('"1"', "*", "", '"x"')[method == "delete" :]:
                    headers = {"If-Match": if_match} if if_match else {}
                    answers.append(
                        (address, getattr(api, method)(address, body, format="json", headers=headers))
                    )
            answers.append(
                (address, getattr(api, method)(address, "{not json", content_type="application/json"))
            )
    for address, answer in answers:
        if answer.status_code >= 400:
            assert answer.status_code < 500 and answer.status_code != 429, (address, answer.content)
            assert any("\u4e00" <= c <= "\u9fff" for c in answer.json()["message"]), (address, answer.json())
    assert snapshot() == before

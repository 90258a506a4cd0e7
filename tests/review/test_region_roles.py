"""Province and city editors in the review's permission matrix: they read every county below them
and take no step of the review — no comment, answer, escalation, decision or stage change, at any
stage — and a county outside their province or city answers 404 (ADR 0030, 0032)."""

import pytest
from django.urls import reverse

from catalog.models import DutyList, Part, Stage
from review import permissions, workflow
from review.models import Comment, CommentWindow, Decision, Dispute, Invitation, StageChange
from tests.conftest import make_item
from tests.review.conftest import make_comment, make_window

pytestmark = pytest.mark.django_db

SUPERVISORS = ["province_editor", "city_editor"]
OUTSIDE = ["other_province_editor", "other_city_editor"]


@pytest.fixture
def in_review(cast, duty_list):
    """The list submitted, a window open to the cast's department, one comment on an item, disputed."""
    department = cast["department_reviewer"].memberships.get().department
    make_item(duty_list, Part.COORDINATED, name="农村低保审核", leads=[department])
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = make_window(duty_list, department)
    item = duty_list.items.get()
    comment = make_comment(window, item, author=cast["department_reviewer"])
    dispute = Dispute.objects.create(
        duty_list=duty_list,
        comment=make_comment(window, item, author=cast["department_reviewer"], state=Comment.State.DISPUTED),
        item_key=item.key,
        item_name=item.name,
        department=department,
        signature=department.name,
        department_position="应由乡镇配合",
        township_position="应收回",
        raised_by=cast["county_editor"],
    )
    duty_list.refresh_from_db()
    return {"window": window, "comment": comment, "dispute": dispute, "item": item}


def snapshot(duty_list: DutyList) -> tuple:
    duty_list.refresh_from_db()
    return (
        duty_list.stage,
        duty_list.version,
        StageChange.objects.count(),
        list(Comment.objects.order_by("pk").values_list("pk", "state", "answer")),
        Dispute.objects.count(),
        Decision.objects.count(),
        list(CommentWindow.objects.order_by("pk").values_list("deadline", "closed_at")),
        list(Invitation.objects.order_by("pk").values_list("finished_at", flat=True)),
    )


@pytest.mark.parametrize("stage", Stage.values)
@pytest.mark.parametrize("role", SUPERVISORS)
def test_a_supervisor_may_take_no_step_at_any_stage(cast, duty_list, role, stage):
    DutyList.objects.filter(pk=duty_list.pk).update(stage=stage)  # test setup; the workflow moves stages
    duty_list.refresh_from_db()
    assert workflow.available(duty_list, cast[role]) == []


@pytest.mark.parametrize("role", SUPERVISORS)
def test_no_review_rule_lets_a_supervisor_act(cast, in_review, role):
    user, comment = cast[role], in_review["comment"]
    assert not permissions.can_comment(user, in_review["window"])
    assert not permissions.can_answer(user, comment)
    assert not permissions.can_respond_to_answer(user, comment)
    assert not permissions.can_escalate(user, comment.duty_list)
    assert not permissions.can_decide(user, in_review["dispute"])
    assert not permissions.can_run_template_rounds(user, comment.duty_list.township.county_id)


@pytest.mark.parametrize("role", SUPERVISORS)
def test_every_review_action_posted_by_a_supervisor_is_refused_and_changes_nothing(
    client, cast, duty_list, in_review, role
):
    client.force_login(cast[role])
    before = snapshot(duty_list)
    comment, dispute = in_review["comment"], in_review["dispute"]
    posts = [
        (reverse("review:list_action", args=[duty_list.pk]), {"action": "withdraw", "confirmed": "1"}),
        (reverse("review:list_action", args=[duty_list.pk]), {"action": "open_comments", "confirmed": "1"}),
        (
            reverse("review:comment_add", args=[in_review["window"].pk]) + f"?item={in_review['item'].key}",
            {"position": "agree"},
        ),
        (reverse("review:comment_answer", args=[comment.pk]), {"answer": "accepted"}),
        (reverse("review:comment_respond", args=[comment.pk]), {"accept": "1"}),
        (reverse("review:comment_escalate", args=[comment.pk]), {}),
        (reverse("review:comment_withdraw", args=[comment.pk]), {}),
        (reverse("review:window_finish", args=[in_review["window"].pk]), {}),
        (reverse("review:window_extend", args=[in_review["window"].pk]), {"extend-deadline": "2099-01-01"}),
        (
            reverse("review:decide", args=[dispute.pk]),
            {"outcome": "维持", "meeting": "协调会", "decided_on": "2025-06-01"},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (400, 403, 404) or (
            response.status_code == 200 and "不能" in response.content.decode()
        ), (url, response.status_code)
        assert snapshot(duty_list) == before, url


@pytest.mark.parametrize("role", SUPERVISORS)
def test_a_supervisor_reads_the_review_pages_of_a_county_below(client, cast, duty_list, in_review, role):
    client.force_login(cast[role])
    for name in ["list_review", "list_comments", "compare", "list_disputes", "disposition_report"]:
        response = client.get(reverse(f"review:{name}", args=[duty_list.pk]))
        assert response.status_code == 200, name
    page = client.get(reverse("review:list_review", args=[duty_list.pk])).content.decode()
    assert 'name="action"' not in page  # no button of the workflow


@pytest.mark.parametrize("role", OUTSIDE)
def test_a_supervisor_of_another_city_or_province_gets_404_for_the_county(
    client, cast, duty_list, in_review, role
):
    client.force_login(cast[role])
    county = duty_list.township.county
    for name in ["list_review", "list_comments", "compare", "list_disputes", "disposition_report"]:
        assert client.get(reverse(f"review:{name}", args=[duty_list.pk])).status_code == 404, name
    assert client.get(reverse("review:board") + f"?county={county.pk}").status_code == 404
    assert client.get(reverse("review:docket") + f"?county={county.pk}").status_code == 404
    before = snapshot(duty_list)
    response = client.post(reverse("review:list_action", args=[duty_list.pk]), {"action": "withdraw"})
    assert response.status_code == 404 and snapshot(duty_list) == before

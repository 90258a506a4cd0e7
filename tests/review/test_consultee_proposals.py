"""A consultee's proposal the township accepts during 征求意见 reaches the list, and nobody is left out."""

import pytest
from django.urls import reverse

from catalog.models import DutyItem, DutyList
from catalog.refusals import Conflict, Forbidden, PreconditionFailed, refusal_of
from review import services, workflow
from review.models import Comment, Notification
from tests.review.test_disputes import at_third, decide, disputed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
Stage = DutyList.Stage


@pytest.fixture
def in_consultation(cast, disputed):  # noqa: F811
    duty_list = disputed.duty_list
    decide(disputed, cast["county_leader"])
    workflow.perform(duty_list, "start_consultation", by=cast["county_editor"])
    return duty_list


@pytest.fixture
def proposal(cast, in_consultation, django_capture_on_commit_callbacks):
    item = DutyItem.objects.get(duty_list=in_consultation, name="农村低保审核")
    with django_capture_on_commit_callbacks(execute=True):
        return services.add_comment(
            workflow.open_window(in_consultation),
            by=cast["consultee"],
            item_key=item.key,
            position="modify",
            proposed_content="受理申请并在 15 个工作日内完成入户调查",
        )


def test_the_township_is_told_of_a_consultees_comment(cast, proposal):
    [note] = Notification.objects.filter(user=cast["township_official"], text__contains="农村低保审核")
    assert "提出了意见，请答复" in note.text and note.url.endswith(f"#comment-{proposal.pk}")


def test_an_accepted_proposal_waits_for_the_editor_who_applies_it_before_the_next_step(
    client, cast, in_consultation, proposal, django_capture_on_commit_callbacks
):
    official, editor = cast["township_official"], cast["county_editor"]
    client.force_login(official)
    page = client.get(reverse("review:list_comments", args=[in_consultation.pk])).content.decode()
    assert "采纳，请县委编办按建议修改清单" in page and "采纳并按建议修改清单" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review:comment_answer", args=[proposal.pk]),
            {"answer": "accepted", "apply": "1"},
            follow=True,
        )
    assert "已请县委编办按意见修改" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.answer == Comment.Answer.ACCEPTED and proposal.applied_at is None
    assert Notification.objects.filter(user=editor, text__contains="请按意见修改清单").exists()
    item = DutyItem.objects.get(duty_list=in_consultation, name="农村低保审核")
    assert "15 个工作日" not in item.content
    report = client.get(reverse("review:disposition_report", args=[in_consultation.pk])).content.decode()
    assert "采纳（待修改清单）" in report

    # The list cannot move on while the accepted wording is not in it.
    with pytest.raises(PreconditionFailed) as refused:
        workflow.perform(in_consultation, "start_deliberation", by=editor)
    assert "还有 1 条已采纳的意见没有修改到清单" in refusal_of(refused.value).message
    assert DutyList.objects.get(pk=in_consultation.pk).stage == Stage.CONSULTATION

    # The township may not apply it; the county editor does, from the same page.
    with pytest.raises(Forbidden):
        services.apply_accepted(proposal, by=official)
    client.force_login(editor)
    page = client.get(reverse("review:list_comments", args=[in_consultation.pk])).content.decode()
    assert "已采纳、待修改清单的意见（1 条）" in page
    response = client.post(reverse("review:comment_apply", args=[proposal.pk]), follow=True)
    assert "已按" in response.content.decode()
    item.refresh_from_db()
    assert item.content == "受理申请并在 15 个工作日内完成入户调查"
    assert item.history.first().history_change_reason.startswith("采纳")
    proposal.refresh_from_db()
    assert proposal.applied_at is not None

    workflow.perform(in_consultation, "start_deliberation", by=editor)
    assert DutyList.objects.get(pk=in_consultation.pk).stage == Stage.DELIBERATION
    # What was adopted is in the list the next step froze.
    frozen = workflow.latest_submission(in_consultation).items.get(name="农村低保审核")
    assert frozen.content == "受理申请并在 15 个工作日内完成入户调查"


def test_applying_twice_or_a_rejected_proposal_is_refused(cast, in_consultation, proposal):
    editor = cast["county_editor"]
    services.answer_comment(proposal, by=cast["township_official"], answer="rejected", reason="时限另定")
    with pytest.raises(Conflict) as refused:
        services.apply_accepted(proposal, by=editor)
    assert refusal_of(refused.value).code == "not_accepted"
    services.answer_comment(proposal, by=cast["township_official"], answer="accepted")
    services.apply_accepted(proposal, by=editor)
    with pytest.raises(Conflict) as refused:
        services.apply_accepted(proposal, by=editor)
    assert refusal_of(refused.value).status == 409 and refusal_of(refused.value).code == "already_applied"

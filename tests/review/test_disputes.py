"""Disputes, the leader's decision, the consultees' step and the approval."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import services as catalog_services
from catalog.models import DutyItem, DutyList, Part
from review import decisions, services, workflow
from review.models import (
    Approval,
    Comment,
    CommentWindow,
    Decision,
    Dispute,
    Notification,
    Reply,
    ReviewPolicy,
)
from tests.conftest import make_department, make_item
from tests.review.conftest import make_comment

pytestmark = pytest.mark.django_db
Stage = DutyList.Stage
TODAY = timezone.localdate


def run_round(duty_list, cast, department, comment_on=(), **comment_fields):
    """One window with the department's comments on the named items, then closed."""
    workflow.perform(
        duty_list,
        "open_comments",
        by=cast["county_editor"],
        departments=[department],
        deadline=TODAY() + timedelta(days=3),
    )
    window = workflow.open_window(duty_list)
    comments = [
        services.add_comment(
            window,
            by=cast["department_reviewer"],
            item_key=DutyItem.objects.get(duty_list=duty_list, name=name).key,
            **(comment_fields or {"position": "disagree", "reason": "not_our_duty", "text": "不是本局职责"}),
        )
        for name in comment_on
    ]
    services.finish_feedback(window, by=cast["department_reviewer"])
    workflow.perform(duty_list, "close_comments", by=cast["county_editor"])
    return comments


@pytest.fixture
def at_third(cast, duty_list, department):
    """三上 reached with one comment the township rejected twice and the department kept."""
    make_item(duty_list, Part.COORDINATED, name="秸秆禁烧", leads=[department], township_duties="巡查劝阻")
    make_item(duty_list, name="农村低保审核")
    official = cast["township_official"]
    workflow.perform(duty_list, "submit", by=official)
    [comment] = run_round(duty_list, cast, department, ["秸秆禁烧"])
    services.answer_comment(comment, by=official, answer="rejected", reason="乡镇仅配合，执法在部门")
    workflow.perform(duty_list, "submit", by=official)
    workflow.perform(
        duty_list, "open_comments", by=cast["county_editor"], departments=[department], deadline=TODAY()
    )
    services.respond_to_answer(comment, by=cast["department_reviewer"], accept=False, note="应由乡镇负责")
    services.finish_feedback(workflow.open_window(duty_list), by=cast["department_reviewer"])
    workflow.perform(duty_list, "close_comments", by=cast["county_editor"])
    services.answer_comment(comment, by=official, answer="rejected", reason="仍认为应由部门负责")
    workflow.perform(duty_list, "submit", by=official)
    return duty_list


def test_what_is_still_contested_after_the_last_round_becomes_a_dispute_with_both_positions(
    cast, at_third, department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(at_third, "start_coordination", by=cast["county_editor"])
    dispute = Dispute.objects.get()
    assert (dispute.item_name, dispute.department, dispute.is_escalated) == ("秸秆禁烧", department, False)
    assert "不属于本部门职责" in dispute.department_position and "应由乡镇负责" in dispute.department_position
    assert dispute.township_position == "不采纳：仍认为应由部门负责"
    assert dispute.comment.state == Comment.State.DISPUTED
    assert Notification.objects.filter(user=cast["county_leader"], text__contains="1 个争议事项").exists()


def test_coordination_waits_for_an_open_window_to_close(cast, at_third, department):
    workflow.perform(
        at_third, "open_comments", by=cast["county_editor"], departments=[department], deadline=TODAY()
    )
    with pytest.raises(ValidationError, match="意见征求尚未结束"):
        workflow.perform(at_third, "start_coordination", by=cast["county_editor"])
    assert not Dispute.objects.exists()


@pytest.fixture
def disputed(cast, at_third):
    workflow.perform(at_third, "start_coordination", by=cast["county_editor"])
    return Dispute.objects.get()


def decide(dispute, user, **fields):
    values = {
        "outcome": "列为配合事项，由县农业农村局牵头",
        "meeting": "县委常委会协调会",
        "decided_on": TODAY(),
    }
    return decisions.decide_dispute(dispute, by=user, **(values | fields))


def test_the_leader_decides_and_the_decision_is_applied_and_locks_the_item(
    cast, disputed, department, django_capture_on_commit_callbacks
):
    other = make_department(disputed.duty_list.township.county, "县生态环境分局")
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(
            disputed, cast["county_leader"], lead_departments=[other], document_number="示委办〔2025〕3号"
        )
    item = DutyItem.objects.get(key=disputed.item_key)
    assert item.is_decided and list(item.lead_departments.all()) == [other]
    assert "协调拍板：县委常委会协调会" in item.history.first().history_change_reason
    assert decision.decided_by == cast["county_leader"] and decision.document_number == "示委办〔2025〕3号"
    for user in (cast["township_official"], cast["department_reviewer"]):
        assert Notification.objects.filter(user=user, text__contains="已协调拍板").exists()

    item.name = "编办想再改"
    with pytest.raises(PermissionDenied, match="已经协调拍板"):
        catalog_services.save_item(item, by=cast["county_editor"])
    assert DutyItem.objects.get(pk=item.pk).name == "秸秆禁烧"
    with pytest.raises(ValidationError, match="决定不能更改"):
        decide(disputed, cast["county_leader"], outcome="改主意")
    with pytest.raises(ValueError):
        decision.save()


def test_a_decision_moving_the_item_to_another_part_applies_the_part_rules(cast, disputed):
    decide(disputed, cast["county_leader"], part=Part.BASIC, outcome="由乡镇负责")
    item = DutyItem.objects.get(key=disputed.item_key)
    assert item.part == Part.BASIC and item.content == "巡查劝阻" and not item.lead_departments.exists()


def test_a_decision_breaking_the_part_rules_is_refused_and_changes_nothing(cast, disputed):
    with pytest.raises(ValidationError, match="收回（承接）部门"):
        decide(disputed, cast["county_leader"], part=Part.RECLAIMED)
    assert not Decision.objects.exists()
    assert DutyItem.objects.get(key=disputed.item_key).part == Part.COORDINATED


@pytest.mark.parametrize(
    "role", ["county_editor", "township_official", "department_reviewer", "other_county_leader"]
)
def test_only_the_county_leader_decides(cast, disputed, role):
    with pytest.raises(PermissionDenied):
        decide(disputed, cast[role])
    assert not Decision.objects.exists() and not DutyItem.objects.get(key=disputed.item_key).is_decided


def test_a_decision_needs_its_meeting_and_a_date_not_in_the_future(cast, disputed):
    with pytest.raises(ValidationError) as refused:
        decide(disputed, cast["county_leader"], meeting="", decided_on=TODAY() + timedelta(days=1))
    assert set(refused.value.message_dict) == {"meeting", "decided_on"}
    assert not Decision.objects.exists()


def test_the_closing_steps_wait_for_every_dispute_to_be_decided(cast, disputed):
    with pytest.raises(ValidationError, match="还有 1 个争议事项等待县领导协调拍板"):
        workflow.perform(disputed.duty_list, "start_consultation", by=cast["county_editor"])
    decide(disputed, cast["county_leader"])
    workflow.perform(disputed.duty_list, "start_consultation", by=cast["county_editor"])
    assert DutyList.objects.get(pk=disputed.duty_list_id).stage == Stage.CONSULTATION


def test_the_editor_can_escalate_a_comment_before_the_last_round(cast, duty_list, department):
    make_item(duty_list, name="宅基地审批")
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    [comment] = run_round(duty_list, cast, department, ["宅基地审批"])
    with pytest.raises(PermissionDenied):
        decisions.escalate_comment(comment, by=cast["township_official"])
    dispute = decisions.escalate_comment(comment, by=cast["county_editor"])
    assert dispute.is_escalated and dispute.township_position == "（乡镇尚未答复）"
    comment.refresh_from_db()
    assert comment.state == Comment.State.DISPUTED
    # A disputed comment no longer waits for the township's answer.
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    with pytest.raises(ValidationError, match="只有尚未解决的意见"):
        decisions.escalate_comment(comment, by=cast["county_editor"])


def test_consultees_comment_in_consultation_and_the_editor_answers(cast, disputed):
    duty_list = disputed.duty_list
    decide(disputed, cast["county_leader"])
    workflow.perform(duty_list, "start_consultation", by=cast["county_editor"])
    window = workflow.open_window(duty_list)
    assert window.kind == CommentWindow.Kind.CONSULTEES and window.submission.stage == Stage.CONSULTATION
    consultee = cast["consultee"]
    consultee.memberships.update(title="县人大代表")
    consultee.__dict__.pop("_memberships_cache", None)
    item = DutyItem.objects.get(duty_list=duty_list, name="农村低保审核")
    comment = services.add_comment(
        window, by=consultee, item_key=item.key, position="modify", text="写明时限"
    )
    assert (comment.signature, comment.department) == ("县人大代表", None)
    with pytest.raises(PermissionDenied):
        services.add_comment(
            window, by=cast["department_reviewer"], position="modify", text="部门不在此阶段提"
        )
    with pytest.raises(ValidationError, match="还有 1 条意见没有答复"):
        workflow.perform(duty_list, "start_deliberation", by=cast["county_editor"])
    services.answer_comment(comment, by=cast["county_editor"], answer="partly", reason="时限另行规定")
    workflow.perform(duty_list, "start_deliberation", by=cast["county_editor"])
    assert CommentWindow.objects.get(pk=window.pk).closed_at is not None
    assert workflow.open_window(duty_list).submission.stage == Stage.DELIBERATION


def test_approval_records_the_meeting_date_and_number_and_freezes_the_list(cast, disputed):
    duty_list = disputed.duty_list
    decide(disputed, cast["county_leader"])
    ReviewPolicy.objects.create(
        county=duty_list.township.county, has_consultation=False, has_deliberation=False
    )
    editor = cast["county_editor"]
    with pytest.raises(ValidationError, match="审定须填写审定会议、文号"):
        workflow.perform(duty_list, "approve", by=editor, approved_on=date(2025, 6, 30))
    workflow.perform(
        duty_list,
        "approve",
        by=editor,
        meeting="县委常委会第12次会议",
        approved_on=date(2025, 6, 30),
        document_number="示委发〔2025〕12号",
    )
    approval = Approval.objects.get()
    assert (approval.meeting, approval.document_number, approval.recorded_by) == (
        "县委常委会第12次会议",
        "示委发〔2025〕12号",
        editor,
    )
    assert approval.submission.stage == Stage.APPROVED and approval.submission.items.count() == 2
    item = DutyItem.objects.get(duty_list=duty_list, name="农村低保审核")
    item.name = "审定后修改"
    with pytest.raises(PermissionDenied):
        catalog_services.save_item(item, by=editor)
    with pytest.raises(ValueError):
        approval.save()


def test_a_decision_naming_another_countys_department_is_refused(cast, disputed):
    stranger = make_department(cast["other_county_editor"].memberships.get().county, "别县农业局")
    with pytest.raises(ValidationError, match="别县农业局不属于本县"):
        decide(disputed, cast["county_leader"], lead_departments=[stranger])
    with pytest.raises(ValidationError, match="请选择基本、配合"):
        decide(disputed, cast["county_leader"], part="nonsense")
    assert not Decision.objects.exists()


def test_a_dispute_about_an_item_the_township_removed_can_still_be_decided(cast, duty_list, department):
    item = make_item(duty_list, name="宅基地审批")
    make_item(duty_list, name="其他事项")
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    [comment] = run_round(duty_list, cast, department, ["宅基地审批"])
    catalog_services.delete_item(DutyItem.objects.get(pk=item.pk), by=cast["township_official"])
    dispute = decisions.escalate_comment(comment, by=cast["county_editor"])
    with pytest.raises(ValidationError, match="已不在草稿中"):
        decide(dispute, cast["county_leader"], name="恢复并改名")
    decision = decide(dispute, cast["county_leader"], outcome="同意删除")
    assert decision.pk and not DutyItem.objects.active().filter(pk=item.pk).exists()


def test_a_consultation_deadline_cannot_lie_in_the_past(cast, disputed):
    decide(disputed, cast["county_leader"])
    with pytest.raises(ValidationError, match="已经过去"):
        workflow.perform(
            disputed.duty_list,
            "start_consultation",
            by=cast["county_editor"],
            deadline=TODAY() - timedelta(days=1),
        )
    assert DutyList.objects.get(pk=disputed.duty_list_id).stage == Stage.COORDINATION


# The leader reads the whole exchange before deciding.


def decision_page(client, cast, dispute) -> str:
    client.force_login(cast["county_leader"])
    response = client.get(reverse("review:decide", args=[dispute.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_decision_page_shows_every_comment_and_answer_across_rounds_and_the_items_text(
    client, cast, at_third, department
):
    item = DutyItem.objects.get(duty_list=at_third, name="秸秆禁烧")
    second_window = CommentWindow.objects.filter(duty_list=at_third).order_by("pk")[1]
    make_comment(
        second_window,
        item,
        author=cast["department_reviewer"],
        position="modify",
        text="建议明确巡查频次",
        state=Comment.State.SETTLED,
    )
    workflow.perform(at_third, "start_coordination", by=cast["county_editor"])
    dispute = Dispute.objects.get()
    assert "乡镇仅配合，执法在部门" not in dispute.township_position  # only the latest answer is kept there
    item.refresh_from_db()
    item.township_duties = "巡查劝阻并及时上报"
    catalog_services.save_item(item, by=cast["county_editor"])  # the text as it is now, not as submitted

    current, html = decision_page(client, cast, dispute).split("历轮意见与答复", 1)
    assert "事项当前内容" in current and "巡查劝阻并及时上报" in current and "配合履职事项" in current
    turns = ["不是本局职责", "乡镇仅配合，执法在部门", "坚持原意见：应由乡镇负责", "仍认为应由部门负责"]
    positions = [html.index(turn) for turn in turns]
    assert positions == sorted(positions)
    assert "一上稿 · 县农业农村局" in html and "二上稿 · 县农业农村局" in html and "建议明确巡查频次" in html


def test_the_exchange_is_read_in_a_fixed_number_of_queries(client, cast, at_third, department):
    workflow.perform(at_third, "start_coordination", by=cast["county_editor"])
    dispute = Dispute.objects.get()
    client.force_login(cast["county_leader"])
    url = reverse("review:decide", args=[dispute.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    item = DutyItem.objects.get(key=dispute.item_key)
    for window in CommentWindow.objects.filter(duty_list=at_third):
        for n in range(3):
            comment = make_comment(window, item, author=cast["department_reviewer"], text=f"补充意见{n}")
            Reply.objects.create(comment=comment, kind=Reply.Kind.ANSWER, answer="rejected", text=f"答复{n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "答复2" in page and len(many) == len(few)


def test_turns_given_before_replies_were_kept_are_recovered_from_the_comments_history(cast, at_third):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("review.migrations.0007_comment_replies")
    kept = list(Reply.objects.values_list("kind", "answer", "text"))
    Reply.objects.all().delete()
    migration.replies_from_history(apps, None)
    assert (
        list(Reply.objects.values_list("kind", "answer", "text"))
        == kept
        == [
            ("answer", "rejected", "乡镇仅配合，执法在部门"),
            ("insist", "", "应由乡镇负责"),
            ("answer", "rejected", "仍认为应由部门负责"),
        ]
    )

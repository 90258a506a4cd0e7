"""A review that cannot trap anyone: the round form says which departments can answer, the editor closes
a round early (the rest recorded as 未反馈) or gives more time, irreversible steps say what they will do
before they happen, and the township takes a submission back until a department has answered."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import permissions as catalog_permissions
from catalog.models import DutyList, Part
from catalog.refusals import Conflict, Forbidden, Invalid, PreconditionFailed, refusal_of
from review import rounds, services, workflow
from review.inbox import inbox_for
from review.models import CommentWindow, DeadlineExtension, Notification, StageChange, Submission
from tests.conftest import make_department, make_item

pytestmark = pytest.mark.django_db
Stage = DutyList.Stage


def action(client, duty_list, **data):
    return client.post(reverse("review:list_action", args=[duty_list.pk]), data, follow=True)


def review_page(client, duty_list) -> str:
    return client.get(reverse("review:list_review", args=[duty_list.pk])).content.decode()


@pytest.fixture
def submitted(cast, duty_list, department):
    make_item(duty_list, name="农村低保")
    make_item(duty_list, Part.COORDINATED, name="森林防火", leads=[department])
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    return duty_list


def open_round(duty_list, editor, *departments, days: int = 5) -> CommentWindow:
    workflow.perform(
        duty_list,
        "open_comments",
        by=editor,
        departments=list(departments),
        deadline=timezone.localdate() + timedelta(days=days),
    )
    return workflow.open_window(duty_list)


# Which departments can answer a round.


def test_the_round_form_ticks_only_named_departments_that_have_reviewer_accounts(
    client, cast, duty_list, department
):
    nobody_there = make_department(duty_list.township.county, "县林业局")
    make_item(duty_list, Part.COORDINATED, name="森林防火", leads=[department, nobody_there])
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    client.force_login(cast["county_editor"])
    page = client.get(reverse("review:list_review", args=[duty_list.pk]))
    transition, form = page.context["actions"][0]
    assert transition.action == "open_comments" and form.initial["departments"] == [department.pk]
    html = page.content.decode()
    assert "县林业局（暂无审核账号）" in html and "县农业农村局（暂无审核账号）" not in html


# Closing a round early, and 未反馈.


def test_the_editor_closes_a_round_early_only_after_confirming_who_stays_without_feedback(
    client, cast, submitted, department
):
    other = make_department(submitted.township.county, "县应急管理局")
    window = open_round(submitted, cast["county_editor"], department, other)
    services.finish_feedback(window, by=cast["department_reviewer"])
    client.force_login(cast["county_editor"])
    assert "尚未反馈完毕的县应急管理局将记为“未反馈”" in review_page(client, submitted)

    refused = client.post(reverse("review:list_action", args=[submitted.pk]), {"action": "close_comments"})
    assert refused.status_code == 400 and "提前结束须确认" in refused.content.decode()
    assert workflow.open_window(submitted) == window

    closed = action(client, submitted, **{"action": "close_comments", "close-early": "on"})
    assert "已进入“一下”阶段" in closed.content.decode()
    window.refresh_from_db()
    assert window.closed_at is not None and window.closed_by == cast["county_editor"]
    assert DutyList.objects.get(pk=submitted.pk).stage == Stage.FIRST_FEEDBACK
    html = review_page(client, submitted)
    assert "县农业农村局：反馈完毕" in html and "县应急管理局：未反馈" in html and "提前结束" in html
    window_page = client.get(reverse("review:window", args=[window.pk])).content.decode()
    assert "县应急管理局（未反馈）" in window_page


def test_closing_early_is_a_precondition_of_the_close_action(cast, submitted, department):
    open_round(submitted, cast["county_editor"], department)
    with pytest.raises(PreconditionFailed, match="尚未反馈完毕：县农业农村局"):
        workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    change = workflow.perform(submitted, "close_comments", by=cast["county_editor"], early=True)
    assert (change.from_stage, change.to_stage) == (Stage.FIRST_SUBMITTED, Stage.FIRST_FEEDBACK)


# Extending a deadline.


def test_the_editor_extends_a_deadline_and_the_round_records_who_and_when(
    client, cast, submitted, department, django_capture_on_commit_callbacks
):
    window = open_round(submitted, cast["county_editor"], department, days=1)
    window.invitations.update(reminded_at=timezone.now())
    later = timezone.localdate() + timedelta(days=8)
    client.force_login(cast["county_editor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review:window_extend", args=[window.pk]),
            {"extend-deadline": later.isoformat(), "extend-note": "部门申请延期"},
            follow=True,
        )
    assert f"已延长至 {later:%Y-%m-%d}" in response.content.decode()
    window.refresh_from_db()
    assert window.deadline == later and window.invitations.get().reminded_at is None
    extension = DeadlineExtension.objects.get()
    assert (extension.previous_deadline, extension.deadline, extension.extended_by, extension.note) == (
        timezone.localdate() + timedelta(days=1),
        later,
        cast["county_editor"],
        "部门申请延期",
    )
    assert f"延长至 {later:%Y-%m-%d}（部门申请延期）" in review_page(client, submitted)
    news = Notification.objects.get(user=cast["department_reviewer"], text__contains="延长")
    assert f"{later:%Y-%m-%d}" in news.text


def test_extending_a_deadline_is_refused_with_a_code(client, cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    later = window.deadline + timedelta(days=3)
    with pytest.raises(Forbidden) as refused:
        rounds.extend_deadline(window, by=cast["township_official"], deadline=later)
    assert refusal_of(refused.value).code == "not_allowed"
    with pytest.raises(Invalid) as refused:
        rounds.extend_deadline(window, by=cast["county_editor"], deadline=window.deadline)
    assert (refusal_of(refused.value).code, refusal_of(refused.value).field) == (
        "deadline_not_later",
        "deadline",
    )
    with pytest.raises(Invalid) as refused:
        rounds.extend_deadline(window, by=cast["county_editor"], deadline=date(2020, 1, 1))
    assert refusal_of(refused.value).code == "deadline_past"
    workflow.perform(submitted, "close_comments", by=cast["county_editor"], early=True)
    with pytest.raises(Conflict) as refused:
        rounds.extend_deadline(window, by=cast["county_editor"], deadline=later)
    assert refusal_of(refused.value).status == 409
    assert not DeadlineExtension.objects.exists()
    client.force_login(cast["department_reviewer"])
    forbidden = client.post(
        reverse("review:window_extend", args=[window.pk]), {"extend-deadline": later.isoformat()}
    )
    assert forbidden.status_code == 403


# Irreversible steps ask first.


def test_submitting_shows_what_will_be_frozen_and_happens_only_once_confirmed(client, cast, duty_list):
    make_item(duty_list, name="农村低保")
    make_item(duty_list, name="殡葬管理")
    make_item(duty_list, Part.RECLAIMED, name="林木采伐许可")
    client.force_login(cast["township_official"])
    asked = action(client, duty_list, action="submit", note="请审核")
    html = asked.content.decode()
    assert "3 项事项（基本履职事项 2 项、上级部门收回事项 1 项）将作为“一上稿”冻结" in html
    assert "可以撤回" in html and 'name="note" value="请审核"' in html
    assert not Submission.objects.exists() and not StageChange.objects.exists()

    action(client, duty_list, action="submit", note="请审核", confirmed="1")
    assert Submission.objects.get().note == "请审核"
    assert DutyList.objects.get(pk=duty_list.pk).stage == Stage.FIRST_SUBMITTED


def test_coordination_and_approval_say_what_they_lock_before_they_happen(client, cast, duty_list, department):
    from tests.review.test_pages import comment_on, open_window

    make_item(duty_list, Part.COORDINATED, name="森林防火", leads=[department])
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = open_window(duty_list, cast, department)
    comment_on(window, cast["department_reviewer"], ["森林防火"])
    services.finish_feedback(window, by=cast["department_reviewer"])
    workflow.perform(duty_list, "close_comments", by=cast["county_editor"])
    comment = window.comments.get()
    services.answer_comment(comment, by=cast["township_official"], answer="rejected", reason="沿用省级目录")
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    DutyList.objects.filter(pk=duty_list.pk).update(stage=Stage.THIRD_SUBMITTED)  # the rounds, shortened

    client.force_login(cast["county_editor"])
    html = action(client, duty_list, action="start_coordination").content.decode()
    assert "尚未解决的 1 条意见将列为争议事项（涉及县农业农村局）" in html and "不能再征求部门意见" in html
    assert DutyList.objects.get(pk=duty_list.pk).stage == Stage.THIRD_SUBMITTED
    action(client, duty_list, action="start_coordination", confirmed="1")
    assert DutyList.objects.get(pk=duty_list.pk).stage == Stage.COORDINATION

    DutyList.objects.filter(pk=duty_list.pk).update(stage=Stage.DELIBERATION)
    comment.dispute.delete()
    approval = {
        "action": "approve",
        "approval-meeting": "县委常委会第12次会议",
        "approval-approved_on": timezone.localdate().isoformat(),
        "approval-document_number": "示委发〔2025〕12号",
    }
    html = action(client, duty_list, **approval).content.decode()
    assert "由县委常委会第12次会议于" in html and "审定后清单锁定" in html
    assert DutyList.objects.get(pk=duty_list.pk).stage == Stage.DELIBERATION
    action(client, duty_list, **approval, confirmed="1")
    assert DutyList.objects.get(pk=duty_list.pk).stage == Stage.APPROVED


# Withdrawing a submission.


def test_the_township_withdraws_its_submission_while_no_department_has_answered(
    client, cast, submitted, department, django_capture_on_commit_callbacks
):
    window = open_round(submitted, cast["county_editor"], department)
    client.force_login(cast["township_official"])
    assert "撤回一上" in review_page(client, submitted)

    with django_capture_on_commit_callbacks(execute=True):
        action(client, submitted, action="withdraw", note="漏报两项")
    assert DutyList.objects.get(pk=submitted.pk).stage == Stage.DRAFTING
    window.refresh_from_db()
    assert window.closed_by == cast["township_official"]
    change = StageChange.objects.get(action="withdraw")
    assert (change.label, change.from_stage, change.to_stage, change.note) == (
        "撤回一上",
        Stage.FIRST_SUBMITTED,
        Stage.DRAFTING,
        "漏报两项",
    )
    assert catalog_permissions.can_edit_list(cast["township_official"], DutyList.objects.get(pk=submitted.pk))
    assert Notification.objects.filter(user=cast["department_reviewer"], text__contains="撤回").exists()
    assert "撤回了" in Notification.objects.get(user=cast["county_editor"]).text

    # Submitted again, it waits for a new round of its own.
    workflow.perform(submitted, "submit", by=cast["township_official"])
    assert [s.round for s in Submission.objects.all()] == [1, 2]
    assert inbox_for(cast["county_editor"]).to_open == [submitted]


def test_no_withdrawal_once_a_department_has_commented(client, cast, submitted, department):
    from tests.review.test_pages import comment_on

    window = open_round(submitted, cast["county_editor"], department)
    comment_on(window, cast["department_reviewer"], ["森林防火"])
    client.force_login(cast["township_official"])
    assert "撤回一上" not in review_page(client, submitted)
    html = action(client, submitted, action="withdraw").content.decode()
    assert "县农业农村局已经对本次提交提出意见或确认反馈完毕，不能再撤回" in html
    assert DutyList.objects.get(pk=submitted.pk).stage == Stage.FIRST_SUBMITTED
    assert workflow.open_window(submitted) == window and not StageChange.objects.filter(action="withdraw")


def test_no_withdrawal_once_a_department_has_declared_it_has_nothing_to_say(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    services.finish_feedback(window, by=cast["department_reviewer"])
    with pytest.raises(PreconditionFailed, match="县农业农村局"):
        workflow.perform(submitted, "withdraw", by=cast["township_official"])
    assert DutyList.objects.get(pk=submitted.pk).stage == Stage.FIRST_SUBMITTED


def test_a_step_that_would_be_refused_says_so_without_asking_to_confirm(client, cast, duty_list):
    client.force_login(cast["township_official"])
    html = action(client, duty_list, action="submit").content.decode()
    assert "还没有任何事项，不能提交" in html and "确认一上：提交清单" not in html
    assert not StageChange.objects.exists()

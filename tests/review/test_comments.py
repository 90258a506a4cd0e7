"""Comment windows, comments and answers: what each person may do, when, and what it leaves behind."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog import services as catalog_services
from catalog.actors import SYSTEM
from catalog.models import DutyItem, DutyList, Part
from review import decisions, services, workflow
from review.models import Comment, CommentWindow, Invitation, Notification
from tests.conftest import make_department, make_item, make_user

pytestmark = pytest.mark.django_db
Stage = DutyList.Stage
Position = Comment.Position


@pytest.fixture
def submitted(cast, duty_list, department):
    """A list at 一上 with three items, one of them naming the reviewer's department."""
    make_item(duty_list, name="农村低保审核")
    make_item(
        duty_list, Part.COORDINATED, name="耕地保护巡查", leads=[department], township_duties="日常巡查"
    )
    make_item(duty_list, name="殡葬管理")
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    return duty_list


def open_round(duty_list, editor, *departments, deadline=None):
    workflow.perform(
        duty_list,
        "open_comments",
        by=editor,
        departments=list(departments),
        deadline=deadline or timezone.localdate() + timedelta(days=5),
    )
    return workflow.open_window(duty_list)


def item_named(duty_list, name) -> DutyItem:
    return DutyItem.objects.get(duty_list=duty_list, name=name)


def past_deadline(window: CommentWindow) -> None:
    CommentWindow.objects.filter(pk=window.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    window.refresh_from_db()


def test_opening_a_window_asks_the_departments_and_tells_their_reviewers(
    cast, submitted, department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        window = open_round(submitted, cast["county_editor"], department)
    assert window.submission.round == 1 and window.deadline > timezone.localdate()
    assert [i.department for i in window.invitations.all()] == [department]
    assert submitted.stage == Stage.FIRST_SUBMITTED  # the round runs inside 一上
    notice = Notification.objects.get(user=cast["department_reviewer"])
    assert "请在" in notice.text and notice.url.endswith(f"/review/windows/{window.pk}/")
    assert not Notification.objects.filter(user=cast["township_official"]).exists()


@pytest.mark.parametrize(
    ("departments", "deadline", "message"),
    [
        ([], 3, "请至少选择一个征求意见的部门"),
        (["own"], -1, "已经过去"),
        (["elsewhere"], 3, "只能向本县的部门征求意见"),
    ],
)
def test_a_window_needs_departments_of_the_county_and_a_future_deadline(
    cast, submitted, department, departments, deadline, message
):
    chosen = {
        "own": department,
        "elsewhere": make_department(cast["other_county_editor"].memberships.get().county),
    }
    with pytest.raises(ValidationError, match=message):
        workflow.perform(
            submitted,
            "open_comments",
            by=cast["county_editor"],
            departments=[chosen[d] for d in departments],
            deadline=timezone.localdate() + timedelta(days=deadline),
        )
    assert not CommentWindow.objects.exists()


def test_a_window_closes_after_the_deadline_or_once_every_department_has_finished(
    cast, submitted, department
):
    other = make_department(submitted.township.county, "县应急管理局")
    window = open_round(submitted, cast["county_editor"], department, other)
    with pytest.raises(ValidationError, match="尚未反馈完毕：县农业农村局、县应急管理局"):
        workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    services.finish_feedback(window, by=cast["department_reviewer"])
    with pytest.raises(ValidationError, match="尚未反馈完毕：县应急管理局"):
        workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    past_deadline(window)
    workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    window.refresh_from_db()
    assert window.closed_at is not None and window.closed_by == cast["county_editor"]
    assert DutyList.objects.get(pk=submitted.pk).stage == Stage.FIRST_FEEDBACK


def test_every_department_finishing_lets_the_editor_close_before_the_deadline(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    invitation = services.finish_feedback(window, by=cast["department_reviewer"])
    assert invitation.finished_by == cast["department_reviewer"]
    workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    assert DutyList.objects.get(pk=submitted.pk).stage == Stage.FIRST_FEEDBACK


def test_a_comment_is_signed_by_the_user_and_their_department_on_the_frozen_text(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    item = item_named(submitted, "耕地保护巡查")
    item.name = "township renamed it afterwards"
    catalog_services.save_item(item, by=SYSTEM)  # the draft moves on; the comment stays on the frozen text
    comment = services.add_comment(
        window,
        by=cast["department_reviewer"],
        item_key=item.key,
        position=Position.MODIFY,
        proposed_name="耕地保护日常巡查",
        text="名称应与本局清单一致",
    )
    assert (comment.author, comment.department, comment.signature) == (
        cast["department_reviewer"],
        department,
        "县农业农村局",
    )
    assert comment.item_name == "耕地保护巡查" and comment.state == Comment.State.OPEN
    assert comment.position_text() == "建议修改：建议事项名称为“耕地保护日常巡查”；名称应与本局清单一致"


def test_agreeing_needs_no_answer(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    item = item_named(submitted, "殡葬管理")
    comment = services.add_comment(
        window, by=cast["department_reviewer"], item_key=item.key, position="agree"
    )
    assert comment.state == Comment.State.SETTLED


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"position": "disagree"}, "reason", "“不同意”须选择理由"),
        ({"position": "disagree", "reason": "other"}, "text", "理由为“其他”时须写明具体理由"),
        ({"position": "modify"}, "text", "“建议修改”须写明"),
        ({"position": "agree", "proposed_name": "改名"}, "position", "“同意”不带修改建议"),
        ({"position": "modify", "proposed_part": Part.BASIC}, "proposed_part", "该事项已是基本履职事项"),
        ({"position": "nonsense"}, "position", "请选择意见"),
    ],
)
def test_a_position_missing_what_it_needs_is_refused_by_field(
    cast, submitted, department, fields, field, message
):
    window = open_round(submitted, cast["county_editor"], department)
    item = item_named(submitted, "殡葬管理")
    with pytest.raises(ValidationError) as refused:
        services.add_comment(window, by=cast["department_reviewer"], item_key=item.key, **fields)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Comment.objects.exists()


def propose_item(window, user, department) -> Comment:
    category = DutyItem.objects.filter(duty_list=window.duty_list).first().category
    return services.add_comment(
        window,
        by=user,
        position=Position.ADD,
        proposed_name="高标准农田建设配合",
        proposed_part=Part.COORDINATED,
        proposed_category=category,
        proposed_lead_departments=[department],
        text="乡镇负责协调用地",
    )


def test_a_department_may_propose_a_missing_item_and_comment_on_the_whole_list(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    added = propose_item(window, cast["department_reviewer"], department)
    overall = services.add_comment(
        window, by=cast["department_reviewer"], position=Position.MODIFY, text="配合事项的职责边界写得过粗"
    )
    assert added.item_key is None and added.has_proposal
    assert overall.item_key is None and not overall.has_proposal


@pytest.mark.parametrize(
    ("role", "error"),
    [
        ("township_official", PermissionDenied),  # a township commenting as a department
        ("county_leader", PermissionDenied),
        ("other_county_editor", PermissionDenied),
        ("consultee", PermissionDenied),
    ],
)
def test_only_reviewers_of_an_invited_department_comment(cast, submitted, department, role, error):
    window = open_round(submitted, cast["county_editor"], department)
    item = item_named(submitted, "殡葬管理")
    with pytest.raises(error):
        services.add_comment(window, by=cast[role], item_key=item.key, position="agree")
    assert not Comment.objects.exists()


def test_a_department_not_asked_cannot_comment(cast, submitted, department):
    asked = make_department(submitted.township.county, "县民政局")
    window = open_round(submitted, cast["county_editor"], asked)
    with pytest.raises(PermissionDenied, match="没有请您所在的部门"):
        services.add_comment(window, by=cast["department_reviewer"], position="modify", text="意见")
    assert not Comment.objects.exists()


def test_no_comment_after_the_deadline_or_after_finishing(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    services.finish_feedback(window, by=cast["department_reviewer"])
    with pytest.raises(ValidationError, match="已确认反馈完毕"):
        services.add_comment(window, by=cast["department_reviewer"], position="modify", text="补充")
    Invitation.objects.update(finished_at=None)
    past_deadline(window)
    with pytest.raises(ValidationError, match="截止日期（.*）已过"):
        services.add_comment(window, by=cast["department_reviewer"], position="modify", text="迟到的意见")
    assert not Comment.objects.exists()


def test_a_reviewer_of_two_departments_chooses_which_one_signs(cast, submitted, department):
    second = make_department(submitted.township.county, "县自然资源局")
    user = cast["department_reviewer"]
    user.memberships.create(role="department_reviewer", county=submitted.township.county, department=second)
    user.__dict__.pop("_memberships_cache", None)
    window = open_round(submitted, cast["county_editor"], department, second)
    with pytest.raises(ValidationError, match="请选择以哪个部门的名义"):
        services.add_comment(window, by=user, position="modify", text="意见")
    comment = services.add_comment(window, by=user, department=second, position="modify", text="意见")
    assert comment.signature == "县自然资源局"


# Answers.


@pytest.fixture
def commented(cast, submitted, department):
    """一下 with three comments from the department, the window closed."""
    window = open_round(submitted, cast["county_editor"], department)
    reviewer = cast["department_reviewer"]
    rename = services.add_comment(
        window,
        by=reviewer,
        item_key=item_named(submitted, "耕地保护巡查").key,
        position=Position.MODIFY,
        proposed_name="耕地保护日常巡查",
    )
    reject = services.add_comment(
        window,
        by=reviewer,
        item_key=item_named(submitted, "农村低保审核").key,
        position=Position.DISAGREE,
        reason=Comment.Reason.NOT_OUR_DUTY,
    )
    move = services.add_comment(
        window,
        by=reviewer,
        item_key=item_named(submitted, "殡葬管理").key,
        position=Position.MODIFY,
        proposed_part=Part.COORDINATED,
        proposed_lead_departments=[department],
    )
    services.finish_feedback(window, by=reviewer)
    workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    return {"rename": rename, "reject": reject, "move": move}


def test_accepting_applies_the_proposal_in_one_step_recorded_as_caused_by_the_comment(
    cast, submitted, commented
):
    comment = services.answer_comment(
        commented["rename"], by=cast["township_official"], answer="accepted", apply=True
    )
    item = DutyItem.objects.get(key=comment.item_key)
    assert item.name == "耕地保护日常巡查"
    assert comment.state == Comment.State.SETTLED and comment.applied_at is not None
    record = item.history.first()
    assert f"意见编号 {comment.pk}" in record.history_change_reason
    assert record.history_user == cast["township_official"]


def test_accepting_a_move_to_another_part_moves_the_item_with_the_proposed_lead(
    cast, submitted, commented, department
):
    services.answer_comment(commented["move"], by=cast["township_official"], answer="accepted", apply=True)
    item = item_named(submitted, "殡葬管理")
    assert item.part == Part.COORDINATED and list(item.lead_departments.all()) == [department]
    assert item.township_duties and item.content == ""  # what the township does moved to its duties


def test_not_accepting_needs_a_reason(cast, submitted, commented):
    with pytest.raises(ValidationError, match="部分采纳或不采纳须写明理由"):
        services.answer_comment(commented["reject"], by=cast["township_official"], answer="rejected")
    assert Comment.objects.get(pk=commented["reject"].pk).answer == ""
    answered = services.answer_comment(
        commented["reject"],
        by=cast["township_official"],
        answer="rejected",
        reason="低保初审依法由乡镇承担",
    )
    assert (answered.state, answered.answered_by) == (Comment.State.ANSWERED, cast["township_official"])


def test_only_an_accepted_proposal_can_be_applied(cast, submitted, commented):
    with pytest.raises(ValidationError, match="只有采纳的意见可以一键修改"):
        services.answer_comment(
            commented["rename"], by=cast["township_official"], answer="partly", reason="部分", apply=True
        )
    assert item_named(submitted, "耕地保护巡查")


@pytest.mark.parametrize(
    "role", ["department_reviewer", "county_leader", "other_township_official", "consultee"]
)
def test_only_the_township_or_the_editor_answers(cast, submitted, commented, role):
    with pytest.raises(PermissionDenied):
        services.answer_comment(commented["rename"], by=cast[role], answer="accepted", apply=True)
    comment = Comment.objects.get(pk=commented["rename"].pk)
    assert comment.answer == "" and comment.state == Comment.State.OPEN
    assert item_named(submitted, "耕地保护巡查")


def test_comments_are_not_answered_while_the_window_is_open(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    comment = services.add_comment(window, by=cast["department_reviewer"], position="modify", text="整体意见")
    with pytest.raises(ValidationError, match="现在不能答复"):
        services.answer_comment(comment, by=cast["township_official"], answer="accepted")
    assert Comment.objects.get(pk=comment.pk).answer == ""


def test_the_next_submission_waits_until_every_comment_has_an_answer(cast, submitted, commented):
    official = cast["township_official"]
    services.answer_comment(commented["rename"], by=official, answer="accepted", apply=True)
    with pytest.raises(ValidationError, match="还有 2 条意见没有答复"):
        workflow.perform(submitted, "submit", by=official)
    assert DutyList.objects.get(pk=submitted.pk).stage == Stage.FIRST_FEEDBACK
    services.answer_comments(
        [commented["reject"], commented["move"]], by=official, answer="rejected", reason="经研究不予采纳"
    )
    workflow.perform(submitted, "submit", by=official)
    assert DutyList.objects.get(pk=submitted.pk).stage == Stage.SECOND_SUBMITTED


def test_a_bulk_answer_is_all_or_nothing(cast, submitted, commented):
    services.answer_comment(commented["rename"], by=cast["township_official"], answer="accepted", apply=True)
    with pytest.raises(ValidationError, match="答复不能再更改"):
        services.answer_comments(
            [commented["reject"], commented["rename"]],
            by=cast["township_official"],
            answer="rejected",
            reason="统一答复",
        )
    assert Comment.objects.get(pk=commented["reject"].pk).answer == ""


def test_unresolved_comments_carry_over_and_are_marked_outdated_when_their_field_changed(
    cast, submitted, commented, department
):
    official = cast["township_official"]
    services.answer_comment(commented["rename"], by=official, answer="partly", reason="部分采纳")
    services.answer_comment(commented["reject"], by=official, answer="rejected", reason="依法由乡镇承担")
    services.answer_comment(commented["move"], by=official, answer="rejected", reason="殡葬管理由乡镇负责")
    item = item_named(submitted, "耕地保护巡查")
    item.name = "耕地保护动态巡查"  # the township rewrote the name its own way
    catalog_services.save_item(item, by=official)
    workflow.perform(submitted, "submit", by=official)

    rename, reject = (Comment.objects.get(pk=commented[k].pk) for k in ("rename", "reject"))
    assert rename.is_outdated and rename.state == Comment.State.ANSWERED
    assert not reject.is_outdated

    # 二下: the department sees its answered comments again and responds.
    window = open_round(submitted, cast["county_editor"], department)
    reviewer = cast["department_reviewer"]
    services.respond_to_answer(rename, by=reviewer, accept=True)
    with pytest.raises(ValidationError, match="坚持原意见须说明理由"):
        services.respond_to_answer(reject, by=reviewer, accept=False)
    services.respond_to_answer(reject, by=reviewer, accept=False, note="民政部门不承担初审")
    rename.refresh_from_db()
    reject.refresh_from_db()
    assert rename.state == Comment.State.SETTLED and rename.acknowledged_at is not None
    assert reject.state == Comment.State.OPEN and "民政部门不承担初审" in reject.text

    services.finish_feedback(window, by=reviewer)
    workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    with pytest.raises(ValidationError, match="还有 1 条意见没有答复"):
        workflow.perform(submitted, "submit", by=official)


def test_responding_to_an_answer_waits_for_the_next_window_and_its_department(cast, submitted, commented):
    official = cast["township_official"]
    services.answer_comment(commented["reject"], by=official, answer="rejected", reason="依法由乡镇承担")
    with pytest.raises(ValidationError, match="下一轮意见征求期间"):
        services.respond_to_answer(commented["reject"], by=cast["department_reviewer"], accept=True)
    stranger = make_user(
        "stranger", "department_reviewer", department=make_department(submitted.township.county)
    )
    with pytest.raises(PermissionDenied):
        services.respond_to_answer(commented["reject"], by=stranger, accept=True)
    assert Comment.objects.get(pk=commented["reject"].pk).state == Comment.State.ANSWERED


def test_a_comment_is_withdrawn_only_by_its_author_while_the_window_takes_comments(
    cast, submitted, department
):
    window = open_round(submitted, cast["county_editor"], department)
    comment = services.add_comment(window, by=cast["department_reviewer"], position="modify", text="整体意见")
    with pytest.raises(PermissionDenied):
        services.withdraw_comment(comment, by=cast["county_editor"])
    past_deadline(window)
    comment.window.refresh_from_db()
    with pytest.raises(ValidationError):
        services.withdraw_comment(comment, by=cast["department_reviewer"])
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_closing_the_window_tells_the_township(
    cast, submitted, department, django_capture_on_commit_callbacks
):
    window = open_round(submitted, cast["county_editor"], department)
    services.add_comment(window, by=cast["department_reviewer"], position="modify", text="整体意见")
    services.finish_feedback(window, by=cast["department_reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    notice = Notification.objects.get(user=cast["township_official"])
    assert "1 条意见待答复" in notice.text


def test_accepting_a_proposed_item_adds_it_and_the_comment_then_refers_to_it(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    category = DutyItem.objects.filter(duty_list=submitted).first().category
    proposal = propose_item(window, cast["department_reviewer"], department)
    services.finish_feedback(window, by=cast["department_reviewer"])
    workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    with pytest.raises(ValidationError, match="配合职责"):  # the new item must meet its part's rules
        services.answer_comment(proposal, by=cast["township_official"], answer="accepted", apply=True)
    Comment.objects.filter(pk=proposal.pk).update(proposed_part=Part.BASIC)
    Comment.proposed_lead_departments.through.objects.all().delete()
    answered = services.answer_comment(proposal, by=cast["township_official"], answer="accepted", apply=True)
    item = item_named(submitted, "高标准农田建设配合")
    assert (item.part, item.category, answered.item_key) == (Part.BASIC, category, item.key)


def test_a_comment_acted_on_or_after_finishing_cannot_be_withdrawn(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    reviewer = cast["department_reviewer"]
    escalated = services.add_comment(window, by=reviewer, position="modify", text="整体意见一")
    decisions.escalate_comment(escalated, by=cast["county_editor"])
    with pytest.raises(ValidationError, match="不能撤回"):
        services.withdraw_comment(escalated, by=reviewer)
    kept = services.add_comment(window, by=reviewer, position="modify", text="整体意见二")
    services.finish_feedback(window, by=reviewer)
    with pytest.raises(ValidationError, match="已确认反馈完毕"):
        services.withdraw_comment(kept, by=reviewer)
    assert Comment.objects.count() == 2


def test_an_unanswered_comment_is_withdrawn_by_its_author(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    comment = services.add_comment(window, by=cast["department_reviewer"], position="modify", text="说错了")
    services.withdraw_comment(comment, by=cast["department_reviewer"])
    assert not Comment.objects.exists()


def test_consultees_have_no_feedback_to_finish(cast, submitted, department):
    window = make_consultee_window(submitted)
    with pytest.raises(ValidationError, match="无需确认反馈完毕"):
        services.finish_feedback(window, by=cast["consultee"])


def make_consultee_window(duty_list):
    from tests.review.conftest import make_window

    workflow.close_window(duty_list, SYSTEM)
    return make_window(duty_list, kind=CommentWindow.Kind.CONSULTEES)


def test_a_department_not_asked_this_round_cannot_respond_to_an_answer(cast, submitted, commented):
    official = cast["township_official"]
    services.answer_comment(commented["reject"], by=official, answer="rejected", reason="依法由乡镇承担")
    services.answer_comments(
        [commented["rename"], commented["move"]], by=official, answer="rejected", reason="不改"
    )
    workflow.perform(submitted, "submit", by=official)
    open_round(submitted, cast["county_editor"], make_department(submitted.township.county, "县水利局"))
    with pytest.raises(ValidationError, match="本轮意见征求没有请县农业农村局反馈"):
        services.respond_to_answer(
            commented["reject"], by=cast["department_reviewer"], accept=False, note="坚持"
        )
    assert Comment.objects.get(pk=commented["reject"].pk).state == Comment.State.ANSWERED


def test_an_answer_given_since_the_page_was_drawn_is_not_overwritten(cast, submitted, commented):
    drawn = timezone.now()
    services.answer_comment(commented["reject"], by=cast["county_editor"], answer="partly", reason="部分采纳")
    with pytest.raises(ValidationError, match="已由editor于.*答复为“部分采纳”，请刷新页面"):
        services.answer_comment(
            commented["reject"],
            by=cast["township_official"],
            answer="rejected",
            reason="不采纳",
            seen_at=drawn,
        )
    comment = Comment.objects.get(pk=commented["reject"].pk)
    assert (comment.answer, comment.answered_by) == ("partly", cast["county_editor"])


def test_a_text_only_suggestion_cannot_be_applied_in_one_click(cast, submitted, department):
    window = open_round(submitted, cast["county_editor"], department)
    item = item_named(submitted, "殡葬管理")
    comment = services.add_comment(
        window, by=cast["department_reviewer"], item_key=item.key, position="modify", text="表述再斟酌"
    )
    assert not comment.has_proposal
    services.finish_feedback(window, by=cast["department_reviewer"])
    workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    with pytest.raises(ValidationError, match="没有可直接修改的建议"):
        services.answer_comment(comment, by=cast["township_official"], answer="accepted", apply=True)
    assert item_named(submitted, "殡葬管理").version == item.version


def test_in_the_third_round_the_township_answers_but_cannot_change_the_list(
    cast, submitted, commented, department
):
    official = cast["township_official"]
    services.answer_comments(commented.values(), by=official, answer="rejected", reason="不改")
    workflow.perform(submitted, "submit", by=official)
    open_round(submitted, cast["county_editor"], department)
    services.finish_feedback(workflow.open_window(submitted), by=cast["department_reviewer"])
    workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    services.answer_comments(commented.values(), by=official, answer="rejected", reason="不改")
    workflow.perform(submitted, "submit", by=official)
    window = open_round(submitted, cast["county_editor"], department)
    item = window.submission.items.get(name="殡葬管理")
    late = services.add_comment(
        window,
        by=cast["department_reviewer"],
        item_key=item.key,
        position="modify",
        proposed_name="殡葬服务管理",
    )
    services.finish_feedback(window, by=cast["department_reviewer"])
    workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    with pytest.raises(ValidationError, match="您现在不能修改清单，只能答复"):
        services.answer_comment(late, by=official, answer="accepted", apply=True)
    assert item_named(submitted, "殡葬管理")


def test_closing_a_later_round_counts_every_comment_waiting_for_an_answer(
    cast, submitted, commented, department, django_capture_on_commit_callbacks
):
    official = cast["township_official"]
    services.answer_comments(commented.values(), by=official, answer="rejected", reason="不改")
    workflow.perform(submitted, "submit", by=official)
    window = open_round(submitted, cast["county_editor"], department)
    services.respond_to_answer(commented["reject"], by=cast["department_reviewer"], accept=False, note="坚持")
    services.add_comment(window, by=cast["department_reviewer"], position="modify", text="新的整体意见")
    services.finish_feedback(window, by=cast["department_reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(submitted, "close_comments", by=cast["county_editor"])
    assert "2 条意见待答复" in Notification.objects.filter(user=official).latest("pk").text

"""The workflow as a table: every action from every stage, allowed or refused."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from catalog import services
from catalog.actors import SYSTEM
from catalog.models import DutyItem, DutyList, Part
from review import workflow
from review.models import Approval, ReviewPolicy, StageChange, Submission
from tests.conftest import make_department, make_item, make_user
from tests.review.conftest import make_window

pytestmark = pytest.mark.django_db
Stage = DutyList.Stage

# The expected table for a county with the default steps: (stage, action) → new stage.
EXPECTED = {
    (Stage.DRAFTING, "submit"): Stage.FIRST_SUBMITTED,
    (Stage.FIRST_SUBMITTED, "open_comments"): Stage.FIRST_SUBMITTED,
    (Stage.FIRST_SUBMITTED, "close_comments"): Stage.FIRST_FEEDBACK,
    # The township takes its submission back while no department has given feedback on it.
    (Stage.FIRST_SUBMITTED, "withdraw"): Stage.DRAFTING,
    (Stage.FIRST_FEEDBACK, "submit"): Stage.SECOND_SUBMITTED,
    (Stage.SECOND_SUBMITTED, "open_comments"): Stage.SECOND_SUBMITTED,
    (Stage.SECOND_SUBMITTED, "close_comments"): Stage.SECOND_FEEDBACK,
    (Stage.SECOND_SUBMITTED, "withdraw"): Stage.FIRST_FEEDBACK,
    (Stage.SECOND_FEEDBACK, "submit"): Stage.THIRD_SUBMITTED,
    (Stage.THIRD_SUBMITTED, "open_comments"): Stage.THIRD_SUBMITTED,
    (Stage.THIRD_SUBMITTED, "close_comments"): Stage.THIRD_SUBMITTED,
    (Stage.THIRD_SUBMITTED, "withdraw"): Stage.SECOND_FEEDBACK,
    (Stage.THIRD_SUBMITTED, "start_coordination"): Stage.COORDINATION,
    (Stage.COORDINATION, "start_consultation"): Stage.CONSULTATION,
    (Stage.CONSULTATION, "start_deliberation"): Stage.DELIBERATION,
    (Stage.DELIBERATION, "approve"): Stage.APPROVED,
    # A list already in a step the county has since switched off can still leave it.
    (Stage.CONGRESS_REVIEW, "approve"): Stage.APPROVED,
    (Stage.APPROVED, "publish"): Stage.PUBLISHED,
}
ACTIONS = sorted({action for _, action in EXPECTED} | {"start_congress_review", "nonsense"})
TOWNSHIP_ACTIONS = {"submit", "withdraw"}
SUBMITTED_STAGES = {Stage.FIRST_SUBMITTED, Stage.SECOND_SUBMITTED, Stage.THIRD_SUBMITTED}
NOTE = "请审核"
APPROVAL = {
    "meeting": "县委常委会第12次会议",
    "approved_on": date(2025, 6, 30),
    "document_number": "示委发〔2025〕12号",
}


def at_stage(duty_list: DutyList, stage: str) -> DutyList:
    duty_list.stage = stage  # test setup; in the product only the workflow moves stages
    duty_list.save(update_fields=["stage"])
    return duty_list


def params_for(duty_list: DutyList, action: str) -> dict:
    """What each action's form hands to the workflow."""
    if action == "open_comments":
        department = make_department(duty_list.township.county, "县应急管理局")
        return {"departments": [department], "deadline": timezone.localdate()}
    if action == "approve":
        return dict(APPROVAL)
    if action == "publish":
        from publication.services import publish_approved

        return {
            "effective_on": date(2025, 7, 1),
            "document_number": "示办发〔2025〕21号",
            "write_edition": publish_approved,
        }
    return {}


def prepare(duty_list: DutyList, stage: str, action: str) -> None:
    """The state the stage implies: a frozen submission once submitted, an open window to close."""
    if stage != Stage.DRAFTING:
        submission = workflow.freeze(duty_list, stage, by=SYSTEM, note="")
        if stage == Stage.APPROVED:
            Approval.objects.create(
                duty_list=duty_list, submission=submission, recorded_by=make_user("recorder"), **APPROVAL
            )
    if action == "close_comments" and stage in SUBMITTED_STAGES:
        make_window(duty_list, deadline=timezone.localdate() - timedelta(days=1))


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("stage", Stage.values)
def test_every_action_from_every_stage(cast, duty_list, stage, action):
    make_item(duty_list)
    at_stage(duty_list, stage)
    prepare(duty_list, stage, action)
    params = params_for(duty_list, action)
    target = EXPECTED.get((stage, action))
    for role in [
        "county_editor",
        "township_official",
        "department_reviewer",
        "county_leader",
        "other_county_editor",
    ]:
        allowed = target is not None and (
            role == "county_editor" or (role == "township_official" and action in TOWNSHIP_ACTIONS)
        )
        if allowed:
            continue
        with pytest.raises(ValidationError if target is None else PermissionDenied):
            workflow.perform(duty_list, action, by=cast[role], note=NOTE, **params)
        assert DutyList.objects.get(pk=duty_list.pk).stage == stage
    assert not StageChange.objects.exists()
    if target is None:
        return
    actor = cast["township_official"] if action in TOWNSHIP_ACTIONS else cast["county_editor"]
    change = workflow.perform(duty_list, action, by=actor, note=NOTE, **params)
    assert DutyList.objects.get(pk=duty_list.pk).stage == target
    assert (change.action, change.from_stage, change.to_stage, change.changed_by, change.note) == (
        action,
        stage,
        target,
        actor,
        NOTE,
    )


def test_a_county_can_switch_the_closing_steps(cast, duty_list):
    ReviewPolicy.objects.create(
        county=duty_list.township.county,
        has_consultation=False,
        has_deliberation=False,
        has_congress_review=True,
    )
    make_item(duty_list)
    at_stage(duty_list, Stage.COORDINATION)
    editor = cast["county_editor"]
    with pytest.raises(ValidationError):
        workflow.perform(duty_list, "start_consultation", by=editor)
    with pytest.raises(ValidationError):
        workflow.perform(duty_list, "approve", by=editor, **APPROVAL)
    workflow.perform(duty_list, "start_congress_review", by=editor)
    workflow.perform(duty_list, "approve", by=editor, **APPROVAL)
    assert [c.to_stage for c in StageChange.objects.all()] == [Stage.CONGRESS_REVIEW, Stage.APPROVED]


def test_available_actions_follow_the_table_and_the_user(cast, duty_list):
    make_item(duty_list)
    assert [t.action for t in workflow.available(duty_list, cast["township_official"])] == ["submit"]
    assert [t.action for t in workflow.available(duty_list, cast["department_reviewer"])] == []
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    assert [t.action for t in workflow.available(duty_list, cast["county_editor"])] == [
        "open_comments",
        "withdraw",
    ]
    workflow.perform(
        duty_list, "open_comments", by=cast["county_editor"], **params_for(duty_list, "open_comments")
    )
    assert [t.action for t in workflow.available(duty_list, cast["county_editor"])] == [
        "close_comments",
        "withdraw",
    ]
    assert [t.action for t in workflow.available(duty_list, cast["township_official"])] == ["withdraw"]


def test_submitting_freezes_the_list_whatever_the_township_edits_afterwards(cast, duty_list):
    item = make_item(duty_list, name="提交时的名称")
    make_item(duty_list, name="已删除的不提交", deleted_at="2025-01-01T00:00:00+08:00")
    workflow.perform(duty_list, "submit", by=cast["township_official"], note="一上")

    submission = Submission.objects.get()
    assert (submission.round, submission.stage, submission.submitted_by, submission.list_version) == (
        1,
        Stage.FIRST_SUBMITTED,
        cast["township_official"],
        DutyList.objects.get(pk=duty_list.pk).version,
    )
    assert [i.name for i in submission.items.all()] == ["提交时的名称"]

    item.name = "之后改的名称"
    services.save_item(item, by=cast["county_editor"])
    frozen = submission.items.get()
    assert (frozen.name, frozen.key) == ("提交时的名称", item.key)
    with pytest.raises(ValueError):
        frozen.save()


def test_an_empty_list_cannot_be_submitted(cast, duty_list):
    with pytest.raises(ValidationError, match="还没有任何事项"):
        workflow.perform(duty_list, "submit", by=cast["township_official"])
    assert DutyList.objects.get(pk=duty_list.pk).stage == Stage.DRAFTING


def test_once_submitted_the_township_can_no_longer_edit(cast, duty_list):
    item = make_item(duty_list, Part.BASIC)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    item.refresh_from_db()
    item.name = "提交后修改"
    with pytest.raises(PermissionDenied):
        services.save_item(item, by=cast["township_official"])
    assert DutyItem.objects.get(pk=item.pk).name != "提交后修改"


@pytest.mark.django_db(transaction=True)
def test_two_people_pressing_submit_at_once_make_one_change(cast, duty_list):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite 的测试库在内存中、每个线程各有一份，并发只能在 PostgreSQL 上验证（CI 会在 PostgreSQL 上运行此测试）"
        )
    make_item(duty_list)
    barrier = threading.Barrier(2)
    outcomes = []

    def press(user):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            workflow.perform(DutyList.objects.get(pk=duty_list.pk), "submit", by=user)
            outcomes.append("moved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=press, args=(cast[r],)) for r in ("township_official", "county_editor")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved", "refused"]
    assert StageChange.objects.count() == 1 and Submission.objects.count() == 1
    assert DutyList.objects.get(pk=duty_list.pk).stage == Stage.FIRST_SUBMITTED


def test_switching_a_step_off_does_not_strand_a_list_already_in_it(cast, duty_list):
    make_item(duty_list)
    at_stage(duty_list, Stage.DELIBERATION)
    ReviewPolicy.objects.create(county=duty_list.township.county, has_deliberation=False)
    assert [t.action for t in workflow.available(duty_list, cast["county_editor"])] == ["approve"]
    workflow.perform(duty_list, "approve", by=cast["county_editor"], **APPROVAL)
    assert DutyList.objects.get(pk=duty_list.pk).stage == Stage.APPROVED

"""职责准入: matched against the lists in force at filing, then 编办审核 → 合法性审查 → 县级审定, each
stage acted on by whom `Admission.STAGES` names; an approval files adjustments of the townships' lists."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from catalog.actors import SYSTEM
from catalog.models import Part
from catalog.refusals import refusal_of
from publication import services
from publication.admission_queries import admission_tasks as tasks_of
from publication.models import Adjustment, AdjustmentItem, Admission, AdmissionPolicy, EditionChange
from review.inbox import inbox_for
from review.models import Notification
from tests.conftest import make_duty_list, make_item, make_township
from tests.publication.conftest import approve_and_publish

from .admission_fixtures import World

pytestmark = pytest.mark.django_db
State = Admission.State


def refused(call) -> tuple[int, str, str]:
    with pytest.raises(Exception) as caught:
        call()
    refusal = refusal_of(caught.value)
    return refusal.status, refusal.code, refusal.field


def admission_tasks(user) -> list:
    return [task for task in inbox_for(user).elsewhere if task.section == "待办理的职责准入申请"]


# Matching against the lists in force.


def test_a_task_that_a_department_took_back_is_refused_at_once_citing_the_item(world: World):
    admission = world.file("农药经营许可")
    admission.refresh_from_db()
    assert admission.state == State.REFUSED
    assert admission.matched_item.name == "农药经营许可"
    assert admission.matched_item.part == Part.RECLAIMED
    assert "县市场监督管理局" in admission.decision_note and "城关镇" in admission.decision_note
    assert admission.decided_at is not None and admission.deadline is None
    assert [step.event for step in admission.steps.all()] == ["file", "refuse"]
    assert admission.steps.get(event="refuse").by is None  # decided by the comparison, not a person


def test_the_same_name_with_other_spacing_still_matches(world: World):
    admission = world.file("农药 经营许可")
    assert admission.state == State.REFUSED


def test_a_task_every_township_lists_is_answered_with_the_item(world: World):
    admission = world.file("最低生活保障申请受理", part=Part.BASIC)
    assert admission.state == State.ANSWERED
    assert admission.matched_item.name == "最低生活保障申请受理"
    assert "请按现行清单办理" in admission.decision_note
    assert not Adjustment.objects.exists()


def test_a_task_only_some_townships_list_goes_to_review(world: World):
    admission = world.file("森林防火")  # listed by 城关镇 only
    assert admission.state == State.REVIEW
    assert admission.matched_item is None


def test_a_new_task_goes_to_the_county_editor_with_a_deadline_and_a_notification(
    world: World, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admission = world.file()
    assert admission.state == State.REVIEW
    assert admission.deadline == timezone.localdate() + timedelta(days=10)
    assert set(admission.townships.all()) == {world.first, world.second}
    assert Notification.objects.filter(user=world.editor, text__contains="高标准农田建设巡查").exists()


# The stages.


def test_a_new_task_passes_every_stage_and_its_approval_files_an_adjustment_per_township(
    world: World, django_capture_on_commit_callbacks
):
    admission = world.file()
    assert len(admission_tasks(world.editor)) == 1 and admission_tasks(world.justice_reviewer) == []

    with django_capture_on_commit_callbacks(execute=True):
        services.act_on_admission(admission, by=world.editor, event="pass_review", note="确属新增")
    admission.refresh_from_db()
    assert admission.state == State.LEGALITY
    assert admission_tasks(world.editor) == [] and len(admission_tasks(world.justice_reviewer)) == 1
    assert Notification.objects.filter(user=world.justice_reviewer).exists()

    services.act_on_admission(admission, by=world.justice_reviewer, event="pass_legality", note="合法")
    admission.refresh_from_db()
    assert admission.state == State.APPROVAL
    assert admission.deadline == timezone.localdate() + timedelta(days=15)

    services.act_on_admission(
        admission, by=world.editor, event="approve", document_number="示委办发〔2026〕3号"
    )
    admission.refresh_from_db()
    assert admission.state == State.APPROVED and admission.document_number == "示委办发〔2026〕3号"
    assert admission.decided_by == world.editor
    adjustments = list(admission.adjustments.order_by("township__order"))
    assert [a.township for a in adjustments] == [world.first, world.second]
    assert all(a.state == Adjustment.State.FILED for a in adjustments)
    added = AdjustmentItem.objects.get(adjustment=adjustments[0])
    assert (added.action, added.name, added.part) == ("add", "高标准农田建设巡查", Part.COORDINATED)
    assert list(added.lead_departments.all()) == [world.department]
    assert [s.event for s in admission.steps.all()] == ["file", "pass_review", "pass_legality", "approve"]

    # The normal path of an adjustment publishes the new edition with its change log.
    decided = services.decide_adjustment(
        adjustments[0],
        by=world.editor,
        approve=True,
        document_number="示办发〔2026〕9号",
        effective_on=date(2026, 12, 10),
    )
    assert decided.new_edition.items.filter(name="高标准农田建设巡查", part=Part.COORDINATED).exists()
    change = EditionChange.objects.get(edition=decided.new_edition)
    assert (change.kind, change.name) == ("added", "高标准农田建设巡查")


def test_the_editor_answers_a_request_with_an_item_in_force(world: World):
    admission = world.file("森林防火巡查")
    item = next(row for row in services.matches_in_force("森林防火", [world.first]) if row.name == "森林防火")
    services.act_on_admission(admission, by=world.editor, event="answer", note="已有此项", cited=item)
    admission.refresh_from_db()
    assert (admission.state, admission.matched_item) == (State.ANSWERED, item)


def test_each_stage_is_refused_to_everyone_its_row_does_not_name(world: World):
    admission = world.file()
    for user in (world.reviewer, world.justice_reviewer, world.cast["county_leader"], world.cast["no_role"]):
        assert refused(
            lambda user=user: services.act_on_admission(admission, by=user, event="pass_review")
        ) == (
            403,
            "cannot_act_on_admission",
            "",
        )
    services.act_on_admission(admission, by=world.editor, event="pass_review")
    assert refused(lambda: services.act_on_admission(admission, by=world.editor, event="pass_legality"))[
        :2
    ] == (
        403,
        "cannot_act_on_admission",
    )
    assert refused(lambda: services.act_on_admission(admission, by=SYSTEM, event="pass_legality"))[0] == 403
    admission.refresh_from_db()
    assert admission.state == State.LEGALITY


@pytest.mark.parametrize("state", [s for s in State if s not in Admission.DECIDED])
@pytest.mark.parametrize("event", list(Admission.MOVES))
def test_the_state_table_every_event_from_every_open_state(world: World, state, event):
    admission = world.file()
    Admission.objects.filter(pk=admission.pk).update(state=state)
    actor = world.justice_reviewer if Admission.STAGES[state].actor == "legality_department" else world.editor
    cited = next(iter(services.matches_in_force("森林防火", [world.first])))
    act = lambda: services.act_on_admission(  # noqa: E731
        admission, by=actor, event=event, note="理由", cited=cited, document_number="文号"
    )
    label, sources, target = Admission.MOVES[event]
    if state in sources:
        assert act().state == target
    else:
        assert refused(act)[:2] == (409, "admission_stage")
        admission.refresh_from_db()
        assert admission.state == state


# Refusals.


def test_filing_refusals(world: World):
    official = world.cast["township_official"]
    assert refused(lambda: world.file(by=official)) == (403, "cannot_file_admission", "")
    other = make_township(world.county, "未公布镇")
    assert refused(lambda: world.file(townships=[other])) == (400, "not_published", "townships")
    assert refused(lambda: world.file(part=Part.RECLAIMED)) == (400, "admission_part", "part")
    assert refused(lambda: world.file(name=" ", content="")) == (400, "required", "name")
    assert refused(lambda: world.file(townships=[])) == (400, "required", "townships")
    with pytest.raises(TypeError):
        services.file_admission(world.county, by=None, department=world.department, task=world.task())
    assert not Admission.objects.exists()


def test_a_reviewer_files_only_for_their_own_department(world: World):
    with pytest.raises(Exception) as caught:
        services.file_admission(world.county, by=world.reviewer, department=world.justice, task=world.task())
    assert refusal_of(caught.value).code == "cannot_file_admission"
    assert services.file_admission(world.county, by=world.editor, department=world.justice, task=world.task())


def test_stage_refusals_change_nothing(world: World):
    admission = world.file()
    act = services.act_on_admission
    assert refused(lambda: act(admission, by=world.editor, event="refuse")) == (
        400,
        "reason_required",
        "note",
    )
    assert refused(lambda: act(admission, by=world.editor, event="answer", note="有")) == (
        400,
        "required",
        "cited",
    )
    assert refused(lambda: act(admission, by=world.editor, event="nonsense"))[:2] == (409, "unknown_action")
    AdmissionPolicy.objects.filter(county=world.county).update(legality_department=None)
    assert refused(lambda: act(admission, by=world.editor, event="pass_review"))[:2] == (
        412,
        "no_legality_department",
    )
    admission.refresh_from_db()
    assert admission.state == State.REVIEW and admission.steps.count() == 1


def test_an_approval_without_a_document_number_files_nothing(world: World):
    admission = world.file()
    Admission.objects.filter(pk=admission.pk).update(state=State.APPROVAL)
    act = services.act_on_admission
    assert refused(lambda: act(admission, by=world.editor, event="approve")) == (
        400,
        "required",
        "document_number",
    )
    admission.refresh_from_db()
    assert admission.state == State.APPROVAL and not Adjustment.objects.exists()


def test_a_decided_request_is_closed(world: World):
    admission = world.file("农药经营许可")
    assert refused(lambda: services.act_on_admission(admission, by=world.editor, event="refuse", note="x"))[
        :2
    ] == (
        409,
        "admission_closed",
    )


def test_the_inbox_tasks_read_one_query_whatever_the_number_of_requests(
    world: World, django_assert_num_queries
):
    world.file()
    world.editor.memberships.all()  # memberships are read once per user object
    tasks_of(world.editor)
    with django_assert_num_queries(1):
        assert len(tasks_of(world.editor)) == 1
    world.file("第二项任务")
    world.file("第三项任务")
    with django_assert_num_queries(1):
        found = tasks_of(world.editor)
    assert len(found) == 3 and all("办理时限" in task.note for task in found)


def test_an_answer_must_cite_an_item_in_force_of_the_townships_asked_about(world: World):
    admission = world.file("殡葬服务", townships=[world.first])
    elsewhere = services.current_edition(world.second).items.get(name="殡葬管理")
    assert refused(
        lambda: services.act_on_admission(
            admission, by=world.editor, event="answer", note="有", cited=elsewhere
        )
    ) == (400, "not_in_force", "cited")
    admission.refresh_from_db()
    assert admission.state == State.REVIEW and admission.matched_item is None


def test_many_items_mentioning_the_name_do_not_hide_the_same_name(world: World):
    duty_list = make_duty_list(make_township(world.county, "多项镇"))
    for n in range(25):  # more than the search shows: each mentions the task in its content
        make_item(duty_list, name=f"甲{n:02d}", category=world.category, content="配合农药经营许可检查")
    make_item(duty_list, Part.RECLAIMED, name="农药经营许可", category=world.category)
    approve_and_publish(duty_list, world.editor)
    admission = world.file("农药经营许可", townships=[duty_list.township])
    assert admission.state == State.REFUSED and admission.matched_item.edition.township == duty_list.township

"""The pages of 职责准入: filing, the board with deadlines, one request's actions, the public register."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Part
from publication import admission_queries, services
from publication.models import Admission

from .admission_fixtures import World

pytestmark = pytest.mark.django_db
State = Admission.State


def form_data(world: World, name: str = "高标准农田建设巡查", **changes) -> dict:
    data = {
        "department": world.department.pk,
        "name": name,
        "content": "每季度巡查农田设施",
        "basis": "《农田建设项目管理办法》",
        "part": Part.COORDINATED,
        "category": world.category.pk,
        "funding": "每年 2 万元",
        "staff": "",
        "equipment": "",
        "townships": [world.first.pk, world.second.pk],
        "reason": "日常管护",
    }
    return data | changes


def test_a_department_files_a_request_and_sees_it_on_the_board(client, world: World):
    client.force_login(world.reviewer)
    url = reverse("publication:admission_new", args=[world.county.code])
    page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields["department"].queryset) == [world.department]
    response = client.post(url, form_data(world))
    admission = Admission.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "publication:admission", args=[admission.pk]
    )
    assert (admission.state, admission.funding) == (State.REVIEW, "每年 2 万元")
    board = client.get(reverse("publication:admissions"))
    assert board.status_code == 200
    text = board.content.decode()
    assert "高标准农田建设巡查" in text and f"{admission.deadline:%Y-%m-%d}" in text and "县委编办" in text
    assert reverse("publication:annual_review", args=[world.county.code]) not in text  # the editor's only
    client.force_login(world.editor)
    text = client.get(reverse("publication:admissions")).content.decode()
    assert reverse("publication:annual_review", args=[world.county.code]) in text


def test_a_refused_filing_shows_the_message_on_the_field_and_files_nothing(client, world: World):
    client.force_login(world.reviewer)
    url = reverse("publication:admission_new", args=[world.county.code])
    response = client.post(url, form_data(world, part=Part.RECLAIMED))
    assert response.status_code == 400
    assert response.context["form"].errors["part"]
    unpublished_township = world.first.county.townships.create(
        name="新设街道", code=f"{world.county.code}777"
    )
    response = client.post(url, form_data(world, townships=[unpublished_township.pk]))
    assert response.status_code == 400
    assert not Admission.objects.exists()


def test_a_township_official_may_not_file(client, world: World):
    client.force_login(world.cast["township_official"])
    response = client.get(reverse("publication:admission_new", args=[world.county.code]))
    assert response.status_code == 403


def test_the_filing_page_answers_a_reclaimed_task_with_its_refusal(client, world: World):
    client.force_login(world.reviewer)
    client.post(
        reverse("publication:admission_new", args=[world.county.code]), form_data(world, "农药经营许可")
    )
    admission = Admission.objects.get()
    page = client.get(reverse("publication:admission", args=[admission.pk]))
    assert admission.state == State.REFUSED
    assert "不予准入" in page.content.decode() and "农药经营许可" in page.content.decode()
    assert page.context["form"] is None


def test_the_editor_moves_a_request_on_from_its_page(client, world: World):
    admission = world.file()
    client.force_login(world.editor)
    page = client.get(reverse("publication:admission", args=[admission.pk]))
    assert [event for event, _ in page.context["form"].fields["event"].choices] == [
        "pass_review",
        "refuse",
        "answer",
    ]
    response = client.post(
        reverse("publication:admission_act", args=[admission.pk]),
        {"event": "pass_review", "note": "确属新增"},
    )
    assert response.status_code == 302
    admission.refresh_from_db()
    assert admission.state == State.LEGALITY


def test_a_refused_step_answers_its_status_and_changes_nothing(client, world: World):
    admission = world.file()
    client.force_login(world.editor)
    url = reverse("publication:admission_act", args=[admission.pk])
    response = client.post(url, {"event": "refuse", "note": ""})
    assert response.status_code == 400
    assert "请写明理由" in response.content.decode()
    client.force_login(world.justice_reviewer)
    response = client.post(url, {"event": "pass_review"})
    assert response.status_code == 403  # the legality reviewer does not act at 编办审核
    admission.refresh_from_db()
    assert admission.state == State.REVIEW and admission.steps.count() == 1


def test_a_non_actor_is_refused_with_403(client, world: World):
    admission = world.file()
    client.force_login(world.reviewer)
    response = client.post(
        reverse("publication:admission_act", args=[admission.pk]), {"event": "pass_review"}
    )
    assert response.status_code == 403
    admission.refresh_from_db()
    assert admission.state == State.REVIEW


def test_another_county_does_not_see_the_request(client, world: World):
    admission = world.file()
    client.force_login(world.cast["other_county_editor"])
    assert client.get(reverse("publication:admission", args=[admission.pk])).status_code == 404


def test_the_public_register_lists_decided_requests_with_reasons_and_dates(client, world: World):
    refused = world.file("农药经营许可")
    answered = world.file("最低生活保障申请受理", part=Part.BASIC)
    open_one = world.file()
    response = client.get(reverse("publication:admission_register", args=[world.county.code]))
    assert response.status_code == 200
    text = response.content.decode()
    assert refused.name in text and answered.name in text and open_one.name not in text
    assert "不予准入" in text and "已在清单中" in text and refused.decision_note in text
    assert f"{refused.decided_at:%Y-%m-%d}" in text


def test_the_register_is_linked_from_the_county_page(client, world: World):
    text = client.get(reverse("publication:area", args=[world.county.code])).content.decode()
    assert reverse("publication:admission_register", args=[world.county.code]) in text


def test_the_register_reads_a_fixed_number_of_queries(client, world: World, django_assert_num_queries):
    world.file("农药经营许可")
    url = reverse("publication:admission_register", args=[world.county.code])
    with django_assert_num_queries(3):  # county, requests with their items, townships
        client.get(url)
    for name in ("最低生活保障申请受理", "殡葬管理"):
        world.file(name, part=Part.BASIC, townships=[world.second])
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(response.context["rows"]) == 3


def test_the_board_reads_a_fixed_number_of_queries(client, world: World, django_assert_num_queries):
    world.file()
    client.force_login(world.editor)
    url = reverse("publication:admissions")
    client.get(url)
    with django_assert_num_queries(6) as first:
        client.get(url)
    world.file("第二项任务")
    world.file("农药经营许可")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_approval_from_the_page_links_the_adjustments(client, world: World):
    admission = world.file()
    Admission.objects.filter(pk=admission.pk).update(state=State.APPROVAL)
    client.force_login(world.editor)
    url = reverse("publication:admission_act", args=[admission.pk])
    response = client.post(url, {"event": "approve", "document_number": "示委办发〔2026〕3号"})
    assert response.status_code == 302
    page = client.get(reverse("publication:admission", args=[admission.pk]))
    for adjustment in admission.adjustments.all():
        assert reverse("publication:adjustment", args=[adjustment.pk]) in page.content.decode()
    assert services.current_edition(world.first).items.filter(name=admission.name).count() == 0


def test_an_overdue_request_is_marked_on_the_board_and_in_the_inbox(client, world: World):
    admission = world.file()
    Admission.objects.filter(pk=admission.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    client.force_login(world.editor)
    assert "已超期" in client.get(reverse("publication:admissions")).content.decode()
    inbox = client.get(reverse("review:inbox")).content.decode()
    assert "待办理的职责准入申请" in inbox and "已超期" in inbox
    assert reverse("publication:admission", args=[admission.pk]) in inbox
    client.force_login(world.justice_reviewer)
    assert "待办理的职责准入申请" not in client.get(reverse("review:inbox")).content.decode()


def test_the_board_lists_open_requests_by_deadline_then_decided_ones_newest_first(world: World):
    later = world.file("甲任务")
    sooner = world.file("乙任务")
    Admission.objects.filter(pk=sooner.pk).update(deadline=timezone.localdate())
    first_refused = world.file("农药经营许可")
    last_refused = world.file("农药经营许可")
    rows = list(admission_queries.board(world.editor))
    assert [row.pk for row in rows] == [sooner.pk, later.pk, last_refused.pk, first_refused.pk]

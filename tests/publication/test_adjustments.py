"""动态调整: a request against the edition in force, reviewed by the county editor, publishing the next edition."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalog.models import DutyItem, Part
from publication import services
from publication.models import Adjustment, CurrentEdition, Edition, EditionChange
from publication.services import RequestedChange
from review.models import Notification
from tests.conftest import make_category

pytestmark = pytest.mark.django_db


def key_of(edition, name):
    return edition.items.get(name=name).key


def request_changes(edition, department):
    category = make_category(edition.township.county, "社会事务", 5)
    return [
        RequestedChange(
            "add",
            name="临时救助",
            part=Part.BASIC,
            category=category,
            content="受理临时救助申请",
            basis="《社会救助暂行办法》",
            reason="新增职责",
        ),
        RequestedChange(
            "change",
            key=key_of(edition, "最低生活保障申请受理"),
            content="受理申请并入户调查",
            basis="《低保审核确认办法》",
            reason="法规修订",
        ),
        RequestedChange(
            "remove", key=key_of(edition, "宅基地审批"), basis="县政府决定", reason="已由部门承接"
        ),
        RequestedChange(
            "move",
            key=key_of(edition, "殡葬管理"),
            part=Part.COORDINATED,
            lead_departments=[department],
            content="配合劝导",
            basis="《殡葬管理条例》",
            reason="由民政部门牵头",
        ),
    ]


def test_an_approved_adjustment_publishes_the_next_edition_with_its_change_log(
    cast, duty_list, edition, department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        adjustment = services.file_adjustment(
            duty_list.township,
            by=cast["township_official"],
            summary="根据法规修订调整",
            changes=request_changes(edition, department),
        )
    assert adjustment.signature == duty_list.township.name and adjustment.items.count() == 4
    assert Notification.objects.filter(user=cast["county_editor"], text__contains="申请调整").exists()

    remark = services.remark_on(adjustment, by=cast["county_editor"], text="临时救助的依据请写到条款")
    with pytest.raises(ValidationError, match="还有审核意见没有答复"):
        services.decide_adjustment(
            adjustment,
            by=cast["county_editor"],
            approve=True,
            document_number="示办发〔2026〕9号",
            effective_on=date(2026, 5, 1),
        )
    services.answer_remark(remark, by=cast["township_official"], answer="已补充第十条")
    decided = services.decide_adjustment(
        adjustment,
        by=cast["county_editor"],
        approve=True,
        document_number="示办发〔2026〕9号",
        effective_on=date(2026, 5, 1),
    )
    second = decided.new_edition
    assert (second.number, second.document_number, decided.state) == (2, "示办发〔2026〕9号", "approved")
    assert CurrentEdition.objects.get(township=duty_list.township).edition == second
    names = set(second.items.values_list("name", flat=True))
    assert names == {"最低生活保障申请受理", "殡葬管理", "临时救助"}
    assert second.items.get(name="殡葬管理").part == Part.COORDINATED
    kinds = {c.name: (c.kind, c.reason) for c in EditionChange.objects.filter(edition=second)}
    assert kinds == {
        "临时救助": ("added", "新增职责"),
        "最低生活保障申请受理": ("changed", "法规修订"),
        "宅基地审批": ("removed", "已由部门承接"),
        "殡葬管理": ("moved", "由民政部门牵头"),
    }
    assert edition.items.count() == 3  # the first edition stays as it was
    # The list of record follows, so the next review cycle starts from it.
    assert DutyItem.objects.active().filter(duty_list=duty_list, name="临时救助").exists()


def test_each_row_of_a_request_is_checked_and_nothing_is_filed_on_a_problem(
    cast, duty_list, edition, department
):
    changes = [
        RequestedChange(
            "move", key=key_of(edition, "殡葬管理"), part=Part.COORDINATED, basis="依据", reason="理由"
        ),
        RequestedChange(
            "change", key=key_of(edition, "宅基地审批"), basis="", reason="理由", content="新内容"
        ),
    ]
    with pytest.raises(ValidationError) as refused:
        services.file_adjustment(
            duty_list.township, by=cast["township_official"], summary="说明", changes=changes
        )
    assert refused.value.messages == [
        "第 1 项：调整为配合履职事项须选择县级主责部门。",
        "第 2 项：请填写依据。",
    ]
    assert not Adjustment.objects.exists()


@pytest.mark.parametrize("role", ["other_township_official", "other_county_editor", "county_leader"])
def test_only_the_township_its_countys_departments_and_editors_file(
    cast, duty_list, edition, department, role
):
    with pytest.raises(PermissionDenied):
        services.file_adjustment(
            duty_list.township, by=cast[role], summary="说明", changes=request_changes(edition, department)
        )
    assert not Adjustment.objects.exists()


def test_only_the_county_editor_approves_and_a_rejection_needs_a_reason(cast, duty_list, edition, department):
    adjustment = services.file_adjustment(
        duty_list.township,
        by=cast["department_reviewer"],
        summary="说明",
        changes=request_changes(edition, department),
    )
    assert adjustment.signature == "县农业农村局"
    with pytest.raises(PermissionDenied):
        services.decide_adjustment(
            adjustment,
            by=cast["township_official"],
            approve=True,
            document_number="x",
            effective_on=date(2026, 5, 1),
        )
    with pytest.raises(ValidationError, match="不予批准须写明理由"):
        services.decide_adjustment(adjustment, by=cast["county_editor"], approve=False)
    services.decide_adjustment(adjustment, by=cast["county_editor"], approve=False, note="依据不足")
    assert Adjustment.objects.get().state == "rejected" and Edition.objects.count() == 1
    with pytest.raises(ValidationError, match="不能再处理"):
        services.decide_adjustment(
            adjustment,
            by=cast["county_editor"],
            approve=True,
            document_number="x",
            effective_on=date(2026, 5, 1),
        )


def test_a_request_against_an_edition_no_longer_in_force_is_refused(cast, duty_list, edition, department):
    first = services.file_adjustment(
        duty_list.township,
        by=cast["county_editor"],
        summary="一",
        changes=request_changes(edition, department)[1:2],
    )
    second = services.file_adjustment(
        duty_list.township,
        by=cast["county_editor"],
        summary="二",
        changes=request_changes(edition, department)[2:3],
    )
    services.decide_adjustment(
        first, by=cast["county_editor"], approve=True, document_number="文1", effective_on=date(2026, 5, 1)
    )
    with pytest.raises(ValidationError, match="已公布了新版本"):
        services.decide_adjustment(
            second,
            by=cast["county_editor"],
            approve=True,
            document_number="文2",
            effective_on=date(2026, 6, 1),
        )
    assert Edition.objects.count() == 2


def test_the_adjustment_pages(client, cast, duty_list, edition, department):
    client.force_login(cast["township_official"])
    url = reverse("publication:adjustment_new", args=[duty_list.township.code])
    page = client.get(url)
    assert page.status_code == 200 and "殡葬管理" not in page.content.decode()
    assert "殡葬管理" in client.get(url, {"q": "殡葬"}).content.decode()
    data = {
        "summary": "法规修订",
        "items-TOTAL_FORMS": "4",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
        "items-0-action": "remove",
        "items-0-key": str(key_of(edition, "宅基地审批")),
        "items-0-basis": "县政府决定",
        "items-0-reason": "部门承接",
    }
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and "核对调整内容" in confirm.content.decode()
    assert not Adjustment.objects.exists()
    response = client.post(url, {**data, "confirm": "1"})
    adjustment = Adjustment.objects.get()
    assert response.status_code == 302 and adjustment.items.get().name == "宅基地审批"
    client.force_login(cast["county_editor"])
    client.post(
        reverse("publication:adjustment_decide", args=[adjustment.pk]),
        {"approve": "1", "document_number": "示办发〔2026〕9号", "effective_on": "2026-05-01"},
    )
    assert Adjustment.objects.get().new_edition.number == 2
    client.force_login(cast["other_county_editor"])
    assert client.get(reverse("publication:adjustment", args=[adjustment.pk])).status_code == 404


def test_a_change_row_does_not_move_an_item_and_a_remark_is_answered_once(
    cast, duty_list, edition, department
):
    moved = RequestedChange(
        "change",
        key=key_of(edition, "殡葬管理"),
        part=Part.RECLAIMED,
        content="新内容",
        basis="依据",
        reason="理由",
    )
    with pytest.raises(ValidationError, match="修改事项不调整清单类型"):
        services.file_adjustment(
            duty_list.township, by=cast["county_editor"], summary="说明", changes=[moved]
        )
    adjustment = services.file_adjustment(
        duty_list.township,
        by=cast["township_official"],
        summary="说明",
        changes=request_changes(edition, department)[1:2],
    )
    remark = services.remark_on(adjustment, by=cast["county_editor"], text="请补充依据")
    services.answer_remark(remark, by=cast["township_official"], answer="已补充")
    with pytest.raises(ValidationError, match="已经答复过了"):
        services.answer_remark(remark, by=cast["township_official"], answer="改一下答复")
    remark.refresh_from_db()
    assert remark.answer == "已补充"


def test_an_adjustment_waits_while_the_township_drafts_its_next_round(cast, duty_list, edition, department):
    from catalog import services as catalog_services

    adjustment = services.file_adjustment(
        duty_list.township,
        by=cast["county_editor"],
        summary="说明",
        changes=request_changes(edition, department)[2:3],
    )
    catalog_services.start_list(
        duty_list.township, title="新一轮", year=2026, by=cast["county_editor"], source=duty_list
    )
    with pytest.raises(ValidationError, match="正在编制新一轮清单"):
        services.decide_adjustment(
            adjustment,
            by=cast["county_editor"],
            approve=True,
            document_number="文",
            effective_on=date(2026, 5, 1),
        )
    assert Edition.objects.count() == 1


def test_the_adjustment_form_refuses_too_many_rows_with_a_message(client, cast, duty_list, edition):
    client.force_login(cast["township_official"])
    data = {
        "summary": "说明",
        "items-TOTAL_FORMS": "60",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
    }
    response = client.post(reverse("publication:adjustment_new", args=[duty_list.township.code]), data)
    assert response.status_code == 400 and "50" in response.content.decode()
    assert not Adjustment.objects.exists()


def approve_one_change(edition, cast, name="最低生活保障申请受理"):
    change = RequestedChange(
        "change", key=key_of(edition, name), content="受理并调查", basis="依据", reason="修订"
    )
    adjustment = services.file_adjustment(
        edition.township, by=cast["township_official"], summary="修订", changes=[change]
    )
    return services.decide_adjustment(
        adjustment,
        by=cast["county_editor"],
        approve=True,
        document_number="示办发〔2026〕10号",
        effective_on=date(2026, 6, 1),
    )


def test_a_live_row_changed_behind_the_workflows_back_does_not_reach_the_public(
    cast, duty_list, edition, client
):
    DutyItem.objects.filter(duty_list=duty_list, name="殡葬管理").update(content="未经审核的文本")

    second = approve_one_change(edition, cast).new_edition

    assert second.items.get(name="殡葬管理").content == "劝导文明治丧"
    assert second.items.get(name="最低生活保障申请受理").content == "受理并调查"
    assert not EditionChange.objects.filter(edition=second, name="殡葬管理").exists()
    page = client.get(reverse("publication:township", args=[duty_list.township.code])).content.decode()
    assert "受理并调查" in page and "未经审核的文本" not in page


def test_an_adjustment_of_a_row_changed_behind_the_workflows_back_is_refused(cast, duty_list, edition):
    DutyItem.objects.filter(duty_list=duty_list, name="最低生活保障申请受理").update(basis="未经审核的依据")

    with pytest.raises(ValidationError, match="现行文本与公布的清单不一致.*最低生活保障申请受理"):
        approve_one_change(edition, cast)

    assert CurrentEdition.objects.get(township=duty_list.township).edition == edition
    assert Edition.objects.filter(township=duty_list.township).count() == 1
    assert Adjustment.objects.get().state == Adjustment.State.FILED

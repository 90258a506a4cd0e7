import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.actors import SYSTEM
from catalog.models import DutyItem, Part
from tests.conftest import make_department, make_item

pytestmark = pytest.mark.django_db


def test_save_item_records_one_version_with_user_reason_and_lead_departments(duty_list, superuser):
    first, second = (make_department(duty_list.township.county) for _ in range(2))
    item = make_item(duty_list, Part.COORDINATED, leads=[first])
    before = item.history.count()

    item.township_duties = "协助开展排查"
    services.save_item(item, lead_departments=[first, second], by=superuser, reason="部门意见")

    item.refresh_from_db()
    assert item.version == 2
    assert item.history.count() == before + 1
    record = item.history.first()
    assert record.history_user == superuser
    assert record.history_change_reason == "部门意见"
    assert record.township_duties == "协助开展排查"
    assert {d.department_id for d in record.lead_departments.all()} == {first.pk, second.pk}


def test_new_item_gets_a_single_created_record_holding_its_lead_departments(duty_list, superuser):
    department = make_department(duty_list.township.county)
    item = DutyItem(
        duty_list=duty_list,
        part=Part.COORDINATED,
        category=make_item(duty_list).category,
        name="秸秆禁烧巡查",
        township_duties="开展日常巡查",
    )
    services.save_item(item, lead_departments=[department], by=superuser)

    records = list(item.history.all())
    assert [r.history_type for r in records] == ["+"]
    assert [d.department_id for d in records[0].lead_departments.all()] == [department.pk]


def test_history_is_written_through_simple_historys_bulk_api_one_record_per_change(duty_list, superuser):
    """Pins what the project relies on in django-simple-history: `bulk_history_create` writes one
    record per row with the given user, reason and type, and the lead departments are copied into
    the record's many-to-many history."""
    first, second = (make_department(duty_list.township.county) for _ in range(2))
    items = [
        DutyItem(
            duty_list=duty_list,
            part=Part.COORDINATED,
            category=make_item(duty_list).category,
            name=name,
            township_duties="配合",
        )
        for name in ("甲", "乙")
    ]
    services.add_items(
        duty_list, [(items[0], [first, second]), (items[1], [first])], by=superuser, reason="导入"
    )
    services.save_item(items[1], lead_departments=[second], by=superuser, reason="补充部门")

    created, updated = items[1].history.order_by("history_id")
    assert [(r.history_type, r.history_change_reason, r.history_user) for r in (created, updated)] == [
        ("+", "导入", superuser),
        ("~", "补充部门", superuser),
    ]
    assert [d.department_id for d in created.lead_departments.all()] == [first.pk]
    assert [d.department_id for d in updated.lead_departments.all()] == [second.pk]
    only = items[0].history.get()
    assert {d.department_id for d in only.lead_departments.all()} == {first.pk, second.pk}


def test_save_item_refuses_a_stale_version_and_writes_nothing(duty_list):
    item = make_item(duty_list, name="原名称")
    other_session = DutyItem.objects.get(pk=item.pk)
    other_session.name = "他人修改"
    services.save_item(other_session, expected_version=1, by=SYSTEM)

    item.name = "我的修改"
    with pytest.raises(services.StaleItemError) as caught:
        services.save_item(item, expected_version=1, by=SYSTEM)

    assert "当前为第 2 版" in str(caught.value)
    stored = DutyItem.objects.get(pk=item.pk)
    assert (stored.name, stored.version) == ("他人修改", 2)


def test_save_item_refuses_an_invalid_item_and_writes_nothing(duty_list):
    item = make_item(duty_list, Part.COORDINATED)
    before = item.history.count()
    with pytest.raises(ValidationError):
        services.save_item(item, lead_departments=[], by=SYSTEM)
    assert item.lead_departments.count() == 1
    assert DutyItem.objects.get(pk=item.pk).version == 1
    assert item.history.count() == before


def test_move_to_coordinated_keeps_content_as_township_duties_and_records_reason(duty_list, superuser):
    department = make_department(duty_list.township.county)
    item = make_item(duty_list, Part.BASIC, content="组织开展秸秆禁烧巡查")

    moved = services.move_items_to_part(
        [item], part=Part.COORDINATED, reason="农业农村局牵头", by=superuser, lead_departments=[department]
    )

    item.refresh_from_db()
    assert moved == 1
    assert item.part == Part.COORDINATED
    assert item.township_duties == "组织开展秸秆禁烧巡查"
    assert list(item.lead_departments.all()) == [department]
    record = item.history.first()
    assert (record.part, record.history_change_reason, record.history_user) == (
        Part.COORDINATED,
        "农业农村局牵头",
        superuser,
    )


def test_move_to_basic_clears_department_fields(duty_list):
    item = make_item(duty_list, Part.COORDINATED, support="提供经费")
    services.move_items_to_part([item], part=Part.BASIC, reason="乡镇独立承担", by=SYSTEM)
    item.refresh_from_db()
    assert (item.part, item.township_duties, item.support) == (Part.BASIC, "", "")
    assert item.lead_departments.count() == 0


def test_move_is_all_or_nothing(duty_list):
    department = make_department(duty_list.township.county)
    movable = make_item(duty_list, Part.BASIC, content="开展巡查")
    stuck = make_item(duty_list, Part.BASIC, content="")  # nothing to become its township duties
    with pytest.raises(ValidationError) as caught:
        services.move_items_to_part(
            [movable, stuck],
            part=Part.COORDINATED,
            reason="部门牵头",
            lead_departments=[department],
            by=SYSTEM,
        )
    assert caught.value.messages == [f"事项“{stuck.name}”：配合履职事项必须填写乡镇（街道）配合职责。"]
    movable.refresh_from_db()
    assert (movable.part, movable.version, movable.township_duties) == (Part.BASIC, 1, "")
    assert movable.lead_departments.count() == 0
    assert movable.history.count() == 1  # only its creation: the move's record rolled back


def test_move_needs_a_reason(duty_list):
    item = make_item(duty_list)
    with pytest.raises(ValidationError, match="理由"):
        services.move_items_to_part([item], part=Part.COORDINATED, reason="  ", by=SYSTEM)


def test_move_to_reclaimed_writes_the_given_work_into_the_reclaimed_parts_work_column(duty_list):
    department = make_department(duty_list.township.county)
    item = make_item(duty_list, Part.BASIC, content="组织开展巡查")

    services.move_items_to_part(
        [item],
        part=Part.RECLAIMED,
        reason="县局收回",
        receiving_department=department,
        work="由县局直接执法",
        by=SYSTEM,
    )

    item.refresh_from_db()
    assert (item.part, item.reclaim_reason, item.content) == (Part.RECLAIMED, "由县局直接执法", "")
    assert item.receiving_department == department

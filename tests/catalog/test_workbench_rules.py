"""Edits that must be refused whoever asks: stale or missing versions, deleted items, second drafts."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog import services
from catalog.actors import SYSTEM
from catalog.models import DutyItem, DutyList, Membership, Part
from tests.conftest import make_category, make_item, make_office, make_township

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(client, cast):
    client.force_login(cast["township_official"])
    return client


def snapshot():
    return list(
        DutyItem.objects.order_by("pk").values_list("pk", "name", "part", "order", "version", "deleted_at")
    )


def edit_data(item, **changes):
    return {"category": item.category_id, "name": item.name, "content": item.content} | changes


@pytest.mark.parametrize(
    "action",
    ["item_edit", "item_delete", "item_restore", "item_reorder", "item_move", "item_revert"],
)
def test_an_edit_without_the_version_it_was_made_against_is_refused(official, duty_list, action):
    item = make_item(duty_list, name="原名称")
    deleted = make_item(duty_list, name="已删除", deleted_at="2025-01-01T00:00:00+08:00")
    record = item.history.first()
    requests = {
        "item_edit": (reverse("catalog:item_edit", args=[item.pk]), edit_data(item, name="改名")),
        "item_delete": (reverse("catalog:item_delete", args=[item.pk]), {"reason": "重复"}),
        "item_restore": (reverse("catalog:item_restore", args=[deleted.pk]), {}),
        "item_reorder": (reverse("catalog:item_reorder", args=[item.pk]), {"direction": "down"}),
        "item_move": (
            reverse("catalog:item_move", args=[item.pk]),
            {"part": Part.RECLAIMED, "reason": "收回", "receiving_department": ""},
        ),
        "item_revert": (
            reverse("catalog:item_revert", args=[item.pk, record.history_id]),
            {"reason": "恢复"},
        ),
    }
    url, data = requests[action]
    before = snapshot()
    response = official.post(url, data, follow=True)
    assert "缺少版本号" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "action", ["item_reorder", "item_duplicate", "item_delete", "item_move", "item_edit"]
)
def test_a_deleted_item_is_only_restored(official, duty_list, action):
    make_item(duty_list, name="邻居", order=9)
    deleted = make_item(duty_list, name="已删除事项", deleted_at="2025-01-01T00:00:00+08:00")
    data = {
        "item_reorder": {"direction": "down", "expected_version": 1},
        "item_duplicate": {},
        "item_delete": {"expected_version": 1},
        "item_move": {"part": Part.COORDINATED, "reason": "移动", "expected_version": 1},
        "item_edit": edit_data(deleted, name="改名", expected_version=1),
    }[action]
    if action == "item_move":
        data["lead_departments"] = [make_item(duty_list, Part.COORDINATED).lead_departments.get().pk]
    before = snapshot()
    response = official.post(reverse(f"catalog:{action}", args=[deleted.pk]), data, follow=True)
    assert response.status_code == 409
    assert "已删除，请先在“已删除”中恢复" in response.content.decode()
    assert snapshot() == before


def test_restoring_an_item_that_is_not_deleted_changes_nothing(official, duty_list):
    item = make_item(duty_list, order=1)
    make_item(duty_list, order=2)
    before = snapshot()
    response = official.post(
        reverse("catalog:item_restore", args=[item.pk]), {"expected_version": 1}, follow=True
    )
    assert "没有被删除" in response.content.decode()
    assert snapshot() == before


def test_changing_category_puts_the_item_at_the_end_of_the_new_one(official, duty_list):
    county = duty_list.township.county
    first, second = make_category(county, "党的建设", 1), make_category(county, "经济发展", 2)
    moving = make_item(duty_list, category=first, order=1)
    make_item(duty_list, category=second, order=1)
    make_item(duty_list, category=second, order=2)
    official.post(
        reverse("catalog:item_edit", args=[moving.pk]),
        edit_data(moving, category=second.pk, expected_version=1),
    )
    moving.refresh_from_db()
    assert (moving.category, moving.order) == (second, 3)


def test_a_township_has_one_open_draft_at_a_time(client, cast, duty_list):
    client.force_login(cast["county_editor"])
    response = client.post(
        reverse("catalog:list_start"),
        {"township": duty_list.township_id, "year": 2026, "source": duty_list.pk},
    )
    assert "已有尚未审定的清单" in response.content.decode()
    with pytest.raises(ValidationError):
        services.start_list(duty_list.township, title="又一份", year=2026, source=duty_list, by=SYSTEM)
    assert DutyList.objects.count() == 1


def test_copying_refuses_to_drop_offices_silently_and_copies_when_asked(cast, duty_list):
    office = make_office(duty_list.township, "党政办公室")
    make_item(duty_list, responsible_office=office, name="有科室的事项")
    target = make_township(duty_list.township.county, "白云乡")  # no offices yet

    with pytest.raises(ValidationError) as caught:
        services.start_list(target, title="白云乡清单", year=2026, by=cast["county_editor"], source=duty_list)
    assert "“有科室的事项”的责任科室“党政办公室”" in caught.value.messages[0]
    assert not DutyList.objects.filter(township=target).exists()

    copy = services.start_list(
        target,
        title="白云乡清单",
        year=2026,
        by=cast["county_editor"],
        source=duty_list,
        copy_without_offices=True,
    )
    assert copy.items.get().responsible_office is None


def test_back_office_refuses_changing_an_approved_list(client, cast, duty_list):
    duty_list.stage = DutyList.Stage.APPROVED
    duty_list.save(update_fields=["stage"])
    client.force_login(cast["county_editor"])
    response = client.post(
        reverse("admin:catalog_dutylist_change", args=[duty_list.pk]), {"title": "改过的标题", "year": 2030}
    )
    assert response.status_code in {302, 403}
    duty_list.refresh_from_db()
    assert (duty_list.title, duty_list.year) == ("城关镇履行职责事项清单", 2025)


def test_back_office_membership_form_offers_no_other_countys_accounts(client, cast):
    client.force_login(cast["county_editor"])
    form = client.get(reverse("admin:catalog_membership_add")).context["adminform"].form
    offered = set(form.fields["user"].queryset.values_list("username", flat=True))
    assert "official" in offered and "nobody" in offered
    assert "editor-elsewhere" not in offered and "leader-elsewhere" not in offered
    assert User.objects.filter(
        username="leader-elsewhere", memberships__role=Membership.Role.COUNTY_LEADER
    ).exists()


@pytest.mark.parametrize("page", ["catalog:item_history", "catalog:item_row", "catalog:item_edit"])
def test_item_pages_of_another_county_are_not_found(client, cast, duty_list, page):
    item = make_item(duty_list)
    client.force_login(cast["other_county_editor"])
    assert client.get(reverse(page, args=[item.pk])).status_code == 404


def test_change_feed_of_another_county_is_not_found(client, cast, duty_list):
    client.force_login(cast["other_county_leader"])
    assert client.get(reverse("catalog:list_changes", args=[duty_list.pk])).status_code == 404

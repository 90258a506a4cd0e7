"""Every role × every editing action × own and other organisation.

Each refusal is checked twice: the answer (a 403, a redirect to the login page
or a 404 for rows outside the user's county) and the database left unchanged.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from catalog import permissions, services
from catalog.models import Department, DutyItem, DutyList, Part
from tests.conftest import item_form_data, make_department, make_duty_list, make_item

pytestmark = pytest.mark.django_db

Stage = DutyList.Stage
ROLES = [
    "county_editor",
    "other_county_editor",
    "township_official",
    "other_township_official",
    "department_reviewer",
    "county_leader",
    "consultee",
    "other_county_leader",
    "no_role",
    "province_editor",
    "city_editor",
    "other_province_editor",
    "other_city_editor",
]
SEES_THE_DRAFT = {
    "county_editor",
    "township_official",
    "department_reviewer",
    "county_leader",
    "consultee",
    "province_editor",
    "city_editor",
}


def set_stage(duty_list: DutyList, stage: str) -> None:
    # Test setup only: in the product, review/workflow.py moves stages.
    duty_list.stage = stage
    duty_list.save(update_fields=["stage"])


def expected_edit(role: str, stage: str) -> bool:
    if stage in DutyList.LOCKED_STAGES:
        return False
    if role == "county_editor":
        return True
    return role == "township_official" and stage in DutyList.TOWNSHIP_EDIT_STAGES


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_draft(cast, duty_list, role):
    user = cast[role]
    assert permissions.can_view_list(user, duty_list) == (role in SEES_THE_DRAFT)
    assert (duty_list in permissions.visible_lists(user)) == (role in SEES_THE_DRAFT)


@pytest.mark.parametrize("stage", Stage.values)
@pytest.mark.parametrize("role", ROLES)
def test_who_edits_a_draft_at_each_stage(cast, duty_list, role, stage):
    set_stage(duty_list, stage)
    user = cast[role]
    assert permissions.can_edit_list(user, duty_list) == expected_edit(role, stage)


@pytest.mark.parametrize("stage", [Stage.DRAFTING, Stage.FIRST_SUBMITTED, Stage.APPROVED])
@pytest.mark.parametrize("role", ROLES)
def test_saving_an_item_through_the_service_follows_the_rules(cast, duty_list, role, stage):
    item = make_item(duty_list, name="原名称")
    set_stage(duty_list, stage)
    item.name = "新名称"
    if expected_edit(role, stage):
        services.save_item(item, by=cast[role])
        assert DutyItem.objects.get(pk=item.pk).name == "新名称"
    else:
        with pytest.raises(PermissionDenied):
            services.save_item(item, by=cast[role])
        assert DutyItem.objects.get(pk=item.pk).name == "原名称"


@pytest.mark.parametrize("role", ROLES)
def test_moving_items_through_the_service_follows_the_rules(cast, duty_list, role):
    item = make_item(duty_list, Part.COORDINATED)
    if expected_edit(role, duty_list.stage):
        services.move_items_to_part([item], part=Part.BASIC, reason="乡镇承担", by=cast[role])
        assert DutyItem.objects.get(pk=item.pk).part == Part.BASIC
    else:
        with pytest.raises(PermissionDenied):
            services.move_items_to_part([item], part=Part.BASIC, reason="乡镇承担", by=cast[role])
        assert DutyItem.objects.get(pk=item.pk).part == Part.COORDINATED


# The back office: only county editors (and superusers) get in, and only to their county.


def snapshot() -> list:
    return list(DutyItem.objects.order_by("pk").values_list("pk", "name", "part", "version")) + list(
        Department.objects.order_by("pk").values_list("pk", "name")
    )


def back_office_actions(duty_list):
    """(name, method, url, data) for every editing action the back office offers."""
    item = make_item(duty_list, name="原事项")
    department = make_department(duty_list.township.county, "县民政局")
    url = lambda view, *args: reverse(f"admin:catalog_{view}", args=args)  # noqa: E731
    return [
        ("change_item", url("dutyitem_change", item.pk), item_form_data(item, name="改名")),
        ("add_item", url("dutyitem_add"), item_form_data(item, name="新增事项")),
        ("delete_item", url("dutyitem_delete", item.pk), {"post": "yes", "expected_version": item.version}),
        (
            "move_items",
            url("dutyitem_changelist"),
            {
                "action": "move_to_part",
                "_selected_action": [item.pk],
                "apply": "1",
                "part": Part.COORDINATED,
                "reason": "部门牵头",
                "lead_departments": [department.pk],
            },
        ),
        (
            "revert_item",
            reverse("admin:catalog_dutyitem_simple_history", args=[item.pk, item.history.first().history_id]),
            item_form_data(item, name="回退"),
        ),
        (
            "change_department",
            url("department_change", department.pk),
            {"name": "改名局", "county": department.county_id, "order": 0},
        ),
        ("delete_department", url("department_delete", department.pk), {"post": "yes"}),
    ]


ACTIONS = [
    "change_item",
    "add_item",
    "delete_item",
    "move_items",
    "revert_item",
    "change_department",
    "delete_department",
]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", [r for r in ROLES if r != "county_editor"])
def test_back_office_refuses_every_edit_to_everyone_but_the_county_editor(
    client, cast, duty_list, role, action
):
    name, url, data = next(a for a in back_office_actions(duty_list) if a[0] == action)
    before = snapshot()
    client.force_login(cast[role])

    response = client.post(url, data)

    assert response.status_code in {200, 302, 403}
    if response.status_code == 200:
        # Another county's list is not among the choices of the add form.
        assert action == "add_item" and "选择一个有效的选项" in response.content.decode()
    if response.status_code == 302:
        # To the login page, or, for rows of another county, back to a page saying there is no such row.
        hidden = (
            reverse("admin:catalog_dutyitem_changelist") if action == "move_items" else reverse("admin:index")
        )
        assert response.url.startswith(reverse("admin:login")) or response.url == hidden
    assert snapshot() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_county_editor_makes_every_back_office_edit_in_their_county(client, cast, duty_list, action):
    name, url, data = next(a for a in back_office_actions(duty_list) if a[0] == action)
    before = snapshot()
    client.force_login(cast["county_editor"])

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert snapshot() != before


@pytest.mark.parametrize("action", ["change_item", "delete_item", "move_items", "revert_item"])
def test_county_editor_cannot_edit_an_approved_list(client, cast, duty_list, action):
    name, url, data = next(a for a in back_office_actions(duty_list) if a[0] == action)
    set_stage(duty_list, Stage.APPROVED)
    before = snapshot()
    client.force_login(cast["county_editor"])

    response = client.post(url, data)

    assert response.status_code in {200, 302, 403}
    assert snapshot() == before


def test_back_office_lists_only_the_editors_county(client, cast, duty_list):
    own = make_item(duty_list, name="本县事项")
    other_list = make_duty_list(
        cast["other_county_editor"]
        .memberships.get()
        .county.townships.create(name="别镇", code="889008001", kind="zhen")
    )
    foreign = make_item(other_list, name="别县事项")
    client.force_login(cast["county_editor"])

    items = set(client.get(reverse("admin:catalog_dutyitem_changelist")).context["cl"].result_list)
    lists = set(client.get(reverse("admin:catalog_dutylist_changelist")).context["cl"].result_list)
    page = client.get(reverse("admin:catalog_dutyitem_changelist")).content.decode()

    assert own in items and foreign not in items
    assert lists == {duty_list}
    assert "别县" not in page  # not even as a filter choice
    assert client.get(reverse("admin:catalog_dutyitem_change", args=[foreign.pk])).status_code == 302


# The workbench: the same rules, through every editing page.


def workbench_actions(duty_list):
    """(name, url, data) for every editing action of the workbench."""
    county = duty_list.township.county
    department = make_department(county, "县水利局")
    item = make_item(duty_list, name="原事项")
    deleted = make_item(duty_list, name="已删除事项", deleted_at="2025-01-01T00:00:00+08:00")
    record = item.history.first()
    edit = {"category": item.category_id, "name": "改名", "content": "", "expected_version": item.version}
    return {
        "add_item": (reverse("catalog:item_add", args=[duty_list.pk, "basic"]), edit | {"name": "新增"}),
        "edit_item": (reverse("catalog:item_edit", args=[item.pk]), edit),
        "delete_item": (reverse("catalog:item_delete", args=[item.pk]), {"expected_version": item.version}),
        "restore_item": (
            reverse("catalog:item_restore", args=[deleted.pk]),
            {"expected_version": deleted.version},
        ),
        "reorder_item": (
            reverse("catalog:item_reorder", args=[item.pk]),
            {"direction": "down", "expected_version": item.version},
        ),
        "duplicate_item": (reverse("catalog:item_duplicate", args=[item.pk]), {}),
        "move_item": (
            reverse("catalog:item_move", args=[item.pk]),
            {
                "part": Part.RECLAIMED,
                "reason": "收回",
                "receiving_department": department.pk,
                "expected_version": item.version,
            },
        ),
        "revert_item": (
            reverse("catalog:item_revert", args=[item.pk, record.history_id]),
            {"reason": "恢复", "expected_version": item.version},
        ),
        "start_list": (
            reverse("catalog:list_start"),
            {"township": county.townships.get(name="青山镇").pk, "year": 2026, "source": duty_list.pk},
        ),
    }


WORKBENCH_ACTIONS = [
    "add_item",
    "edit_item",
    "delete_item",
    "restore_item",
    "reorder_item",
    "duplicate_item",
    "move_item",
    "revert_item",
    "start_list",
]


def workbench_snapshot() -> list:
    rows = DutyItem.objects.order_by("pk").values_list("pk", "name", "part", "order", "version", "deleted_at")
    return [*rows, DutyList.objects.count()]


def may(role: str, action: str) -> bool:
    if action == "start_list":
        return role == "county_editor"
    return role in {"county_editor", "township_official"}


@pytest.mark.parametrize("action", WORKBENCH_ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_workbench_lets_only_the_right_people_edit(client, cast, duty_list, role, action):
    make_item(duty_list, name="垫底事项", order=5)  # a neighbour to reorder past
    url, data = workbench_actions(duty_list)[action]
    before = workbench_snapshot()
    client.force_login(cast[role])

    response = client.post(url, data)

    if may(role, action):
        assert response.status_code == 302, response.content.decode()[:3000]
        assert workbench_snapshot() != before
    elif role == "other_county_editor" and action == "start_list":
        # An editor of another county may start lists, but this county's townships are not offered.
        assert response.status_code == 200
        assert "选择一个有效的选项" in response.content.decode()
        assert workbench_snapshot() == before
    else:
        # Visible but not editable: 403; another county's or township's draft: not even there.
        assert response.status_code == (403 if role in SEES_THE_DRAFT or action == "start_list" else 404)
        assert workbench_snapshot() == before


@pytest.mark.parametrize("action", [a for a in WORKBENCH_ACTIONS if a != "start_list"])
def test_township_official_cannot_edit_once_the_list_is_submitted(client, cast, duty_list, action):
    url, data = workbench_actions(duty_list)[action]
    set_stage(duty_list, Stage.FIRST_SUBMITTED)
    before = workbench_snapshot()
    client.force_login(cast["township_official"])
    assert client.post(url, data).status_code == 403
    assert workbench_snapshot() == before

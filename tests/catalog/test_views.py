import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import services
from catalog.actors import SYSTEM
from catalog.models import Catalogue, CatalogueEntry, DutyItem, DutyList, Part
from tests.conftest import make_category, make_department, make_item, make_office, make_township

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def official_client(client, cast):
    client.force_login(cast["township_official"])
    return client


@pytest.fixture
def setting(cast, duty_list):
    county = duty_list.township.county
    return {
        "category": make_category(county, "党的建设", 1),
        "office": make_office(duty_list.township, "党政办公室"),
        "department": make_department(county, "县应急管理局"),
    }


def item_data(setting, **fields) -> dict:
    return {
        "category": setting["category"].pk,
        "name": "基层党组织建设",
        "content": "指导村党组织规范化建设",
        "basis": "",
        "remarks": "",
        "responsible_office": setting["office"].pk,
    } | fields


# Login, home


def test_login_page_is_in_chinese_and_leads_to_my_work(client, cast):
    page = client.get(reverse("login"))
    assert "登录" in page.content.decode() and 'lang="zh-Hans"' in page.content.decode()
    response = client.post(reverse("login"), {"username": "official", "password": "pw"})
    assert response.status_code == 302 and response.url == reverse("catalog:home")
    assert "我的工作" in client.get(response.url).content.decode()


def test_wrong_password_is_refused_in_chinese(client, cast):
    response = client.post(reverse("login"), {"username": "official", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_logout_and_password_change(official_client, cast):
    page = official_client.get(reverse("password_change"))
    assert "修改密码" in page.content.decode()
    response = official_client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "Shifan-2025-新密码", "new_password2": "Shifan-2025-新密码"},
    )
    assert response.status_code == 302
    cast["township_official"].refresh_from_db()
    assert cast["township_official"].check_password("Shifan-2025-新密码")
    assert official_client.post(reverse("logout")).status_code == 302
    assert official_client.get(reverse("catalog:home")).status_code == 302


def test_home_lists_what_the_user_may_see_with_stage_and_counts(client, cast, duty_list, setting):
    make_item(duty_list, category=setting["category"])
    make_item(duty_list, Part.RECLAIMED, category=setting["category"])
    neighbour_list = DutyList.objects.create(
        township=DutyList.objects.get().township.county.townships.get(name="青山镇"),
        title="青山镇清单",
        year=2025,
    )
    client.force_login(cast["township_official"])
    lists = client.get(reverse("catalog:home")).context["lists"]
    assert lists == [duty_list]
    assert (lists[0].basic_count, lists[0].coordinated_count, lists[0].reclaimed_count) == (1, 0, 1)
    assert lists[0].is_editable

    client.force_login(cast["department_reviewer"])
    page = client.get(reverse("catalog:home"))
    assert set(page.context["lists"]) == {duty_list, neighbour_list}
    assert not any(item.is_editable for item in page.context["lists"])
    assert "起草" in page.content.decode()


def test_home_query_count_does_not_grow_with_lists(client, cast, duty_list, django_assert_max_num_queries):
    client.force_login(cast["county_editor"])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("catalog:home"))
    county = duty_list.township.county
    for n in range(6):
        make_item(DutyList.objects.create(township=make_township(county), title=f"清单{n}", year=2025))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(reverse("catalog:home")).context["lists"]) == 7


# The editor


def test_editor_shows_three_parts_grouped_by_category_with_counts(official_client, duty_list, setting):
    second = make_category(duty_list.township.county, "经济发展", 2)
    make_item(duty_list, category=second, name="招商引资")
    make_item(duty_list, category=setting["category"], name="党员发展")
    make_item(
        duty_list, Part.COORDINATED, category=setting["category"], leads=[setting["department"]], name="防汛"
    )
    page = official_client.get(reverse("catalog:list_editor", args=[duty_list.pk]))
    sections = {s.part: s for s in page.context["sections"]}
    assert [g.category.name for g in sections[Part.BASIC].groups] == ["党的建设", "经济发展"]
    assert sections[Part.BASIC].count == 2 and sections[Part.COORDINATED].count == 1
    text = page.content.decode()
    assert "县应急管理局" in text and "乡镇（街道）配合职责" in text
    assert text.index("党员发展") < text.index("招商引资")


def test_editor_filters_by_category_office_department_safeguard_and_words(
    official_client, duty_list, setting
):
    other_office = make_office(duty_list.township, "社会事务办公室")
    a = make_item(
        duty_list,
        category=setting["category"],
        name="最低生活保障初审",
        is_safeguard=True,
        responsible_office=other_office,
    )
    make_item(duty_list, category=setting["category"], name="党员发展", responsible_office=setting["office"])
    c = make_item(
        duty_list,
        Part.COORDINATED,
        category=setting["category"],
        leads=[setting["department"]],
        name="防汛抗旱",
    )
    url = reverse("catalog:list_editor", args=[duty_list.pk])

    def shown(**params):
        sections = official_client.get(url, params).context["sections"]
        return {item for s in sections for g in s.groups for item in g.items}

    assert shown(q="低保") == set() and shown(q="最低生活") == {a}
    assert shown(safeguard="on") == {a}
    assert shown(office=other_office.pk) == {a}
    assert shown(department=setting["department"].pk) == {c}
    assert len(shown(category=setting["category"].pk)) == 3
    assert len(shown(category="not-a-number")) == 3  # a malformed filter is ignored, not an error


def test_editor_hides_other_counties_drafts(client, cast, duty_list):
    client.force_login(cast["other_county_editor"])
    assert client.get(reverse("catalog:list_editor", args=[duty_list.pk])).status_code == 404
    client.force_login(cast["other_township_official"])
    assert client.get(reverse("catalog:list_editor", args=[duty_list.pk])).status_code == 404


def test_reviewer_sees_the_editor_without_editing_controls(client, cast, duty_list, setting):
    make_item(duty_list, category=setting["category"])
    client.force_login(cast["department_reviewer"])
    page = client.get(reverse("catalog:list_editor", args=[duty_list.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and not page.context["can_edit"]
    assert "新增基本履职事项" not in text and ">编辑<" not in text and "当前不能修改" in text


def bulk_items(duty_list, setting, count):
    rows = [
        DutyItem(
            duty_list=duty_list,
            part=Part.BASIC,
            category=setting["category"],
            order=n,
            name=f"事项{n}",
            responsible_office=setting["office"],
        )
        for n in range(count)
    ]
    rows += [
        DutyItem(
            duty_list=duty_list,
            part=Part.COORDINATED,
            category=setting["category"],
            order=n,
            name=f"配合{n}",
            township_duties="协助",
        )
        for n in range(count)
    ]
    DutyItem.objects.bulk_create(rows)
    through = DutyItem.lead_departments.through
    through.objects.bulk_create(
        through(dutyitem_id=pk, department_id=setting["department"].pk)
        for pk in DutyItem.objects.filter(part=Part.COORDINATED, lead_departments__isnull=True).values_list(
            "pk", flat=True
        )
    )


def test_editor_query_count_does_not_grow_with_items(
    official_client, duty_list, setting, django_assert_max_num_queries
):
    url = reverse("catalog:list_editor", args=[duty_list.pk])
    bulk_items(duty_list, setting, 10)
    with CaptureQueriesContext(connection) as few:
        official_client.get(url)
    bulk_items(duty_list, setting, 190)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = official_client.get(url)
    assert page.content.decode().count('id="item-') == 400


def test_adding_an_item(official_client, duty_list, setting):
    response = official_client.post(
        reverse("catalog:item_add", args=[duty_list.pk, "basic"]), item_data(setting)
    )
    assert response.status_code == 302
    item = DutyItem.objects.get()
    assert (item.name, item.part, item.order, item.responsible_office) == (
        "基层党组织建设",
        Part.BASIC,
        1,
        setting["office"],
    )
    assert item.history.get().history_user.username == "official"


def test_a_failed_add_shows_the_error_by_the_field_and_keeps_the_input(official_client, duty_list, setting):
    response = official_client.post(
        reverse("catalog:item_add", args=[duty_list.pk, "coordinated"]),
        item_data(setting, name="秸秆禁烧巡查", township_duties="", lead_departments=[]),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["lead_departments"] == ["配合履职事项至少需要一个县级主责部门。"]
    assert form.errors["township_duties"] == ["配合履职事项必须填写乡镇（街道）配合职责。"]
    assert 'value="秸秆禁烧巡查"' in response.content.decode()
    assert not DutyItem.objects.exists()


def test_unknown_part_is_not_found(official_client, duty_list):
    assert official_client.get(reverse("catalog:item_add", args=[duty_list.pk, "other"])).status_code == 404


def test_inline_edit_swaps_the_row_for_a_form_and_back(official_client, duty_list, setting):
    item = make_item(duty_list, category=setting["category"], responsible_office=setting["office"])
    url = reverse("catalog:item_edit", args=[item.pk])
    form_row = official_client.get(url, **HTMX)
    assert form_row.status_code == 200 and b'class="editing"' in form_row.content
    assert form_row.content.decode().lstrip().startswith("<tr")

    saved = official_client.post(
        url, item_data(setting, name="新名称", expected_version=1, reason="更准确"), **HTMX
    )
    assert saved.status_code == 200 and "新名称" in saved.content.decode()
    assert b'class="editing"' not in saved.content
    item.refresh_from_db()
    assert (item.name, item.version) == ("新名称", 2)
    assert item.history.first().history_change_reason == "更准确"


def test_a_failed_inline_edit_keeps_what_was_typed(official_client, duty_list, setting):
    item = make_item(duty_list, category=setting["category"], name="原名称")
    response = official_client.post(
        reverse("catalog:item_edit", args=[item.pk]),
        item_data(setting, name="", content="我新写的具体内容", expected_version=1),
        **HTMX,
    )
    assert response.status_code == 200
    assert "该字段是必填项。" in response.content.decode()
    assert "我新写的具体内容" in response.content.decode()
    assert DutyItem.objects.get(pk=item.pk).name == "原名称"


def test_two_conflicting_saves_never_silently_overwrite(client, cast, duty_list, setting):
    item = make_item(
        duty_list, category=setting["category"], name="原名称", responsible_office=setting["office"]
    )
    url = reverse("catalog:item_edit", args=[item.pk])
    client.force_login(cast["county_editor"])
    assert client.post(url, item_data(setting, name="编办的修改", expected_version=1)).status_code == 302

    client.force_login(cast["township_official"])
    conflict = client.post(url, item_data(setting, name="乡镇的修改", expected_version=1), **HTMX)

    assert conflict.status_code == 409
    text = conflict.content.decode()
    assert "您编辑期间，editor" in text and "您的修改尚未保存" in text
    assert "编办的修改" in text and "乡镇的修改" in text and "重新应用我的修改" in text
    assert DutyItem.objects.get(pk=item.pk).name == "编办的修改"
    assert conflict.context["form"]["expected_version"].value() == "2"

    reapplied = client.post(url, item_data(setting, name="乡镇的修改", expected_version=2))
    assert reapplied.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.version) == ("乡镇的修改", 3)


def test_delete_lists_the_item_apart_and_restore_brings_it_back(official_client, duty_list, setting):
    item = make_item(duty_list, category=setting["category"])
    official_client.post(
        reverse("catalog:item_delete", args=[item.pk]), {"expected_version": 1, "reason": "重复"}
    )
    page = official_client.get(reverse("catalog:list_editor", args=[duty_list.pk]))
    assert page.context["deleted"] == [item]
    assert all(not g.items for s in page.context["sections"] for g in s.groups)

    official_client.post(reverse("catalog:item_restore", args=[item.pk]), {"expected_version": 2})
    assert DutyItem.objects.active().get() == item


def test_reorder_and_duplicate(official_client, duty_list, setting):
    first = make_item(duty_list, category=setting["category"], order=1)
    second = make_item(duty_list, category=setting["category"], order=2)
    official_client.post(
        reverse("catalog:item_reorder", args=[second.pk]), {"direction": "up", "expected_version": 1}
    )
    assert list(DutyItem.objects.order_by("order").values_list("pk", flat=True)) == [second.pk, first.pk]
    official_client.post(reverse("catalog:item_duplicate", args=[first.pk]))
    assert DutyItem.objects.filter(name=f"{first.name}（副本）", order=3).exists()


def test_moving_to_coordinated_asks_for_the_lead_department_in_the_same_step(
    official_client, duty_list, setting
):
    item = make_item(duty_list, category=setting["category"], content="组织防汛巡查")
    url = reverse("catalog:item_move", args=[item.pk])
    refused = official_client.post(
        url, {"part": Part.COORDINATED, "reason": "部门牵头", "expected_version": 1}
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["lead_departments"] == ["配合履职事项至少需要一个县级主责部门。"]
    assert DutyItem.objects.get(pk=item.pk).part == Part.BASIC

    moved = official_client.post(
        url,
        {
            "part": Part.COORDINATED,
            "reason": "县应急管理局牵头",
            "lead_departments": [setting["department"].pk],
            "work": "汛期巡查并报告险情",
            "expected_version": 1,
        },
    )
    assert moved.status_code == 302
    item.refresh_from_db()
    assert (item.part, item.township_duties, item.version) == (Part.COORDINATED, "汛期巡查并报告险情", 2)
    assert item.history.first().history_change_reason == "县应急管理局牵头"


def test_move_with_a_stale_version_changes_nothing(official_client, duty_list, setting):
    item = make_item(duty_list, category=setting["category"])
    services.save_item(item, by=SYSTEM)  # someone else saved: now version 2
    response = official_client.post(
        reverse("catalog:item_move", args=[item.pk]),
        {
            "part": Part.RECLAIMED,
            "reason": "收回",
            "receiving_department": setting["department"].pk,
            "expected_version": 1,
        },
    )
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
    assert DutyItem.objects.get(pk=item.pk).part == Part.BASIC


# History and the change feed


def test_history_lists_every_change_compares_two_versions_and_reverts(official_client, duty_list, setting):
    item = make_item(
        duty_list, category=setting["category"], name="第一版名称", responsible_office=setting["office"]
    )
    url = reverse("catalog:item_edit", args=[item.pk])
    official_client.post(
        url,
        item_data(setting, name="第二版名称", content="具体工作内容", expected_version=1, reason="规范表述"),
    )
    history_url = reverse("catalog:item_history", args=[item.pk])

    page = official_client.get(history_url)
    assert len(page.context["versions"]) == 2
    newest, oldest = page.context["versions"]
    assert "规范表述" in page.content.decode()
    compared = official_client.get(history_url, {"a": oldest.history_id, "b": newest.history_id})
    changed = [f for f in compared.context["comparison"]["fields"] if f.changed]
    assert [(f.label, f.before, f.after) for f in changed] == [("事项名称", "第一版名称", "第二版名称")]

    official_client.post(
        reverse("catalog:item_revert", args=[item.pk, oldest.history_id]),
        {"reason": "改回", "expected_version": 2},
    )
    item.refresh_from_db()
    assert (item.name, item.version) == ("第一版名称", 3)
    assert item.history.first().history_change_reason == f"恢复到第 {oldest.version} 版：改回"


def test_revert_without_a_reason_changes_nothing(official_client, duty_list, setting):
    item = make_item(duty_list, category=setting["category"])
    record = item.history.first()
    response = official_client.post(
        reverse("catalog:item_revert", args=[item.pk, record.history_id]), {"reason": ""}
    )
    assert response.status_code == 302
    assert DutyItem.objects.get(pk=item.pk).version == 1


def test_history_query_count_does_not_grow_with_versions(
    official_client, duty_list, setting, django_assert_max_num_queries
):
    item = make_item(duty_list, Part.COORDINATED, category=setting["category"], leads=[setting["department"]])
    url = reverse("catalog:item_history", args=[item.pk])
    with CaptureQueriesContext(connection) as few:
        official_client.get(url)
    for n in range(15):
        item.name = f"名称{n}"
        services.save_item(item, by=SYSTEM)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(official_client.get(url).context["versions"]) > 15


def test_change_feed_since_a_version_and_since_a_date(
    official_client, duty_list, setting, django_assert_max_num_queries
):
    item = make_item(duty_list, category=setting["category"], name="旧名称")
    services.save_item(item, by=SYSTEM)
    mark = DutyList.objects.get(pk=duty_list.pk).version
    item.name = "新名称"
    services.save_item(item, reason="统一表述", by=SYSTEM)
    services.delete_item(make_item(duty_list, category=setting["category"], name="多余事项"), by=SYSTEM)
    url = reverse("catalog:list_changes", args=[duty_list.pk])

    with django_assert_max_num_queries(12):
        page = official_client.get(url, {"since_version": mark})
    kinds = [(e.record.name, e.kind) for e in page.context["entries"]]
    assert kinds == [("多余事项", "删除"), ("新名称", "修改")]
    rename = page.context["entries"][1]
    assert [(c.label, c.before, c.after) for c in rename.changes] == [("事项名称", "旧名称", "新名称")]

    today = official_client.get(url, {"since": "2000-01-01"})
    assert len(today.context["entries"]) >= 3
    bad = official_client.get(url, {"since": "昨天"})
    assert "日期“昨天”格式不正确" in bad.content.decode()


# Starting a list


def test_county_editor_starts_a_draft_from_the_template(client, cast, duty_list, setting):
    county = duty_list.township.county
    template = Catalogue.objects.create(county=county, name="标准模板", kind=Catalogue.Kind.TEMPLATE)
    CatalogueEntry.objects.create(
        catalogue=template, name="党组织建设", part=Part.BASIC, category=setting["category"]
    )
    township = make_township(county, "白云乡")
    client.force_login(cast["county_editor"])
    response = client.post(
        reverse("catalog:list_start"), {"township": township.pk, "year": 2026, "catalogue": template.pk}
    )
    assert response.status_code == 302
    new_list = DutyList.objects.get(township=township)
    assert new_list.title == "白云乡履行职责事项清单"
    assert new_list.items.get().catalogue_entry.name == "党组织建设"


def test_starting_a_list_needs_exactly_one_source(client, cast, duty_list):
    client.force_login(cast["county_editor"])
    response = client.post(reverse("catalog:list_start"), {"township": duty_list.township.pk, "year": 2026})
    assert "请在“县级目录”和“其他清单”中选择且只选择一个来源。" in response.content.decode()
    assert DutyList.objects.count() == 1


@pytest.mark.parametrize("role", ["township_official", "department_reviewer", "county_leader", "consultee"])
def test_only_county_editors_reach_the_start_page(client, cast, role):
    client.force_login(cast[role])
    assert client.get(reverse("catalog:list_start")).status_code == 403

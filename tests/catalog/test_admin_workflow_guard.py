"""The back office is one more caller: it never moves a list's stage or version, never lifts a
decision lock, and writes items only through the workbench's services."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse

from catalog import services
from catalog.models import DutyItem, DutyList, Part
from review import workflow
from review.models import StageChange
from tests.conftest import make_category, make_county, make_item, make_office, make_township
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db

Stage = DutyList.Stage


@pytest.fixture
def editor_client(client, cast):
    client.force_login(cast["county_editor"])
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def history_url(obj, record):
    meta = obj._meta
    return reverse(
        f"admin:{meta.app_label}_{meta.model_name}_simple_history", args=[obj.pk, record.history_id]
    )


def test_a_published_list_cannot_be_restored_to_an_earlier_stage_from_its_history(
    editor_client, cast, duty_list
):
    make_item(duty_list)
    drafting = duty_list.history.earliest()
    approve_and_publish(duty_list, cast["county_editor"])
    stage_log = StageChange.objects.count()

    page = editor_client.get(history_url(duty_list, drafting))
    response = editor_client.post(
        history_url(duty_list, drafting),
        {"title": duty_list.title, "year": duty_list.year, "stage": Stage.DRAFTING},
    )

    assert page.status_code == 200 and "保存" not in page.content.decode()
    assert response.status_code == 403
    duty_list.refresh_from_db()
    assert duty_list.stage == Stage.PUBLISHED
    assert StageChange.objects.count() == stage_log


def test_the_list_change_form_writes_title_and_year_and_keeps_the_stage_the_workflow_set(
    editor_client, cast, duty_list
):
    make_item(duty_list)
    form = editor_client.get(admin_url(DutyList, "change", duty_list.pk))
    assert form.status_code == 200
    # The township submits while the editor has the form open.
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    version = DutyList.objects.get(pk=duty_list.pk).version

    response = editor_client.post(
        admin_url(DutyList, "change", duty_list.pk), {"title": "新标题", "year": 2026}
    )

    assert response.status_code == 302
    duty_list.refresh_from_db()
    assert (duty_list.title, duty_list.year) == ("新标题", 2026)
    assert (duty_list.stage, duty_list.version) == (Stage.FIRST_SUBMITTED, version)
    assert duty_list.history.first().history_user == cast["county_editor"]


def test_list_details_cannot_be_changed_once_the_list_is_published_even_from_an_old_copy(cast, duty_list):
    make_item(duty_list)
    stale = DutyList.objects.get(pk=duty_list.pk)  # still says 起草
    approve_and_publish(duty_list, cast["county_editor"])

    with pytest.raises(PermissionDenied, match="已公布"):
        services.update_list_details(stale, title="改标题", year=2030, by=cast["county_editor"])

    duty_list.refresh_from_db()
    assert duty_list.stage == Stage.PUBLISHED
    assert (duty_list.title, duty_list.year) == (stale.title, stale.year)


def test_a_second_open_list_added_in_the_back_office_is_refused_in_chinese(editor_client, duty_list):
    response = editor_client.post(
        admin_url(DutyList, "add"), {"township": duty_list.township_id, "title": "第二份", "year": 2026}
    )

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        response = editor_client.get(response.url)
    assert "尚未审定的清单" in response.content.decode()
    assert DutyList.objects.filter(township=duty_list.township).count() == 1


def decided(item: DutyItem) -> DutyItem:
    DutyItem.objects.filter(pk=item.pk).update(is_decided=True, name="拍板后的名称", version=2)
    item.refresh_from_db()
    return item


def test_reverting_a_decided_item_from_its_history_keeps_the_decision(editor_client, duty_list):
    item = make_item(duty_list, name="原名称")
    before_decision = item.history.earliest()
    decided(item)

    response = editor_client.post(history_url(item, before_decision), {"expected_version": 2}, follow=True)

    assert "已经协调拍板" in response.content.decode()
    item.refresh_from_db()
    assert (item.name, item.is_decided, item.version) == ("拍板后的名称", True, 2)


def test_reverting_an_item_of_a_published_list_is_refused(editor_client, cast, duty_list):
    item = make_item(duty_list, name="原名称")
    services.save_item(item, by=cast["county_editor"], reason="改名")  # version 2
    first = item.history.earliest()
    approve_and_publish(duty_list, cast["county_editor"])

    response = editor_client.post(history_url(item, first), {"expected_version": 2}, follow=True)

    assert "无权修改" in response.content.decode()
    assert DutyItem.objects.get(pk=item.pk).version == 2


def test_reverting_an_item_in_the_back_office_is_the_workbench_revert_with_its_version_check(
    editor_client, cast, duty_list
):
    item = make_item(duty_list, name="原名称")
    item.name = "改后的名称"
    services.save_item(item, by=cast["county_editor"], reason="改名")
    first = item.history.earliest()

    stale = editor_client.post(history_url(item, first), {"expected_version": 1}, follow=True)
    assert "已被他人修改" in stale.content.decode()
    assert DutyItem.objects.get(pk=item.pk).name == "改后的名称"

    response = editor_client.post(history_url(item, first), {"expected_version": 2})

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.version) == ("原名称", 3)
    record = item.history.first()
    assert record.history_user == cast["county_editor"]
    assert record.history_change_reason.startswith("恢复到第 1 版")


def test_the_item_change_form_cannot_lift_a_decision_or_move_the_item_to_another_list(
    editor_client, cast, duty_list
):
    item = decided(make_item(duty_list))
    response = editor_client.post(admin_url(DutyItem, "change", item.pk), {"name": "绕过拍板"})
    assert response.status_code == 403
    assert DutyItem.objects.get(pk=item.pk).name == "拍板后的名称"

    free = make_item(duty_list, name="可改事项")
    other = DutyList.objects.create(
        township=make_township(duty_list.township.county, "白云乡"), title="青山", year=2025
    )
    from tests.conftest import item_form_data

    editor_client.post(
        admin_url(DutyItem, "change", free.pk), item_form_data(free, duty_list=other.pk, name="改名")
    )
    free.refresh_from_db()
    assert (free.duty_list_id, free.name) == (duty_list.pk, "改名")


def test_deleting_an_item_in_the_back_office_is_the_soft_delete_with_its_version(
    editor_client, cast, duty_list
):
    item = make_item(duty_list)
    page = editor_client.get(admin_url(DutyItem, "delete", item.pk))
    assert 'name="expected_version" value="1"' in page.content.decode()

    stale = editor_client.post(
        admin_url(DutyItem, "delete", item.pk), {"post": "yes", "expected_version": 0}, follow=True
    )
    assert "已被他人修改" in stale.content.decode()
    assert DutyItem.objects.get(pk=item.pk).deleted_at is None

    response = editor_client.post(
        admin_url(DutyItem, "delete", item.pk), {"post": "yes", "expected_version": 1}
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.deleted_at is not None and item.version == 2
    assert item.history.first().history_change_reason == "后台删除"


def test_the_bulk_delete_action_is_not_offered_for_items(editor_client, duty_list):
    item = make_item(duty_list)
    changelist = editor_client.get(admin_url(DutyItem, "changelist"))
    assert "delete_selected" not in changelist.content.decode()

    editor_client.post(
        admin_url(DutyItem, "changelist"),
        {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"},
    )

    item.refresh_from_db()
    assert item.deleted_at is None


def test_filters_and_choices_show_only_the_editors_county(editor_client, duty_list):
    elsewhere = make_county("远方县", "999777")
    far = make_township(elsewhere, "远方镇")
    make_office(far, "远方办公室")
    make_category(elsewhere, "远方类别")
    make_category(duty_list.township.county, "本县类别")
    make_category(duty_list.township.county, "本县另一类别")

    pages = {
        model: editor_client.get(admin_url(model, "changelist")).content.decode()
        for model in (DutyItem, DutyList)
    }
    from catalog.models import Category, Office, Township

    pages[Office] = editor_client.get(admin_url(Office, "changelist")).content.decode()
    pages[Township] = editor_client.get(admin_url(Township, "changelist")).content.decode()
    pages[Category] = editor_client.get(admin_url(Category, "changelist")).content.decode()
    for page in pages.values():
        assert "远方县" not in page and "远方镇" not in page and "远方类别" not in page
    assert "本县类别" in pages[DutyItem]  # the category filter still lists the county's own


def test_an_item_saved_from_a_copy_older_than_the_submission_is_refused(cast, duty_list):
    """The stage is read under the list's lock, not from the caller's copy of the list."""
    item = make_item(duty_list)
    copy = DutyItem.objects.select_related("duty_list").get(pk=item.pk)  # the list still 起草 here
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    submitted = duty_list.submissions.get().items.get()

    copy.name = "提交之后的修改"
    with pytest.raises(PermissionDenied):
        services.save_item(copy, by=cast["township_official"])

    assert DutyItem.objects.get(pk=item.pk).name == submitted.name != "提交之后的修改"


@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_the_submission_is_in_the_frozen_text_or_refused(cast, duty_list):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite 的测试库在内存中、每个线程各有一份，并发只能在 PostgreSQL 上验证（CI 会在 PostgreSQL 上运行此测试）"
        )
    item = make_item(duty_list, Part.BASIC, name="原名称")
    official = cast["township_official"]
    barrier = threading.Barrier(2)
    outcomes = {}

    def edit():
        from django.db import connection as thread_connection

        try:
            copy = DutyItem.objects.get(pk=item.pk)
            copy.name = "并发修改"
            barrier.wait()
            services.save_item(copy, by=official)
            outcomes["edit"] = "saved"
        except PermissionDenied:
            outcomes["edit"] = "refused"
        finally:
            thread_connection.close()

    def submit():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            workflow.perform(DutyList.objects.get(pk=duty_list.pk), "submit", by=official)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=edit), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    live = DutyItem.objects.get(pk=item.pk).name
    frozen = DutyList.objects.get(pk=duty_list.pk).submissions.get().items.get().name
    assert live == frozen
    assert (outcomes["edit"], frozen) in {("saved", "并发修改"), ("refused", "原名称")}

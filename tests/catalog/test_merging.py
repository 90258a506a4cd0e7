"""Merging duplicate offices, departments and categories: every reference moves to the record kept, with
history; frozen copies stay as they were; merges never cross a county and never merge a record into itself."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalog import merging
from catalog.models import (
    Catalogue,
    CatalogueEntry,
    Category,
    Department,
    DutyItem,
    Membership,
    NameAlias,
    Office,
    Part,
)
from review import workflow
from review.models import Decision, Invitation
from tests.conftest import make_category, make_county, make_department, make_item, make_office, make_user
from tests.review.conftest import make_comment, make_window

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def pair(duty_list):
    county = duty_list.township.county
    duplicate = Department.objects.create(county=county, name="县应急局", short_name="应急局")
    kept = Department.objects.create(county=county, name="县应急管理局")
    return duplicate, kept


def referring_rows(model, pk) -> int:
    """Rows of every relation `catalog.merging` knows that still name the record `pk`."""
    return sum(
        reference.model._base_manager.filter(**{reference.field.name: pk}).count()
        for reference in merging.references(model)
    )


def test_merging_a_department_moves_every_reference_with_history(cast, duty_list, pair):
    duplicate, kept = pair
    editor = cast["county_editor"]
    only_duplicate = make_item(duty_list, Part.COORDINATED, leads=[duplicate], name="森林防火")
    both = make_item(duty_list, Part.COORDINATED, leads=[duplicate, kept], name="防汛抗旱")
    reclaimed = make_item(duty_list, Part.RECLAIMED, receiving_department=duplicate, name="危化品执法")
    catalogue = Catalogue.objects.create(
        county=duplicate.county, name="县级标准模板", kind=Catalogue.Kind.TEMPLATE
    )
    entry = CatalogueEntry.objects.create(
        catalogue=catalogue, part=Part.COORDINATED, name="森林防火", category=only_duplicate.category
    )
    entry.lead_departments.set([duplicate])
    reviewer = make_user("应急局审核人", Role.DEPARTMENT_REVIEWER, department=duplicate)
    in_both = make_user("两边都有", Role.DEPARTMENT_REVIEWER, department=duplicate)
    Membership.objects.create(
        user=in_both, role=Role.DEPARTMENT_REVIEWER, county=kept.county, department=kept
    )
    alias = NameAlias.objects.create(
        county=kept.county, kind="department", text="应急管理局（县）", department=duplicate
    )
    window = make_window(duty_list, duplicate)
    comment = make_comment(window, only_duplicate, department=duplicate, author=reviewer)
    dispute = workflow.dispute_for(comment, raised_by=editor)
    dispute.save()
    decision = Decision.objects.create(
        dispute=dispute,
        receiving_department=duplicate,
        outcome="由县应急局收回",
        meeting="协调会",
        decided_on="2025-06-01",
        decided_by=cast["county_leader"],
    )
    frozen = window.submission.items.get(name="危化品执法")
    duplicate_pk = duplicate.pk

    moved = merging.merge(duplicate, kept, by=editor)

    assert not Department.objects.filter(pk=duplicate_pk).exists()
    assert referring_rows(Department, duplicate_pk) == 0
    assert list(only_duplicate.lead_departments.all()) == [kept]
    assert list(both.lead_departments.all()) == [kept]
    reclaimed.refresh_from_db()
    assert reclaimed.receiving_department == kept
    assert list(entry.lead_departments.all()) == [kept]
    assert Membership.objects.get(user=reviewer).department == kept
    assert list(Membership.objects.filter(user=in_both).values_list("department", flat=True)) == [kept.pk]
    alias.refresh_from_db()
    assert alias.department == kept
    assert Invitation.objects.get(window=window).department == kept
    comment.refresh_from_db()
    decision.refresh_from_db()
    assert comment.department == kept and decision.receiving_department == kept
    assert moved["履职事项（县级主责部门）"] == 2 and moved["履职事项（收回（承接）部门）"] == 1

    # History: each item and the comment say why they changed and who did it; the duplicate's deletion too.
    reason = "合并县直部门：“县应急局”并入“县应急管理局”"
    record = only_duplicate.history.latest()
    assert (record.history_change_reason, record.history_user) == (reason, editor)
    assert [row.department_id for row in record.lead_departments.all()] == [kept.pk]
    assert comment.history.latest().history_change_reason == reason
    gone = Department.history.get(id=duplicate_pk, history_type="-")
    assert (gone.history_change_reason, gone.history_user) == (reason, editor)

    # The frozen submission keeps the name and id it had; the duplicate's names now mean the kept one.
    frozen.refresh_from_db()
    assert (frozen.receiving_department, frozen.receiving_department_id) == ("县应急局", duplicate_pk)
    remembered = {
        a.text: (a.department, a.merged_id) for a in NameAlias.objects.filter(merged_id__isnull=False)
    }
    assert remembered == {"县应急局": (kept, duplicate_pk), "应急局": (kept, duplicate_pk)}


def test_a_merge_across_counties_or_into_itself_is_refused_and_changes_nothing(cast, duty_list, pair):
    duplicate, kept = pair
    item = make_item(duty_list, Part.COORDINATED, leads=[duplicate])
    elsewhere = make_department(make_county("别县二", "999018"), "县应急管理局")
    with pytest.raises(ValidationError, match="不能跨县合并：“县应急局”和“县应急管理局”属于不同的县。"):
        merging.merge(duplicate, elsewhere, by=cast["county_editor"])
    with pytest.raises(ValidationError, match="不能把县直部门“县应急局”合并到它自己。"):
        merging.merge(duplicate, duplicate, by=cast["county_editor"])
    with pytest.raises(PermissionDenied, match="只有本县的县委编办可以合并县直部门。"):
        merging.merge(duplicate, kept, by=cast["other_county_editor"])
    with pytest.raises(PermissionDenied):
        merging.merge(duplicate, kept, by=cast["township_official"])
    assert Department.objects.filter(pk=duplicate.pk).exists()
    assert list(item.lead_departments.all()) == [duplicate]


def test_merging_offices_stays_within_a_township_and_moves_their_items(cast, duty_list):
    township = duty_list.township
    duplicate, kept = make_office(township, "党政办"), make_office(township, "党政办公室")
    item = make_item(duty_list, responsible_office=duplicate)
    neighbour_office = make_office(
        township.county.townships.create(name="邻镇", code="999999777", kind="zhen")
    )
    with pytest.raises(ValidationError, match="只能合并同一乡镇（街道）的科室"):
        merging.merge(duplicate, neighbour_office, by=cast["county_editor"])
    merging.merge(duplicate, kept, by=cast["county_editor"])
    item.refresh_from_db()
    assert item.responsible_office == kept and not Office.objects.filter(name="党政办").exists()
    assert NameAlias.objects.get(text="党政办").office == kept


def test_merging_categories_puts_items_after_the_kept_ones_and_refuses_merging_into_a_child(cast, duty_list):
    county = duty_list.township.county
    kept, duplicate = make_category(county, "党的建设", 1), make_category(county, "党建", 2)
    child = Category.objects.create(county=county, name="基层组织", parent=duplicate, order=1)
    first = make_item(duty_list, category=kept, name="党组织建设", order=1)
    second = make_item(duty_list, category=kept, name="党员教育", order=2)
    moved = make_item(duty_list, category=duplicate, name="意识形态", order=1)
    with pytest.raises(ValidationError, match="不能把上级类别合并到它的下级"):
        merging.merge(duplicate, child, by=cast["county_editor"])

    merging.merge(duplicate, kept, by=cast["county_editor"])

    moved.refresh_from_db()
    child.refresh_from_db()
    assert (moved.category, moved.order) == (kept, 3) and child.parent == kept
    in_order = DutyItem.objects.filter(category=kept).order_by("order")
    assert list(in_order) == [first, second, moved]


@pytest.fixture
def editor_client(client, cast):
    client.force_login(cast["county_editor"])
    return client


def test_the_back_office_merges_selected_duplicates_into_the_one_chosen(editor_client, duty_list, pair):
    duplicate, kept = pair
    item = make_item(duty_list, Part.COORDINATED, leads=[duplicate])
    url = reverse("admin:catalog_department_changelist")
    selected = {"action": "merge_into", "_selected_action": [duplicate.pk, kept.pk]}

    page = editor_client.post(url, selected)
    text = page.content.decode()
    assert page.status_code == 200 and "合并县直部门" in text and "履职事项（县级主责部门） 1 处" in text

    done = editor_client.post(url, selected | {"apply": "1", "kept": kept.pk}, follow=True)
    assert "已将县直部门“县应急局”合并到“县应急管理局”，移动了 1 处引用" in done.content.decode()
    assert (
        list(item.lead_departments.all()) == [kept]
        and not Department.objects.filter(pk=duplicate.pk).exists()
    )


def test_the_back_office_offers_only_the_editors_county_and_refuses_merging_a_record_into_itself(
    editor_client, duty_list, pair
):
    duplicate, _kept = pair
    elsewhere = make_department(make_county("别县三", "999028"), "县应急管理局")
    url = reverse("admin:catalog_department_changelist")
    selected = {"action": "merge_into", "_selected_action": [duplicate.pk], "apply": "1"}

    foreign = editor_client.post(url, selected | {"kept": elsewhere.pk})
    assert foreign.status_code == 200 and "选择一个有效的选项" in foreign.content.decode()
    itself = editor_client.post(url, selected | {"kept": duplicate.pk}, follow=True)
    assert "不能把县直部门“县应急局”合并到它自己。" in itself.content.decode()
    assert Department.objects.filter(pk__in=[duplicate.pk, elsewhere.pk]).count() == 2


def test_a_superuser_merging_across_counties_is_refused_in_chinese(admin_client, pair):
    duplicate, _kept = pair
    elsewhere = make_department(make_county("别县四", "999038"), "县应急管理局")
    response = admin_client.post(
        reverse("admin:catalog_department_changelist"),
        {"action": "merge_into", "_selected_action": [duplicate.pk], "apply": "1", "kept": elsewhere.pk},
        follow=True,
    )
    assert "不能跨县合并" in response.content.decode()
    assert Department.objects.filter(pk=duplicate.pk).exists()


def test_the_back_office_offers_an_office_only_the_offices_of_its_township(editor_client, duty_list):
    township = duty_list.township
    duplicate, kept = make_office(township, "党政办"), make_office(township, "党政办公室")
    neighbour = make_office(township.county.townships.create(name="邻镇", code="999999778", kind="zhen"))
    page = editor_client.post(
        reverse("admin:catalog_office_changelist"),
        {"action": "merge_into", "_selected_action": [duplicate.pk]},
    )
    offered = set(page.context["form"].fields["kept"].queryset)
    assert offered == {duplicate, kept} and neighbour not in offered

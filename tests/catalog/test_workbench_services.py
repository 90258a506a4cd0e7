import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog import services
from catalog.actors import SYSTEM
from catalog.models import Catalogue, CatalogueEntry, DutyItem, DutyList, Part
from tests.conftest import make_category, make_department, make_item, make_office, make_township

pytestmark = pytest.mark.django_db


def test_every_item_change_counts_on_the_list_and_is_stamped_with_that_count(duty_list):
    item = make_item(duty_list)
    start = DutyList.objects.get(pk=duty_list.pk).version
    item.name = "改名"
    services.save_item(item, by=SYSTEM)
    other = services.create_item(
        DutyItem(duty_list=duty_list, part=Part.BASIC, category=item.category, name="新"),
        by=SYSTEM,
    )
    assert DutyList.objects.get(pk=duty_list.pk).version == start + 2
    assert (item.list_version, other.list_version) == (start + 1, start + 2)
    assert item.history.first().list_version == start + 1


def test_create_item_goes_to_the_end_of_its_category(duty_list):
    first = make_item(duty_list, order=4)
    new = services.create_item(
        DutyItem(duty_list=duty_list, part=Part.BASIC, category=first.category, name="新"),
        by=SYSTEM,
    )
    assert new.order == 5
    assert new.history.get().history_change_reason == "新增事项"


def test_delete_and_restore_keep_the_item_and_its_history(cast, duty_list):
    official = cast["township_official"]
    item = make_item(duty_list, order=1)
    services.delete_item(item, by=official, reason="与其他事项重复")
    assert DutyItem.objects.active().count() == 0
    assert DutyItem.objects.deleted().get() == item
    services.restore_item(item, by=official)
    item.refresh_from_db()
    assert item.deleted_at is None
    reasons = list(item.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["恢复已删除事项", "与其他事项重复"]


def test_reordering_swaps_neighbours_and_renumbers_the_category(duty_list):
    category = make_category(duty_list.township.county)
    a, b, c = (make_item(duty_list, category=category, order=n) for n in (10, 20, 30))
    services.move_item_in_category(c, step=-1, by=SYSTEM)
    assert list(DutyItem.objects.filter(category=category).order_by("order").values_list("pk", "order")) == [
        (a.pk, 1),
        (c.pk, 2),
        (b.pk, 3),
    ]
    services.move_item_in_category(a, step=-1, by=SYSTEM)  # already first: nothing changes
    assert DutyItem.objects.get(pk=a.pk).order == 1


def test_duplicate_is_a_new_individual_item_with_the_same_content(duty_list):
    department = make_department(duty_list.township.county)
    item = make_item(duty_list, Part.COORDINATED, leads=[department], support="经费保障")
    copy = services.duplicate_item(item, by=SYSTEM)
    assert copy.pk != item.pk and copy.key != item.key
    assert (copy.name, copy.support, copy.origin) == (
        f"{item.name}（副本）",
        "经费保障",
        DutyItem.Origin.INDIVIDUAL,
    )
    assert list(copy.lead_departments.all()) == [department]
    assert copy.order == item.order + 1


def test_revert_restores_an_old_version_as_a_new_change_with_reason(cast, duty_list):
    editor = cast["county_editor"]
    department, other = make_department(duty_list.township.county), make_department(duty_list.township.county)
    item = make_item(duty_list, Part.COORDINATED, leads=[department], name="原名称")
    services.save_item(item, by=editor)
    old = item.history.first()
    item.name = "错误名称"
    services.save_item(item, lead_departments=[other], by=editor)

    with pytest.raises(ValidationError):
        services.revert_item(item, old, by=editor, reason=" ")
    services.revert_item(item, old, by=editor, reason="改错了")

    item.refresh_from_db()
    assert item.name == "原名称"
    assert list(item.lead_departments.all()) == [department]
    latest = item.history.first()
    assert latest.history_change_reason == f"恢复到第 {old.version} 版：改错了"
    assert latest.history_user == editor


def test_start_list_from_the_template_links_each_item_to_its_entry(cast, duty_list):
    county = duty_list.township.county
    category = make_category(county, "平安法治")
    department = make_department(county, "县应急管理局")
    template = Catalogue.objects.create(county=county, name="标准模板", kind=Catalogue.Kind.TEMPLATE)
    entry = CatalogueEntry.objects.create(
        catalogue=template, name="防汛抗旱", part=Part.COORDINATED, category=category, township_duties="巡查"
    )
    entry.lead_departments.set([department])
    township = make_township(county, "白云乡")

    new_list = services.start_list(
        township, title="白云乡清单", year=2026, by=cast["county_editor"], catalogue=template
    )

    item = new_list.items.get()
    assert (item.catalogue_entry, item.origin, item.part) == (entry, DutyItem.Origin.COMMON, Part.COORDINATED)
    assert list(item.lead_departments.all()) == [department]
    assert item.history.get().history_user == cast["county_editor"]


def test_start_list_by_copying_another_township_maps_offices_by_name(cast, duty_list):
    office = make_office(duty_list.township, "党政办公室")
    original = make_item(duty_list, responsible_office=office)
    make_item(duty_list, name="已删除事项", deleted_at="2025-01-01T00:00:00+08:00")
    township = make_township(duty_list.township.county, "白云乡")
    target_office = make_office(township, "党政办公室")

    new_list = services.start_list(
        township, title="白云乡清单", year=2026, by=cast["county_editor"], source=duty_list
    )

    copy = new_list.items.get()
    assert (copy.name, copy.responsible_office, copy.key != original.key) == (
        original.name,
        target_office,
        True,
    )


@pytest.mark.parametrize("role", ["township_official", "department_reviewer", "other_county_editor"])
def test_only_the_county_editor_starts_a_list(cast, duty_list, role):
    with pytest.raises(PermissionDenied):
        services.start_list(duty_list.township, title="新清单", year=2026, by=cast[role], source=duty_list)
    assert DutyList.objects.count() == 1

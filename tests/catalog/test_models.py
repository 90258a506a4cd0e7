import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from catalog.models import Catalogue, CatalogueEntry, Category, DutyItem, Part
from tests.conftest import (
    make_category,
    make_county,
    make_department,
    make_duty_list,
    make_item,
    make_office,
    make_township,
)

pytestmark = pytest.mark.django_db


def validation_errors(item: DutyItem, leads=None) -> dict:
    if leads is not None:
        item.set_pending_lead_departments(leads)
    with pytest.raises(ValidationError) as caught:
        item.full_clean()
    return caught.value.message_dict


def new_item(duty_list, part, **fields) -> DutyItem:
    category = make_category(duty_list.township.county)
    return DutyItem(duty_list=duty_list, part=part, category=category, name="事项", **fields)


def test_valid_item_of_each_part_passes(duty_list):
    for part in Part.values:
        make_item(duty_list, part).full_clean()


def test_basic_item_refuses_lead_departments(duty_list):
    item = new_item(duty_list, Part.BASIC)
    department = make_department(duty_list.township.county)
    assert "lead_departments" in validation_errors(item, [department])


@pytest.mark.parametrize("field", ["department_duties", "township_duties", "support", "reclaim_reason"])
def test_basic_item_refuses_department_texts(duty_list, field):
    item = new_item(duty_list, Part.BASIC, **{field: "县农业农村局负责"})
    assert field in validation_errors(item, [])


def test_basic_item_refuses_receiving_department(duty_list):
    department = make_department(duty_list.township.county)
    item = new_item(duty_list, Part.BASIC, receiving_department=department)
    assert "receiving_department" in validation_errors(item, [])


def test_coordinated_item_needs_a_lead_department(duty_list):
    item = new_item(duty_list, Part.COORDINATED, township_duties="协助排查")
    errors = validation_errors(item, [])
    assert errors["lead_departments"] == ["配合履职事项至少需要一个县级主责部门。"]


def test_coordinated_item_needs_township_duties(duty_list):
    department = make_department(duty_list.township.county)
    item = new_item(duty_list, Part.COORDINATED, township_duties="   ")
    errors = validation_errors(item, [department])
    assert errors == {"township_duties": ["配合履职事项必须填写乡镇（街道）配合职责。"]}


def test_coordinated_item_checks_stored_lead_departments_when_none_pending(duty_list):
    item = make_item(duty_list, Part.COORDINATED)
    item.lead_departments.clear()
    item = DutyItem.objects.get(pk=item.pk)
    assert "lead_departments" in validation_errors(item)


def test_coordinated_item_refuses_receiving_department(duty_list):
    department = make_department(duty_list.township.county)
    item = new_item(duty_list, Part.COORDINATED, township_duties="协助", receiving_department=department)
    assert "receiving_department" in validation_errors(item, [department])


def test_reclaimed_item_needs_receiving_department(duty_list):
    item = new_item(duty_list, Part.RECLAIMED)
    errors = validation_errors(item, [])
    assert errors["receiving_department"] == ["上级部门收回事项必须填写收回（承接）部门。"]


def test_reclaimed_item_refuses_lead_departments_and_township_duties(duty_list):
    department = make_department(duty_list.township.county)
    item = new_item(duty_list, Part.RECLAIMED, receiving_department=department, township_duties="协助")
    errors = validation_errors(item, [department])
    assert set(errors) == {"lead_departments", "township_duties"}


def test_office_must_belong_to_the_lists_township(duty_list):
    other = make_township(duty_list.township.county, "青山镇")
    item = new_item(duty_list, Part.BASIC, responsible_office=make_office(other))
    assert validation_errors(item, [])["responsible_office"] == ["责任科室“党政办公室”不属于城关镇。"]


def test_category_and_departments_must_belong_to_the_county(duty_list):
    elsewhere = make_county("别县", "999002")
    foreign_department = make_department(elsewhere, "别县民政局")
    item = new_item(duty_list, Part.COORDINATED, township_duties="协助")
    item.category = make_category(elsewhere, "党的建设")
    errors = validation_errors(item, [foreign_department])
    assert errors["category"] == ["类别“党的建设”不属于示范县。"]
    assert errors["lead_departments"] == ["部门“别县民政局”不属于示范县。"]


def test_category_has_at_most_two_levels(county):
    top = make_category(county, "民生服务")
    middle = Category.objects.create(county=county, name="社会救助", parent=top)
    child = Category(county=county, name="低保", parent=middle)
    with pytest.raises(ValidationError) as caught:
        child.full_clean()
    assert "parent" in caught.value.message_dict


def test_item_key_is_unique_within_a_list_and_shared_across_lists(duty_list):
    item = make_item(duty_list)
    other_list = make_duty_list(make_township(duty_list.township.county))
    make_item(other_list, key=item.key)  # a copy into another list keeps the key
    with pytest.raises(IntegrityError):
        make_item(duty_list, key=item.key)


def test_published_order_is_part_then_category_then_order(duty_list):
    county = duty_list.township.county
    first, second = make_category(county, "党的建设", 1), make_category(county, "经济发展", 2)
    c = make_item(duty_list, Part.COORDINATED, category=first, order=1)
    b2 = make_item(duty_list, Part.BASIC, category=second, order=1)
    b1 = make_item(duty_list, Part.BASIC, category=first, order=2)
    r = make_item(duty_list, Part.RECLAIMED, category=first, order=1)
    assert list(DutyItem.objects.in_published_order()) == [b1, b2, c, r]


def test_catalogue_entries_follow_the_same_part_rules(county):
    catalogue = Catalogue.objects.create(county=county, name="标准模板", kind=Catalogue.Kind.TEMPLATE)
    entry = CatalogueEntry(
        catalogue=catalogue, name="秸秆禁烧", part=Part.COORDINATED, township_duties="巡查"
    )
    entry.set_pending_lead_departments([])
    with pytest.raises(ValidationError) as caught:
        entry.full_clean()
    assert caught.value.message_dict == {"lead_departments": ["配合履职事项至少需要一个县级主责部门。"]}


def test_catalogue_entry_category_must_belong_to_the_catalogues_county(county):
    catalogue = Catalogue.objects.create(county=county, name="兜底事项目录", kind=Catalogue.Kind.SAFEGUARD)
    foreign = make_category(make_county("别县", "999003"), "民生服务")
    entry = CatalogueEntry(catalogue=catalogue, name="临时救助", part=Part.BASIC, category=foreign)
    with pytest.raises(ValidationError) as caught:
        entry.full_clean()
    assert caught.value.message_dict == {"category": ["类别“民生服务”不属于示范县。"]}


def test_coordinated_item_refuses_a_reclaim_reason(duty_list):
    department = make_department(duty_list.township.county)
    item = new_item(duty_list, Part.COORDINATED, township_duties="协助", reclaim_reason="由部门实施")
    assert validation_errors(item, [department]) == {
        "reclaim_reason": ["配合履职事项不填写“收回理由及工作方式”。"]
    }


@pytest.mark.parametrize("field", ["department_duties", "support"])
def test_reclaimed_item_refuses_department_duties_and_support(duty_list, field):
    department = make_department(duty_list.township.county)
    item = new_item(duty_list, Part.RECLAIMED, receiving_department=department, **{field: "县级部门负责"})
    assert set(validation_errors(item, [])) == {field}


def test_reclaimed_item_has_no_township_office(duty_list):
    department = make_department(duty_list.township.county)
    office = make_office(duty_list.township)
    item = new_item(duty_list, Part.RECLAIMED, receiving_department=department, responsible_office=office)
    assert validation_errors(item, []) == {"responsible_office": ["上级部门收回事项不填写“责任科室”。"]}


def test_safeguard_item_cannot_be_reclaimed(duty_list):
    department = make_department(duty_list.township.county)
    item = new_item(duty_list, Part.RECLAIMED, receiving_department=department, is_safeguard=True)
    assert set(validation_errors(item, [])) == {"is_safeguard"}


def test_catalogue_entry_must_come_from_the_countys_catalogues(duty_list):
    elsewhere = make_county("别县", "999004")
    catalogue = Catalogue.objects.create(county=elsewhere, name="别县模板", kind=Catalogue.Kind.TEMPLATE)
    entry = CatalogueEntry.objects.create(catalogue=catalogue, name="党组织建设", part=Part.BASIC)
    item = new_item(duty_list, Part.BASIC, catalogue_entry=entry, origin=DutyItem.Origin.COMMON)
    assert validation_errors(item, []) == {
        "catalogue_entry": ["来源目录事项“党组织建设”不属于示范县的目录。"]
    }


def test_category_cannot_be_its_own_parent(county):
    category = make_category(county, "党的建设")
    category.parent = category
    with pytest.raises(ValidationError) as caught:
        category.full_clean()
    assert caught.value.message_dict == {"parent": ["类别不能以自身为上级类别。"]}


def test_category_parent_must_be_in_the_same_county(county):
    foreign_parent = make_category(make_county("别县", "999005"), "民生服务")
    child = Category(county=county, name="社会救助", parent=foreign_parent)
    with pytest.raises(ValidationError) as caught:
        child.full_clean()
    assert caught.value.message_dict == {"parent": ["上级类别必须属于同一个县。"]}


def test_sub_categories_follow_their_parent_in_published_order(duty_list):
    county = duty_list.township.county
    party, economy = make_category(county, "党的建设", 1), make_category(county, "经济发展", 2)
    party_sub = Category.objects.create(county=county, name="基层组织", parent=party, order=1)
    in_economy = make_item(duty_list, category=economy, order=1)
    in_sub = make_item(duty_list, category=party_sub, order=1)
    in_party = make_item(duty_list, category=party, order=5)
    assert list(DutyItem.objects.in_published_order()) == [in_party, in_sub, in_economy]

"""Provinces and cities above the county: codes that nest, one level per supervising role, and what a
supervising role reads."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog import permissions
from catalog.models import County, Province, RegionMembership
from tests.conftest import make_city, make_county, make_province, make_region_user

pytestmark = pytest.mark.django_db


def test_a_county_code_must_lie_under_its_city():
    city = make_city(make_province("浙江省", "330000"), "杭州市", "330100")
    County(name="上城区", code="330102", city=city).full_clean()
    with pytest.raises(ValidationError) as refused:
        County(name="错位县", code="330202", city=city).full_clean()
    assert refused.value.message_dict["code"] == ["区划代码 330202 不在杭州市（330100）之下。"]


def test_a_city_code_must_lie_under_its_province():
    province = make_province("浙江省", "330000")
    with pytest.raises(ValidationError) as refused:
        make_city(province, "错位市", "340100").full_clean()
    assert refused.value.message_dict["code"] == ["区划代码 340100 不在浙江省（330000）之下。"]


@pytest.mark.parametrize("code", ["33000", "330100", "33000a"])
def test_a_province_code_is_six_digits_ending_in_four_zeros(code):
    with pytest.raises(ValidationError) as refused:
        Province(name="某省", code=code).full_clean()
    assert "code" in refused.value.message_dict


def test_a_supervising_role_names_exactly_its_own_level(django_user_model):
    province = make_province()
    city = make_city(province)
    user = django_user_model.objects.create_user("someone")
    Role = RegionMembership.Role
    wrong = RegionMembership(user=user, role=Role.CITY_EDITOR, province=province)
    with pytest.raises(ValidationError) as refused:
        wrong.full_clean()
    assert refused.value.message_dict["city"] == ["市级编办工作人员必须指定所在市。"]
    assert refused.value.message_dict["province"] == ["市级编办工作人员不指定省。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionMembership.objects.create(user=user, role=Role.PROVINCE_EDITOR, province=province, city=city)
    assert not RegionMembership.objects.exists()


def test_a_province_editor_reads_every_county_of_the_province_and_a_city_editor_only_its_own():
    province = make_province("示范省", "990000")
    east, west = make_city(province, "东市", "990100"), make_city(province, "西市", "990200")
    east_county = make_county("东县", "990101", city=east)
    west_county = make_county("西县", "990201", city=west)
    elsewhere = make_county(
        "外县", "880101", city=make_city(make_province("别省", "880000"), "别市", "880100")
    )
    unplaced = make_county("未归属县", "990999")
    province_editor = make_region_user("province-editor", province=province)
    city_editor = make_region_user("city-editor", city=east)
    assert permissions.supervised_county_ids(province_editor) == {east_county.pk, west_county.pk}
    assert permissions.supervised_county_ids(city_editor) == {east_county.pk}
    for county in (elsewhere, unplaced):
        assert not permissions.can_supervise_county(province_editor, county)
    assert permissions.can_see_county_drafts(city_editor, east_county)
    assert not permissions.can_see_county_drafts(city_editor, west_county)
    # Reading from above is never managing: no reference data, no lists started.
    assert not permissions.can_manage_county(province_editor, east_county)
    assert not permissions.is_county_editor(province_editor)


def test_a_townships_code_begins_with_its_countys():
    from catalog.models import Township

    county = make_county("上城区", "330102")
    Township(county=county, name="湖滨街道", code="330102001", kind=Township.Kind.JIEDAO).full_clean()
    with pytest.raises(ValidationError) as refused:
        Township(county=county, name="湖滨街道", code="330105001", kind=Township.Kind.JIEDAO).full_clean()
    assert refused.value.message_dict["code"] == [
        "乡镇（街道）代码 330105001 应以上城区的区划代码 330102 开头。"
    ]
    assert not Township.objects.filter(name="湖滨街道").exists()

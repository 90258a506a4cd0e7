"""The public site navigates 省 › 市 › 县 › 乡镇: each level lists only what has been published below it,
with counts, a trail back up and a search box scoped to it; no page grows with the data (issue 15)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from catalog.models import County, Township
from publication.areas import AreaRow
from publication.models import CurrentEdition, Edition
from tests.conftest import (
    make_city,
    make_county,
    make_duty_list,
    make_item,
    make_province,
    make_township,
    make_user,
)
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db


def put_in_force(township: Township, by) -> Edition:
    """Test setup: an edition in force written directly (publishing is tested in test_editions)."""
    edition = Edition.objects.create(
        township=township,
        duty_list=make_duty_list(township),
        number=1,
        effective_on=date(2025, 7, 1),
        document_number=f"示办发〔2025〕{township.pk}号",
        published_by=by,
        basic_count=5,
        coordinated_count=3,
        reclaimed_count=2,
    )
    CurrentEdition.objects.create(township=township, edition=edition)
    return edition


class World:
    """浙江省: 杭州市 (上城区: two townships published, one not; 下城区: one), 宁波市 (海曙区: one).
    江苏省 › 南京市 › 玄武区: a township, unpublished. Two counties not placed under a city: 未定县
    with one township published, 空白县 with none."""

    def __init__(self):
        self.publisher = make_user("publisher")
        self.zhejiang = make_province("浙江省", "330000")
        self.hangzhou = make_city(self.zhejiang, "杭州市", "330100")
        self.ningbo = make_city(self.zhejiang, "宁波市", "330200")
        self.shangcheng = make_county("上城区", "330102", self.hangzhou)
        self.xiacheng = make_county("下城区", "330103", self.hangzhou)
        self.haishu = make_county("海曙区", "330203", self.ningbo)
        self.jiangsu = make_province("江苏省", "320000")
        self.nanjing = make_city(self.jiangsu, "南京市", "320100")
        self.xuanwu = make_county("玄武区", "320102", self.nanjing)
        self.unplaced = make_county("未定县", "340102")
        self.blank = make_county("空白县", "340103")
        self.published = {
            name: self.publish(county, name)
            for county, name in [
                (self.shangcheng, "湖滨街道"),
                (self.shangcheng, "清波街道"),
                (self.xiacheng, "天水街道"),
                (self.haishu, "鼓楼街道"),
                (self.unplaced, "未定镇"),
            ]
        }
        self.unpublished = [
            make_township(self.shangcheng, "尚未公布街道"),
            make_township(self.xuanwu, "玄武门街道"),
            make_township(self.blank, "空白镇"),
        ]

    def publish(self, county: County, name: str | None = None) -> Township:
        township = make_township(county, name)
        put_in_force(township, self.publisher)
        return township


@pytest.fixture
def world():
    return World()


def area_url(code: str) -> str:
    return reverse("publication:area", args=[code])


def rows_shown(text: str) -> list[tuple[str, list[str]]]:
    """Each row of the page's area table: the area's name and its counts."""
    return [
        (name, re.findall(r'<td class="num">(\d+)</td>', cells))
        for name, cells in re.findall(
            r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>(.*?)</tr>', text, re.S
        )
    ]


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_the_index_lists_provinces_with_what_they_published_and_the_unplaced_counties(client, world):
    response = client.get(reverse("publication:index"))
    text = response.content.decode()
    assert response.context["provinces"] == [AreaRow("330000", "浙江省", 3, 4)]
    assert rows_shown(text) == [("浙江省", ["3", "4"]), ("未归入省市的县（市、区）", ["1", "1"])]
    assert area_url("330000") in text and reverse("publication:unplaced_counties") in text
    assert "江苏省" not in text  # nothing published there
    assert "湖滨街道" not in text and "/lists/" not in text  # townships are three levels down


def test_a_province_lists_its_cities_with_counts(client, world):
    text = page(client, area_url("330000"))
    assert rows_shown(text) == [("杭州市", ["2", "3"]), ("宁波市", ["1", "1"])]
    assert area_url("330100") in text and area_url("330200") in text


def test_a_city_lists_its_published_counties(client, world):
    text = page(client, area_url("330100"))
    assert rows_shown(text) == [("上城区", ["2"]), ("下城区", ["1"])]
    assert "海曙区" not in text


def test_a_county_lists_its_townships_in_force_and_the_county_links(client, world):
    text = page(client, area_url("330102"))
    assert [name for name, _ in rows_shown(text)] == ["湖滨街道", "清波街道"]
    assert "尚未公布街道" not in text
    hubin = world.published["湖滨街道"]
    assert reverse("publication:township", args=[hubin.code]) in text
    assert f"示办发〔2025〕{hubin.pk}号" in text and "2025年7月1日" in text
    for name in ("statistics", "county_matrix", "admission_register"):
        assert reverse(f"publication:{name}", args=["330102"]) in text
    assert reverse("publication:county_download", args=["330102", "xlsx"]) in text


def test_counties_not_placed_under_a_city_have_their_own_group(client, world):
    text = page(client, reverse("publication:unplaced_counties"))
    assert rows_shown(text) == [("未定县", ["1"])]
    assert "空白县" not in text
    county = page(client, area_url("340102"))
    assert "未定镇" in county
    assert crumbs(county) == [("各地清单", "/"), ("未归入省市的县（市、区）", "/areas/unplaced/")]


def crumbs(text: str) -> list[tuple[str, str]]:
    trail = re.search(r'<nav class="crumbs" aria-label="所在位置">(.*?)</nav>', text, re.S).group(1)
    return [(name, url) for url, name in re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail)]


def here(text: str) -> str:
    return re.search(r'<span aria-current="page">([^<]+)</span>', text).group(1)


def test_each_level_shows_the_trail_up_to_the_index(client, world):
    province = ("浙江省", area_url("330000"))
    city = ("杭州市", area_url("330100"))
    county = ("上城区", area_url("330102"))
    expected = {
        area_url("330000"): ([], "浙江省"),
        area_url("330100"): ([province], "杭州市"),
        area_url("330102"): ([province, city], "上城区"),
        reverse("publication:township", args=[world.published["湖滨街道"].code]): (
            [province, city, county],
            "湖滨街道",
        ),
    }
    for url, (above, name) in expected.items():
        text = page(client, url)
        assert crumbs(text) == [("各地清单", "/"), *above], url
        assert here(text) == name, url


def test_the_township_and_item_pages_show_the_trail_from_a_real_publication(client, cast, duty_list):
    item = make_item(duty_list, name="最低生活保障申请受理")
    approve_and_publish(duty_list, cast["county_editor"])
    township = duty_list.township
    county = township.county
    levels = [
        ("各地清单", "/"),
        (county.city.province.name, area_url(county.city.province.code)),
        (county.city.name, area_url(county.city.code)),
        (county.name, area_url(county.code)),
    ]
    text = page(client, reverse("publication:township", args=[township.code]))
    assert crumbs(text) == levels and here(text) == township.name
    text = page(client, reverse("publication:item", args=[township.code, item.key]))
    assert crumbs(text) == [*levels, (township.name, reverse("publication:township", args=[township.code]))]
    assert here(text) == "最低生活保障申请受理"
    # The levels above lead down to it.
    assert reverse("publication:township", args=[township.code]) in page(client, area_url(county.code))
    assert area_url(county.code) in page(client, area_url(county.city.code))
    assert area_url(county.city.code) in page(client, area_url(county.city.province.code))


def search_area(text: str) -> str | None:
    form = re.search(r'<form method="get" action="/search/" role="search".*?</form>', text, re.S).group(0)
    found = re.search(r'<input type="hidden" name="area" value="([^"]*)">', form)
    return found.group(1) if found else None


def test_each_level_searches_within_itself(client, world):
    hubin = world.published["湖滨街道"]
    assert search_area(page(client, reverse("publication:index"))) is None  # the whole country
    for code in ("330000", "330100", "330102"):
        assert search_area(page(client, area_url(code))) == code
    text = page(client, reverse("publication:township", args=[hubin.code]))
    assert search_area(text) == hubin.code and "在湖滨街道查找事项" in text


def test_unknown_codes_and_areas_with_nothing_published_have_no_page(client, world):
    for code in ("999999", "330199", "abc", "3301021"):
        assert "没有这个行政区划代码" in page(client, area_url(code), 404)
    for code in ("320000", "320100", "320102", "340103"):  # 江苏省 and below, 空白县: nothing published
        assert "该地区还没有公布的清单" in page(client, area_url(code), 404)
    CurrentEdition.objects.all().delete()
    assert page(client, reverse("publication:unplaced_counties"), 404)
    assert "还没有公布的清单" in page(client, reverse("publication:index"))


LEVEL_QUERIES = {
    "/": 2,  # provinces, the unplaced group
    "/areas/330000/": 2,  # the province, its cities
    "/areas/330100/": 3,  # not a province, the city, its counties
    "/areas/330102/": 4,  # not a province nor a city, the county, its editions in force
    "/areas/unplaced/": 1,
}


def test_level_pages_read_a_fixed_number_of_queries_whatever_the_data(
    client, world, django_assert_num_queries
):
    for url, count in LEVEL_QUERIES.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
    # More of everything: cities, counties, townships, and unplaced counties.
    wenzhou = make_city(world.zhejiang, "温州市", "330300")
    for n in range(3):
        county = make_county(f"新县{n}", f"3303{n + 2:02d}", wenzhou)
        world.publish(make_county(f"未定{n}县", f"3401{n + 4:02d}"))
        for _ in range(2):
            world.publish(county)
            world.publish(world.shangcheng)
    for url, count in LEVEL_QUERIES.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
    assert rows_shown(page(client, "/"))[0] == ("浙江省", ["6", "16"])


def test_the_index_stays_small_with_two_hundred_counties(client, world):
    before = len(page(client, "/"))
    for c in range(10):
        city = make_city(world.zhejiang, f"第{c}市", f"33{c + 10:02d}00")
        for k in range(20):
            world.publish(make_county(f"第{c}市{k}县", f"33{c + 10:02d}{k + 1:02d}", city), f"第{c}-{k}镇")
    assert County.objects.filter(townships__current_edition__isnull=False).distinct().count() == 204
    text = page(client, "/")
    assert rows_shown(text) == [("浙江省", ["203", "204"]), ("未归入省市的县（市、区）", ["1", "1"])]
    assert "第0-0镇" not in text and "第0市" not in text
    assert len(text) - before < 10  # only the counts grew

"""The public search at scale: scoped to any level by a division code, a bounded first page, results
kept per set of editions in force, and a form whose size does not follow the number of counties."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import services as catalog_services
from catalog.models import Membership, Part
from publication import search
from publication.models import EditionItem
from tests.conftest import (
    make_category,
    make_city,
    make_county,
    make_department,
    make_duty_list,
    make_item,
    make_province,
    make_township,
    make_user,
)
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db

URL = reverse("publication:search")


def publish_township(county, name: str, *items: str):
    """A township of the county whose edition in force holds items with these names."""
    township = make_township(county, name)
    duty_list = make_duty_list(township)
    for item in items:
        make_item(duty_list, name=item)
    editor = make_user(f"editor-{township.code}", Membership.Role.COUNTY_EDITOR, county=county)
    approve_and_publish(duty_list, editor)
    return duty_list, editor


@pytest.fixture
def country(db):
    """Two provinces: 浙 with two cities (杭: 上城区 and 拱墅区; 宁: 海曙区), 苏 with one (南: 玄武区);
    one township in force per county, each holding 消防安全检查 named after it."""
    zhe, su = make_province("浙江省", "330000"), make_province("江苏省", "320000")
    hang, ning = make_city(zhe, "杭州市", "330100"), make_city(zhe, "宁波市", "330200")
    nan = make_city(su, "南京市", "320100")
    counties = {
        "上城区": make_county("上城区", "330102", hang),
        "拱墅区": make_county("拱墅区", "330105", hang),
        "海曙区": make_county("海曙区", "330203", ning),
        "玄武区": make_county("玄武区", "320102", nan),
    }
    lists = {
        name: publish_township(county, f"{name}街道", f"{name}消防安全检查")[0]
        for name, county in counties.items()
    }
    return counties, lists


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def shown_items(text: str) -> set[str]:
    return {name for name in EditionItem.objects.values_list("name", flat=True) if f">{name}</a>" in text}


@pytest.mark.parametrize(
    "area, expected",
    [
        ("", {"上城区", "拱墅区", "海曙区", "玄武区"}),
        ("330000", {"上城区", "拱墅区", "海曙区"}),
        ("330100", {"上城区", "拱墅区"}),
        ("330105", {"拱墅区"}),
        ("township", {"海曙区"}),
    ],
)
def test_search_at_each_level_finds_only_that_levels_items(client, country, area, expected):
    counties, lists = country
    if area == "township":
        area = lists["海曙区"].township.code
    text = page(client, f"{URL}?q=消防&area={area}")
    assert shown_items(text) == {f"{name}消防安全检查" for name in expected}
    assert f"找到 {len(expected)} 个事项" in text
    # What the page shows is what is in force there.
    assert EditionItem.objects.filter(edition__current_of__isnull=False, name__contains="消防").count() == 4


def test_an_area_alone_lists_its_items_and_names_the_area(client, country):
    text = page(client, f"{URL}?area=330200")
    assert shown_items(text) == {"海曙区消防安全检查"}
    assert "事项查询：浙江省 宁波市" in text


def test_the_old_county_and_township_parameters_lead_to_the_area(client, country):
    counties, lists = country
    response = client.get(f"{URL}?q=消防&county={counties['海曙区'].pk}")
    assert response.status_code == 301
    assert response["Location"] == f"{URL}?q=%E6%B6%88%E9%98%B2&area=330203"
    township = lists["拱墅区"].township
    response = client.get(f"{URL}?q=消防&county={counties['上城区'].pk}&township={township.pk}", follow=True)
    assert response.redirect_chain[-1][0].endswith(f"area={township.code}")
    assert shown_items(response.content.decode()) == {"拱墅区消防安全检查"}


def test_an_old_parameter_naming_no_row_is_refused_in_chinese(client, country):
    text = page(client, f"{URL}?q=消防&county=99999", status=400)
    assert "范围应为行政区划代码" in text and "找到" not in text


@pytest.mark.parametrize(
    "area, message",
    [
        ("abc", "范围应为行政区划代码：省、市、县为 6 位数字，乡镇（街道）为 9 位数字。"),
        ("3301", "范围应为行政区划代码"),
        ("330199", "没有区划代码为 330199 的地区"),
        ("330105999", "没有区划代码为 330105999 的地区"),
        ("990000", "没有区划代码为 990000 的地区"),
    ],
)
def test_a_bad_area_says_what_is_wrong(client, country, area, message):
    text = page(client, f"{URL}?q=消防&area={area}", status=400)
    assert message in text and "找到" not in text


def test_results_are_kept_until_a_publication_in_the_area(client, country):
    counties, lists = country
    duty_list = lists["上城区"]
    url = f"{URL}?q=消防&area=330100"
    assert "找到 2 个事项" in page(client, url)
    with CaptureQueriesContext(connection) as kept:
        assert "找到 2 个事项" in page(client, url)
    assert not [q for q in kept if "publication_editionitem" in q["sql"]]  # answered from the cache

    # A publication elsewhere leaves the area's results where they are.
    publish_township(counties["玄武区"], "玄武第二街道", "消防通道巡查")
    with CaptureQueriesContext(connection) as kept:
        assert "找到 2 个事项" in page(client, url)
    assert not [q for q in kept if "publication_editionitem" in q["sql"]]

    # A new edition in the area: the old results are no longer reachable.
    editor = make_user("editor-next", Membership.Role.COUNTY_EDITOR, county=counties["上城区"])
    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=editor, source=duty_list
    )
    make_item(draft, name="消防宣传")
    approve_and_publish(draft, editor, effective_on=date(2026, 3, 1), number="示办发〔2026〕5号")
    text = page(client, url)
    assert "找到 3 个事项" in text and ">消防宣传</a>" in text
    assert "找到 4 个事项" in page(client, f"{URL}?q=消防&area=330000")


def test_the_first_page_is_bounded_and_says_more_matched(client, country, monkeypatch):
    counties, _ = country
    publish_township(counties["海曙区"], "鼓楼街道", "消防设施巡查", "消防站建设", "文明创建")
    monkeypatch.setattr(search, "CANDIDATES", 4)
    monkeypatch.setattr(search, "SEARCH_LIMIT", 2)
    text = page(client, f"{URL}?q=消防&area=330000")
    assert "找到超过 4 个事项，显示其中 2 个（名称相符的在前）" in text
    assert len(shown_items(text)) == 2
    # Under the cap the page counts what it read.
    monkeypatch.setattr(search, "CANDIDATES", 10)
    text = page(client, f"{URL}?q=消防&area=330100")
    assert "找到 2 个事项" in text and len(shown_items(text)) == 2
    text = page(client, f"{URL}?q=消防&area=330200")
    assert "找到 3 个事项（只显示前 2 个，名称相符的在前，请缩小范围）" in text


def test_name_hits_come_before_items_that_only_mention_the_words(client, country):
    counties, _ = country
    township = make_township(counties["海曙区"], "白云街道")
    duty_list = make_duty_list(township)
    make_item(duty_list, name="河道保洁", content="配合做好消防通道清理")
    make_item(duty_list, name="消防设施巡查")
    editor = make_user("editor-baiyun", Membership.Role.COUNTY_EDITOR, county=counties["海曙区"])
    approve_and_publish(duty_list, editor)
    text = page(client, f"{URL}?q=消防&area={township.code}")
    assert "找到 2 个事项" in text
    assert text.index(">消防设施巡查</a>") < text.index(">河道保洁</a>")
    result = search.search(
        search.SearchFilters(q="消防", area=search.find_area(township.code)), connection.vendor
    )
    assert [item.name for item in result.groups[0].items] == ["消防设施巡查", "河道保洁"]


def form_of(text: str) -> str:
    return text[text.index("<form") : text.index("</form>")]


def add_counties(city, start: int, count: int) -> None:
    """More counties of the city, with categories, departments and a township in force each."""
    for n in range(count):
        county = make_county(f"第{start + n}县", f"{city.code[:4]}{start + n:02d}", city)
        for _ in range(3):
            make_category(county)
            make_department(county)
        publish_township(county, f"第{start + n}县城关镇", f"{county.name}消防检查")


@pytest.mark.parametrize("area", ["", "330000", "330105", "township"])
def test_the_search_form_does_not_grow_with_the_counties(client, country, area, django_assert_num_queries):
    counties, lists = country
    if area == "township":
        area = lists["拱墅区"].township.code
    # The provinces; or the area, its subareas, the editions in force and the items (an area alone
    # lists its items), and for a county or a township its categories and departments.
    expected_queries = {"": 1, "330000": 4, "330105": 6, "township": 6}[
        area if len(area) == 6 or not area else "township"
    ]
    with django_assert_num_queries(expected_queries):
        before = page(client, f"{URL}?area={area}" if area else URL)
    add_counties(counties["上城区"].city, 50, 3)
    add_counties(counties["玄武区"].city, 60, 3)
    cache.clear()  # the area's results were kept
    with django_assert_num_queries(expected_queries):
        after = page(client, f"{URL}?area={area}" if area else URL)
    assert len(form_of(after)) == len(form_of(before))
    assert "第50县" not in form_of(after) and "县第" not in after


def test_search_queries_do_not_grow_with_the_matches(client, country, django_assert_num_queries):
    counties, _ = country
    url = f"{URL}?q=消防&area=330000"
    # The area, its subareas, the synonyms, the editions in force, the items.
    with django_assert_num_queries(5):
        assert "找到 3 个事项" in page(client, url)
    add_counties(counties["上城区"].city, 50, 3)
    with django_assert_num_queries(5):
        assert "找到 6 个事项" in page(client, url)
    with django_assert_num_queries(4):  # kept: no items read
        assert "找到 6 个事项" in page(client, url)


def test_categories_and_departments_are_suggested_for_one_county_only(client, country):
    counties, _ = country
    make_category(counties["拱墅区"], "平安建设")
    make_department(counties["拱墅区"], "区应急管理局")
    county_page = page(client, f"{URL}?area=330105")
    assert '<option value="平安建设">' in county_page and '<option value="区应急管理局">' in county_page
    assert "平安建设" not in page(client, f"{URL}?area=330100")
    assert Part.BASIC.label in county_page


def test_published_items_carry_the_words_of_their_province_city_and_county(country):
    _, lists = country
    item = EditionItem.objects.get(edition__township=lists["拱墅区"].township)
    assert item.search_grams.split()[-3:] == ["area33", "area3301", "area330105"]
    assert "消防" in item.search_grams.split()


@pytest.mark.parametrize(
    "area, word", [("330000", "area33"), ("330100", "area3301"), ("330105", "area330105")]
)
def test_a_search_within_an_area_asks_the_gram_index_for_the_areas_word(client, country, area, word):
    with CaptureQueriesContext(connection) as queries:
        page(client, f"{URL}?q=消防&area={area}")
    items = queries.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert f"& {word}" in items, items
    assert search.within_area(search.find_area(area)) == word
    # A township's one edition is read through the edition index; nationwide there is no area.
    assert search.within_area(search.find_area(country[1]["拱墅区"].township.code)) == ""
    assert search.within_area(None) == ""


def test_the_migration_places_items_published_before_it(country):
    from importlib import import_module

    from django.db.migrations.loader import MigrationLoader

    migration = "0009_area_words_in_search_grams"
    apps = MigrationLoader(connection).project_state(("publication", migration)).apps
    items = apps.get_model("publication", "EditionItem").objects  # a plain manager, as in a migration
    township = country[1]["海曙区"].township
    before = items.filter(edition__township_id=township.pk).get().search_grams
    items.filter(edition__township_id=township.pk).update(search_grams=before.rsplit(" area", 3)[0])
    import_module(f"publication.migrations.{migration}").place_items(apps, None)
    assert EditionItem.objects.get(edition__township=township).search_grams == before
    assert all(
        g.split()[-1].startswith("area") for g in EditionItem.objects.values_list("search_grams", flat=True)
    )

"""Public reading: counties, townships, editions, items with every public column, one item by its key,
change logs; filters, cursor pages, ETags and constant query counts."""

import pytest
from django.urls import reverse

from catalog.columns import PUBLIC_COLUMNS
from catalog.models import DutyList, Part
from tests.api.conftest import other_county, publish, row, townships_with_editions
from tests.conftest import make_duty_list, make_item, make_township

pytestmark = pytest.mark.django_db


def get(client, name: str, query: dict | None = None, **kwargs):
    return client.get(reverse(f"api:{name}", kwargs=kwargs), query or {})


def test_counties_and_townships_are_those_that_published(client, county, township, first):
    unpublished = make_township(county, "白云乡")
    make_duty_list(unpublished)

    counties = get(client, "counties").json()
    townships = get(client, "townships", code=county.code).json()

    assert [(c["code"], c["name"]) for c in counties["results"]] == [(county.code, "示范县")]
    assert [(t["code"], t["name"], t["edition_in_force"]) for t in townships["results"]] == [
        (township.code, "城关镇", 1)
    ]
    assert get(client, "township", code=unpublished.code).status_code == 404
    one = get(client, "township", code=township.code).json()
    assert one["county"] == county.code and one["editions_url"].endswith(
        f"/api/v1/townships/{township.code}/editions/"
    )


def test_editions_list_the_one_in_force_and_the_earlier_ones(client, township, first, second):
    editions = get(client, "editions", code=township.code).json()["results"]
    assert [(e["number"], e["in_force"], e["document_number"]) for e in editions] == [
        (1, False, "示办发〔2025〕21号"),
        (2, True, "示办发〔2026〕5号"),
    ]
    one = get(client, "edition", code=township.code, number=1).json()
    assert (one["number"], one["in_force"], one["basic_count"], one["coordinated_count"]) == (1, False, 1, 1)
    assert get(client, "edition", code=township.code, number=3).status_code == 404


def test_an_editions_items_carry_every_public_column(client, township, first):
    items = get(client, "edition_items", code=township.code, number=1).json()["results"]
    coordinated = next(i for i in items if i["part"] == Part.COORDINATED)
    assert set(coordinated) == {"key", "township", "edition", "url"} | {c.name for c in PUBLIC_COLUMNS}
    assert "origin" not in coordinated  # not a public column
    assert coordinated["lead_departments"] == ["县民政局"] and coordinated["category"] == "民生服务"
    assert (coordinated["township"], coordinated["edition"]) == (township.code, 1)
    basic = next(i for i in items if i["part"] == Part.BASIC)
    assert basic["is_safeguard"] is True and basic["content"] == "受理辖区居民低保申请并入户调查"


def test_an_earlier_edition_stays_readable_as_published(client, township, first, second):
    names = [i["name"] for i in get(client, "edition_items", code=township.code, number=1).json()["results"]]
    assert names == ["最低生活保障申请受理", "殡葬管理", "宅基地审批"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"part": "reclaimed"}, ["宅基地审批"]),
        ({"category": "民生服务"}, ["殡葬管理"]),
        ({"department": "县民政局"}, ["殡葬管理", "宅基地审批"]),
        ({"is_safeguard": "true"}, ["最低生活保障申请受理"]),
        ({"is_safeguard": "false"}, ["殡葬管理", "宅基地审批"]),
        ({"q": "低保"}, ["最低生活保障申请受理"]),  # a synonym, as the public search finds it
        ({"q": "殡葬 管理"}, ["殡葬管理"]),
    ],
)
def test_items_in_force_filter_as_the_public_search_does(client, township, first, query, names):
    found = get(client, "items", query).json()["results"]
    assert [i["name"] for i in found] == names


def test_items_filter_by_county_and_township(client, county, township, editor, first):
    other = make_township(county, "青山镇")
    publish(other, [row("青山事项")], by=editor)

    by_township = get(client, "items", {"township": other.code}).json()["results"]
    by_county = get(client, "items", {"county": county.code}).json()["results"]
    elsewhere = get(client, "items", {"county": "999999"}).json()["results"]

    assert [i["name"] for i in by_township] == ["青山事项"]
    assert len(by_county) == 4 and elsewhere == []


def test_items_list_only_the_editions_in_force(client, township, first, second):
    names = {i["name"] for i in get(client, "items").json()["results"]}
    assert names == {"最低生活保障申请受理", "殡葬管理", "农村供水保障"}


def test_an_item_by_its_key_in_force_or_removed(client, township, first, second):
    kept = first.items.get(name="最低生活保障申请受理")
    removed = first.items.get(name="宅基地审批")

    now = get(client, "item", key=kept.key).json()
    gone = get(client, "item", key=removed.key).json()

    assert now["in_force"] is True and now["removed_in"] is None and now["editions"] == [1, 2]
    assert now["item"]["content"] == "受理低保申请，入户调查并公示" and now["item"]["edition"] == 2
    assert gone["in_force"] is False and gone["removed_in"] == 2 and gone["item"]["edition"] == 1


def test_a_draft_item_is_not_public(client, duty_list):
    item = make_item(duty_list, name="草稿事项")
    response = get(client, "item", key=item.key)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not DutyList.objects.filter(editions__isnull=False).exists()


def test_an_editions_change_log(client, township, first, second):
    changes = get(client, "edition_changes", code=township.code, number=2).json()["results"]
    kinds = {c["name"]: c["kind"] for c in changes}
    assert kinds == {
        "最低生活保障申请受理": "changed",
        "殡葬管理": "moved",
        "农村供水保障": "added",
        "宅基地审批": "removed",
    }
    reworded = next(c for c in changes if c["kind"] == "changed")
    assert reworded["fields"] == [
        {
            "column": "content",
            "label": "具体内容",
            "before": "受理辖区居民低保申请并入户调查",
            "after": "受理低保申请，入户调查并公示",
        }
    ]
    moved = next(c for c in changes if c["kind"] == "moved")
    assert (moved["before_part"], moved["after_part"]) == ("coordinated", "basic")


def test_a_cursor_walk_sees_every_item_once(client, county, editor):
    township = make_township(county)
    publish(township, [row(f"事项{n:02d}", order=n) for n in range(25)], by=editor)
    seen, url = [], reverse("api:items") + "?page_size=4"
    while url:
        page = client.get(url).json()
        seen += [i["name"] for i in page["results"]]
        url = page["next"]
    assert seen == [f"事项{n:02d}" for n in range(25)]


def test_a_page_size_past_the_maximum_is_cut_to_it(client, county, editor, settings):
    township = make_township(county)
    publish(township, [row(f"事项{n}") for n in range(3)], by=editor)
    assert len(get(client, "items", {"page_size": "100000"}).json()["results"]) == 3


@pytest.mark.parametrize("name", ["counties", "items", "changes"])
def test_every_get_answers_304_to_its_etag_and_a_new_one_after_publishing(client, county, editor, name):
    township = make_township(county)
    publish(township, [row("事项甲")], by=editor)
    url = reverse(f"api:{name}")
    first_answer = client.get(url)
    etag = first_answer["ETag"]

    unchanged = client.get(url, headers={"if-none-match": etag})
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag
    publish(make_township(other_county()), [row("事项乙")], by=editor)
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 200 and again["ETag"] != etag


def test_an_editions_items_answer_304_from_the_edition_alone(
    client, township, first, django_assert_num_queries
):
    url = reverse("api:edition_items", kwargs={"code": township.code, "number": 1})
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(1):  # the edition, not its items
        unchanged = client.get(url, headers={"if-none-match": etag})
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag
    other_page = client.get(url, {"part": "basic"})
    assert other_page.status_code == 200 and other_page["ETag"] != etag


def test_edition_etag_changes_when_it_stops_being_in_force(client, township, first, editor):
    url = reverse("api:edition", kwargs={"code": township.code, "number": 1})
    etag = client.get(url)["ETag"]
    publish(township, [row("新事项")], by=editor)
    answer = client.get(url, headers={"if-none-match": etag})
    assert answer.status_code == 200 and answer.json()["in_force"] is False


# Query counts: the same for 2 rows as for 20.


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize(
    ("url_of", "queries"),
    [
        (lambda ts: reverse("api:counties"), 1),
        (lambda ts: reverse("api:townships", kwargs={"code": ts[0].county.code}), 2),
        (lambda ts: reverse("api:items"), 1),
        (lambda ts: reverse("api:items") + "?q=事项&department=县民政局&part=coordinated", 2),  # + synonyms
        (lambda ts: reverse("api:editions", kwargs={"code": ts[0].code}), 2),
        (lambda ts: reverse("api:edition_items", kwargs={"code": ts[0].code, "number": 1}), 2),
        (lambda ts: reverse("api:edition_changes", kwargs={"code": ts[0].code, "number": 2}), 2),
        (lambda ts: reverse("api:changes"), 3),
    ],
)
def test_list_endpoints_take_as_many_queries_for_20_rows_as_for_2(
    client, county, editor, size, url_of, queries, django_assert_num_queries
):
    townships = townships_with_editions(county, size, editor)
    # A second edition of the first township, as large as the list: its change log, and the feed.
    publish(townships[0], [row(f"新{n}") for n in range(size)], by=editor)
    with django_assert_num_queries(queries):
        assert client.get(url_of(townships)).status_code == 200

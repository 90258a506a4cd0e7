"""12345 派单依据: GET /api/v1/route/ — matches ranked by relevance, each part's verdict, 清单之外,
the county's synonyms, county-wide lookups, counted lookups and constant query counts."""

import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.columns import VERDICTS
from catalog.models import Part, Synonym
from publication.evidence import dispatch_counts
from publication.models import DispatchLookup, EditionItem
from tests.api.conftest import other_county, publish, row
from tests.conftest import make_township, make_user

pytestmark = pytest.mark.django_db


def route(client, **query):
    return client.get(reverse("api:route"), query)


@pytest.fixture
def listed(township, editor):
    """城关镇's edition in force: one item of each part, and two more about 殡葬."""
    return publish(
        township,
        [
            row("最低生活保障申请受理", content="受理辖区居民低保申请并入户调查", office="社会事务办公室"),
            row(
                "殡葬管理",
                Part.COORDINATED,
                lead_departments="县民政局、县市场监管局",
                department_duties="殡葬服务监管",
                township_duties="配合开展殡葬改革宣传",
                basis="《殡葬管理条例》",
            ),
            row(
                "宅基地审批",
                Part.RECLAIMED,
                receiving_department="县自然资源局",
                reclaim_reason="由县自然资源局直接审批",
            ),
            row("移风易俗", content="宣传文明殡葬新风", order=2),
            row("公共卫生宣传", content="开展爱国卫生宣传", order=3),
        ],
        by=editor,
        number="示办发〔2025〕21号",
    )


def names(answer) -> list[str]:
    return [m["item"]["name"] for m in answer["matches"]]


def test_matches_are_ranked_by_words_found_and_words_in_the_name_first(client, township, listed):
    answer = route(client, q="殡葬 宣传", township=township.code).json()
    # Both words (one in the name) › both words in other columns › one word.
    assert names(answer) == ["殡葬管理", "移风易俗", "公共卫生宣传"]
    assert [m["score"] for m in answer["matches"]] == [5, 4, 3]
    assert answer["in_list"] is True and answer["answer"].startswith("最相符的事项是城关镇的“殡葬管理”")
    assert route(client, q="殡葬 宣传", township=township.code, limit=1).json()["more"] is True


def test_each_part_answers_with_its_verdict_handler_and_duties(client, township, listed):
    basic, coordinated, reclaimed = (
        route(client, q=q, township=township.code).json()["matches"][0]
        for q in ("低保", "殡葬管理", "宅基地")
    )
    assert basic["verdict"] == {"code": "township", "label": "乡镇(街道)自行办理"}
    assert basic["handler"] == "城关镇社会事务办公室" and basic["assisting"] == ""
    assert basic["duty"] == "受理辖区居民低保申请并入户调查"
    assert basic["text"] == "乡镇(街道)自行办理：由城关镇办理，责任科室为社会事务办公室。"

    assert coordinated["verdict"] == {"code": "department_leads", "label": "县级部门主责、乡镇配合"}
    assert coordinated["handler"] == "县民政局、县市场监管局" and coordinated["assisting"] == "城关镇"
    assert coordinated["duty"] == "配合开展殡葬改革宣传"
    assert coordinated["item"]["lead_departments"] == ["县民政局", "县市场监管局"]
    assert coordinated["item"]["department_duties"] == "殡葬服务监管"
    assert coordinated["item"]["basis"] == "《殡葬管理条例》"

    assert reclaimed["verdict"] == {"code": "department_reclaimed", "label": "已由县级部门收回"}
    assert reclaimed["handler"] == "县自然资源局"
    assert reclaimed["text"] == "已由县级部门收回：由县自然资源局办理，不派城关镇（由县自然资源局直接审批）。"
    assert {VERDICTS[p].label for p in Part} == {
        m["verdict"]["label"] for m in (basic, coordinated, reclaimed)
    }


def test_a_match_cites_the_edition_its_permanent_address_and_a_content_hash(client, township, listed):
    match = route(client, q="宅基地", township=township.code).json()["matches"][0]
    stored = EditionItem.objects.get(edition=listed, name="宅基地审批")
    assert match["edition"] == {
        "number": 1,
        "document_number": "示办发〔2025〕21号",
        "effective_on": "2025-07-01",
    }
    assert match["item"]["url"] == f"http://testserver/api/v1/items/{stored.key}/"
    assert match["page"] == f"http://testserver/lists/{township.code}/items/{stored.key}/"
    assert match["part_label"] == "上级部门收回事项" and match["township_name"] == "城关镇"
    # The hash covers the key and the published public columns: recomputed here from the row.
    assert match["content_hash"] == stored.content_hash and match["content_hash"].startswith("sha256:")
    values = {"key": str(stored.key), "name": "宅基地审批", "reclaim_reason": "由县自然资源局直接审批"}
    text = json.dumps(values, ensure_ascii=False)
    assert match["content_hash"] != "sha256:" + hashlib.sha256(text.encode()).hexdigest()  # all columns count
    assert client.get(match["item"]["url"]).status_code == 200


def test_a_later_edition_with_the_same_text_keeps_the_content_hash_a_changed_one_does_not(
    township, editor, listed
):
    from tests.api.conftest import again

    rows = {r.name: r for r in listed.items.all()}
    second = publish(
        township,
        [
            again(rows["宅基地审批"], order=9),
            again(rows["殡葬管理"], basis="《殡葬管理条例》（2024 年修订）"),
        ],
        by=editor,
        number="示办发〔2026〕5号",
    )
    now = {r.name: r for r in second.items.all()}
    assert now["宅基地审批"].content_hash == rows["宅基地审批"].content_hash  # only its 序号 moved
    assert now["殡葬管理"].content_hash != rows["殡葬管理"].content_hash


def test_nothing_matching_is_answered_as_outside_the_list(client, township, listed):
    answer = route(client, q="路灯 不亮", township=township.code).json()
    assert answer["in_list"] is False and answer["matches"] == []
    assert answer["verdict"] == {"code": "outside_list", "label": "清单之外"}
    assert answer["answer"].startswith("清单之外：城关镇现行清单中没有与“路灯 不亮”相符的事项")
    assert "不应派给乡镇（街道）" in answer["answer"]


def test_a_township_without_an_edition_in_force_is_outside_the_list_too(client, county, listed):
    unpublished = make_township(county, "白云乡")
    answer = route(client, q="低保", township=unpublished.code).json()
    assert answer["in_list"] is False and answer["answer"] == "清单之外：白云乡还没有现行清单。"


def test_the_county_s_synonyms_expand_the_words_and_another_county_s_do_not(client, county, township, listed):
    assert route(client, q="丧葬", township=township.code).json()["in_list"] is False
    elsewhere = other_county()
    Synonym.objects.create(county=elsewhere, word="丧葬", terms="殡葬")
    assert route(client, q="丧葬", township=township.code).json()["in_list"] is False

    Synonym.objects.create(county=county, word="丧葬", terms="殡葬、治丧")
    answer = route(client, q="丧葬", township=township.code).json()
    assert answer["synonyms"] == {"丧葬": ["殡葬", "治丧"]}
    assert names(answer)[:2] == ["殡葬管理", "移风易俗"]


def test_a_county_wide_lookup_ranks_items_of_every_township(client, county, township, editor, listed):
    neighbour = make_township(county, "青山镇")
    publish(neighbour, [row("殡葬管理", Part.COORDINATED), row("农村供水")], by=editor)
    answer = route(client, q="殡葬管理", county=county.code).json()
    assert [(m["township_name"], m["item"]["name"]) for m in answer["matches"]] == [
        ("城关镇", "殡葬管理"),
        ("青山镇", "殡葬管理"),
    ]
    assert answer["scope"] == "示范县各乡镇（街道）"
    assert route(client, q="农村供水", county=county.code).json()["matches"][0]["township_name"] == "青山镇"
    # The gram index is asked for the county's matches alone (docs/decisions/0039-…).
    with CaptureQueriesContext(connection) as queries:
        route(client, q="农村供水", county=county.code)
    if connection.vendor == "postgresql":
        assert any(f"& area{county.code}" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    ("query", "status", "code", "field"),
    [
        ({"township": "TOWN"}, 400, "required", "q"),
        ({"q": "低保"}, 400, "invalid", "township"),
        ({"q": "低保", "township": "12"}, 400, "invalid", "township"),
        ({"q": "低保", "township": "TOWN", "limit": "0"}, 400, "min_value", "limit"),
        ({"q": " ".join(f"词{n}" for n in range(11)), "township": "TOWN"}, 400, "too_many_terms", "q"),
        ({"q": "低保", "township": "899001777"}, 404, "not_found", "township"),
        ({"q": "低保", "county": "899777"}, 404, "not_found", "county"),
        ({"q": "低保", "township": "TOWN", "county": "899777"}, 404, "not_found", "township"),
    ],
)
def test_bad_lookups_are_answered_with_the_parameter_at_fault(
    client, township, listed, query, status, code, field
):
    query = {name: township.code if value == "TOWN" else value for name, value in query.items()}
    response = route(client, **query)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["field"] == field
    assert response.json()["message"] and not DispatchLookup.objects.exists()


def test_an_account_s_lookups_are_counted_for_the_item_found_first(client, county, township, listed):
    route(client, q="殡葬", township=township.code)  # anonymous: anyone may look, it is not evidence
    assert not DispatchLookup.objects.exists()

    client.force_login(make_user("hotline", "consultee", county=county))
    for _ in range(3):
        route(client, q="殡葬", township=township.code)
    route(client, q="路灯", township=township.code)  # nothing found, nothing counted
    top = EditionItem.objects.get(edition=listed, name="殡葬管理")
    assert list(DispatchLookup.objects.values_list("key", "count")) == [(top.key, 3)]
    year = DispatchLookup.objects.get().day.year
    assert dispatch_counts(county, year) == {top.key: (3, 0)}
    assert dispatch_counts(county, year - 1) == {} and dispatch_counts(other_county(), year) == {}


@pytest.mark.parametrize("scope", ["township", "county"])
def test_a_lookup_takes_as_many_queries_for_20_matches_as_for_2(
    client, county, township, editor, django_assert_num_queries, scope
):
    client.force_login(make_user("hotline", "consultee", county=county))
    rows = [row(f"殡葬事项{n}", order=n) for n in range(2)]
    edition = publish(township, rows, by=editor)
    code = township.code if scope == "township" else county.code
    route(client, q="殡葬", **{scope: code})  # the day's count row exists from now on
    # session, user, the township or the county's editions in force, synonyms, matches, the count
    with django_assert_num_queries(6):
        assert len(route(client, q="殡葬", **{scope: code}).json()["matches"]) == 2
    publish(township, [row(f"殡葬事项{n}", order=n) for n in range(20)], by=editor)
    assert edition.pk != township.current_edition.edition_id
    route(client, q="殡葬", **{scope: code})
    with django_assert_num_queries(6):
        assert len(route(client, q="殡葬", limit=50, **{scope: code}).json()["matches"]) == 20


def test_query_syntax_in_the_words_is_only_text(client, township, listed):
    answer = route(client, q="低保 & !|:* ()", township=township.code, county=township.county.code)
    assert answer.status_code == 200 and names(answer.json()) == ["最低生活保障申请受理"]
    too_long = route(client, q="低" * 101, township=township.code)
    assert too_long.status_code == 400 and too_long.json()["field"] == "q"

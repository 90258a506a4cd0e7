"""The public site: what a resident finds, with no login, and what is never shown."""

import csv
import io
import json
import zipfile
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from catalog import services as catalog_services
from catalog.models import DutyList, Part, Synonym
from review import workflow
from tests.conftest import make_department, make_duty_list, make_item, make_office, make_township
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def department(duty_list):
    return make_department(duty_list.township.county, "县民政局")


@pytest.fixture
def edition(cast, duty_list, department):
    make_item(duty_list, name="最低生活保障申请受理", content="受理辖区居民申请并入户调查")
    make_item(
        duty_list, Part.COORDINATED, name="殡葬管理", leads=[department], township_duties="劝导文明治丧"
    )
    make_item(duty_list, Part.RECLAIMED, name="宅基地审批", receiving_department=department)
    return approve_and_publish(duty_list, cast["county_editor"])


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_the_county_page_lists_townships_in_force_with_their_editions(client, duty_list, edition):
    text = page(client, reverse("publication:area", args=[duty_list.township.county.code]))
    assert duty_list.township.name in text and "示办发〔2025〕21号" in text and "2025年7月1日" in text
    assert "青山镇" not in text  # nothing published yet (tests/publication/test_navigation.py)


def test_the_township_page_shows_the_three_parts_by_category(client, duty_list, edition):
    text = page(client, reverse("publication:township", args=[duty_list.township.code]))
    for heading in ("基本履职事项清单（1 项）", "配合履职事项清单（1 项）", "上级部门收回事项清单（1 项）"):
        assert heading in text
    assert "劝导文明治丧" in text and "第 1 版" in text


def test_an_items_address_keeps_working_and_says_when_it_was_removed(client, cast, duty_list, edition):
    key = edition.items.get(name="宅基地审批").key
    url = reverse("publication:item", args=[duty_list.township.code, key])
    assert "已由县民政局收回" in page(client, url)
    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=cast["county_editor"], source=duty_list
    )
    catalog_services.delete_item(draft.items.get(name="宅基地审批"), by=cast["county_editor"])
    approve_and_publish(
        draft, cast["county_editor"], effective_on=date(2026, 3, 1), number="示办发〔2026〕5号"
    )
    text = page(client, url)
    assert "该事项已于第 2 版" in text and "示办发〔2026〕5号" in text
    kept = edition.items.get(name="殡葬管理").key
    assert "该事项已于" not in page(client, reverse("publication:item", args=[duty_list.township.code, kept]))


def test_the_change_log_between_consecutive_editions(client, cast, duty_list, edition):
    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=cast["county_editor"], source=duty_list
    )
    catalog_services.move_items_to_part(
        [draft.items.get(name="殡葬管理")], part=Part.BASIC, reason="乡镇负责", by=cast["county_editor"]
    )
    approve_and_publish(
        draft, cast["county_editor"], effective_on=date(2026, 3, 1), number="示办发〔2026〕5号"
    )
    text = page(client, reverse("publication:changes", args=[duty_list.township.code, 2]))
    assert "调整清单类型" in text and "配合履职事项 → 基本履职事项" in text
    assert "劝导文明治丧" in page(client, reverse("publication:edition", args=[duty_list.township.code, 1]))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("低保", "最低生活保障申请受理"),
        ("殡葬", "殡葬管理"),
        ("宅基地", "宅基地审批"),
        ("入户调查", "最低生活保障申请受理"),
    ],
)
def test_search_finds_everyday_words_and_says_whom_to_go_to(client, duty_list, edition, q, expected):
    # 低保 is found through the county's synonym (catalog.synonyms), which the county keeps as data.
    Synonym.objects.create(county=duty_list.township.county, word="低保", terms="最低生活保障")
    text = page(client, reverse("publication:search") + f"?q={q}")
    assert expected in text and "找到 1 个事项" in text
    if q == "殡葬":
        assert "县民政局牵头" in text
    if q == "宅基地":
        assert "已收回" in text and "由县民政局负责" in text


def test_search_expands_a_word_only_with_synonyms_a_county_keeps(client, duty_list, edition):
    url = reverse("publication:search") + "?q=低保"
    assert "没有找到" in page(client, url)
    Synonym.objects.create(county=duty_list.township.county, word="低保", terms="最低生活保障")
    assert "找到 1 个事项" in page(client, url)


def test_search_filters_by_part_and_department(client, duty_list, edition):
    url = reverse("publication:search")
    assert "找到 1 个事项" in page(client, url + "?part=coordinated")
    assert "找到 2 个事项" in page(client, url + "?department=县民政局")
    assert "没有找到" in page(client, url + "?q=低保&part=reclaimed")


def test_downloads_are_the_printed_layout_csv_and_json(client, duty_list, edition):
    code = duty_list.township.code
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("publication:download", args=[code, 1, "xlsx"])).content)
    )
    assert workbook.sheetnames[:3] == ["基本履职事项清单", "配合履职事项清单", "上级部门收回事项清单"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("publication:download", args=[code, 1, "csv"])).content.decode("utf-8-sig")
            )
        )
    )
    assert [r["事项名称"] for r in rows] == ["最低生活保障申请受理", "殡葬管理", "宅基地审批"]
    document = json.loads(client.get(reverse("publication:download", args=[code, 1, "json"])).content)
    assert (document["版次"], document["文号"], len(document["事项"])) == (1, "示办发〔2025〕21号", 3)


def test_drafts_comments_and_unpublished_lists_are_never_public(client, cast, duty_list, edition, department):
    neighbour = make_township(duty_list.township.county, "河西乡")
    draft = make_duty_list(neighbour)
    secret = make_item(draft, name="草稿里的低保事项")
    workflow.perform(draft, "submit", by=cast["county_editor"])
    workflow.perform(
        draft, "open_comments", by=cast["county_editor"], departments=[department], deadline=date.today()
    )
    assert page(client, reverse("publication:township", args=[neighbour.code]), 404)
    assert page(client, reverse("publication:item", args=[neighbour.code, secret.key]), 404)
    assert page(client, reverse("publication:download", args=[neighbour.code, 1, "json"]), 404)
    assert "草稿里的低保事项" not in page(client, reverse("publication:search") + "?q=低保")
    # Another edit of the published township's new draft is not public either.
    next_draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=cast["county_editor"], source=duty_list
    )
    make_item(next_draft, name="尚未公布的新事项")
    assert "尚未公布的新事项" not in page(
        client, reverse("publication:township", args=[duty_list.township.code])
    )
    assert "尚未公布的新事项" not in page(client, reverse("publication:search") + "?q=尚未公布")
    for path in ("/work/", reverse("review:list_comments", args=[draft.pk])):
        assert client.get(path).status_code == 302  # to the login page


def queries_of(client, url) -> int:
    """Queries of a page rendered afresh (not from the cache of rendered pages)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_public_page_queries_do_not_grow_with_items(client, cast, duty_list, department):
    for n in range(3):
        make_item(duty_list, name=f"事项{n}")
    edition = approve_and_publish(duty_list, cast["county_editor"])
    code = duty_list.township.code
    item = edition.items.first()
    urls = [
        reverse("publication:township", args=[code]),
        reverse("publication:item", args=[code, item.key]),
        reverse("publication:search") + "?q=事项",
        "/",
        reverse("publication:area", args=[duty_list.township.county.code]),
    ]
    before = [queries_of(client, url) for url in urls]
    other = make_duty_list(make_township(duty_list.township.county, "河西乡"))
    for n in range(8):
        make_item(other, Part.COORDINATED, name=f"事项{n}", leads=[department], township_duties="配合")
    approve_and_publish(other, cast["county_editor"])
    assert [queries_of(client, url) for url in urls] == before
    assert DutyList.objects.count() == 2


def test_edition_pages_carry_validators_and_are_served_from_the_cache(client, cast, duty_list, edition):
    url = reverse("publication:township", args=[duty_list.township.code])
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"] and "no-cache" in first["Cache-Control"]
    assert "public" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url)
    assert again.content == first.content and len(captured) == 0  # the edition in force is cached too
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    download = client.get(reverse("publication:download", args=[duty_list.township.code, 1, "csv"]))
    assert "max-age=86400" in download["Cache-Control"] and download["Content-Disposition"].startswith(
        "attachment"
    )
    assert (
        client.get(
            reverse("publication:download", args=[duty_list.township.code, 1, "csv"]),
            HTTP_IF_NONE_MATCH=download["ETag"],
        ).status_code
        == 304
    )

    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=cast["county_editor"], source=duty_list
    )
    make_item(draft, name="第二版新增事项")
    approve_and_publish(
        draft, cast["county_editor"], effective_on=date(2026, 3, 1), number="示办发〔2026〕5号"
    )
    fresh = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200 and fresh["ETag"] != first["ETag"]
    assert "第二版新增事项" in fresh.content.decode()


def test_the_county_statistics_count_parts_departments_and_offices(client, cast, duty_list, department):
    office = make_office(duty_list.township, "社会事务办公室")
    make_item(duty_list, name="最低生活保障申请受理", responsible_office=office)
    make_item(duty_list, Part.COORDINATED, name="殡葬管理", leads=[department], township_duties="劝导")
    make_item(duty_list, Part.RECLAIMED, name="宅基地审批", receiving_department=department)
    make_item(duty_list, Part.RECLAIMED, name="林木采伐", receiving_department=department)
    approve_and_publish(duty_list, cast["county_editor"])
    response = client.get(reverse("publication:statistics", args=[duty_list.township.county.code]))
    stats = response.context["stats"]
    assert (stats.total, stats.shared, stats.share) == (4, 3, 75.0)
    assert [(b.label, b.value) for b in stats.leads] == [("县民政局", 1)]
    assert [(b.label, b.value) for b in stats.receivers] == [("县民政局", 2)]
    assert [(b.label, b.value) for b in stats.offices] == [(f"{duty_list.township.name} 社会事务办公室", 1)]
    assert "75.0%" in response.content.decode() and "65.6%" in response.content.decode()


def test_statistics_queries_do_not_grow(client, cast, duty_list, department):
    make_item(duty_list, name="事项")
    approve_and_publish(duty_list, cast["county_editor"])
    url = reverse("publication:statistics", args=[duty_list.township.county.code])
    before = queries_of(client, url)
    other = make_duty_list(make_township(duty_list.township.county, "河西乡"))
    for n in range(6):
        make_item(other, Part.COORDINATED, name=f"事项{n}", leads=[department], township_duties="配合")
    approve_and_publish(other, cast["county_editor"])
    assert queries_of(client, url) == before


def county_file(client, code: str, fmt: str) -> bytes:
    """A county download through its job: the progress page, then the file it links to."""
    started = client.get(reverse("publication:county_download", args=[code, fmt]))
    assert started.status_code == 302
    progress = client.get(started["Location"])
    assert "文件已生成" in progress.content.decode()
    response = client.get(progress.context["file_url"])
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_county_downloads_hold_every_township_in_force(client, cast, duty_list, edition, department):
    other = make_duty_list(make_township(duty_list.township.county, "河西乡"))
    make_item(other, name="河道巡查")
    approve_and_publish(other, cast["county_editor"])
    code = duty_list.township.county.code
    archive = zipfile.ZipFile(io.BytesIO(county_file(client, code, "xlsx")))
    assert len(archive.namelist()) == 2
    text = county_file(client, code, "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(r["乡镇（街道）"], r["事项名称"]) for r in rows} >= {
        ("河西乡", "河道巡查"),
        (duty_list.township.name, "殡葬管理"),
    }
    document = json.loads(county_file(client, code, "json"))
    assert sorted(t["乡镇（街道）"] for t in document["乡镇（街道）"]) == sorted(
        [duty_list.township.name, "河西乡"]
    )


def test_search_finds_single_characters_and_keeps_townships_together(
    client, cast, duty_list, edition, department
):
    other = make_duty_list(make_township(duty_list.township.county, "白沙镇"))
    make_item(other, name="最低生活保障审核")
    make_item(other, Part.COORDINATED, name="殡葬改革", leads=[department], township_duties="配合")
    approve_and_publish(other, cast["county_editor"])
    response = client.get(reverse("publication:search") + "?q=低")
    assert "找到 2 个事项" in response.content.decode()
    text = page(client, reverse("publication:search") + "?department=县民政局")
    # Each township's items under one heading: one heading per township.
    assert text.count("<h2 ") == 2 and "分布在 2 个乡镇（街道）" in text


def test_the_department_filter_matches_whole_names(client, cast, duty_list, department):
    longer = make_department(duty_list.township.county, "县民政局社会救助中心")
    make_item(duty_list, Part.COORDINATED, name="救助站管理", leads=[longer], township_duties="配合")
    approve_and_publish(duty_list, cast["county_editor"])
    assert "没有找到" in page(client, reverse("publication:search") + "?department=县民政局")


def test_missing_pages_answer_in_chinese(client):
    response = client.get("/lists/999999999/")
    assert response.status_code == 404 and "找不到页面" in response.content.decode()


def test_each_hit_links_to_its_item_and_says_who_does_it_escaped(client, cast, duty_list, department):
    office = make_office(duty_list.township, "社会事务<办>")
    make_item(duty_list, name="低保<复核>", content="低保", responsible_office=office)
    make_item(duty_list, Part.COORDINATED, name="低保联审", leads=[department], township_duties="低保")
    make_item(duty_list, Part.RECLAIMED, name="低保审批", receiving_department=department)
    edition = approve_and_publish(duty_list, cast["county_editor"])
    township = duty_list.township
    text = page(client, reverse("publication:search") + "?q=低保")
    assert "找到 3 个事项" in text
    assert f'<a href="{reverse("publication:township", args=[township.code])}">' in text
    keys = dict(edition.items.values_list("name", "key"))

    def link(name: str) -> str:
        return reverse("publication:item", args=[township.code, keys[name]])

    for line in (
        f'<li><a href="{link("低保<复核>")}">低保&lt;复核&gt;</a>：<span class="tag">基本</span>'
        f"由{township.name}办理（社会事务&lt;办&gt;）</li>",
        f'<li><a href="{link("低保联审")}">低保联审</a>：<span class="tag">配合</span>'
        f"县民政局牵头，{township.name}配合</li>",
        f'<li><a href="{link("低保审批")}">低保审批</a>：<span class="tag">已收回</span>由县民政局负责</li>',
    ):
        assert line in text
    for name in keys:
        assert client.get(link(name)).status_code == 200

"""In a real browser: the public township page on a 390 px phone (cards, nothing wider than the
screen, filters stacked) and a township official filing an adjustment by search-to-add."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from publication.models import Adjustment
from tests.config.test_browser import watch_for_violations
from tests.conftest import log_in, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]

FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_the_public_township_page_reads_as_cards_on_a_390_px_phone(browser_page, live_server):
    call_command("load_demo", verbosity=0)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/lists/999001004/")
    page.get_by_role("heading", name="东湖街道履行职责事项清单").wait_for()
    assert page.evaluate(FITS)
    card = page.locator("table.items tbody tr").first
    box = card.bounding_box()
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # Each value is headed by its column's name, and the item's name reads at a readable size.
    labelled = card.locator("td[data-label]").first
    label = labelled.get_attribute("data-label")
    assert label in labelled.evaluate("cell => getComputedStyle(cell, '::before').content")
    name = card.locator("th.name")
    assert name.is_visible() and name.evaluate("th => parseFloat(getComputedStyle(th).fontSize)") >= 15
    # The editions, each with its 文号 and date, below.
    editions = page.locator("table.editions")
    assert "第 1 版" in editions.inner_text() and "第 2 版" in editions.inner_text()

    page.goto(f"{live_server.url}/search/?q=殡葬")
    assert page.evaluate(FITS)
    fields = page.locator("form.filters").locator("input:not([type=hidden]), select")
    boxes = fields.evaluate_all(
        "fields => fields.map(f => { const r = f.getBoundingClientRect(); return [r.left, r.right, r.top]; })"
    )
    assert len(boxes) >= 5
    assert len({round(left) for left, _, _ in boxes}) == 1  # one field a line, left-aligned
    assert max(right for _, right, _ in boxes) <= 390
    tops = [top for _, _, top in boxes]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)


def test_a_township_official_adds_items_by_search_and_confirms_each_change(
    browser_page, live_server, cast, edition
):
    page = browser_page
    reports = watch_for_violations(page)
    log_in(page, live_server, "official")
    page.goto(f"{live_server.url}{reverse('publication:adjustment_new', args=[edition.township.code])}")
    page.get_by_text("还没有要调整的事项").wait_for()
    assert page.locator(".adjustment-row").count() == 0  # no fixed set of empty rows

    page.get_by_label("查找现行事项").fill("殡葬")
    page.locator("#item-picks").get_by_role("link", name="殡葬管理").click()
    row = page.locator(".adjustment-row").first
    row.get_by_label("事项名称（新增或改名时填写）").wait_for()
    assert row.get_by_label("事项名称（新增或改名时填写）").input_value() == "殡葬管理"
    assert row.get_by_label("具体内容或配合职责").input_value() == "劝导文明治丧"
    row.get_by_label("具体内容或配合职责").fill("劝导文明治丧，登记丧事简办情况")
    row.get_by_label("依据").fill("《殡葬管理条例》第十二条")
    row.get_by_label("理由").fill("条例修订")
    page.get_by_role("link", name="添加空白行（新增事项）").click()
    page.locator(".adjustment-row").nth(1).wait_for()
    page.get_by_label("申请说明").fill("根据《殡葬管理条例》修订调整")

    page.get_by_role("button", name="下一步：核对调整内容").click()
    page.get_by_role("heading", name="核对调整内容").wait_for()
    diff = page.locator("table.diff")
    assert diff.count() == 1  # the untouched blank row asks for nothing
    changed = diff.locator("tbody tr")
    assert {changed.nth(i).locator("th").inner_text() for i in range(changed.count())} == {"具体内容", "依据"}
    content = diff.locator("tr", has_text="具体内容")
    assert "劝导文明治丧" in content.locator("td").nth(0).inner_text()
    assert "登记丧事简办情况" in content.locator("td").nth(1).inner_text()
    assert not Adjustment.objects.exists()

    page.get_by_role("button", name="确认提交申请").click()
    page.get_by_role("heading", name="城关镇清单调整申请").wait_for()
    item = Adjustment.objects.get().items.get()
    assert (item.action, item.name, item.content) == ("change", "殡葬管理", "劝导文明治丧，登记丧事简办情况")
    assert reports == []

"""A resident on the public site, in a real browser: find a township, search, open an item,
download the list, read the change log."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from catalog.models import Township
from tests.conftest import needs_chromium, open_from_index

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def test_a_visitor_finds_who_is_responsible_and_downloads_the_list(browser_page, live_server):
    call_command("load_demo", verbosity=0)
    page = browser_page
    page.goto(f"{live_server.url}/")
    page.get_by_role("heading", name="乡镇（街道）履行职责事项清单", level=1).wait_for()
    open_from_index(page, live_server, Township.objects.get(name="东湖街道"))
    page.get_by_role("heading", name="东湖街道履行职责事项清单").wait_for()
    assert "第 2 版" in page.content()

    page.get_by_role("link", name="事项查询").click()
    page.get_by_label("查找事项").fill("低保")
    page.get_by_role("button", name="查询").click()
    status = page.get_by_role("status")
    status.wait_for()
    assert "找到" in status.inner_text() and "没有找到" not in status.inner_text()
    hit = page.locator("ul.hits a").first
    name = hit.inner_text()
    hit.click()
    page.get_by_role("heading", name=name).wait_for()
    assert "出处" in page.content()

    page.goto(f"{live_server.url}/lists/999001004/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel").click()
    workbook = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read()))
    assert workbook.sheetnames[:3] == ["基本履职事项清单", "配合履职事项清单", "上级部门收回事项清单"]

    page.get_by_role("link", name="与上一版相比的变化").click()
    page.get_by_role("heading", name="第 2 版与第 1 版相比的变化").wait_for()
    text = page.content()
    assert "调整清单类型" in text and "删除" in text and "修改" in text


ACCESSIBILITY_PROBLEMS = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("no lang");
  if (document.querySelectorAll("h1").length !== 1) problems.push("h1 count " + document.querySelectorAll("h1").length);
  let last = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4")) {
    const level = Number(h.tagName[1]);
    if (level > last + 1) problems.push("heading skips to " + h.tagName + ": " + h.textContent.trim());
    last = level;
  }
  for (const field of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const labelled = (field.id && document.querySelector(`label[for="${field.id}"]`)) || field.closest("label")
      || field.getAttribute("aria-label");
    if (!labelled) problems.push("unlabelled " + (field.name || field.id));
  }
  for (const img of document.querySelectorAll("img")) if (!img.alt) problems.push("img without alt");
  if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push("page wider than the screen");
  return problems;
}"""


def test_public_pages_are_labelled_structured_and_fit_a_phone(browser_page, live_server):
    call_command("load_demo", verbosity=0)
    from publication.models import Edition

    edition = Edition.objects.get(township__name="东湖街道", number=2)
    item = edition.items.first()
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    for path in [
        "/",
        "/areas/990000/",
        "/areas/999000/",
        "/areas/999001/",
        "/lists/999001004/",
        "/lists/999001004/editions/1/",
        "/lists/999001004/editions/2/changes/",
        f"/lists/999001004/items/{item.key}/",
        f"/lists/999001004/items/{item.key}/feedback/",
        "/search/?q=殡葬",
        "/counties/999001/statistics/",
        "/data/",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(ACCESSIBILITY_PROBLEMS) == [], path
    # The keyboard reaches the skip link first and the search box from it.
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"

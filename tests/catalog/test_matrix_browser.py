"""交叉比对 in a real browser: the county editor opens the matrix from 我的工作, sees the township that
placed an item differently from the others highlighted, filters, and follows the cell to the item."""

import pytest

from tests.catalog.test_matrix import county_drafts
from tests.conftest import log_in, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def test_the_matrix_highlights_a_township_that_placed_an_item_differently(
    browser_page, live_server, cast, duty_list
):
    page = browser_page
    lists, items, _named = county_drafts(duty_list)
    county = duty_list.township.county

    log_in(page, live_server, "editor")
    with page.expect_navigation():
        page.get_by_role("link", name=f"{county.name}交叉比对").click()
    row = page.locator("table.matrix tbody tr", has=page.get_by_role("rowheader", name="农田水利设施管护"))
    cells = row.locator("td")
    # 类别, 多数做法, then 城关镇, 青山镇, 河口镇.
    assert cells.nth(1).inner_text() == "配 县农业农村局"
    assert [cells.nth(n).inner_text() for n in (2, 3, 4)] == [
        "配 县农业农村局",
        "配 县农业农村局",
        "收 县应急管理局",
    ]
    highlighted = page.locator("table.matrix td.matrix-differs")
    assert highlighted.count() == 1 and highlighted.inner_text() == "收 县应急管理局"
    colour = highlighted.evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert colour == "rgb(255, 224, 138)"
    assert cells.nth(2).evaluate("cell => getComputedStyle(cell).backgroundColor") != colour

    page.get_by_label("仅看有差异的事项").check()
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    assert page.locator("table.matrix tbody tr").count() == 1

    with page.expect_navigation():
        highlighted.get_by_role("link").click()
    assert f"/work/lists/{lists['河口镇'].pk}/" in page.url
    assert page.locator(f"#item-{items['河口镇'].pk}").count() == 1

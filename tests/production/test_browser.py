"""The list editor in production mode: gunicorn, DEBUG off, static files collected and served by
WhiteNoise. Its stylesheet applies and its scripts (htmx, workbench.js) work: an inline edit saves."""

import pytest

from publication.management.commands.load_demo import DEMO_ACCOUNTS
from tests.conftest import needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]

PASSWORDS = {username: password for username, password, *_ in DEMO_ACCOUNTS}
BRAND_RED = "rgb(143, 29, 29)"  # --brand in static/css/app.css


def test_county_editor_edits_an_item_inline_with_the_collected_css_and_scripts(
    browser_page, production_servers
):
    page = browser_page
    server = production_servers.urls[0]
    static = []
    page.on("response", lambda r: static.append((r.url, r.status)) if "/static/" in r.url else None)
    [(list_id,)] = production_servers.sql(
        "SELECT l.id FROM catalog_dutylist l JOIN catalog_township t ON t.id = l.township_id"
        " WHERE t.name = %s",
        ("城关镇",),
    )

    page.goto(f"{server}/accounts/login/")
    page.get_by_label("用户名").fill("bianban")
    page.get_by_label("密码").fill(PASSWORDS["bianban"])
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的工作").wait_for()
    page.goto(f"{server}/work/lists/{list_id}/")

    # The stylesheet applies: the header takes the brand colour, the active tab its look.
    assert page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor") == BRAND_RED
    assert page.eval_on_selector("[role=tab][aria-selected=true]", "e => getComputedStyle(e).color") == (
        "rgb(255, 255, 255)"
    )

    # workbench.js switches tabs in place, without loading a page.
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("tab", name="配合履职事项").click()
    page.locator("#panel-coordinated").wait_for()
    assert page.evaluate("window.stillTheSamePage") is True
    assert "part=coordinated" in page.url
    page.get_by_role("tab", name="基本履职事项").click()

    # htmx swaps the row for its form and the saved row back in, on the same page.
    row = page.locator("#panel-basic tr", has=page.get_by_role("link", name="编辑")).first
    name = row.locator("th.name").inner_text().strip()
    row.get_by_role("link", name="编辑").click()
    form = page.locator("tr.editing form")
    form.get_by_label("具体内容").fill("生产模式下在行内修改并保存的具体内容。")
    form.get_by_role("button", name="保存").click()
    page.locator("tr.editing").wait_for(state="detached")
    assert page.evaluate("window.stillTheSamePage") is True
    assert "生产模式下在行内修改" in page.locator("#panel-basic tr", has_text=name).first.inner_text()

    [(content, version)] = production_servers.sql(
        "SELECT content, version FROM catalog_dutyitem WHERE duty_list_id = %s AND name = %s",
        (list_id, name),
    )
    assert content == "生产模式下在行内修改并保存的具体内容。" and version >= 2

    # Every static file came from the collected, hashed copies.
    assert {status for _, status in static} == {200}
    names = " ".join(url for url, _ in static)
    for asset in ("css/app.", "django_htmx/htmx-2.min.", "js/workbench."):
        assert asset in names

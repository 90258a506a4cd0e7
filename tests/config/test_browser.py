"""In a real browser the pages keep to their Content-Security-Policy: no violation is reported."""

import pytest
from django.urls import reverse

from catalog.models import Part
from tests.conftest import log_in, make_department, make_item, needs_chromium
from tests.publication.conftest import approve_and_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def watch_for_violations(page) -> list[str]:
    reports = []
    page.on(
        "console",
        lambda message: reports.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: reports.append(str(error)))
    return reports


def test_editor_statistics_and_back_office_pages_raise_no_policy_violation(
    browser_page, live_server, cast, duty_list, superuser
):
    page = browser_page
    reports = watch_for_violations(page)
    department = make_department(duty_list.township.county, "县民政局")
    item = make_item(duty_list, name="最低生活保障申请受理")
    make_item(duty_list, Part.COORDINATED, name="殡葬管理", leads=[department], township_duties="劝导")

    # The list editor, with an inline edit through htmx.
    log_in(page, live_server, "official")
    page.goto(f"{live_server.url}{reverse('catalog:list_editor', args=[duty_list.pk])}")
    row = page.locator("tr", has_text="最低生活保障申请受理")
    row.get_by_role("link", name="编辑").click()
    form = page.locator("tr.editing form")
    form.get_by_label("具体内容").fill("受理低保申请并入户调查。")
    form.get_by_role("button", name="保存").click()
    page.locator("tr.editing").wait_for(state="detached")
    item.refresh_from_db()
    assert item.content == "受理低保申请并入户调查。"

    approve_and_publish(duty_list, cast["county_editor"])
    page.goto(f"{live_server.url}{reverse('publication:statistics', args=[duty_list.township.county.code])}")
    page.get_by_role("heading", name="履职事项统计").wait_for()
    # The bars are drawn: the coordinated part of the township's bar has a width on screen.
    assert page.locator("svg.bar rect.coordinated").first.bounding_box()["width"] > 0

    page.context.clear_cookies()
    log_in(page, live_server, superuser.username)
    for url in [
        reverse("admin:catalog_dutyitem_change", args=[item.pk]),
        reverse("admin:catalog_dutyitem_history", args=[item.pk]),
        reverse("admin:catalog_dutyitem_changelist"),
    ]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")

    assert reports == []


def test_the_print_button_prints_without_an_inline_handler(browser_page, live_server, cast, duty_list):
    page = browser_page
    reports = watch_for_violations(page)
    log_in(page, live_server, "leader")
    page.goto(f"{live_server.url}{reverse('review:docket')}?county={duty_list.township.county.pk}")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.printed === true")
    assert reports == []

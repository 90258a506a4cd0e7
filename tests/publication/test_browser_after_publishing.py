"""A visitor who read a township's page before the county published its next edition sees the new
edition on their next visit, in a real browser: the page of the edition in force is revalidated,
never kept by the browser (issue 14)."""

import pytest
from django.urls import reverse

from catalog import services as catalog_services
from tests.conftest import log_in, make_item, needs_chromium, open_from_index
from tests.publication.conftest import approve, approve_and_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def test_the_public_page_shows_the_new_edition_right_after_publishing(
    browser_page, live_server, cast, duty_list
):
    editor = cast["county_editor"]
    make_item(duty_list, name="第一版的事项")
    approve_and_publish(duty_list, editor)
    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=editor, source=duty_list
    )
    make_item(draft, name="第二版新增的事项")
    approve(draft, editor)
    township = duty_list.township
    page = browser_page

    open_from_index(page, live_server, township)
    assert "第一版的事项" in page.content() and "第二版新增的事项" not in page.content()

    log_in(page, live_server, editor.username)
    page.goto(f"{live_server.url}{reverse('publication:publish', args=[draft.pk])}")
    page.get_by_label("施行日期").fill("2026-03-01")
    page.get_by_label("印发文号").fill("示办发〔2026〕5号")
    page.get_by_role("button", name="确认印发公布").click()
    page.get_by_text("已公布为第 2 版").wait_for()

    # Back to the public site as a visitor goes: from the index down to the county, then the township.
    page.goto(f"{live_server.url}{reverse('publication:area', args=[township.county.code])}")
    assert "示办发〔2026〕5号" in page.content()
    open_from_index(page, live_server, township)
    text = page.content()
    assert "第二版新增的事项" in text and "示办发〔2026〕5号" in text and "第 2 版" in text

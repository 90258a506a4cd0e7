"""查缺补漏 in a real browser: a mandatory item removed from a draft is flagged, and stops 一上 when the
county requires mandatory items."""

import pytest
from django.urls import reverse

from catalog.models import Catalogue, CatalogueEntry, DutyList, Part
from review.models import ReviewPolicy
from tests.conftest import log_in, make_item, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def test_the_editor_removes_a_mandatory_item_sees_it_flagged_and_is_stopped_at_the_first_submission(
    browser_page, live_server, cast, duty_list
):
    page = browser_page
    county = duty_list.township.county
    ReviewPolicy.objects.create(county=county, missing_mandatory=ReviewPolicy.MissingMandatory.BLOCK)
    safeguard = Catalogue.objects.create(county=county, name="兜底事项目录", kind=Catalogue.Kind.SAFEGUARD)
    entry = CatalogueEntry.objects.create(
        catalogue=safeguard, name="突发事件先期处置", part=Part.BASIC, is_mandatory=True
    )
    make_item(duty_list, name="突发事件先期处置", catalogue_entry=entry)

    log_in(page, live_server, "official")
    page.goto(f"{live_server.url}{reverse('catalog:list_editor', args=[duty_list.pk])}")
    assert page.locator("section.coverage").count() == 0
    page.once("dialog", lambda dialog: dialog.accept())  # 确定删除…吗？
    with page.expect_navigation():
        page.locator("tr", has_text="突发事件先期处置").get_by_role("button", name="删除").click()

    panel = page.locator("section.coverage")
    assert "缺少必须列入的事项（1 项）" in panel.inner_text()
    with page.expect_navigation():
        panel.get_by_role("link", name="查看全部问题及处理办法").click()
    flagged = page.locator("#coverage-missing")
    assert (
        "“突发事件先期处置”在兜底事项目录中标为必须列入（基本履职事项），本清单没有。" in flagged.inner_text()
    )
    assert flagged.get_by_role("link", name="新增事项").count() == 1

    page.goto(f"{live_server.url}{reverse('review:list_review', args=[duty_list.pk])}")
    with page.expect_navigation():
        page.get_by_role("button", name="一上：提交清单", exact=True).click()
    confirm = page.get_by_role("button", name="确认一上：提交清单")
    if confirm.count():
        with page.expect_navigation():
            confirm.click()
    assert "清单缺少县里规定必须列入的事项：“突发事件先期处置”（兜底事项目录）" in page.content()
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.DRAFTING

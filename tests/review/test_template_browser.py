"""A round on the county template in a real browser (issue 14): the county editor asks the townships,
a township official comments on an entry from 待我处理, and the editor reads every township's comment
on that entry together and answers each, adopting one into the template."""

import pytest
from django.urls import reverse

from catalog.models import CatalogueEntry
from review import services
from review.models import Comment, CommentWindow
from tests.conftest import log_in, needs_chromium
from tests.review.conftest import make_template
from tests.review.test_browser import log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def test_a_township_official_comments_on_the_template_and_the_editor_answers(
    browser_page, live_server, cast, duty_list
):
    template = make_template(duty_list.township.county)
    page = browser_page

    # The county editor asks every township with an account (both are preselected).
    log_in(page, live_server, cast["county_editor"].username)
    page.get_by_role("link", name=f"{template.county.name}标准模板征求意见").click()
    page.get_by_role("link", name="发起意见征求").click()
    assert page.get_by_label("城关镇").is_checked() and page.get_by_label("青山镇").is_checked()
    page.get_by_role("button", name="发起意见征求").click()
    page.get_by_text("已就“示范县标准模板”向 2 个乡镇（街道）征求意见。").wait_for()
    window = CommentWindow.objects.get(catalogue=template)
    log_out(page)

    # 城关镇's official finds it in 待我处理 and proposes new wording for 殡葬管理, starting from the old.
    log_in(page, live_server, cast["township_official"].username)
    page.get_by_role("link", name="待我处理").click()
    page.get_by_role("link", name="示范县标准模板", exact=True).click()
    page.locator("tr", has_text="殡葬管理").get_by_role("link", name="提意见").click()
    assert page.get_by_label("不同意", exact=True).count() == 0
    page.get_by_label("建议修改", exact=True).check()
    wording = page.get_by_label("建议具体内容")
    assert wording.input_value() == "宣传殡葬政策"
    wording.fill("宣传殡葬改革政策，劝导文明祭扫")
    page.get_by_role("button", name="提交意见").click()
    page.get_by_text("已提交对“殡葬管理”的意见。").wait_for()
    assert (
        "建议具体内容为“宣传殡葬改革政策，劝导文明祭扫”"
        in page.locator("#entry-" + str(template.entries.get(name="殡葬管理").pk)).inner_text()
    )
    log_out(page)

    # 青山镇 says the entry does not apply to it.
    entry = template.entries.get(name="殡葬管理")
    services.add_comment(
        window, by=cast["other_township_official"], entry=entry, position="not_applicable", text="本镇无公墓"
    )

    # The editor sees both townships' comments on the entry together and answers each.
    log_in(page, live_server, cast["county_editor"].username)
    page.get_by_role("link", name="待我处理").click()
    page.get_by_role("link", name="示范县标准模板", exact=True).click()
    page.locator("tr", has_text="殡葬管理").get_by_role("link", name="查看各乡镇意见并答复").click()
    page.get_by_role("heading", name="“殡葬管理”的各乡镇意见").wait_for()
    chengguan = page.get_by_role("article", name="城关镇的意见")
    qingshan = page.get_by_role("article", name="青山镇的意见")
    assert "本镇无公墓" in qingshan.inner_text() and "劝导文明祭扫" in chengguan.inner_text()
    chengguan.get_by_label("采纳", exact=True).check()
    chengguan.get_by_label("采纳并按建议修改模板").check()
    chengguan.get_by_role("button", name="答复").click()
    page.get_by_text("已答复城关镇对“殡葬管理”的意见，并已按意见修改模板。").wait_for()
    qingshan = page.get_by_role("article", name="青山镇的意见")
    qingshan.get_by_label("不采纳", exact=True).check()
    qingshan.get_by_label("理由（部分采纳、不采纳时必填）").fill("全县统一列入，无此业务的乡镇可不实际发生")
    qingshan.get_by_role("button", name="答复").click()
    page.get_by_text("已答复青山镇对“殡葬管理”的意见。").wait_for()
    assert (
        "县委编办答复：不采纳：全县统一列入" in page.get_by_role("article", name="青山镇的意见").inner_text()
    )

    entry = CatalogueEntry.objects.get(pk=entry.pk)
    assert entry.content == "宣传殡葬改革政策，劝导文明祭扫"
    answers = dict(Comment.objects.values_list("signature", "answer"))
    assert answers == {"城关镇": "accepted", "青山镇": "rejected"}
    assert page.get_by_text("待答复").count() == 0
    page.goto(f"{live_server.url}{reverse('review:template_round', args=[window.pk])}")
    assert "待答复" not in page.locator("tr", has_text="殡葬管理").inner_text()

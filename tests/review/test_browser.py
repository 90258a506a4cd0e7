"""The whole review of the demo county's pilot list in a real browser, from 一上 to 审定."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import DutyItem, DutyList, Township
from review.models import Approval, Comment, Decision, Dispute
from tests.conftest import log_in, needs_chromium

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]


def demo_log_in(page, live_server, username: str) -> None:
    log_in(page, live_server, username, f"shifan-{username}-2025")


def log_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.get_by_role("button", name="登录").wait_for()


def press(page, label: str) -> None:
    """Press a workflow button on the review page and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()


def test_the_pilot_list_goes_from_first_submission_to_approval(browser_page, live_server):
    call_command("load_demo", verbosity=0)
    page = browser_page
    township = Township.objects.get(name="城关镇")
    duty_list = DutyList.objects.get(township=township)
    review_url = f"{live_server.url}{reverse('review:list_review', args=[duty_list.pk])}"
    coordinated = list(DutyItem.objects.filter(duty_list=duty_list, part="coordinated").order_by("pk")[:3])
    agreed, renamed, kept = (item.name for item in coordinated)

    # 一上: the township submits.
    demo_log_in(page, live_server, "chengguan")
    page.goto(review_url)
    press(page, "一上：提交清单")
    assert "已进入“一上”阶段" in page.locator(".messages").inner_text()
    log_out(page)

    # 一下: the editor asks two departments.
    demo_log_in(page, live_server, "bianban")
    page.goto(review_url)
    boxes = page.locator('input[name="window-departments"]')
    for n in range(boxes.count()):
        boxes.nth(n).uncheck()
    page.get_by_label("县农业农村局", exact=True).check()
    page.get_by_label("县应急管理局", exact=True).check()
    press(page, "一下：征求部门意见")
    assert "已完成“一下：征求部门意见”" in page.locator(".messages").inner_text()
    log_out(page)

    # One department agrees, the other proposes two changes; both declare 反馈完毕.
    demo_log_in(page, live_server, "nongye")
    page.get_by_role("link", name="待提意见的清单").click()
    page.get_by_role("link", name="逐项提意见").click()
    page.locator("tr", has_text=agreed).first.get_by_role("link", name="提意见").click()
    page.get_by_label("同意", exact=True).check()
    page.get_by_role("button", name="提交意见").click()
    page.get_by_role("button", name="县农业农村局：反馈完毕").click()
    page.get_by_text("县农业农村局已确认反馈完毕").wait_for()
    log_out(page)

    demo_log_in(page, live_server, "yingji")
    page.goto(f"{live_server.url}{reverse('review:queue')}")
    page.get_by_role("link", name="逐项提意见").click()
    for name, proposal in [(renamed, f"{renamed}（规范名称）"), (kept, f"{kept}（调整表述）")]:
        page.locator("tr", has_text=name).first.get_by_role("link", name="提意见").click()
        page.get_by_label("建议修改", exact=True).check()
        page.get_by_label("建议事项名称").fill(proposal)
        page.get_by_label("意见内容").fill("与部门清单名称保持一致")
        page.get_by_role("button", name="提交意见").click()
        page.get_by_text(f"已提交对“{name}”的意见").wait_for()
    page.get_by_role("button", name="县应急管理局：反馈完毕").click()
    page.get_by_text("县应急管理局已确认反馈完毕").wait_for()
    log_out(page)

    demo_log_in(page, live_server, "bianban")
    page.goto(review_url)
    press(page, "一下：结束征求，意见反馈乡镇")
    log_out(page)

    # 二上: the township accepts one change with one click, rejects one with a reason.
    demo_log_in(page, live_server, "chengguan")
    page.get_by_role("link", name=re.compile("待我处理")).click()
    page.get_by_role("link", name=duty_list.title, exact=True).click()
    accept = page.locator("section", has=page.get_by_role("heading", name=renamed)).locator(
        "form.answer-form"
    )
    accept.get_by_label("采纳", exact=True).check()
    accept.get_by_label("采纳并按建议修改清单").check()
    accept.get_by_role("button", name="答复").click()
    page.get_by_text("并已按意见修改清单").wait_for()
    reject = page.locator("section", has=page.get_by_role("heading", name=kept)).locator("form.answer-form")
    reject.get_by_label("不采纳", exact=True).check()
    reject.get_by_label("理由（部分采纳、不采纳时必填）").fill("沿用省级目录表述")
    reject.get_by_role("button", name="答复").click()
    page.get_by_text(f"已答复“{kept}”的意见").wait_for()
    assert DutyItem.objects.filter(duty_list=duty_list, name=f"{renamed}（规范名称）").exists()
    page.goto(review_url)
    press(page, "二上：提交修改稿")
    log_out(page)

    # 二下: the department keeps its position on the rejected change.
    demo_log_in(page, live_server, "bianban")
    page.goto(review_url)
    boxes = page.locator('input[name="window-departments"]')
    for n in range(boxes.count()):
        boxes.nth(n).uncheck()
    page.get_by_label("县应急管理局", exact=True).check()
    press(page, "二下：征求部门意见")
    log_out(page)

    demo_log_in(page, live_server, "yingji")
    page.goto(f"{live_server.url}{reverse('review:queue')}")
    page.get_by_role("link", name="逐项提意见").click()
    respond = page.locator("form", has=page.get_by_label("坚持原意见", exact=True))
    respond.get_by_label("坚持原意见", exact=True).check()
    respond.get_by_label("理由（坚持原意见时必填）").fill("名称须与部门权责清单一致")
    respond.get_by_role("button", name="提交回应").click()
    page.get_by_text("已坚持原意见").wait_for()
    page.get_by_role("button", name="县应急管理局：反馈完毕").click()
    page.get_by_text("县应急管理局已确认反馈完毕").wait_for()
    log_out(page)

    demo_log_in(page, live_server, "bianban")
    page.goto(review_url)
    press(page, "二下：结束征求，意见反馈乡镇")
    log_out(page)

    # 三上: the township still disagrees and submits.
    demo_log_in(page, live_server, "chengguan")
    page.goto(f"{live_server.url}{reverse('review:list_comments', args=[duty_list.pk])}")
    again = page.locator("section", has=page.get_by_role("heading", name=kept)).locator("form.answer-form")
    again.get_by_label("不采纳", exact=True).check()
    again.get_by_label("理由（部分采纳、不采纳时必填）").fill("仍沿用省级目录表述")
    again.get_by_role("button", name=re.compile("答复")).click()
    page.get_by_text(f"已答复“{kept}”的意见").wait_for()
    page.goto(review_url)
    press(page, "三上：提交送审稿")
    log_out(page)

    # 协调: the editor takes what is still contested to the leader, who decides.
    demo_log_in(page, live_server, "bianban")
    page.goto(review_url)
    press(page, "三下：提请协调拍板")
    log_out(page)
    dispute = Dispute.objects.get()
    assert dispute.item_name == kept and "仍沿用省级目录表述" in dispute.township_position

    demo_log_in(page, live_server, "lingdao")
    page.get_by_role("link", name=re.compile("待我处理")).click()
    page.get_by_role("link", name=re.compile(re.escape(kept))).click()
    page.get_by_label("决定内容").fill("采用部门建议的名称")
    page.get_by_label("确定的事项名称").fill(f"{kept}（拍板名称）")
    page.get_by_label(re.compile("^会议")).fill("县委书记专题会议")
    page.get_by_label("决定日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="确定决定").click()
    page.get_by_text("已协调拍板，决定已写入清单").wait_for()
    log_out(page)
    decided = DutyItem.objects.get(key=dispute.item_key)
    assert decided.name == f"{kept}（拍板名称）" and decided.is_decided

    # 征求意见 → 研究论证 → 审定.
    demo_log_in(page, live_server, "bianban")
    page.goto(review_url)
    press(page, "征求意见")
    press(page, "研究论证")
    page.get_by_label("审定会议").fill("县委常委会第12次会议")
    page.get_by_label("审定日期").fill(timezone.localdate().isoformat())
    page.get_by_label("文号").fill("示委发〔2025〕12号")
    press(page, "审定")
    page.get_by_role("heading", name="审定记录").wait_for()
    assert "示委发〔2025〕12号" in page.content()

    duty_list.refresh_from_db()
    assert duty_list.stage == DutyList.Stage.APPROVED
    assert Approval.objects.get(duty_list=duty_list).document_number == "示委发〔2025〕12号"
    assert Decision.objects.count() == 1
    assert set(Comment.objects.values_list("position", flat=True)) == {"agree", "modify"}

"""The whole review of the demo county's pilot list in a real browser, from 一上 to 审定."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import Department, DutyItem, DutyList, Township
from review import services, workflow
from review.models import Approval, Comment, Decision, Dispute, StageChange
from tests.conftest import log_in, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def demo_log_in(page, live_server, username: str) -> None:
    log_in(page, live_server, username, f"shifan-{username}-2025")


def log_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.get_by_role("button", name="登录").wait_for()


def press(page, label: str) -> None:
    """Press a workflow button on the review page and wait for the page it leads to; an irreversible
    step first shows what it will do, and is confirmed."""
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()
    confirm = page.get_by_role("button", name=f"确认{label}", exact=True)
    if confirm.count():
        with page.expect_navigation():
            confirm.click()


def finish_feedback(page, department: str) -> None:
    """The department declares 反馈完毕 and its reviewer logs out."""
    page.get_by_role("button", name=f"{department}：反馈完毕").click()
    page.get_by_text(f"{department}已确认反馈完毕").wait_for()
    log_out(page)


def editor_presses(page, live_server, review_url: str, label: str, *departments: str) -> None:
    """The county editor takes one workflow step; opening a window asks only `departments`."""
    demo_log_in(page, live_server, "bianban")
    page.goto(review_url)
    if departments:
        boxes = page.locator('input[name="window-departments"]')
        for n in range(boxes.count()):
            boxes.nth(n).uncheck()
        for department in departments:
            page.get_by_label(department, exact=True).check()
    press(page, label)
    log_out(page)


def answer(page, item: str, choice: str, reason: str = "", apply: bool = False) -> None:
    """The township answers the comment on one item from the answers page."""
    form = page.locator("section", has=page.get_by_role("heading", name=item)).locator("form.answer-form")
    form.get_by_label(choice, exact=True).check()
    if reason:
        form.get_by_label("理由（部分采纳、不采纳时必填）").fill(reason)
    if apply:
        form.get_by_label("采纳并按建议修改清单").check()
    form.get_by_role("button", name=re.compile("答复")).click()
    page.get_by_text(f"已答复“{item}”的意见").wait_for()


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
    editor_presses(page, live_server, review_url, "一下：征求部门意见", "县农业农村局", "县应急管理局")
    assert list(workflow.open_window(duty_list).departments.values_list("name", flat=True)) == [
        "县农业农村局",
        "县应急管理局",
    ]

    # One department agrees, the other proposes two changes; both declare 反馈完毕.
    demo_log_in(page, live_server, "nongye")
    page.get_by_role("link", name="待提意见的清单").click()
    page.get_by_role("link", name="逐项提意见").click()
    page.locator("tr", has_text=agreed).first.get_by_role("link", name="提意见").click()
    page.get_by_label("同意", exact=True).check()
    page.get_by_role("button", name="提交意见").click()
    finish_feedback(page, "县农业农村局")

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
    finish_feedback(page, "县应急管理局")
    editor_presses(page, live_server, review_url, "一下：结束征求，意见反馈乡镇")

    # 二上: the township accepts one change with one click, rejects one with a reason.
    demo_log_in(page, live_server, "chengguan")
    page.get_by_role("link", name=re.compile("待我处理")).click()
    page.get_by_role("link", name=duty_list.title, exact=True).click()
    answer(page, renamed, "采纳", apply=True)
    answer(page, kept, "不采纳", "沿用省级目录表述")
    assert DutyItem.objects.filter(duty_list=duty_list, name=f"{renamed}（规范名称）").exists()
    page.goto(review_url)
    press(page, "二上：提交修改稿")
    log_out(page)

    # 二下: the department keeps its position on the rejected change.
    editor_presses(page, live_server, review_url, "二下：征求部门意见", "县应急管理局")

    demo_log_in(page, live_server, "yingji")
    page.goto(f"{live_server.url}{reverse('review:queue')}")
    page.get_by_role("link", name="逐项提意见").click()
    respond = page.locator("form", has=page.get_by_label("坚持原意见", exact=True))
    respond.get_by_label("坚持原意见", exact=True).check()
    respond.get_by_label("理由（坚持原意见时必填）").fill("名称须与部门权责清单一致")
    respond.get_by_role("button", name="提交回应").click()
    page.get_by_text("已坚持原意见").wait_for()
    finish_feedback(page, "县应急管理局")
    editor_presses(page, live_server, review_url, "二下：结束征求，意见反馈乡镇")

    # 三上: the township still disagrees and submits.
    demo_log_in(page, live_server, "chengguan")
    page.goto(f"{live_server.url}{reverse('review:list_comments', args=[duty_list.pk])}")
    answer(page, kept, "不采纳", "仍沿用省级目录表述")
    page.goto(review_url)
    press(page, "三上：提交送审稿")
    log_out(page)

    # 协调: the editor takes what is still contested to the leader, who decides.
    editor_presses(page, live_server, review_url, "三下：提请协调拍板")
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


def test_the_township_confirms_a_submission_then_withdraws_it(browser_page, live_server):
    call_command("load_demo", verbosity=0)
    page = browser_page
    duty_list = DutyList.objects.get(township__name="城关镇")
    items = DutyItem.objects.active().filter(duty_list=duty_list).count()
    demo_log_in(page, live_server, "chengguan")
    page.goto(f"{live_server.url}{reverse('review:list_review', args=[duty_list.pk])}")
    with page.expect_navigation():
        page.get_by_role("button", name="一上：提交清单", exact=True).click()
    summary = page.locator("ul.summary").inner_text()
    assert f"{items} 项事项" in summary and "可以撤回" in summary
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.DRAFTING
    with page.expect_navigation():
        page.get_by_role("button", name="确认一上：提交清单").click()
    assert "已进入“一上”阶段" in page.locator(".messages").inner_text()

    press(page, "撤回一上")
    assert "已进入“起草”阶段" in page.locator(".messages").inner_text()
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.DRAFTING
    assert page.get_by_role("button", name="一上：提交清单", exact=True).is_visible()
    assert list(StageChange.objects.filter(duty_list=duty_list).values_list("action", flat=True)) == [
        "submit",
        "withdraw",
    ]


def test_the_editor_extends_a_deadline_then_closes_the_round_early(browser_page, live_server):
    call_command("load_demo", verbosity=0)
    page = browser_page
    User = get_user_model()
    editor, nongye = User.objects.get(username="bianban"), User.objects.get(username="nongye")
    duty_list = DutyList.objects.get(township__name="城关镇")
    workflow.perform(duty_list, "submit", by=User.objects.get(username="chengguan"))
    workflow.perform(
        duty_list,
        "open_comments",
        by=editor,
        departments=list(Department.objects.filter(name__in=["县农业农村局", "县应急管理局"])),
        deadline=timezone.localdate() + timedelta(days=3),
    )
    window = workflow.open_window(duty_list)
    services.finish_feedback(window, by=nongye)

    demo_log_in(page, live_server, "bianban")
    page.goto(f"{live_server.url}{reverse('review:list_review', args=[duty_list.pk])}")
    later = timezone.localdate() + timedelta(days=10)
    page.get_by_label("新的截止日期").fill(later.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="延长截止日期").click()
    assert f"已延长至 {later:%Y-%m-%d}" in page.locator(".messages").inner_text()

    page.get_by_label(re.compile("尚未反馈完毕的县应急管理局将记为“未反馈”")).check()
    press(page, "一下：结束征求，意见反馈乡镇")
    assert "已进入“一下”阶段" in page.locator(".messages").inner_text()
    table = page.locator("table.data").first.inner_text()
    assert "县农业农村局：反馈完毕" in table and "县应急管理局：未反馈" in table and "提前结束" in table
    window.refresh_from_db()
    assert window.closed_by == editor and window.deadline == later
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.FIRST_FEEDBACK

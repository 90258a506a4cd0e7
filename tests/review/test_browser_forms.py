"""The short review forms in a real browser (issue 14): the comment form shows only the chosen
position's fields, the proposal prefilled with the item's current wording; and a consultee's
proposal, accepted and applied, reaches the published list."""

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import DutyItem
from publication.models import EditionItem
from review import workflow
from review.models import Comment
from tests.conftest import log_in, needs_chromium, open_from_index
from tests.review.test_browser import log_out
from tests.review.test_comment_forms import opened
from tests.review.test_consultee_proposals import in_consultation  # noqa: F401 (a fixture)
from tests.review.test_disputes import at_third, disputed  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def test_choosing_agree_hides_the_proposal_and_modify_shows_it_prefilled(
    browser_page, live_server, cast, duty_list, department
):
    window = opened(cast, duty_list, department)
    item = window.submission.items.get(name="配合事项1")
    page = browser_page
    log_in(page, live_server, cast["department_reviewer"].username)
    page.goto(f"{live_server.url}{reverse('review:comment_add', args=[window.pk])}?item={item.key}")

    name = page.get_by_label("建议事项名称")
    wording = page.get_by_label("建议乡镇（街道）配合职责")
    reason = page.get_by_label("不同意理由")
    assert not name.is_visible() and not reason.is_visible()  # nothing chosen yet
    page.get_by_label("同意", exact=True).check()
    assert not name.is_visible() and not wording.is_visible() and not reason.is_visible()
    page.get_by_label("不同意", exact=True).check()
    assert reason.is_visible() and not name.is_visible()
    page.get_by_label("建议修改", exact=True).check()
    assert name.is_visible() and not reason.is_visible()
    assert name.input_value() == "配合事项1" and wording.input_value() == "配合"

    wording.fill("配合，并按月报送")
    page.get_by_role("button", name="提交意见").click()
    page.get_by_text("已提交对“配合事项1”的意见。").wait_for()
    comment = Comment.objects.get()
    assert (comment.position, comment.proposed_name, comment.proposed_content) == (
        "modify",
        "",
        "配合，并按月报送",
    )


def test_a_consultees_accepted_proposal_reaches_the_published_list(
    browser_page,
    live_server,
    cast,
    in_consultation,  # noqa: F811
):
    duty_list = in_consultation
    township, editor = duty_list.township, cast["county_editor"]
    item = DutyItem.objects.get(duty_list=duty_list, name="农村低保审核")
    wording = "受理申请并在 15 个工作日内完成入户调查"
    page = browser_page
    comments_url = f"{live_server.url}{reverse('review:list_comments', args=[duty_list.pk])}"

    # 征求意见: the consultee proposes new wording for the item, starting from its current one.
    log_in(page, live_server, cast["consultee"].username)
    page.goto(f"{live_server.url}{reverse('review:window', args=[workflow.open_window(duty_list).pk])}")
    page.locator("tr", has_text="农村低保审核").get_by_role("link", name="提意见").click()
    page.get_by_label("建议修改", exact=True).check()
    page.get_by_label("建议具体内容").fill(wording)
    page.get_by_role("button", name="提交意见").click()
    page.get_by_text("已提交对“农村低保审核”的意见。").wait_for()
    log_out(page)

    # The township accepts it; it may not edit the list now, so the county editor is asked to.
    log_in(page, live_server, cast["township_official"].username)
    page.goto(comments_url)
    form = page.locator("form.answer-form").first
    form.get_by_label("采纳", exact=True).check()
    form.get_by_label("采纳，请县委编办按建议修改清单").check()
    form.get_by_role("button", name="答复").click()
    page.get_by_text("已请县委编办按意见修改").wait_for()
    log_out(page)

    # The county editor applies it from the comments page.
    log_in(page, live_server, editor.username)
    page.goto(comments_url)
    waiting = page.locator("section.waiting-proposals")
    assert "农村低保审核" in waiting.inner_text()
    waiting.get_by_role("button", name="按意见修改清单").click()
    page.get_by_text("的意见修改“农村低保审核”").wait_for()
    item.refresh_from_db()
    assert item.content == wording

    # 研究论证 and 审定 (their pages are tested with the whole review), then 印发公布 on its page.
    workflow.perform(duty_list, "start_deliberation", by=editor)
    workflow.perform(
        duty_list,
        "approve",
        by=editor,
        meeting="县委常委会会议",
        approved_on=timezone.localdate(),
        document_number="示委发〔2026〕3号",
    )
    page.goto(f"{live_server.url}{reverse('publication:publish', args=[duty_list.pk])}")
    page.get_by_label("施行日期").fill(timezone.localdate().isoformat())
    page.get_by_label("印发文号").fill("示办发〔2026〕7号")
    page.get_by_role("button", name="确认印发公布").click()
    page.get_by_text("已公布为第 1 版").wait_for()
    log_out(page)

    # A visitor reads the new wording on the township's public page.
    open_from_index(page, live_server, township)
    assert wording in page.content()
    assert EditionItem.objects.get(edition__township=township, key=item.key).content == wording

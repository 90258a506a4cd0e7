"""The short review forms in a real browser (issue 14): the comment form shows only the chosen
position's fields, the proposal prefilled with the item's current wording."""

import pytest
from django.urls import reverse

from review.models import Comment
from tests.conftest import log_in, needs_chromium
from tests.review.test_comment_forms import opened

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

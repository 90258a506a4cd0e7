"""Short forms that start from what is there (issue 14): the township's answer page shows the draft's
current text beside each proposal, and a department's comment form starts from the item's wording."""

import re

import pytest
from django.urls import reverse

from review import services, workflow
from review.models import Comment
from tests.review.test_pages import add_items, comment_on, open_window, queries_of

pytestmark = pytest.mark.django_db


def answered(duty_list, cast, department, names, *, with_content: bool = False):
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = open_window(duty_list, cast, department)
    fields = {"position": "modify", "proposed_name": "x", "text": "请改名"}
    if with_content:
        fields["proposed_content"] = "建议的配合职责"
    comment_on(window, cast["department_reviewer"], names, **fields)
    services.finish_feedback(window, by=cast["department_reviewer"])
    workflow.perform(duty_list, "close_comments", by=cast["county_editor"])
    return window


def test_the_answer_page_shows_the_current_text_beside_each_proposal(client, cast, duty_list, department):
    add_items(duty_list, department, 2)
    answered(duty_list, cast, department, ["配合事项1"], with_content=True)
    client.force_login(cast["township_official"])
    page = client.get(reverse("review:list_comments", args=[duty_list.pk])).content.decode()
    comment = Comment.objects.get()
    table = re.search(rf'<table class="data proposal" id="proposal-{comment.pk}">(.*?)</table>', page, re.S)
    rows = re.findall(r"<th scope=\"row\">(.*?)</th><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td>", table.group(1))
    # The proposed "content" of a coordinated item is its 乡镇（街道）配合职责, as the draft holds it.
    assert rows == [
        ("事项名称", "配合事项1", "配合事项1（改）"),
        ("乡镇（街道）配合职责", "配合", "建议的配合职责"),
    ]
    # The reason is a paragraph's box, not a one-line input.
    assert f'<textarea name="answer_reason" id="reason-{comment.pk}" rows="4">' in page
    assert comment.answer == ""


def test_the_answer_page_reads_current_text_in_the_same_queries_for_more_comments(
    client, cast, duty_list, department
):
    add_items(duty_list, department, 8)
    answered(duty_list, cast, department, ["配合事项1", "基本事项0"])
    client.force_login(cast["township_official"])
    url = reverse("review:list_comments", args=[duty_list.pk])
    few = queries_of(client, url)
    window = Comment.objects.first().window
    window.closed_at = None  # more comments on the same draft, as a later round would bring
    window.save(update_fields=["closed_at"])
    for name in ["配合事项3", "配合事项5", "基本事项2", "基本事项4"]:
        item = window.submission.items.get(name=name)
        Comment.objects.create(
            duty_list=duty_list,
            window=window,
            item_key=item.key,
            item_name=name,
            department=Comment.objects.first().department,
            signature="部门",
            author=cast["department_reviewer"],
            position="modify",
            proposed_name=f"{name}（改）",
        )
    window.closed_at = Comment.objects.first().created_at
    window.save(update_fields=["closed_at"])
    assert Comment.objects.count() == 6
    page = client.get(url).content.decode()
    assert page.count('class="data proposal"') == 6
    assert queries_of(client, url) == few

"""Short forms that start from what is there (issue 14): the township's answer page shows the draft's
current text beside each proposal, and a department's comment form starts from the item's wording."""

import re

import pytest
from django.urls import reverse

from catalog.models import Category
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


# The department's comment form.


def opened(cast, duty_list, department, count: int = 2):
    """A submitted list of `count` items, with a round open to `department`."""
    add_items(duty_list, department, count)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    return open_window(duty_list, cast, department)


def test_the_modify_proposal_starts_from_the_items_current_wording_and_keeps_only_what_changed(
    client, cast, duty_list, department
):
    window = opened(cast, duty_list, department)
    item = window.submission.items.get(name="配合事项1")
    client.force_login(cast["department_reviewer"])
    url = reverse("review:comment_add", args=[window.pk]) + f"?item={item.key}"
    page = client.get(url).content.decode()
    # Prefilled from the frozen item: its name, the wording of its part (配合职责) and its lead department.
    assert 'name="proposed_name" value="配合事项1"' in page
    assert re.search(r'<textarea name="proposed_content"[^>]*>\s*配合</textarea>', page)
    assert re.search(rf'name="proposed_lead_departments" value="{department.pk}"[^>]*checked', page)
    assert "建议乡镇（街道）配合职责" in page
    assert 'data-positions="disagree"' in page and 'data-positions="modify add"' in page
    assert "js/comment_form.js" in page

    response = client.post(
        url,
        {
            "position": "modify",
            "proposed_name": "配合事项1",
            "proposed_content": "配合，并按月报送",
            "proposed_part": "coordinated",
            "proposed_lead_departments": [department.pk],
        },
        follow=True,
    )
    assert "已提交对“配合事项1”的意见。" in response.content.decode()
    comment = Comment.objects.get()
    # Only the edited wording is proposed; the unchanged prefilled fields are not.
    assert (comment.position, comment.proposed_name, comment.proposed_content) == (
        "modify",
        "",
        "配合，并按月报送",
    )
    assert comment.proposed_part == "" and not comment.proposed_lead_departments.exists()


def test_agreeing_with_the_prefilled_fields_untouched_proposes_nothing(client, cast, duty_list, department):
    window = opened(cast, duty_list, department, 1)
    item = window.submission.items.get()
    client.force_login(cast["department_reviewer"])
    url = reverse("review:comment_add", args=[window.pk]) + f"?item={item.key}"
    response = client.post(
        url, {"position": "agree", "proposed_name": item.name, "proposed_part": item.part}, follow=True
    )
    assert f"已提交对“{item.name}”的意见。" in response.content.decode()
    comment = Comment.objects.get()
    assert (comment.position, comment.proposed_name, comment.proposed_part) == ("agree", "", "")


def test_a_comment_on_the_whole_list_asks_no_wording_and_a_proposed_item_is_named_after_saving(
    client, cast, duty_list, department
):
    window = opened(cast, duty_list, department, 1)
    category = Category.objects.get(county=duty_list.township.county)
    client.force_login(cast["department_reviewer"])
    url = reverse("review:comment_add", args=[window.pk])
    page = client.get(url).content.decode()
    assert 'name="proposed_name"' not in page and 'name="reason"' in page
    response = client.post(
        url + "?add=1",
        {
            "position": "add",
            "proposed_name": "农村宅基地审核",
            "proposed_part": "basic",
            "proposed_content": "初审",
            "proposed_category": category.pk,
        },
        follow=True,
    )
    assert "已提交对“农村宅基地审核”的意见。" in response.content.decode()
    assert Comment.objects.get().proposed_name == "农村宅基地审核"

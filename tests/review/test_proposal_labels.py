"""A proposed wording is named after the work column of the item's part, in the comment and the report."""

import pytest
from django.urls import reverse

from catalog.models import Part
from review import services, workflow
from tests.conftest import make_item
from tests.review.conftest import make_window

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "part, label",
    [(Part.BASIC, "具体内容"), (Part.COORDINATED, "乡镇（街道）配合职责")],
)
def test_a_proposed_wording_is_named_after_the_items_part(client, cast, duty_list, department, part, label):
    item = make_item(duty_list, part, name="秸秆禁烧", leads=[department] if part == Part.COORDINATED else ())
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = make_window(duty_list, department)
    comment = services.add_comment(
        window,
        by=cast["department_reviewer"],
        item_key=item.key,
        position="modify",
        proposed_content="开展巡查",
    )

    assert comment.item_part == part
    assert f"建议{label}为“开展巡查”" in comment.position_text()
    client.force_login(cast["county_editor"])
    report = client.get(reverse("review:disposition_report", args=[duty_list.pk])).content.decode()
    assert f"建议{label}为“开展巡查”" in report


def test_comments_made_before_the_part_was_kept_take_it_from_their_submission(cast, duty_list, department):
    from importlib import import_module

    from django.apps import apps

    from review.models import Comment

    item = make_item(duty_list, Part.COORDINATED, name="防汛", leads=[department])
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    comment = services.add_comment(
        make_window(duty_list, department),
        by=cast["department_reviewer"],
        item_key=item.key,
        position="modify",
        proposed_content="巡查",
    )
    Comment.objects.filter(pk=comment.pk).update(item_part="")

    import_module("review.migrations.0008_comment_item_part").fill_item_part(apps, None)

    assert Comment.objects.get(pk=comment.pk).item_part == Part.COORDINATED

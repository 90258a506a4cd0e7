"""The number beside 待我处理 is the number of tasks the inbox page lists (public feedback waiting for
the county editor among them), and the fresh demo tells nobody about reviews that happened before
anyone logged in."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import Department, DutyList
from publication import services as publication_services
from publication.management.commands.load_demo import DEMO_ACCOUNTS
from publication.models import Feedback
from review import workflow
from review.models import Notification
from tests.conftest import make_item
from tests.publication.conftest import approve_and_publish, make_feedback
from tests.review.test_pages import answered_round  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def listed_tasks(client) -> int:
    """The tasks the inbox page lists: the entries of its task lists."""
    page = client.get(reverse("review:inbox")).content.decode()
    return sum(block.count("<li") for block in re.findall(r'<ul class="tasks">(.*?)</ul>', page, re.S))


def badge(client) -> int:
    return int(client.get(reverse("review:inbox_count")).content.decode() or 0)


def badges_match_pages(client) -> dict[str, int]:
    """Each demo user's badge, checked against what their inbox page lists."""
    shown = {}
    for username, *_ in DEMO_ACCOUNTS:
        client.force_login(get_user_model().objects.get(username=username))
        shown[username] = badge(client)
        assert shown[username] == listed_tasks(client), username
    return shown


def test_the_fresh_demo_has_no_notifications_and_every_badge_counts_the_listed_tasks(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
    assert not Notification.objects.exists()
    assert set(badges_match_pages(client).values()) == {0}

    # Work arrives: the badges follow the pages.
    User = get_user_model()
    editor, official = User.objects.get(username="bianban"), User.objects.get(username="chengguan")
    duty_list = DutyList.objects.get(township__name="城关镇")
    workflow.perform(duty_list, "submit", by=official)
    assert badges_match_pages(client)["bianban"] == 1  # a submitted list to ask departments about
    departments = Department.objects.filter(name__in=["县农业农村局", "县应急管理局"])
    workflow.perform(
        duty_list,
        "open_comments",
        by=editor,
        departments=list(departments),
        deadline=timezone.localdate() + timedelta(days=5),
    )
    shown = badges_match_pages(client)
    assert (shown["nongye"], shown["yingji"], shown["bianban"], shown["chengguan"]) == (1, 1, 0, 0)


@pytest.mark.usefixtures("answered_round")
def test_a_list_with_many_comments_to_answer_is_one_task(client, cast):
    client.force_login(cast["township_official"])
    assert badge(client) == listed_tasks(client) == 1
    assert "3 条待答复" in client.get(reverse("review:inbox")).content.decode()


def test_unread_notifications_are_not_counted_as_tasks(client, cast):
    Notification.objects.create(user=cast["county_editor"], text="城关镇已提交清单")
    client.force_login(cast["county_editor"])
    assert badge(client) == listed_tasks(client) == 0
    assert "城关镇已提交清单" in client.get(reverse("review:inbox")).content.decode()


def test_public_feedback_waiting_for_the_editor_is_a_task_until_it_is_handled(client, cast, duty_list):
    editor = cast["county_editor"]
    make_item(duty_list, name="低保审核")
    edition = approve_and_publish(duty_list, editor)
    first, second = make_feedback(edition), make_feedback(edition, address="198.51.100.8")
    client.force_login(editor)
    page = client.get(reverse("review:inbox")).content.decode()
    assert "待处理的群众反映" in page and f"受理编号 {first.receipt_number}" in page
    assert reverse("publication:feedback_handle", args=[second.pk]) in page
    assert badge(client) == listed_tasks(client) == 2

    # Handled reports leave the list; nobody else is given them.
    publication_services.close_feedback(first, by=editor, reply="已更正")
    publication_services.forward_feedback(second, by=editor, to="县民政局")
    assert badge(client) == listed_tasks(client) == 0
    assert Feedback.objects.filter(status=Feedback.Status.PENDING).count() == 0
    client.force_login(cast["township_official"])
    assert badge(client) == listed_tasks(client) == 0

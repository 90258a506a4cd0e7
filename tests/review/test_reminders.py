"""Scheduled review tasks: deadline reminders to departments not yet finished, and the daily digest."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import Membership
from review import notifications, tasks
from review.models import Digest, Invitation, Notification
from tests.conftest import make_department, make_duty_list, make_township, make_user
from tests.review.conftest import make_window

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def departments(cast):
    """The cast's reviewer's department, and a second one with its own reviewer."""
    own = cast["department_reviewer"].memberships.get().department
    other = make_department(own.county, "县应急管理局")
    make_user("reviewer-emergency", Membership.Role.DEPARTMENT_REVIEWER, department=other)
    return own, other


def remind(capture) -> int:
    with capture(execute=True):
        return tasks.send_deadline_reminders.delay().get()


def test_a_department_not_finished_is_reminded_once_two_days_before_the_deadline(
    cast, duty_list, departments, django_capture_on_commit_callbacks
):
    own, other = departments
    window = make_window(duty_list, own, other, deadline=today() + timedelta(days=2))
    Invitation.objects.filter(window=window, department=other).update(finished_at=timezone.now())

    assert remind(django_capture_on_commit_callbacks) == 1

    reviewer = cast["department_reviewer"]
    note = Notification.objects.get()
    assert note.user == reviewer and note.url == reverse("review:window", args=[window.pk])
    assert f"{window.deadline:%Y-%m-%d} 截止" in note.text and "县农业农村局尚未确认反馈完毕" in note.text
    assert Invitation.objects.get(window=window, department=own).reminded_at is not None
    assert Invitation.objects.get(window=window, department=other).reminded_at is None
    # Run again (the next day's schedule, or a retried task): nothing more.
    assert remind(django_capture_on_commit_callbacks) == 0
    assert Notification.objects.count() == 1


def test_only_open_windows_closing_within_two_days_remind(
    cast, duty_list, departments, django_capture_on_commit_callbacks
):
    own, _ = departments
    county = duty_list.township.county
    later = make_window(duty_list, own, deadline=today() + timedelta(days=5))
    closed = make_window(make_duty_list(make_township(county)), own, deadline=today() + timedelta(days=1))
    closed.closed_at = timezone.now()
    closed.save()
    make_window(make_duty_list(make_township(county)), own, deadline=today() - timedelta(days=1))

    assert remind(django_capture_on_commit_callbacks) == 0
    assert not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_deadline_reminders(now=timezone.now() + timedelta(days=3)) == 1
    assert Invitation.objects.get(reminded_at__isnull=False).window == later


def test_the_reminder_is_in_the_next_digest_and_the_digest_goes_once(
    cast, duty_list, departments, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    own, _ = departments
    reviewer = cast["department_reviewer"]
    reviewer.email = "nongye@example.cn"
    reviewer.save()
    make_window(duty_list, own, deadline=today() + timedelta(days=1))
    remind(django_capture_on_commit_callbacks)

    tasks.send_digests.delay()
    tasks.send_digests.delay()
    call_command("send_digests")

    assert [m.to for m in mail.outbox] == [["nongye@example.cn"]]
    assert "县农业农村局尚未确认反馈完毕" in mail.outbox[0].body
    assert Digest.objects.get().user == reviewer

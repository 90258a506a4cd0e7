"""Telling people what needs them: in-app notifications, and one e-mail digest per user per day.

Events write notifications only once their transaction commits, so a refused
or rolled-back action tells nobody anything. E-mail never goes out per event:
`send_digests` (run daily) gathers each user's unsent notifications and what
waits in their inbox into a single message, and records the day it was sent.
`send_deadline_reminders` (run daily, before the digests) tells each invited
department that has not declared 反馈完毕 (and each township asked about the county
template) that its window closes within two days, once per invitation.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from catalog.models import Department, Membership, Township

from .inbox import inbox_for
from .models import Digest, Invitation, Notification

Role = Membership.Role
User = get_user_model()


# Set while events are replayed as history (the demo's reviews): they are no news to anyone.
_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def muted():
    """Events inside tell nobody: what the demo loader replays happened "before", it is not news."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(users: Iterable, text: str, url: str = "") -> None:
    """Notify each user once the current transaction commits (nobody while `muted`)."""
    if _muted.get():
        return
    user_ids = sorted({user.pk for user in users})

    def write() -> None:
        Notification.objects.bulk_create(
            Notification(user_id=pk, text=text[:300], url=url) for pk in user_ids
        )

    transaction.on_commit(write)


def members(**filters) -> list:
    return list(User.objects.filter(is_active=True, **filters).distinct())


def department_reviewers(departments: Iterable[Department]) -> list:
    return members(
        memberships__role=Role.DEPARTMENT_REVIEWER, memberships__department__in=[d.pk for d in departments]
    )


def township_officials(township: Township) -> list:
    return members(memberships__role=Role.TOWNSHIP_OFFICIAL, memberships__township=township)


def county_editors(county_id: int) -> list:
    return members(memberships__role=Role.COUNTY_EDITOR, memberships__county_id=county_id)


def county_leaders(county_id: int) -> list:
    return members(memberships__role=Role.COUNTY_LEADER, memberships__county_id=county_id)


def consultees(county_id: int) -> list:
    return members(memberships__role=Role.CONSULTEE, memberships__county_id=county_id)


def send_digests(now=None) -> int:
    """Send each user with news their one digest of the day; returns how many were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    sent_today = Exists(Digest.objects.filter(user=OuterRef("pk"), sent_on=today))
    users = User.objects.filter(is_active=True).exclude(email="").exclude(sent_today)
    for user in users:
        news = list(Notification.objects.filter(user=user, digested_at__isnull=True).order_by("created_at"))
        inbox = inbox_for(user)
        if not news and not inbox.count:
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Digest.objects.create(user=user, sent_on=today)
            except IntegrityError:  # another run got there first
                continue
            Notification.objects.filter(pk__in=[n.pk for n in news]).update(digested_at=now)
            context = {"user": user, "news": news, "inbox": inbox, "site_url": settings.SITE_URL}
            send_mail(
                f"【乡镇履职事项清单】{today:%Y-%m-%d} 待办汇总",
                render_to_string("review/digest.txt", context),
                None,
                [user.email],
            )
        sent += 1
    return sent


REMINDER_DAYS = 2  # a department is reminded when its window closes within this many days


def send_deadline_reminders(now=None) -> int:
    """Remind invited departments that have not declared 反馈完毕; returns how many were reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Invitation.objects.filter(
        finished_at__isnull=True,
        reminded_at__isnull=True,
        window__closed_at__isnull=True,
        window__deadline__gte=today,
        window__deadline__lte=today + timedelta(days=REMINDER_DAYS),
    ).select_related("window__duty_list", "window__catalogue", "department", "township")
    reminded = 0
    for invitation in due:
        with transaction.atomic():
            # Claimed first: of two runs at the same time, only one reminds.
            if not Invitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            window = invitation.window
            if window.is_on_template:  # a township asked about the county template has no 反馈完毕
                notify(
                    township_officials(invitation.township),
                    f"“{window.catalogue.name}”的意见征求将于 {window.deadline:%Y-%m-%d} 截止，请及时提出意见。",
                    reverse("review:template_round", args=[window.pk]),
                )
            else:
                notify(
                    department_reviewers([invitation.department]),
                    f"“{window.duty_list.title}”的意见征求将于 {window.deadline:%Y-%m-%d} 截止，"
                    f"{invitation.department.name}尚未确认反馈完毕。",
                    reverse("review:window", args=[window.pk]),
                )
        reminded += 1
    return reminded

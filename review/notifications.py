"""Telling people what needs them: in-app notifications, and one e-mail digest per user per day.

Events write notifications only once their transaction commits, so a refused
or rolled-back action tells nobody anything. E-mail never goes out per event:
`send_digests` (run daily) gathers each user's unsent notifications and what
waits in their inbox into a single message, and records the day it was sent.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from catalog.models import Department, Membership, Township

from .models import Digest, Notification
from .queries import inbox_for

Role = Membership.Role
User = get_user_model()


def notify(users: Iterable, text: str, url: str = "") -> None:
    """Notify each user once the current transaction commits."""
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

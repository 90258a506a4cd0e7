"""Attempting deliveries: claim, send, record; retry with backoff, a bounded number of times.

A delivery is attempted once right after the event's transaction commits (the `deliver` task), and
again by the sweep (`retry_due_deliveries`, every minute) when its next attempt falls due. Claiming
an attempt adds one to `attempts` and moves `next_retry_at` a lease ahead in one conditional UPDATE,
so the task and the sweep, or two workers, never send the same attempt twice; a worker that dies
mid-attempt leaves the lease to run out and the sweep tries again."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from . import sending
from .models import Delivery

# Seconds to wait after the n-th failed attempt: 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h. Then the
# delivery is given up (about 22 hours after the event); the back office can send it again.
RETRY_AFTER = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
OPEN = (Delivery.Status.PENDING, Delivery.Status.RETRYING)
SWEEP_BATCH = 100


def lease() -> timedelta:
    return timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT_SECONDS + 60)


def due(now: datetime):
    return Delivery.objects.filter(status__in=OPEN, next_retry_at__lte=now, attempts__lt=MAX_ATTEMPTS)


def due_ids(now: datetime) -> list[int]:
    return list(due(now).order_by("next_retry_at").values_list("pk", flat=True)[:SWEEP_BATCH])


def attempt(delivery_id: int) -> Delivery | None:
    """Send the delivery if an attempt is due and nobody else is making it; None when not."""
    now = timezone.now()
    claimed = (
        due(now)
        .filter(pk=delivery_id)
        .update(attempts=F("attempts") + 1, last_attempt_at=now, next_retry_at=now + lease())
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if endpoint.is_active:
        outcome = sending.post(
            endpoint.url,
            secret=endpoint.secret,
            event=delivery.event,
            event_id=str(delivery.event_id),
            body=delivery.body,
        )
    else:
        outcome = sending.Outcome(False, None, "推送地址已停用，不再发送。")
    delivery.status_code, delivery.response_excerpt = outcome.status_code, outcome.excerpt
    if outcome.delivered:
        delivery.status, delivery.delivered_at, delivery.next_retry_at = Delivery.Status.DELIVERED, now, None
    elif delivery.attempts >= MAX_ATTEMPTS or not endpoint.is_active:
        delivery.status, delivery.next_retry_at = Delivery.Status.FAILED, None
    else:
        delivery.status = Delivery.Status.RETRYING
        delivery.next_retry_at = now + timedelta(seconds=RETRY_AFTER[delivery.attempts - 1])
    delivery.save(
        update_fields=["status", "status_code", "response_excerpt", "delivered_at", "next_retry_at"]
    )
    return delivery

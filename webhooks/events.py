"""Emitting an event: one delivery row per subscribed endpoint, in the caller's transaction, and the
first attempts queued once it commits — a rolled-back publication sends nothing.

Callers (publication's services) hand over the event's data; the body is written here once and kept,
so every attempt and redelivery sends the same bytes."""

import json
import logging
import uuid
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import Delivery, Endpoint, Event
from .tasks import deliver

log = logging.getLogger(__name__)


def emit(county_id: int, event: Event, data: Callable[[], dict]) -> list[Delivery]:
    """Record `event` for every active endpoint of the county that subscribes to it; `data` is asked
    for only when there is one (a county without endpoints pays one query)."""
    endpoints = [e for e in Endpoint.objects.filter(county_id=county_id, is_active=True) if event in e.events]
    if not endpoints:
        return []
    now = timezone.now()
    event_id = uuid.uuid4()
    body = json.dumps(
        {"id": str(event_id), "event": str(event), "occurred_at": now.isoformat(), "data": data()},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event=event,
            event_id=event_id,
            body=body,
            payload_digest=Delivery.digest_of(body),
            created_at=now,
            next_retry_at=now,
        )
        for endpoint in endpoints
    )
    queue_after_commit([d.pk for d in deliveries])
    return deliveries


def queue_after_commit(ids: list[int]) -> None:
    transaction.on_commit(partial(queue, ids))


def queue(ids: list[int]) -> None:
    for pk in ids:
        try:
            deliver.delay(pk)
        except OperationalError:  # no broker now: the sweep sends it once the broker is back
            log.warning("webhook delivery %s not queued: broker unreachable", pk)

"""What a county editor does with webhooks: register and change endpoints, replace a secret, send a
delivery again. Each takes the acting user as `by=` and refuses with a coded message.

Who may: whoever manages the county's reference data (`catalog.permissions.can_manage_county`)."""

from django.db import transaction
from django.utils import timezone

from catalog.actors import permits, recorded_user
from catalog.permissions import can_manage_county
from catalog.refusals import Conflict, Forbidden, Invalid

from .addresses import target_of
from .events import queue_after_commit
from .models import Delivery, Endpoint, Event, new_secret


def check_may_manage(by, county) -> None:
    if not permits(by, can_manage_county, county):
        raise Forbidden("只有本县的县委编办可以管理事件推送。", code="cannot_manage_webhooks")


def checked_events(events: list[str]) -> list[str]:
    unknown = [name for name in events if name not in Event.values]
    if unknown:
        raise Invalid(f"没有这种事件：{'、'.join(unknown)}。", code="unknown_event", field="events")
    if not events:
        raise Invalid("请至少订阅一种事件。", code="required", field="events")
    return [name for name in Event.values if name in events]  # declared order, no repeats


@transaction.atomic
def register_endpoint(county, *, by, url: str, events: list[str], description: str = "") -> Endpoint:
    """A new endpoint with a new secret (shown to the editor once, by the caller)."""
    check_may_manage(by, county)
    target_of(url)
    endpoint = Endpoint(
        county=county,
        url=url.strip(),
        events=checked_events(events),
        description=description.strip(),
        created_by=recorded_user(by),
    )
    endpoint._history_user = recorded_user(by)
    endpoint.save()
    return endpoint


@transaction.atomic
def change_endpoint(
    endpoint: Endpoint, *, by, url: str, events: list[str], description: str, is_active: bool
) -> Endpoint:
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    check_may_manage(by, endpoint.county_id)
    if url.strip() != endpoint.url:
        target_of(url)
    endpoint.url, endpoint.events = url.strip(), checked_events(events)
    endpoint.description, endpoint.is_active = description.strip(), is_active
    endpoint._history_user = recorded_user(by)
    endpoint.save()
    return endpoint


@transaction.atomic
def replace_secret(endpoint: Endpoint, *, by) -> str:
    """A new secret for the endpoint, signing every attempt from now on (retries of earlier events
    too); the caller shows it once."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    check_may_manage(by, endpoint.county_id)
    endpoint.secret = new_secret()
    endpoint._history_user = recorded_user(by)
    endpoint.save(update_fields=["secret"])
    return endpoint.secret


@transaction.atomic
def redeliver(delivery: Delivery, *, by) -> Delivery:
    """Send an event to the endpoint again, as a new delivery with the same event id and body."""
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery.pk)
    check_may_manage(by, delivery.endpoint.county_id)
    if not delivery.endpoint.is_active:
        raise Conflict("推送地址已停用，请先启用再重新发送。", code="endpoint_inactive")
    now = timezone.now()
    again = Delivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        event_id=delivery.event_id,
        body=delivery.body,
        payload_digest=delivery.payload_digest,
        created_at=now,
        next_retry_at=now,
        redelivery_of=delivery,
    )
    queue_after_commit([again.pk])
    return again

"""群众监督: a visitor reports a published item as wrong or not carried out, limited per address."""

import hashlib
import hmac
import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from review import notifications

from ..models import (
    EditionItem,
    Feedback,
)


def address_hash(address: str) -> str:
    """A keyed hash of where a report came from; an IPv6 address counts by its /64 network, which
    one household or phone controls as a whole."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        source = address
    else:
        source = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return hmac.new(settings.SECRET_KEY.encode(), source.encode(), hashlib.sha256).hexdigest()


def take_report_slot(hashed: str) -> bool:
    """Count one more report from the address this hour; False once it is over the limit. The
    counter lives in the cache, whose increment is atomic, so simultaneous posts cannot all pass."""
    key = f"feedback-rate:{hashed}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=3600)
        count = 1
    return count <= settings.FEEDBACK_PER_HOUR


@transaction.atomic
def report_item(township, key, *, kind: str, text: str, contact: str, address: str) -> Feedback:
    """Record a visitor's report on a published item and tell the county's editors; at most
    `FEEDBACK_PER_HOUR` reports an hour from one address."""
    item = (
        EditionItem.objects.filter(edition__township=township, key=key)
        .select_related("edition")
        .order_by("-edition__number")
        .first()
    )
    if item is None:
        raise ValidationError("该事项不在已公布的清单中。")
    errors = {}
    if kind not in Feedback.Kind.values:
        errors["kind"] = "请选择反映的问题。"
    if not text.strip():
        errors["text"] = "请写明具体情况。"
    elif len(text) > 2000:
        errors["text"] = "具体情况请控制在 2000 字以内。"
    if errors:
        raise ValidationError(errors)
    hashed = address_hash(address)
    since = timezone.now() - timedelta(hours=1)
    stored = Feedback.objects.filter(address_hash=hashed, created_at__gte=since).count()
    if stored >= settings.FEEDBACK_PER_HOUR or not take_report_slot(hashed):
        raise RateLimited("您提交得太频繁了，请一小时后再试。")
    feedback = Feedback.objects.create(
        township=township,
        edition=item.edition,
        key=key,
        item_name=item.name,
        kind=kind,
        text=text.strip(),
        contact=contact.strip(),
        address_hash=hashed,
    )
    notifications.notify(
        notifications.county_editors(township.county_id),
        f"群众反映：{township.name}“{item.name}”{feedback.get_kind_display()}。",
        reverse("admin:publication_feedback_change", args=[feedback.pk]),
    )
    return feedback


class RateLimited(ValidationError):
    """Too many reports from one address."""

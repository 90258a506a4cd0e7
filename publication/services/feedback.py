"""群众监督: a visitor reports a published item as wrong or not carried out, limited per address, and
is given a receipt number; the county editor forwards or closes the report with a reply, which the
visitor reads by that number (and nothing else of the report)."""

import hashlib
import hmac
import ipaddress
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.refusals import Conflict, Forbidden, Invalid, TooManyRequests
from review import notifications

from .. import permissions
from ..models import (
    EditionItem,
    Feedback,
)

# The receipt number's random part: no 0/O or 1/I, which a visitor reading it out would confuse.
# Eight of them are 40 bits a day: a number cannot be guessed from its neighbours.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_RANDOM_LENGTH = 8


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
        raise Invalid("该事项不在已公布的清单中。", code="not_published", field="key")
    errors = {}
    if kind not in Feedback.Kind.values:
        errors["kind"] = ("required", "请选择反映的问题。")
    if not text.strip():
        errors["text"] = ("required", "请写明具体情况。")
    elif len(text) > 2000:
        errors["text"] = ("too_long", "具体情况请控制在 2000 字以内。")
    if errors:
        raise Invalid.fields(errors)
    hashed = address_hash(address)
    since = timezone.now() - timedelta(hours=1)
    stored = Feedback.objects.filter(address_hash=hashed, created_at__gte=since).count()
    if stored >= settings.FEEDBACK_PER_HOUR or not take_report_slot(hashed):
        raise RateLimited("您提交得太频繁了，请一小时后再试。", code="rate_limited")
    feedback = Feedback.objects.create(
        receipt_number=new_receipt_number(),
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
        reverse("publication:feedback_handle", args=[feedback.pk]),
    )
    return feedback


class RateLimited(TooManyRequests):
    """Too many reports from one address."""


def new_receipt_number() -> str:
    """The day's date and a random part, e.g. 20261201-7KQ2M9XD."""
    random_part = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_RANDOM_LENGTH))
    return f"{timezone.localdate():%Y%m%d}-{random_part}"


def normalised_receipt_number(text: str) -> str:
    """What a visitor typed, as stored: no spaces, upper case, the dash where it belongs."""
    compact = "".join(text.split()).upper().replace("－", "-").replace("-", "")
    return f"{compact[:8]}-{compact[8:]}" if len(compact) > 8 else compact


def report_by_receipt(text: str) -> Feedback | None:
    """The report with this receipt number, or None."""
    number = normalised_receipt_number(text)
    return Feedback.objects.filter(receipt_number=number).first() if number else None


def locked_report(feedback: Feedback, by) -> Feedback:
    feedback = Feedback.objects.select_for_update().select_related("township").get(pk=feedback.pk)
    if not permissions.can_handle_feedback(by, feedback):
        raise Forbidden("只有本县的县委编办可以处理群众反映。", code="feedback_not_handler")
    return feedback


def moved(row, event: str, code: str = "feedback_state") -> None:
    """Move a row of a small state table (a report, a dispute), refused as a conflict with `code`."""
    try:
        row.move(event)
    except ValidationError as error:
        raise Conflict(error.messages[0], code=code) from error


@transaction.atomic
def forward_feedback(feedback: Feedback, *, by, to: str, reply: str = "", note: str = "") -> Feedback:
    """转办: the report goes to the unit that should act on it; the visitor reads 已转办 and the reply."""
    feedback = locked_report(feedback, by)
    if not to.strip():
        raise Invalid("请填写转办单位。", code="feedback_forward_to", field="forwarded_to")
    moved(feedback, "forward")
    feedback.forwarded_to = to.strip()
    return handled(feedback, by, reply=reply or f"已转{to.strip()}办理。", note=note)


@transaction.atomic
def close_feedback(feedback: Feedback, *, by, reply: str, note: str = "") -> Feedback:
    """办结: the report is answered; the reply is what the visitor reads."""
    feedback = locked_report(feedback, by)
    if not reply.strip():
        raise Invalid("办结须填写给反映人的答复。", code="feedback_reply", field="reply")
    moved(feedback, "close")
    return handled(feedback, by, reply=reply, note=note)


def handled(feedback: Feedback, by, *, reply: str, note: str) -> Feedback:
    if len(reply) > 2000:
        raise Invalid("答复请控制在 2000 字以内。", code="feedback_reply", field="reply")
    feedback.reply = reply.strip()
    feedback.handling_note = note.strip() or feedback.handling_note
    feedback.handled_by, feedback.handled_at = by, timezone.now()
    feedback.save()
    return feedback

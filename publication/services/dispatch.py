"""12345 派单: what the hotline's lookups and disputes write. A lookup by a hotline account counts
one for the item it found first, that day; a dispute (派单异议 / 退单) records that a ticket sent by an
item was refused, and reaches the county editor, who answers it or turns disputes into an
adjustment request of their items (动态调整)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from catalog.actors import checked, is_integration, recorded_user
from catalog.refusals import Conflict, Forbidden, Invalid, NotFound
from review import notifications

from .. import permissions
from ..models import Adjustment, DispatchDispute, DispatchLookup, EditionItem
from .adjustments import RequestedChange, file_adjustment
from .feedback import moved

MAX_TICKET_LENGTH = 50
MAX_BODY_LENGTH = 100
MAX_REASON_LENGTH = 2000


def count_lookup(item: EditionItem, *, by) -> None:
    """One more lookup of the item today: one UPDATE, and an INSERT the first time in a day. Only
    the lookups of a signed-in person or an integrating system of the item's county count (anyone may
    look, but only the hotline's are evidence of exercise)."""
    system = is_integration(checked(by)) and permissions.can_file_dispatch_dispute(by, item.edition.township)
    if not (by.is_authenticated or system):
        return
    rows = DispatchLookup.objects.filter(key=item.key, day=timezone.localdate())
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            DispatchLookup.objects.create(
                township_id=item.edition.township_id, key=item.key, day=timezone.localdate(), count=1
            )
    except IntegrityError:  # another lookup inserted the day's row first
        rows.update(count=F("count") + 1)


def item_in_force(key, *, by) -> EditionItem:
    """The item of this key in its township's edition in force: 404 when unknown or in a county the
    account does not belong to, 409 when it was published but is no longer in force."""
    latest = (
        EditionItem.objects.filter(key=key)
        .select_related("edition__township__county", "edition__current_of")
        .order_by("-edition__number")
        .first()
    )
    if latest is None or not permissions.can_file_dispatch_dispute(by, latest.edition.township):
        raise NotFound(
            "找不到该事项：请使用派单查询返回的事项标识（key）。", code="item_not_found", field="key"
        )
    if getattr(latest.edition, "current_of", None) is None:
        raise Conflict(
            f"“{latest.name}”已不在{latest.edition.township.name}的现行清单中，不能作为派单依据登记退单。",
            code="not_in_force",
            field="key",
        )
    return latest


@transaction.atomic
def file_dispute(*, by, key, ticket_number: str, refused_by: str, reason: str) -> DispatchDispute:
    """Record that the ticket, dispatched by the item of `key`, was refused by `refused_by`."""
    item = item_in_force(key, by=checked(by))
    ticket_number, refused_by, reason = ticket_number.strip(), refused_by.strip(), reason.strip()
    problems = {}
    for name, value, label, limit in (
        ("ticket_number", ticket_number, "工单编号", MAX_TICKET_LENGTH),
        ("refused_by", refused_by, "退单单位", MAX_BODY_LENGTH),
        ("reason", reason, "退单理由", MAX_REASON_LENGTH),
    ):
        if not value:
            problems[name] = ("required", f"请填写{label}。")
        elif len(value) > limit:
            problems[name] = ("too_long", f"{label}不超过 {limit} 字，现有 {len(value)} 字。")
    if problems:
        raise Invalid.fields(problems)
    township = item.edition.township
    if DispatchDispute.objects.filter(township=township, ticket_number=ticket_number, key=item.key).exists():
        raise Conflict(
            f"工单 {ticket_number} 对“{item.name}”的退单已经登记过了。",
            code="dispute_recorded",
            field="ticket_number",
        )
    dispute = DispatchDispute(
        township=township,
        edition=item.edition,
        key=item.key,
        item_name=item.name,
        part=item.part,
        ticket_number=ticket_number,
        refused_by=refused_by,
        reason=reason,
        filed_by=recorded_user(by),
        filed_via=str(by) if is_integration(by) else "",
    )
    dispute._history_user = recorded_user(by)
    dispute.save()
    notifications.notify(
        notifications.county_editors(township.county_id),
        f"派单异议：工单 {ticket_number} 依{township.name}“{item.name}”派出，被{refused_by}退回。",
        reverse("publication:dispatch_disputes") + f"?key={item.key}",
    )
    return dispute


def locked_dispute(dispute: DispatchDispute, by) -> DispatchDispute:
    dispute = DispatchDispute.objects.select_for_update().select_related("township").get(pk=dispute.pk)
    if not permissions.can_handle_dispatch_dispute(checked(by), dispute):
        raise Forbidden("只有本县的县委编办可以处理派单异议。", code="cannot_handle_dispute")
    return dispute


@transaction.atomic
def answer_dispute(dispute: DispatchDispute, *, by, answer: str) -> DispatchDispute:
    """The county editor's answer: e.g. the item stands and the ticket goes back to the body."""
    dispute = locked_dispute(dispute, by)
    if not answer.strip():
        raise Invalid("请填写答复。", code="required", field="answer")
    if len(answer.strip()) > MAX_REASON_LENGTH:
        raise Invalid(f"答复不超过 {MAX_REASON_LENGTH} 字。", code="too_long", field="answer")
    moved(dispute, "answer", "dispute_state")
    dispute.answer, dispute.answered_by, dispute.answered_at = answer.strip(), by, timezone.now()
    dispute._history_user = by
    dispute.save()
    notifications.notify(
        [dispute.filed_by] if dispute.filed_by_id else [],
        f"工单 {dispute.ticket_number} 的派单异议已答复。",
        reverse("publication:dispatch_disputes") + f"?key={dispute.key}",
    )
    return dispute


@transaction.atomic
def file_adjustment_for_disputes(
    township, *, by, summary: str, changes: list[RequestedChange], disputes: list[DispatchDispute]
) -> Adjustment:
    """File the adjustment request (`file_adjustment`, with its checks) and mark the disputes it
    answers as turned into it: all or nothing."""
    locked = [locked_dispute(dispute, by) for dispute in disputes]
    for dispute in locked:
        if dispute.township_id != township.pk:
            raise Invalid(
                f"工单 {dispute.ticket_number} 的异议不是{township.name}的事项。",
                code="other_township",
                field="disputes",
            )
        moved(dispute, "adjust", "dispute_state")
    adjustment = file_adjustment(township, by=by, summary=summary, changes=changes)
    for dispute in locked:
        dispute.adjustment = adjustment
        dispute._history_user = by
        dispute.save()
    return adjustment

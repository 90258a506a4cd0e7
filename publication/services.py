"""Publishing: copying an approved list into an immutable edition with its change log.

`publish_list` is the workflow's 印发公布 step (`review/workflow.py` calls
`create_edition` as its effect, under the list's row lock); nothing else
writes editions.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import DutyList, FrozenItem, Part
from review import notifications
from review.models import Approval
from review.queries import compare_rows

from .models import CurrentEdition, Edition, EditionChange, EditionItem, Feedback

# The fields whose words a resident may search for.
SEARCHED_FIELDS = [
    "name",
    "content",
    "township_duties",
    "department_duties",
    "reclaim_reason",
    "lead_departments",
    "receiving_department",
    "category",
    "office",
    "remarks",
]
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[0-9a-z]+")


def grams(text: str) -> list[str]:
    """The searchable units of a text: every two-character run of its Chinese, and its Latin words and
    numbers. A lone Chinese character stands for itself."""
    text = text.lower()
    units = []
    for run in HAN.findall(text):
        if len(run) == 1:
            units.append(run)
        units.extend(run[i : i + 2] for i in range(len(run) - 1))
    units.extend(WORD.findall(text))
    return units


def search_grams(row: FrozenItem) -> str:
    seen = dict.fromkeys(g for field in SEARCHED_FIELDS for g in grams(str(getattr(row, field) or "")))
    return " ".join(seen)


def current_edition(township) -> Edition | None:
    pointer = CurrentEdition.objects.filter(township=township).select_related("edition").first()
    return pointer.edition if pointer else None


@transaction.atomic
def create_edition(
    duty_list: DutyList,
    rows: Iterable[FrozenItem],
    *,
    user,
    effective_on: date,
    document_number: str,
    note: str = "",
    submission=None,
    reasons: dict | None = None,
) -> Edition:
    """Write a new edition of the township's list from frozen rows, with its change log against the
    edition in force, and make it the one in force."""
    township = duty_list.township
    previous = current_edition(township)
    rows = list(rows)
    counts = {f"{part}_count": sum(1 for r in rows if r.part == part) for part in Part.values}
    edition = Edition.objects.create(
        township=township,
        duty_list=duty_list,
        submission=submission,
        number=(previous.number + 1) if previous else 1,
        effective_on=effective_on,
        document_number=document_number,
        published_by=user,
        note=note,
        **counts,
    )
    items = []
    for row in rows:
        item = EditionItem(edition=edition, **row.frozen_values())
        item.search_grams = search_grams(item)
        items.append(item)
    EditionItem.objects.bulk_create(items)
    if previous is not None:
        old = list(previous.items.all())
        reasons = reasons or {}
        EditionChange.objects.bulk_create(
            EditionChange(
                edition=edition,
                key=diff.key,
                name=diff.name,
                kind=diff.kind,
                before_part=diff.before_part_value,
                after_part=diff.after_part_value,
                fields=[[f.label, f.before, f.after] for f in diff.fields],
                reason=reasons.get(diff.key, note),
            )
            for diff in compare_rows(old, items)
        )
    CurrentEdition.objects.update_or_create(township=township, defaults={"edition": edition})
    return edition


def check_publication(duty_list: DutyList, params: dict) -> list[str]:
    """What publishing an approved list needs: its approval, an effective date and a 文号."""
    problems = []
    if not Approval.objects.filter(duty_list=duty_list).exists():
        problems.append("清单还没有审定记录，不能公布。")
    if not params.get("effective_on"):
        problems.append("请填写施行日期。")
    if not (params.get("document_number") or "").strip():
        problems.append("请填写印发文号。")
    return problems


def publish_approved(
    duty_list: DutyList, *, user, effective_on: date, document_number: str, note: str
) -> Edition:
    """The approved text of the list becomes its township's edition in force."""
    approval = Approval.objects.select_related("submission").get(duty_list=duty_list)
    rows = approval.submission.items.all()
    if not rows.exists():
        raise ValidationError("审定稿没有任何事项，不能公布。")
    return create_edition(
        duty_list,
        rows,
        user=user,
        effective_on=effective_on,
        document_number=document_number.strip(),
        note=note or "审定后公布",
        submission=approval.submission,
    )


def address_hash(address: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


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
    if (
        Feedback.objects.filter(address_hash=hashed, created_at__gte=since).count()
        >= settings.FEEDBACK_PER_HOUR
    ):
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

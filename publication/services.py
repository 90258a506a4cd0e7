"""Publishing: copying an approved list into an immutable edition with its change log.

`publish_list` is the workflow's 印发公布 step (`review/workflow.py` calls
`create_edition` as its effect, under the list's row lock); nothing else
writes editions.
"""

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from catalog import services as catalog_services
from catalog.models import Category, Department, DutyItem, DutyList, FrozenItem, Part, Township
from review import notifications, workflow
from review.models import Approval, SubmittedItem
from review.queries import compare_rows
from review.services import Change, write_change

from . import permissions
from .models import (
    Adjustment,
    AdjustmentItem,
    AdjustmentRemark,
    CurrentEdition,
    Edition,
    EditionChange,
    EditionItem,
    Feedback,
)

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
    # One publication of a township at a time: the next number and the pointer depend on the last.
    township = Township.objects.select_for_update().get(pk=duty_list.township_id)
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
    # Pages name the edition in force: forget it now and again once this is committed, so no
    # request in between keeps the old one.
    forget = partial(cache.delete, f"in-force:{township.code}")
    forget()
    transaction.on_commit(forget)
    return edition


@transaction.atomic
def publish_list(
    duty_list: DutyList, *, user, effective_on: date, document_number: str, note: str = ""
) -> Edition:
    """印发公布: the workflow moves the approved list to 已公布 and logs it, and its approved text
    becomes the township's edition in force, in one transaction; refused as the workflow refuses."""
    workflow.perform(
        duty_list,
        "publish",
        user=user,
        note=note,
        effective_on=effective_on,
        document_number=document_number,
        write_edition=publish_approved,
    )
    return current_edition(duty_list.township)


def publish_approved(
    duty_list: DutyList, *, user, effective_on: date, document_number: str, note: str
) -> Edition:
    """The approved text of the list becomes its township's edition in force."""
    approval = Approval.objects.select_related("submission").get(duty_list=duty_list)
    rows = approval.submission.items.all()
    if not rows.exists():
        raise ValidationError("审定稿没有任何事项，不能公布。")
    # The review cycle ends here: items the leader decided are no longer locked for it.
    decided = list(DutyItem.objects.filter(duty_list=duty_list, is_decided=True))
    for item in decided:
        item.is_decided = False
    if decided:
        bulk_update_with_history(
            decided, DutyItem, ["is_decided"], default_user=user, default_change_reason="公布"
        )
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


# 动态调整: adjustments of the edition in force.


@dataclass
class RequestedChange:
    """One change an applicant asks for (one row of the adjustment form)."""

    action: str
    key: object = None
    name: str = ""
    part: str = ""
    category: Category | None = None
    content: str = ""
    lead_departments: list[Department] = field(default_factory=list)
    receiving_department: Department | None = None
    basis: str = ""
    reason: str = ""


def check_changes(township, edition: Edition, changes: list[RequestedChange]) -> list[str]:
    """Each row's problems, named by row number; empty when the request can be filed."""
    published = {row.key: row for row in edition.items.all()}
    problems = []
    seen = set()
    for number, change in enumerate(changes, start=1):
        where = f"第 {number} 项"
        if change.action not in AdjustmentItem.Action.values:
            problems.append(f"{where}：请选择调整方式。")
            continue
        if not change.basis.strip():
            problems.append(f"{where}：请填写依据。")
        if not change.reason.strip():
            problems.append(f"{where}：请填写理由。")
        for department in [*change.lead_departments, change.receiving_department, change.category]:
            if department is not None and department.county_id != township.county_id:
                problems.append(f"{where}：“{department.name}”不属于本县。")
        if change.action == AdjustmentItem.Action.ADD:
            if not change.name.strip():
                problems.append(f"{where}：新增事项须填写事项名称。")
            if change.part not in Part.values:
                problems.append(f"{where}：新增事项须选择清单类型。")
            if change.category is None:
                problems.append(f"{where}：新增事项须选择类别。")
            if any(row.name == change.name.strip() for row in published.values()):
                problems.append(f"{where}：清单中已有“{change.name.strip()}”。")
            continue
        row = published.get(change.key)
        if row is None:
            problems.append(f"{where}：请选择现行清单中的事项。")
            continue
        if change.key in seen:
            problems.append(f"{where}：“{row.name}”在本申请中出现了不止一次。")
        seen.add(change.key)
        if change.action == AdjustmentItem.Action.MOVE:
            if change.part not in Part.values or change.part == row.part:
                problems.append(f"{where}：请选择“{row.name}”要调整到的另一类清单。")
            elif change.part == Part.COORDINATED and not change.lead_departments:
                problems.append(f"{where}：调整为配合履职事项须选择县级主责部门。")
            elif change.part == Part.RECLAIMED and change.receiving_department is None:
                problems.append(f"{where}：调整为上级部门收回事项须选择收回部门。")
        if change.action == AdjustmentItem.Action.CHANGE and not (
            change.name.strip() or change.content.strip()
        ):
            problems.append(f"{where}：请写明“{row.name}”修改后的名称或内容。")
        if change.action == AdjustmentItem.Action.CHANGE and change.part and change.part != row.part:
            problems.append(f"{where}：修改事项不调整清单类型；要调整类型请选择“调整清单类型”。")
    if not changes:
        problems.append("请至少填写一项调整。")
    return problems


@transaction.atomic
def file_adjustment(township, *, user, summary: str, changes: list[RequestedChange]) -> Adjustment:
    """File a request against the township's edition in force; all rows or none."""
    if not permissions.can_file_adjustment(user, township):
        raise PermissionDenied(f"您不能为{township.name}申请调整清单。")
    edition = current_edition(township)
    if edition is None:
        raise ValidationError(f"{township.name}还没有公布的清单，不能申请调整。")
    problems = check_changes(township, edition, changes)
    if not summary.strip():
        problems.insert(0, "请填写申请说明。")
    if problems:
        raise ValidationError(problems)
    published = {row.key: row for row in edition.items.all()}
    adjustment = Adjustment.objects.create(
        township=township,
        edition=edition,
        summary=summary.strip(),
        signature=permissions.signature_for(user, township),
        filed_by=user,
    )
    for change in changes:
        item = AdjustmentItem.objects.create(
            adjustment=adjustment,
            action=change.action,
            key=change.key if change.action != AdjustmentItem.Action.ADD else None,
            name=change.name.strip() or published[change.key].name,
            part=change.part,
            category=change.category,
            content=change.content.strip(),
            receiving_department=change.receiving_department,
            basis=change.basis.strip(),
            reason=change.reason.strip(),
        )
        item.lead_departments.set(change.lead_departments)
    notifications.notify(
        notifications.county_editors(township.county_id),
        f"{adjustment.signature}申请调整{township.name}清单（{len(changes)} 项）。",
        reverse("publication:adjustment", args=[adjustment.pk]),
    )
    return adjustment


def check_open(adjustment: Adjustment) -> None:
    if adjustment.state != Adjustment.State.FILED:
        raise ValidationError(f"该申请{adjustment.get_state_display()}，不能再处理。")


@transaction.atomic
def remark_on(adjustment: Adjustment, *, user, text: str) -> AdjustmentRemark:
    adjustment = (
        Adjustment.objects.select_for_update().select_related("township", "filed_by").get(pk=adjustment.pk)
    )
    if not permissions.can_review_adjustment(user, adjustment):
        raise PermissionDenied("只有县委编办可以提出审核意见。")
    check_open(adjustment)
    if not text.strip():
        raise ValidationError({"text": "请填写意见。"})
    remark = AdjustmentRemark.objects.create(adjustment=adjustment, author=user, text=text.strip())
    notifications.notify(
        [adjustment.filed_by],
        f"县委编办对{adjustment.township.name}清单的调整申请提出了意见，请答复。",
        reverse("publication:adjustment", args=[adjustment.pk]),
    )
    return remark


@transaction.atomic
def answer_remark(remark: AdjustmentRemark, *, user, answer: str) -> AdjustmentRemark:
    remark = (
        AdjustmentRemark.objects.select_for_update().select_related("adjustment__township").get(pk=remark.pk)
    )
    if not permissions.can_answer_remark(user, remark.adjustment):
        raise PermissionDenied("只有申请人或该乡镇（街道）可以答复。")
    check_open(remark.adjustment)
    if remark.answer:
        raise ValidationError("这条意见已经答复过了。")
    if not answer.strip():
        raise ValidationError({"answer": "请填写答复。"})
    remark.answer, remark.answered_by, remark.answered_at = answer.strip(), user, timezone.now()
    remark.save()
    return remark


@transaction.atomic
def decide_adjustment(
    adjustment: Adjustment,
    *,
    user,
    approve: bool,
    note: str = "",
    document_number: str = "",
    effective_on: date | None = None,
) -> Adjustment:
    """Reject with a note, or approve with a 文号 and a date: the next edition is published."""
    adjustment = (
        Adjustment.objects.select_for_update().select_related("township", "edition").get(pk=adjustment.pk)
    )
    if not permissions.can_review_adjustment(user, adjustment):
        raise PermissionDenied("只有县委编办可以审核调整申请。")
    check_open(adjustment)
    if not approve:
        if not note.strip():
            raise ValidationError({"note": "不予批准须写明理由。"})
        adjustment.move("reject")
    else:
        problems = []
        if not document_number.strip():
            problems.append("批准须填写文号。")
        if effective_on is None:
            problems.append("请填写新版本的施行日期。")
        if adjustment.remarks.filter(answer="").exists():
            problems.append("还有审核意见没有答复。")
        if current_edition(adjustment.township) != adjustment.edition:
            problems.append("清单在申请之后已公布了新版本，请对照新版本重新申请。")
        elif adjustment.township.duty_lists.exclude(stage__in=DutyList.LOCKED_STAGES).exists():
            problems.append(
                f"{adjustment.township.name}正在编制新一轮清单，调整会被新清单覆盖，请在新一轮清单中修改。"
            )
        if problems:
            raise ValidationError(problems)
        adjustment.new_edition = publish_adjustment(
            adjustment, user=user, document_number=document_number.strip(), effective_on=effective_on
        )
        adjustment.document_number = document_number.strip()
        adjustment.move("approve")
    adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = (
        user,
        timezone.now(),
        note.strip(),
    )
    adjustment._history_user = user
    adjustment.save()
    notifications.notify(
        [adjustment.filed_by],
        f"{adjustment.township.name}清单的调整申请{adjustment.get_state_display()}。",
        reverse("publication:adjustment", args=[adjustment.pk]),
    )
    return adjustment


# What a live row and its published copy must agree on before an adjustment builds on the row.
# Departments, offices and categories are compared by id or not at all: renaming one is not a change
# of the item.
CHECKED_FIELDS = (
    "part",
    "name",
    "content",
    "basis",
    "remarks",
    "lead_department_ids",
    "department_duties",
    "township_duties",
    "support",
    "receiving_department_id",
    "reclaim_reason",
    "is_safeguard",
)


def checked_values(values: dict) -> dict:
    return {
        field: sorted(values[field]) if field.endswith("_ids") else values[field] for field in CHECKED_FIELDS
    }


def check_rows_as_published(duty_list: DutyList, published: dict, keys: set) -> None:
    """Refuse to build on live rows that differ from the edition in force: something changed them
    outside the workflow, and that text was never reviewed."""
    live = (
        DutyItem.objects.active()
        .filter(duty_list=duty_list, key__in=keys & published.keys())
        .select_related("category__parent", "responsible_office", "receiving_department")
        .prefetch_related("lead_departments")
    )
    differing = [
        item.name
        for item in live
        if checked_values(FrozenItem.values_of(item)) != checked_values(published[item.key].frozen_values())
    ]
    if differing:
        raise ValidationError(
            f"以下事项的现行文本与公布的清单不一致，不能在其基础上调整，请联系县委编办核对：{'、'.join(differing)}。"
        )


def publish_adjustment(adjustment: Adjustment, *, user, document_number: str, effective_on: date) -> Edition:
    """Apply the approved changes to the township's list of record, then publish the next edition.

    The next edition is the edition in force plus this adjustment's changes, never whatever the live
    rows hold: items the adjustment does not name are copied from the edition, and the items it names
    must read in the live list as they were published before the changes are written into them.
    """
    edition = adjustment.edition
    duty_list = edition.duty_list
    published = {row.key: row for row in edition.items.all()}
    changes = list(
        adjustment.items.select_related("category", "receiving_department").prefetch_related(
            "lead_departments"
        )
    )
    check_rows_as_published(duty_list, published, {change.key for change in changes if change.key})
    reason_of = {}
    for change in changes:
        reason = f"动态调整（{document_number}）：{change.reason}"
        if change.action == AdjustmentItem.Action.REMOVE:
            item = DutyItem.objects.active().get(duty_list=duty_list, key=change.key)
            catalog_services.delete_item(item, reason=reason)
        else:
            requested = Change(
                name=change.name if change.action != AdjustmentItem.Action.MOVE else "",
                content=change.content,
                part=change.part,
                lead_departments=list(change.lead_departments.all()),
                receiving_department=change.receiving_department,
                category=change.category,
                basis=change.basis if change.action != AdjustmentItem.Action.MOVE else "",
            )
            item = write_change(duty_list, change.key, requested, what=change.name, user=None, reason=reason)
        reason_of[item.key] = change.reason
    changed = [
        SubmittedItem.copy_of(None, item)
        for item in DutyItem.objects.active()
        .filter(duty_list=duty_list, key__in=reason_of)
        .select_related("category__parent", "responsible_office", "receiving_department")
        .prefetch_related("lead_departments")
    ]
    rows = [row for key, row in published.items() if key not in reason_of] + changed
    return create_edition(
        duty_list,
        rows,
        user=user,
        effective_on=effective_on,
        document_number=document_number,
        note=f"动态调整：{adjustment.summary}",
        reasons=reason_of,
    )

"""动态调整: requests to add, change, remove or move items of the edition in force; approving one
publishes the next edition."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog import merging
from catalog import services as catalog_services
from catalog.actors import SystemActor, recorded_user
from catalog.columns import CATEGORY, COMPARED_COLUMNS, OFFICE
from catalog.models import Category, Department, DutyItem, DutyList, FrozenItem, Part
from catalog.refusals import Conflict, Forbidden, Invalid, PreconditionFailed
from review import notifications
from review.models import SubmittedItem
from review.services import Change, write_change

from .. import events, permissions
from ..models import (
    Adjustment,
    AdjustmentItem,
    AdjustmentRemark,
    Edition,
)
from .editions import create_edition, current_edition

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
def file_adjustment(township, *, by, summary: str, changes: list[RequestedChange]) -> Adjustment:
    """File a request against the township's edition in force; all rows or none."""
    if not permissions.can_file_adjustment(by, township):
        raise Forbidden(f"您不能为{township.name}申请调整清单。", code="cannot_file_adjustment")
    edition = current_edition(township)
    if edition is None:
        raise PreconditionFailed([f"{township.name}还没有公布的清单，不能申请调整。"], code="no_edition")
    problems = {}
    if not summary.strip():
        problems["summary"] = ("required", "请填写申请说明。")
    if rows := check_changes(township, edition, changes):
        problems["changes"] = ("invalid_changes", rows)
    if problems:
        raise Invalid.fields(problems)
    published = {row.key: row for row in edition.items.all()}
    adjustment = Adjustment.objects.create(
        township=township,
        edition=edition,
        summary=summary.strip(),
        signature=permissions.signature_for(by, township),
        filed_by=by,
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
        raise Conflict(f"该申请{adjustment.get_state_display()}，不能再处理。", code="adjustment_closed")


@transaction.atomic
def remark_on(adjustment: Adjustment, *, by, text: str) -> AdjustmentRemark:
    adjustment = (
        Adjustment.objects.select_for_update().select_related("township", "filed_by").get(pk=adjustment.pk)
    )
    if not permissions.can_review_adjustment(by, adjustment):
        raise Forbidden("只有县委编办可以提出审核意见。", code="cannot_review_adjustment")
    check_open(adjustment)
    if not text.strip():
        raise Invalid("请填写意见。", code="required", field="text")
    remark = AdjustmentRemark.objects.create(adjustment=adjustment, author=by, text=text.strip())
    notifications.notify(
        [adjustment.filed_by],
        f"县委编办对{adjustment.township.name}清单的调整申请提出了意见，请答复。",
        reverse("publication:adjustment", args=[adjustment.pk]),
    )
    return remark


@transaction.atomic
def answer_remark(remark: AdjustmentRemark, *, by, answer: str) -> AdjustmentRemark:
    remark = (
        AdjustmentRemark.objects.select_for_update().select_related("adjustment__township").get(pk=remark.pk)
    )
    if not permissions.can_answer_remark(by, remark.adjustment):
        raise Forbidden("只有申请人或该乡镇（街道）可以答复。", code="cannot_answer_remark")
    check_open(remark.adjustment)
    if remark.answer:
        raise Conflict("这条意见已经答复过了。", code="already_answered")
    if not answer.strip():
        raise Invalid("请填写答复。", code="required", field="answer")
    remark.answer, remark.answered_by, remark.answered_at = answer.strip(), by, timezone.now()
    remark.save()
    return remark


@transaction.atomic
def decide_adjustment(
    adjustment: Adjustment,
    *,
    by,
    approve: bool,
    note: str = "",
    document_number: str = "",
    effective_on: date | None = None,
) -> Adjustment:
    """Reject with a note, or approve with a 文号 and a date: the next edition is published."""
    adjustment = (
        Adjustment.objects.select_for_update().select_related("township", "edition").get(pk=adjustment.pk)
    )
    if not permissions.can_review_adjustment(by, adjustment):
        raise Forbidden("只有县委编办可以审核调整申请。", code="cannot_review_adjustment")
    check_open(adjustment)
    if not approve:
        if not note.strip():
            raise Invalid("不予批准须写明理由。", code="reason_required", field="note")
        adjustment.move("reject")
    else:
        check_can_approve(adjustment, document_number=document_number, effective_on=effective_on)
        adjustment.new_edition = publish_adjustment(
            adjustment, by=by, document_number=document_number.strip(), effective_on=effective_on
        )
        adjustment.document_number = document_number.strip()
        adjustment.move("approve")
    adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = (
        by,
        timezone.now(),
        note.strip(),
    )
    adjustment._history_user = by
    adjustment.save()
    if adjustment.state == Adjustment.State.APPROVED:
        events.adjustment_approved(adjustment)
    notifications.notify(
        [adjustment.filed_by],
        f"{adjustment.township.name}清单的调整申请{adjustment.get_state_display()}。",
        reverse("publication:adjustment", args=[adjustment.pk]),
    )
    return adjustment


def check_can_approve(adjustment: Adjustment, *, document_number: str, effective_on: date | None) -> None:
    """The list may not have moved on since the request (409), every remark is answered (412), and
    the approval names its 文号 and date (400)."""
    if current_edition(adjustment.township) != adjustment.edition:
        raise Conflict("清单在申请之后已公布了新版本，请对照新版本重新申请。", code="edition_superseded")
    if adjustment.township.duty_lists.exclude(stage__in=DutyList.LOCKED_STAGES).exists():
        raise Conflict(
            f"{adjustment.township.name}正在编制新一轮清单，调整会被新清单覆盖，请在新一轮清单中修改。",
            code="new_round_open",
        )
    if adjustment.remarks.filter(answer="").exists():
        raise PreconditionFailed(["还有审核意见没有答复。"], code="remarks_unanswered")
    problems = {}
    if not document_number.strip():
        problems["document_number"] = ("required", "批准须填写文号。")
    if effective_on is None:
        problems["effective_on"] = ("required", "请填写新版本的施行日期。")
    if problems:
        raise Invalid.fields(problems)


# What a live row and its published copy must agree on before an adjustment builds on the row.
# Departments, offices and categories are compared by id or not at all: renaming one is not a change
# of the item.
CHECKED_FIELDS = tuple(
    column.frozen_ids or column.frozen_name
    for column in COMPARED_COLUMNS
    if column.kind not in (CATEGORY, OFFICE)
)


def checked_values(values: dict, kept: dict[int, int] | None = None) -> dict:
    """The values compared; `kept` reads ids of departments merged away as the department kept."""
    kept = kept or {}
    checked = {name: values[name] for name in CHECKED_FIELDS}
    for name in CHECKED_FIELDS:
        if name.endswith("_ids"):
            checked[name] = sorted({kept.get(pk, pk) for pk in values[name]})
        elif name.endswith("department_id") and values[name] is not None:
            checked[name] = kept.get(values[name], values[name])
    return checked


def check_rows_as_published(duty_list: DutyList, published: dict, keys: set) -> None:
    """Refuse to build on live rows that differ from the edition in force: something changed them
    outside the workflow, and that text was never reviewed."""
    live = (
        DutyItem.objects.active()
        .filter(duty_list=duty_list, key__in=keys & published.keys())
        .select_related("category__parent", "responsible_office", "receiving_department")
        .prefetch_related("lead_departments")
    )
    kept = merging.kept_in_county(duty_list.township.county_id)
    differing = [
        item.name
        for item in live
        if checked_values(FrozenItem.values_of(item))
        != checked_values(published[item.key].frozen_values(), kept)
    ]
    if differing:
        raise Conflict(
            f"以下事项的现行文本与公布的清单不一致，不能在其基础上调整，请联系县委编办核对：{'、'.join(differing)}。",
            code="published_rows_changed",
        )


def publish_adjustment(adjustment: Adjustment, *, by, document_number: str, effective_on: date) -> Edition:
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
    # The approved changes are written by the system on the approver's record: the list is
    # published, so nobody may edit it, and these rows were checked as published just above.
    applying = SystemActor(recorded_as=recorded_user(by))
    reason_of = {}
    for change in changes:
        reason = f"动态调整（{document_number}）：{change.reason}"
        if change.action == AdjustmentItem.Action.REMOVE:
            item = DutyItem.objects.active().get(duty_list=duty_list, key=change.key)
            catalog_services.delete_item(item, by=applying, reason=reason)
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
            item = write_change(
                duty_list, change.key, requested, what=change.name, by=applying, reason=reason
            )
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
        by=by,
        effective_on=effective_on,
        document_number=document_number,
        note=f"动态调整：{adjustment.summary}",
        reasons=reason_of,
    )

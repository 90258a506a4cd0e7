"""职责准入: a county department asks to give townships a new task; nothing enters a list unapproved.

Filing matches the task against the lists in force of the townships it names, with the public
search (`publication.queries.matching`) and the importer's rule of what counts as the same name
(`catalog.imports.matching.name_key`). A task that is a reclaimed item of any of them is refused at
once, citing the item; a task every one of them already lists as basic or coordinated is answered
with it. Anything else goes through the stages of `Admission.STAGES`; the county's approval files
an adjustment (新增事项) of each township's list through `file_adjustment`, which the county editor
approves like any other, publishing new editions with their change logs.
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from catalog.actors import SYSTEM, checked, recorded_user
from catalog.imports.matching import name_key
from catalog.models import Category, County, Department, Part, Township
from catalog.refusals import Conflict, Forbidden, Invalid, PreconditionFailed
from catalog.synonyms import synonyms_of
from review import notifications

from .. import permissions
from ..models import AdjustmentItem, Admission, AdmissionStep, EditionItem
from .adjustments import RequestedChange, file_adjustment

State = Admission.State
MATCH_LIMIT = 20
SAME_NAME_LIMIT = 20  # rows read per township when looking for the same name


@dataclass
class Task:
    """What a department asks townships to do (the filing form, parsed)."""

    name: str = ""
    content: str = ""
    basis: str = ""
    part: str = ""
    category: Category | None = None
    funding: str = ""
    staff: str = ""
    equipment: str = ""
    townships: list[Township] = field(default_factory=list)
    reason: str = ""


REQUIRED = {"name": "事项名称", "content": "具体内容", "basis": "依据", "reason": "申请理由"}


def in_force_items(townships) -> "list[EditionItem]":
    return EditionItem.objects.filter(edition__current_of__isnull=False, edition__township__in=townships)


def searched(name: str, townships):
    """The items in force of the townships that the public search finds for the name."""
    from ..queries import matching  # queries reads services: imported on use

    county_ids = {t.county_id for t in townships}
    return matching(
        in_force_items(townships), name_key(name) or name, connection.vendor, synonyms_of(county_ids)
    ).select_related("edition__township")


def matches_in_force(name: str, townships) -> list[EditionItem]:
    """What the search finds for the name, the same name first (at most `MATCH_LIMIT`)."""
    hits = list(searched(name, townships)[:MATCH_LIMIT])
    return sorted(hits, key=lambda row: (name_key(row.name) != name_key(name), row.edition.township.order))


def same_name(name: str, townships) -> list[EditionItem]:
    """The items in force of the townships that are the task by name (`name_key`): found by the search
    and holding the whole name in their own, so a word common in other items' text cannot crowd them
    out; at most a few per township."""
    hits = searched(name, townships).filter(name__icontains=name_key(name))
    return [row for row in hits[: SAME_NAME_LIMIT * len(townships)] if name_key(row.name) == name_key(name)]


def verdict(name: str, townships: list[Township]) -> tuple[str, EditionItem | None]:
    """What filing decides at once: `refuse` citing a reclaimed item of the same name, `answer` citing
    the item when every township lists it as basic or coordinated, else nothing (`""`)."""
    same = same_name(name, townships)
    for row in same:
        if row.part == Part.RECLAIMED:
            return "refuse", row
    listed = {row.edition.township_id for row in same}
    if same and listed >= {t.pk for t in townships}:
        return "answer", same[0]
    return "", None


def check_task(county: County, department: Department, task: Task) -> None:
    problems = {}
    for name, label in REQUIRED.items():
        if not getattr(task, name).strip():
            problems[name] = ("required", f"请填写{label}。")
    if department.county_id != county.pk:
        problems["department"] = ("other_county", f"“{department.name}”不属于{county.name}。")
    if task.part not in Admission.PARTS:
        problems["part"] = ("admission_part", "请选择列入基本履职事项或配合履职事项。")
    if task.category is None:
        problems["category"] = ("required", "请选择类别。")
    elif task.category.county_id != county.pk:
        problems["category"] = ("other_county", f"类别“{task.category.name}”不属于{county.name}。")
    if not task.townships:
        problems["townships"] = ("required", "请选择涉及的乡镇（街道）。")
    else:
        outside = [t.name for t in task.townships if t.county_id != county.pk]
        unpublished = [t.name for t in task.townships if not hasattr(t, "current_edition")]
        if outside:
            problems["townships"] = ("other_county", f"{'、'.join(outside)}不属于{county.name}。")
        elif unpublished:
            problems["townships"] = (
                "not_published",
                f"{'、'.join(unpublished)}还没有公布的清单，不能比对，也不能调整。",
            )
    if problems:
        raise Invalid.fields(problems)


def record_step(admission: Admission, event: str, before: str, *, by, note: str = "") -> None:
    AdmissionStep.objects.create(
        admission=admission,
        event=event,
        before=before,
        after=admission.state,
        by=recorded_user(by),
        note=note,
    )


def decide(admission: Admission, *, by, note: str) -> None:
    admission.decided_by, admission.decided_at, admission.decision_note = (
        recorded_user(by),
        timezone.now(),
        note,
    )


@transaction.atomic
def file_admission(county: County, *, by, department: Department, task: Task) -> Admission:
    """File the request; matched against the lists in force, it may be refused or answered at once."""
    if not permissions.can_file_admission(checked(by), county.pk, department.pk):
        raise Forbidden(f"您不能以{department.name}名义申请职责准入。", code="cannot_file_admission")
    townships = list(
        Township.objects.filter(pk__in=[t.pk for t in task.townships]).select_related("current_edition")
    )
    task.townships = townships
    check_task(county, department, task)
    policy = permissions.admission_policy(county.pk)
    admission = Admission(
        county=county,
        department=department,
        filed_by=by,
        **{
            name: getattr(task, name).strip()
            for name in ("name", "content", "basis", "funding", "staff", "equipment", "reason")
        },
        part=task.part,
        category=task.category,
    )
    admission.set_deadline(policy)
    event, item = verdict(admission.name, townships)
    if event:
        admission.matched_item = item
        admission.move(event, policy)
        where = f"{item.edition.township.name}现行清单中的{item.get_part_display()}“{item.name}”"
        if event == "refuse":
            note = f"该事项已列入{where}（收回部门：{item.receiving_department}），不得交由乡镇（街道）承担。"
        else:
            note = f"该事项已列入{where}，请按现行清单办理。"
        decide(admission, by=by, note=note)
    admission._history_user = recorded_user(by)
    admission.save()
    admission.townships.set(townships)
    record_step(admission, "file", "", by=by)
    if event:
        record_step(admission, event, State.REVIEW, by=SYSTEM, note=admission.decision_note)
    else:
        notifications.notify(
            notifications.county_editors(county.pk),
            f"{department.name}申请职责准入：{admission.name}。",
            reverse("publication:admission", args=[admission.pk]),
        )
    return admission


@transaction.atomic
def act_on_admission(
    admission: Admission,
    *,
    by,
    event: str,
    note: str = "",
    cited: EditionItem | None = None,
    document_number: str = "",
) -> Admission:
    """Move the request on from its stage (see `Admission.MOVES`); an approval files the adjustments."""
    admission = (
        Admission.objects.select_for_update().select_related("county", "department").get(pk=admission.pk)
    )
    policy = permissions.admission_policy(admission.county_id)
    if admission.is_decided:
        raise Conflict(f"该申请已{admission.get_state_display()}，不能再办理。", code="admission_closed")
    if event not in Admission.MOVES:
        raise Conflict("没有这样的办理方式。", code="unknown_action")
    if not permissions.can_act_on_admission(checked(by), admission, policy):
        raise Forbidden(
            f"该申请正在“{admission.get_state_display()}”环节，由{admission.stage.who}办理。",
            code="cannot_act_on_admission",
        )
    if event not in {e for e, (_, sources, _) in Admission.MOVES.items() if admission.state in sources}:
        raise Conflict(
            f"该申请处于“{admission.get_state_display()}”环节，不能{Admission.MOVES[event][0]}。",
            code="admission_stage",
        )
    check_action(admission, event, note=note, cited=cited, document_number=document_number, policy=policy)
    before = admission.state
    admission.move(event, policy)
    if event in ("answer", "refuse") and cited is not None:
        admission.matched_item = cited
    if admission.is_decided:
        decide(admission, by=by, note=note.strip())
    if event == "approve":
        admission.document_number = document_number.strip()
        admission.adjustments.set(file_adjustments(admission, by=by))
    admission._history_user = by
    admission.save()
    record_step(admission, event, before, by=by, note=note.strip())
    notify_next(admission, policy)
    return admission


def check_action(admission, event, *, note, cited, document_number, policy) -> None:
    problems = {}
    if event in ("refuse", "answer") and not note.strip():
        problems["note"] = ("reason_required", "请写明理由。")
    if event == "answer" and cited is None:
        problems["cited"] = ("required", "请选择现行清单中对应的事项。")
    elif cited is not None and not in_force_items(admission.townships.all()).filter(pk=cited.pk).exists():
        problems["cited"] = ("not_in_force", f"“{cited.name}”不是所涉乡镇（街道）现行清单中的事项。")
    if event == "approve" and not document_number.strip():
        problems["document_number"] = ("required", "批准须填写文号。")
    if problems:
        raise Invalid.fields(problems)
    if event == "pass_review" and policy.legality_department_id is None:
        raise PreconditionFailed(
            [f"{admission.county.name}还没有指定合法性审查部门（司法局），请先在“职责准入设置”中指定。"],
            code="no_legality_department",
        )


def file_adjustments(admission: Admission, *, by) -> list:
    """One adjustment per township adding the task; the county editor approves each like any other."""
    change = RequestedChange(
        AdjustmentItem.Action.ADD,
        name=admission.name,
        part=admission.part,
        category=admission.category,
        content=admission.content,
        lead_departments=[admission.department] if admission.part == Part.COORDINATED else [],
        basis=admission.basis,
        reason=f"职责准入（{admission.document_number}）：{admission.reason}",
    )
    summary = f"职责准入：{admission.department.name}申请的“{admission.name}”经批准（{admission.document_number}）列入清单。"
    return [
        file_adjustment(township, by=by, summary=summary, changes=[change])
        for township in admission.townships.order_by("order", "code")
    ]


def notify_next(admission: Admission, policy) -> None:
    """The applicant hears the decision; the legality reviewers that a request waits for them."""
    url = reverse("publication:admission", args=[admission.pk])
    if admission.state == State.LEGALITY:
        notifications.notify(
            notifications.department_reviewers([policy.legality_department]),
            f"职责准入申请“{admission.name}”待合法性审查（{admission.deadline:%Y-%m-%d} 前）。",
            url,
        )
    if admission.is_decided:
        notifications.notify(
            [admission.filed_by], f"职责准入申请“{admission.name}”{admission.get_state_display()}。", url
        )

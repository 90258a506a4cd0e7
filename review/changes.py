"""What a proposal or a decision does to the rows it is about: a draft item, or an entry of the county
template. One change is put on either kind of row the same way (`put_change`); the draft's is saved
through `catalog.services.save_item`, the template's through `save_catalogue_entry` (in
`review.template_rounds`), each refused with a message naming the item when it would break its
part's rules."""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from catalog import services as catalog_services
from catalog.columns import WORK_FIELDS
from catalog.models import Category, Department, DutyItem, DutyList, Part
from catalog.refusals import Conflict, Invalid, refusal_of

from .models import Comment


@dataclass
class Change:
    """What a proposal or a decision does to one item of the draft (empty fields change nothing)."""

    name: str = ""
    content: str = ""
    part: str = ""
    lead_departments: list[Department] = field(default_factory=list)
    receiving_department: Department | None = None
    category: Category | None = None  # for a new item
    basis: str = ""


def write_change(duty_list: DutyList, key, change: Change, *, what: str, by, reason: str, decided=False):
    """Write a change into the draft, to the item with `key` or, without one, as a new item.

    Refused with a message naming `what` if the item left the draft or would break its part's rules.
    """
    if key is None:
        item = DutyItem(
            duty_list=duty_list,
            name=change.name,
            part=change.part or Part.BASIC,
            category=change.category,
            receiving_department=change.receiving_department,
        )
        item.order = catalog_services.next_order(duty_list, item.part, item.category_id)
    else:
        item = DutyItem.objects.active().filter(duty_list=duty_list, key=key).first()
        if item is None:
            raise Conflict(f"“{what}”已不在草稿中，请在清单中手工处理。", code="item_gone")
    leads = put_change(item, change, new=key is None)
    with rules_named(what):
        return catalog_services.save_item(item, lead_departments=leads, by=by, reason=reason, decided=decided)


def put_change(row, change: Change, *, new: bool) -> list[Department] | None:
    """Put the change on an unsaved item or template entry; returns the lead departments to save with
    it (None leaves them as they are). A new row was built with the change's part and category."""
    if new:
        leads = change.lead_departments
    else:
        leads = change.lead_departments or None
        if change.part and change.part != row.part:
            leads = catalog_services.set_part(
                row,
                change.part,
                lead_departments=change.lead_departments or row.lead_departments.all(),
                receiving_department=change.receiving_department,
            )
        elif change.receiving_department is not None:
            row.receiving_department = change.receiving_department
        row.name = change.name or row.name
    if change.content:
        setattr(row, WORK_FIELDS[row.part], change.content)
    row.basis = change.basis or row.basis
    return leads


@contextmanager
def rules_named(what: str):
    """A change that breaks the row's rules is refused with a message naming `what`."""
    try:
        yield
    except ValidationError as error:
        refusal = refusal_of(error)
        refused = Conflict if refusal.status == Conflict.status else Invalid
        raise refused(
            f"修改“{what}”后不符合清单要求：{refusal.message}", code="breaks_item_rules", field=refusal.field
        ) from error


def change_of(comment: Comment) -> Change:
    """What the comment proposes, as a change to an item or a template entry."""
    return Change(
        name=comment.proposed_name,
        content=comment.proposed_content,
        part=comment.proposed_part,
        lead_departments=list(comment.proposed_lead_departments.all()),
        receiving_department=comment.proposed_receiving_department,
        category=comment.proposed_category,
    )


def adoption_reason(comment: Comment) -> str:
    """How the history of the row a comment changed names its cause."""
    return f"采纳{comment.signature}意见（意见编号 {comment.pk}）"


def apply_proposal(comment: Comment, *, by) -> DutyItem:
    """Write the comment's proposal into the draft, as a change caused by the comment."""
    what = comment.item_name or comment.proposed_name
    return write_change(
        comment.duty_list,
        comment.item_key,
        change_of(comment),
        what=what,
        by=by,
        reason=adoption_reason(comment),
    )

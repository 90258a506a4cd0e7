"""Comment rounds on the county template (县级标准模板): the county editor asks the county's townships,
their officials comment entry by entry, the editor answers each comment and closes the round.

The round is a `CommentWindow` of kind `TOWNSHIPS` on the catalogue, the townships asked are its
invitations, and the townships' comments are `Comment` rows written by `review.services.add_comment`
(positions, proposals and their rules as for a department's comment on a draft). What differs is
who answers (the county editor, whose template it is) and where an adopted proposal goes: into the
template entry, through `catalog.services.save_catalogue_entry`, recorded as caused by the comment.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from catalog import services as catalog_services
from catalog.actors import checked, permits, recorded_user
from catalog.models import Catalogue, CatalogueEntry, Part, Township
from catalog.refusals import Conflict, Forbidden, Invalid

from . import notifications, permissions
from .changes import adoption_reason, change_of, put_change, rules_named
from .models import Comment, CommentWindow, Invitation
from .rounds import check_deadline
from .services import check_answer, record_answer

TOWNSHIPS = CommentWindow.Kind.TOWNSHIPS


def round_url(window: CommentWindow) -> str:
    return reverse("review:template_round", args=[window.pk])


def officials_of(townships: Iterable[Township]) -> list:
    return notifications.members(
        memberships__role=notifications.Role.TOWNSHIP_OFFICIAL,
        memberships__township__in=[t.pk for t in townships],
    )


@transaction.atomic
def open_template_round(
    catalogue: Catalogue, *, by, townships: Iterable[Township], deadline: date | None
) -> CommentWindow:
    """The county editor asks townships of the county to comment on its template by a deadline."""
    catalogue = Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    if not permits(by, permissions.can_run_template_rounds, catalogue.county_id):
        raise Forbidden("只有县委编办可以就县级标准模板征求乡镇（街道）意见。", code="not_allowed")
    if catalogue.kind != Catalogue.Kind.TEMPLATE:
        raise Invalid(
            f"“{catalogue.name}”不是县级标准模板，不能征求乡镇（街道）意见。",
            code="not_a_template",
            field="catalogue",
        )
    if CommentWindow.objects.filter(catalogue=catalogue, closed_at__isnull=True).exists():
        raise Conflict(f"“{catalogue.name}”已有一轮意见征求尚未结束。", code="window_open")
    townships = list(townships)
    if not townships:
        raise Invalid("请至少选择一个征求意见的乡镇（街道）。", code="required", field="townships")
    foreign = [t.name for t in townships if t.county_id != catalogue.county_id]
    if foreign:
        raise Invalid(f"“{'、'.join(foreign)}”不属于本县。", code="other_county", field="townships")
    check_deadline(deadline, what="反馈截止日期")
    window = CommentWindow.objects.create(
        catalogue=catalogue, kind=TOWNSHIPS, deadline=deadline, opened_by=recorded_user(by)
    )
    Invitation.objects.bulk_create(Invitation(window=window, township=t) for t in townships)
    notifications.notify(
        officials_of(townships),
        f"县委编办就“{catalogue.name}”征求意见，请于 {deadline:%Y-%m-%d} 前逐项提出。",
        round_url(window),
    )
    return window


def locked_round(window: CommentWindow) -> CommentWindow:
    window = (
        CommentWindow.objects.select_for_update(of=("self",)).select_related("catalogue").get(pk=window.pk)
    )
    if not window.is_on_template:
        raise Conflict("这不是对县级标准模板的意见征求。", code="not_template_round")
    return window


@transaction.atomic
def close_template_round(window: CommentWindow, *, by) -> CommentWindow:
    """The county editor ends the round: no more comments; the answers stay open to give."""
    window = locked_round(window)
    if not permits(by, permissions.can_run_template_rounds, window.county_id):
        raise Forbidden("只有县委编办可以结束对县级标准模板的意见征求。", code="not_allowed")
    if window.closed_at is not None:
        raise Conflict("本轮意见征求已经结束。", code="window_closed")
    window.closed_by = recorded_user(by)
    window.closed_at = timezone.now()
    window.save(update_fields=["closed_by", "closed_at"])
    townships = [i.township for i in window.invitations.select_related("township")]
    notifications.notify(
        officials_of(townships),
        f"“{window.catalogue.name}”的意见征求已结束，请查看县委编办的答复。",
        round_url(window),
    )
    return window


@transaction.atomic
def answer_template_comment(
    comment: Comment, *, by, answer: str, reason: str = "", apply: bool = False
) -> Comment:
    """The county editor's answer to a township's comment: 采纳, 部分采纳 or 不采纳 (the last two with a
    reason). With `apply`, an adopted proposal is written into the template in the same step."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("window__catalogue", "township", "proposed_category", "proposed_receiving_department")
        .get(pk=comment.pk)
    )
    if not comment.window.is_on_template:
        raise Conflict("这不是对县级标准模板的意见。", code="not_template_round")
    if not permissions.can_answer(checked(by), comment):  # an answer is a person's
        raise Forbidden("只有县委编办可以答复对县级标准模板的意见。", code="cannot_answer")
    where = comment.item_name or comment.proposed_name
    if comment.position == Comment.Position.AGREE:
        raise Conflict(f"{comment.signature}对“{where}”的意见是“同意”，无需答复。", code="agreed_comment")
    if comment.applied_at is not None:
        raise Conflict(
            f"“{where}”已按{comment.signature}的意见修改模板，答复不能再更改。", code="already_applied"
        )
    reason = check_answer(where, answer, reason)
    if apply:
        if answer != Comment.Answer.ACCEPTED:
            raise Invalid(
                f"“{where}”：只有采纳的意见可以一键修改模板。", code="apply_not_accepted", field="apply"
            )
        if not comment.has_proposal:
            raise Invalid(
                f"“{where}”的意见没有可直接修改的建议，请在模板中修改。",
                code="nothing_to_apply",
                field="apply",
            )
        entry = apply_to_template(comment, by=by)
        comment.applied_at = timezone.now()
        comment.entry, comment.item_name = entry, entry.name  # a proposed entry now exists
    record_answer(comment, by=by, answer=answer, reason=reason)
    notifications.notify(
        officials_of([comment.township]),
        f"县委编办答复了{comment.signature}对“{where}”的意见：{comment.answer_text()}。",
        round_url(comment.window) + f"#entry-{comment.entry_id}",
    )
    return comment


def apply_to_template(comment: Comment, *, by) -> CatalogueEntry:
    """Write the comment's proposal into its template entry, or add the proposed entry."""
    change = change_of(comment)
    catalogue = comment.window.catalogue
    if comment.entry_id is None:
        part = change.part or Part.BASIC
        last = catalogue.entries.filter(part=part, category=change.category).aggregate(n=Max("order"))["n"]
        entry = CatalogueEntry(
            catalogue=catalogue,
            name=change.name,
            part=part,
            category=change.category,
            receiving_department=change.receiving_department,
            order=(last or 0) + 1,
        )
    else:
        entry = CatalogueEntry.objects.select_for_update().get(pk=comment.entry_id)
    leads = put_change(entry, change, new=comment.entry_id is None)
    with rules_named(comment.item_name or comment.proposed_name):
        return catalog_services.save_catalogue_entry(
            entry, lead_departments=leads, by=by, reason=adoption_reason(comment)
        )

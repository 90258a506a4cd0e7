"""Publishing: copying an approved list into an immutable edition with its change log.

`publish_list` is 印发公布: it asks the workflow (`review.workflow.perform`) for the move and its log
and writes the edition in the same transaction; nothing else writes editions."""

from collections.abc import Iterable
from datetime import date
from functools import partial

from django.core.cache import cache
from django.db import transaction
from simple_history.utils import bulk_update_with_history

from catalog.actors import recorded_user
from catalog.comparison import compare_rows
from catalog.models import DutyItem, DutyList, FrozenItem, Part, Township
from catalog.refusals import PreconditionFailed
from review import workflow
from review.models import Approval

from .. import events, localpages
from ..models import (
    CurrentEdition,
    Edition,
    EditionChange,
    EditionItem,
)
from .search import placed, search_grams


def current_edition(township) -> Edition | None:
    pointer = CurrentEdition.objects.filter(township=township).select_related("edition").first()
    return pointer.edition if pointer else None


@transaction.atomic
def create_edition(
    duty_list: DutyList,
    rows: Iterable[FrozenItem],
    *,
    by,
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
        published_by=recorded_user(by),
        note=note,
        **counts,
    )
    items = []
    for row in rows:
        item = EditionItem(edition=edition, **row.frozen_values())
        item.search_grams = placed(search_grams(item), township.code)
        items.append(item)
    EditionItem.objects.bulk_create(items)
    if previous is not None:
        EditionChange.objects.bulk_create(change_rows(edition, previous.items.all(), items, reasons, note))
    CurrentEdition.objects.update_or_create(township=township, defaults={"edition": edition})
    events.edition_published(edition)
    # Pages name the edition in force: forget it now and again once this is committed, so no
    # request in between keeps the old one; then every web worker drops its own copies of the
    # township's pages (publication/localpages.py).
    forget = partial(cache.delete, f"in-force:{township.code}")
    forget()
    transaction.on_commit(forget)
    transaction.on_commit(partial(localpages.announce, township.code))
    return edition


def change_rows(
    edition: Edition,
    old: Iterable[FrozenItem],
    new: Iterable[FrozenItem],
    reasons: dict | None = None,
    note: str = "",
) -> list[EditionChange]:
    """The change log of `edition` (its items `new`) against the edition before it (`old`), unsaved: an
    item's reason from `reasons` by key, else the edition's note."""
    reasons = reasons or {}
    return [
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
        for diff in compare_rows(old, new)
    ]


@transaction.atomic
def publish_list(
    duty_list: DutyList, *, by, effective_on: date, document_number: str, note: str = ""
) -> Edition:
    """印发公布: the workflow moves the approved list to 已公布 and logs it, and its approved text
    becomes the township's edition in force, in one transaction; refused as the workflow refuses."""
    workflow.perform(
        duty_list,
        "publish",
        by=by,
        note=note,
        effective_on=effective_on,
        document_number=document_number,
        write_edition=publish_approved,
    )
    return current_edition(duty_list.township)


def publish_approved(
    duty_list: DutyList, *, by, effective_on: date, document_number: str, note: str
) -> Edition:
    """The approved text of the list becomes its township's edition in force."""
    approval = Approval.objects.select_related("submission").get(duty_list=duty_list)
    rows = approval.submission.items.all()
    if not rows.exists():
        raise PreconditionFailed(["审定稿没有任何事项，不能公布。"], code="empty_approval")
    # The review cycle ends here: items the leader decided are no longer locked for it.
    decided = list(DutyItem.objects.filter(duty_list=duty_list, is_decided=True))
    for item in decided:
        item.is_decided = False
    if decided:
        bulk_update_with_history(
            decided, DutyItem, ["is_decided"], default_user=recorded_user(by), default_change_reason="公布"
        )
    return create_edition(
        duty_list,
        rows,
        by=by,
        effective_on=effective_on,
        document_number=document_number.strip(),
        note=note or "审定后公布",
        submission=approval.submission,
    )

"""The changes feed: editions published, and the items each added, changed, moved and removed, in the
order they were published, from an opaque cursor — so a consumer stays in sync by asking again with
the cursor it was last given (docs/decisions/0019-integration-api.md).

An edition and its rows are written in one transaction, so the edition is the unit: a page holds
whole editions, each its `edition.published` event followed by its item events — for a township's
first edition every item as added, for a later one its change log. The cursor is the highest
edition id delivered, plus the ids below it that were not visible yet when it was read: two
townships publishing at once may commit out of id order, and an edition that commits late is
delivered on a later page instead of being skipped. An id still missing after `GAP_WAIT` seconds
was rolled back, not late, and is forgotten.
"""

import base64
import binascii
import json
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from catalog.refusals import Invalid
from publication.models import Edition, EditionChange, EditionItem

PAGE_EVENTS = 500  # a page ends after the edition that reaches it (one edition at least)
PAGE_EDITIONS = 100
GAP_WAIT = 15 * 60  # seconds; no publication stays uncommitted that long
GAPS_KEPT = 100
BAD_CURSOR = "since 参数不是本接口给出的游标，请使用上一次返回的 next，或省略它从头开始同步。"


@dataclass(frozen=True)
class Cursor:
    after: int = 0  # the highest edition id delivered
    gaps: tuple[tuple[int, int], ...] = ()  # (an id below it not seen yet, when it was first missed)

    def encode(self) -> str:
        text = json.dumps([self.after, [list(gap) for gap in self.gaps]], separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        if not text:
            return cls()
        try:
            after, gaps = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            cursor = cls(int(after), tuple((int(gap), int(since)) for gap, since in gaps))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise Invalid(BAD_CURSOR, code="invalid_cursor", field="since") from None
        if cursor.after < 0 or len(cursor.gaps) > GAPS_KEPT:
            raise Invalid(BAD_CURSOR, code="invalid_cursor", field="since")
        return cursor


@dataclass
class Page:
    events: list[dict]
    next: Cursor
    more: bool


def events_since(cursor: Cursor, now: int) -> Page:
    """The next editions after the cursor, with their item events (four queries whatever the size)."""
    waiting = {gap: since for gap, since in cursor.gaps if now - since < GAP_WAIT}
    found = list(
        Edition.objects.filter(Q(pk__gt=cursor.after) | Q(pk__in=list(waiting)))
        .select_related("township")
        .annotate(change_count=Count("changes"))
        .order_by("pk")[: PAGE_EDITIONS + 1]
    )
    editions, budget = [], PAGE_EVENTS
    for edition in found[:PAGE_EDITIONS]:
        if editions and budget <= 0:
            break
        editions.append(edition)
        budget -= 1 + (edition.item_count if edition.number == 1 else edition.change_count)
    more = len(found) > len(editions)
    return Page(item_events(editions), next_cursor(cursor, waiting, editions, now), more)


def next_cursor(cursor: Cursor, waiting: dict[int, int], editions: list[Edition], now: int) -> Cursor:
    seen = {edition.pk for edition in editions}
    after = max([cursor.after, *seen])
    # Ids between the old and the new position that the page did not hold are not committed yet.
    missing = [
        (gap, now) for gap in range(max(cursor.after + 1, after - GAPS_KEPT), after) if gap not in seen
    ]
    gaps = [(gap, since) for gap, since in waiting.items() if gap not in seen] + missing
    return Cursor(after, tuple(sorted(gaps)[-GAPS_KEPT:]))


def item_events(editions: list[Edition]) -> list[dict]:
    first = [edition for edition in editions if edition.number == 1]
    later = [edition for edition in editions if edition.number > 1]
    changes_of = defaultdict(list)
    for change in EditionChange.objects.filter(edition__in=later).order_by("pk"):
        changes_of[change.edition_id].append(change)
    shown = {
        c.key for changes in changes_of.values() for c in changes if c.kind != EditionChange.Kind.REMOVED
    }
    edition_of = {edition.pk: edition for edition in editions}
    items_of, item_of = defaultdict(list), {}
    for item in EditionItem.objects.filter(
        Q(edition__in=first) | Q(edition__in=later, key__in=shown)
    ).order_by("pk"):
        item.edition = edition_of[item.edition_id]
        items_of[item.edition_id].append(item)
        item_of[item.edition_id, item.key] = item
    events = []
    for edition in editions:
        events.append(event("edition.published", edition))
        if edition.number == 1:
            events += [
                event("item.added", edition, item.key, item.name, item) for item in items_of[edition.pk]
            ]
        for change in changes_of[edition.pk]:
            item = item_of.get((edition.pk, change.key))
            events.append(event(f"item.{change.kind}", edition, change.key, change.name, item, change.fields))
    return events


def event(kind: str, edition: Edition, key=None, name: str = "", item=None, fields=()) -> dict:
    return {"type": kind, "edition": edition, "key": key, "name": name, "item": item, "fields": list(fields)}

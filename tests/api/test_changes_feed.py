"""GET /api/v1/changes/: editions published and the items each added, changed, moved and removed, from
an opaque cursor, so that a consumer replaying the feed holds every township's list in force."""

from datetime import date

import pytest
from django.urls import reverse

from api import feed
from publication.models import Edition
from tests.api.conftest import publish, row
from tests.conftest import make_duty_list, make_township

pytestmark = pytest.mark.django_db


def read(client, since: str | None = None) -> dict:
    response = client.get(reverse("api:changes"), {"since": since} if since else {})
    assert response.status_code == 200
    return response.json()


def summary(events: list[dict]) -> list[tuple]:
    return [(e["type"], e["edition"], e["name"]) for e in events]


def test_the_feed_from_the_start_replays_every_edition(client, township, first, second):
    page = read(client)

    assert page["more"] is False
    assert summary(page["events"]) == [
        ("edition.published", 1, ""),
        ("item.added", 1, "最低生活保障申请受理"),
        ("item.added", 1, "殡葬管理"),
        ("item.added", 1, "宅基地审批"),
        ("edition.published", 2, ""),
        ("item.changed", 2, "最低生活保障申请受理"),
        ("item.moved", 2, "殡葬管理"),
        ("item.added", 2, "农村供水保障"),
        ("item.removed", 2, "宅基地审批"),
    ]
    published = page["events"][4]
    assert (published["township"], published["document_number"]) == (township.code, "示办发〔2026〕5号")
    changed = page["events"][5]
    assert changed["item"]["content"] == "受理低保申请，入户调查并公示" and changed["item"]["edition"] == 2
    assert changed["fields"][0]["column"] == "content"
    removed = page["events"][8]
    assert removed["item"] is None and removed["key"] == str(first.items.get(name="宅基地审批").key)


def test_a_consumer_replaying_the_feed_holds_the_lists_in_force(client, township, first, second, editor):
    neighbour = make_township(township.county, "青山镇")
    publish(neighbour, [row("青山事项")], by=editor)
    held: dict[str, dict] = {}
    for event in read(client)["events"]:
        if event["type"] in ("item.added", "item.changed", "item.moved"):
            held[event["key"]] = event["item"]
        elif event["type"] == "item.removed":
            del held[event["key"]]

    in_force = client.get(reverse("api:items")).json()["results"]
    assert held == {item["key"]: item for item in in_force}


def test_the_cursor_gives_only_what_was_published_since(client, township, first, editor):
    cursor = read(client)["next"]
    assert read(client, cursor) == {"events": [], "next": cursor, "more": False}

    publish(township, [row("新事项")], by=editor)
    page = read(client, cursor)

    assert [e["type"] for e in page["events"]] == [
        "edition.published",
        "item.added",
        "item.removed",
        "item.removed",
        "item.removed",
    ]
    assert read(client, page["next"])["events"] == []


def test_pages_hold_whole_editions_and_a_walk_sees_each_once(client, county, editor, monkeypatch):
    monkeypatch.setattr(feed, "PAGE_EVENTS", 4)
    townships = [make_township(county) for _ in range(3)]
    for township in townships:
        publish(township, [row("甲"), row("乙"), row("丙")], by=editor)

    pages, cursor = [], None
    while True:
        page = read(client, cursor)
        pages.append(summary(page["events"]))
        cursor = page["next"]
        if not page["more"]:
            break

    assert [len(p) for p in pages] == [4, 4, 4]
    assert [e for p in pages for e in p if e[0] == "edition.published"] == [("edition.published", 1, "")] * 3


def late_edition(pk: int, editor, county) -> Edition:
    """An edition whose transaction committed after one with a higher id was read."""
    township = make_township(county)
    Edition.objects.bulk_create(
        [
            Edition(
                pk=pk,
                township=township,
                duty_list=make_duty_list(township),
                number=1,
                effective_on=date(2025, 7, 1),
                document_number="示办发〔2025〕30号",
                published_by=editor,
            )
        ]
    )
    return Edition.objects.get(pk=pk)


def test_an_edition_committed_late_is_delivered_on_a_later_page(client, county, first, editor):
    late_id = first.pk + 1
    later = late_edition(first.pk + 2, editor, county)  # visible before its predecessor
    page = read(client)
    assert [e["township"] for e in page["events"] if e["type"] == "edition.published"] == [
        first.township.code,
        later.township.code,
    ]

    late = late_edition(late_id, editor, county)
    again = read(client, page["next"])

    assert summary(again["events"]) == [("edition.published", 1, "")]
    assert again["events"][0]["township"] == late.township.code
    assert read(client, again["next"])["events"] == []


def test_an_id_never_committed_is_forgotten_after_the_wait(county, first, editor):
    late_edition(first.pk + 2, editor, county)
    page = feed.events_since(feed.Cursor(after=first.pk - 1), now=1_000_000)
    assert page.next.gaps == ((first.pk + 1, 1_000_000),)

    assert feed.events_since(page.next, now=1_000_000 + feed.GAP_WAIT - 1).next.gaps == page.next.gaps
    assert feed.events_since(page.next, now=1_000_000 + feed.GAP_WAIT).next.gaps == ()

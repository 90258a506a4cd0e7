"""A whole county as one snapshot: every township's edition in force, streamed, with the checksum of
the body in Repr-Digest."""

import base64
import hashlib
import json
import tracemalloc

import pytest
from django.urls import reverse

from tests.api.conftest import other_county, publish, row, townships_with_editions

pytestmark = pytest.mark.django_db


def snapshot_url(county) -> str:
    return reverse("api:county_snapshot", kwargs={"code": county.code})


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def digest_of(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def test_a_county_snapshot_holds_each_townships_edition_in_force_with_the_checksum_of_its_body(
    client, county, township, editor, first, second
):
    others = townships_with_editions(county, 2, editor)
    response = client.get(snapshot_url(county))

    assert response.status_code == 200 and response.streaming
    body = body_of(response)
    assert response["Repr-Digest"] == digest_of(body)
    snapshot = json.loads(body)
    assert snapshot["county"]["code"] == county.code
    shown = [(e["edition"]["township"], e["edition"]["number"]) for e in snapshot["editions"]]
    assert sorted(shown) == sorted([(township.code, 2)] + [(t.code, 1) for t in others])
    mine = next(e for e in snapshot["editions"] if e["edition"]["township"] == township.code)
    assert mine["edition"]["in_force"] is True
    assert sorted(i["name"] for i in mine["items"]) == sorted(second.items.values_list("name", flat=True))
    # The same bytes as the edition's own snapshot lists, item for item.
    edition = client.get(reverse("api:edition_snapshot", kwargs={"code": township.code, "number": 2})).json()
    assert mine["items"] == edition["items"]


def test_the_checksum_is_kept_so_a_second_download_reads_the_rows_once(
    client, county, editor, django_assert_num_queries
):
    townships_with_editions(county, 3, editor)
    first = client.get(snapshot_url(county))
    body = body_of(first)
    # The county and its editions in force, then one query per township's rows.
    with django_assert_num_queries(2 + 3):
        again = client.get(snapshot_url(county))
        assert body_of(again) == body
    assert again["Repr-Digest"] == first["Repr-Digest"] == digest_of(body)


def test_an_unchanged_county_is_answered_304_and_a_new_edition_changes_the_answer(client, county, editor):
    townships = townships_with_editions(county, 2, editor)
    first = client.get(snapshot_url(county))
    body_of(first)
    assert client.get(snapshot_url(county), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    publish(townships[0], [row("新增事项")], by=editor, number="示办发〔2026〕2号")
    changed = client.get(snapshot_url(county), HTTP_IF_NONE_MATCH=first["ETag"])
    body = body_of(changed)
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert changed["Repr-Digest"] == digest_of(body) != first["Repr-Digest"]
    assert "新增事项" in body.decode()


def test_a_county_without_a_published_list_is_a_json_404(client, county, editor):
    other_county()
    response = client.get(snapshot_url(county))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def streaming_peak(client, county) -> tuple[int, int]:
    """Bytes of the body and the peak of Python memory while it is streamed."""
    response = client.get(snapshot_url(county))  # the checksum's pass is made here
    tracemalloc.start()
    size = sum(len(piece) for piece in response.streaming_content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, peak


def test_memory_stays_bounded_however_many_items_the_county_has(client, county, editor):
    large = other_county()
    for where, count in ((county, 600), (large, 3000)):
        [township] = townships_with_editions(where, 1, editor)
        rows = [row(f"事项{n}", content="具体工作内容" * 20) for n in range(count)]
        publish(township, rows, by=editor, number="示办发〔2026〕2号")

    small_size, small_peak = streaming_peak(client, county)
    large_size, large_peak = streaming_peak(client, large)

    assert large_size > 4.5 * small_size
    # One chunk of rows at a time: five times the body, not five times the memory.
    assert large_peak < 1.5 * small_peak and large_peak < large_size / 2, (small_peak, large_peak, large_size)

"""A whole edition as one snapshot, with the checksum of what was sent."""

import base64
import hashlib

import pytest
from django.urls import reverse

from catalog.models import Part
from tests.api.conftest import publish, row, townships_with_editions

pytestmark = pytest.mark.django_db


def snapshot_url(township, number: int) -> str:
    return reverse("api:edition_snapshot", kwargs={"code": township.code, "number": number})


def test_a_snapshot_holds_the_edition_and_every_item_with_the_checksum_of_its_body(client, township, first):
    response = client.get(snapshot_url(township, 1))

    assert response.status_code == 200
    body = response.json()
    assert (body["edition"]["township"], body["edition"]["number"]) == (township.code, 1)
    assert len(body["items"]) == first.items.count()
    assert [i["part"] for i in body["items"]] == sorted(
        (i["part"] for i in body["items"]), key=list(Part.values).index
    )
    expected = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{expected}:"
    again = client.get(snapshot_url(township, 1), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_snapshot_of_an_unknown_edition_is_a_json_404(client, township, first):
    response = client.get(snapshot_url(township, 9))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("size", [2, 20])
def test_a_snapshot_takes_as_many_queries_for_20_rows_as_for_2(
    client, county, editor, size, django_assert_num_queries
):
    townships = townships_with_editions(county, 1, editor)
    publish(townships[0], [row(f"新{n}") for n in range(size)], by=editor, number="示办发〔2026〕1号")
    with django_assert_num_queries(2):
        assert client.get(snapshot_url(townships[0], 2)).status_code == 200

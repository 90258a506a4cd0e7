"""A whole county as one download: each township's edition in force, as its edition snapshot shows it,
streamed with bounded memory, and the SHA-256 of the body in `Repr-Digest`.

The body is written one item at a time from a database iterator, so memory holds one chunk of rows
whatever the county's size. A header must come before the body, so the checksum is computed first by
running the same writer into the hash (a second read of the rows) and kept in the cache under the
editions in force, the item columns and the site's address: editions never change, so later
downloads read the rows once. A township publishing meanwhile changes the editions in force, and so
the ETag and the cache key."""

import base64
import hashlib
import json
from collections.abc import Iterator

from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from catalog.models import FROZEN_ORDER
from publication.models import Edition, EditionItem

from .serializers import CountySerializer, EditionSerializer, ItemSerializer, SnapshotSerializer
from .views import CODE, SHAPE, PublicRead, editions, published_counties

# Bytes gathered before each piece of the body is handed to the server.
PIECE = 64 * 1024
ROWS_PER_QUERY = 200


class CountySnapshotSerializer(serializers.Serializer):
    """The schema of the county snapshot (written by `county_snapshot`, not by this serializer)."""

    county = CountySerializer(read_only=True)
    editions = SnapshotSerializer(many=True, read_only=True, help_text="各乡镇（街道）的现行版本及其全部事项")


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def county_snapshot(county, in_force: list[Edition], context: dict) -> Iterator[bytes]:
    """`{"county": …, "editions": [{"edition": …, "items": [...]}, …]}` in pieces of about 64 KB;
    the same bytes every time for the same editions."""
    items = ItemSerializer(context=context)
    header = EditionSerializer(context=context)
    parts = ['{"county":', dumps(CountySerializer(county, context=context).data), ',"editions":[']
    size = sum(map(len, parts))
    for number, edition in enumerate(in_force):
        parts.append(("," if number else "") + '{"edition":' + dumps(header.to_representation(edition)))
        parts.append(',"items":[')
        rows = (
            EditionItem.objects.filter(edition=edition)
            .order_by(*FROZEN_ORDER)
            .iterator(chunk_size=ROWS_PER_QUERY)
        )
        for index, row in enumerate(rows):
            row.edition = edition  # its township is already loaded
            text = ("," if index else "") + dumps(items.to_representation(row))
            parts.append(text)
            size += len(text)
            if size >= PIECE:
                yield "".join(parts).encode()
                parts, size = [], 0
        parts.append("]}")
    parts.append("]}")
    yield "".join(parts).encode()


@extend_schema(
    summary="一个县（市、区）的完整快照：各乡镇（街道）的现行版本和全部事项，Repr-Digest 头给出正文的 SHA-256 校验和",
    tags=["公开"],
    parameters=[CODE],
    responses=CountySnapshotSerializer,
)
class CountySnapshot(PublicRead):
    serializer_class = CountySnapshotSerializer

    def in_force(self) -> tuple:
        if not hasattr(self, "_in_force"):
            county = get_object_or_404(published_counties(), code=self.kwargs["code"])
            found = list(
                editions()
                .filter(township__county=county, current_of__isnull=False)
                .select_related("township__county")
                .order_by("township__order", "township__code")
            )
            self._in_force = county, found
        return self._in_force

    def data_version(self) -> str:
        county, found = self.in_force()
        return f"county:{county.pk}:" + ",".join(str(edition.pk) for edition in found)

    def read(self, request):
        county, found = self.in_force()
        context = self.get_serializer_context()
        key = (
            "county-snapshot:"
            + hashlib.sha256(
                f"{SHAPE}:{request.build_absolute_uri('/')}:{self.data_version()}".encode()
            ).hexdigest()
        )
        digest = cache.get(key)
        if digest is None:
            hashed = hashlib.sha256()
            for piece in county_snapshot(county, found, context):
                hashed.update(piece)
            digest = base64.b64encode(hashed.digest()).decode()
            cache.set(key, digest, timeout=24 * 3600)
        response = StreamingHttpResponse(
            county_snapshot(county, found, context), content_type="application/json"
        )
        response["Repr-Digest"] = f"sha-256=:{digest}:"
        response["Content-Disposition"] = f'attachment; filename="county-{county.code}.json"'
        return response

"""Public reading: what the public site shows, as JSON, for systems that route work by the lists.
No token needed; every GET carries an ETag and answers 304 to a matching If-None-Match.

Reads only published rows (publication's queries and models); no view writes anything."""

import base64
import hashlib
import time
import uuid

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from catalog.columns import PUBLIC_COLUMNS
from catalog.models import FROZEN_ORDER, County, Township
from catalog.refusals import Invalid
from publication import queries
from publication.models import CurrentEdition, Edition, EditionChange, EditionItem

from . import feed
from .filters import EditionItemFilter, ItemFilter
from .serializers import (
    ChangeSerializer,
    CountySerializer,
    EditionSerializer,
    FeedSerializer,
    ItemPageSerializer,
    ItemSerializer,
    SnapshotSerializer,
    TownshipSerializer,
)

# Part of every ETag named by its data rather than its body: a change of the item columns (a new
# release) changes the answer of the same edition.
SHAPE = hashlib.sha256(repr([c.name for c in PUBLIC_COLUMNS]).encode()).hexdigest()[:8]


class Pages(CursorPagination):
    """Cursor pages over row ids, which never change: as deep as a consumer walks, each row once."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_cursor_message = "cursor 参数不是本接口给出的游标，请使用上一页返回的 next 或 previous。"

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:  # DRF's answer; a bad parameter is a 400 like any other
            raise Invalid(self.invalid_cursor_message, code="invalid_cursor", field="cursor") from None


class ByCode(Pages):
    ordering = "code"  # unique, and the order codes are listed in


class ByNumber(Pages):
    ordering = "number"  # unique among one township's editions


class PublicRead(generics.GenericAPIView):
    """A public GET: no login, and an ETag on every answer — by default a hash of the body, so it
    changes whenever what is shown changes."""

    permission_classes = [AllowAny]
    filter_backends = []

    def data_version(self) -> str | None:
        """A cheap name for all the data the answer shows, when there is one (an edition's rows are
        immutable: its id names them), so that a matching If-None-Match is answered before reading them."""
        return None

    def get(self, request, *args, **kwargs):
        version = self.data_version()
        if version is None:
            return self.read(request)
        etag = quote_etag(
            hashlib.sha256(f"{SHAPE}:{version}:{request.get_full_path()}".encode()).hexdigest()[:32]
        )
        stub = HttpResponse(headers={"ETag": etag})  # the 304 carries the ETag too
        unchanged = get_conditional_response(request, etag=etag, response=stub)
        if unchanged.status_code == 304:
            return unchanged
        response = self.read(request)
        response["ETag"] = etag
        return response

    def read(self, request) -> Response:
        raise NotImplementedError

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.has_header("ETag")
        ):
            response.render()
            response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response


class PublicList(mixins.ListModelMixin, PublicRead):
    pagination_class = Pages

    def read(self, request) -> Response:
        return self.list(request)


def published_counties():
    return County.objects.filter(pk__in=Township.objects.filter(editions__isnull=False).values("county"))


def published_townships():
    return Township.objects.filter(editions__isnull=False).distinct()


CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="行政区划代码")
NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="版次")


@extend_schema(summary="公布了清单的县（市、区）", tags=["公开"])
class CountyList(PublicList):
    serializer_class = CountySerializer
    pagination_class = ByCode
    queryset = published_counties()


@extend_schema(summary="一个县（市、区）", tags=["公开"], parameters=[CODE])
class CountyDetail(PublicRead):
    serializer_class = CountySerializer

    def read(self, request) -> Response:
        county = get_object_or_404(published_counties(), code=self.kwargs["code"])
        return Response(self.get_serializer(county).data)


@extend_schema(summary="县里公布了清单的乡镇（街道）", tags=["公开"], parameters=[CODE])
class TownshipList(PublicList):
    serializer_class = TownshipSerializer
    pagination_class = ByCode

    def get_queryset(self):
        county = get_object_or_404(published_counties(), code=self.kwargs["code"])
        return (
            published_townships().filter(county=county).select_related("county", "current_edition__edition")
        )


@extend_schema(summary="一个乡镇（街道）及其现行版本", tags=["公开"], parameters=[CODE])
class TownshipDetail(PublicRead):
    serializer_class = TownshipSerializer

    def read(self, request) -> Response:
        township = get_object_or_404(
            published_townships().select_related("county", "current_edition__edition"),
            code=self.kwargs["code"],
        )
        return Response(self.get_serializer(township).data)


def editions():
    return Edition.objects.select_related("township").annotate(
        in_force=Exists(CurrentEdition.objects.filter(edition=OuterRef("pk")))
    )


@extend_schema(summary="乡镇（街道）的各个版本：现行版本和以前的版本", tags=["公开"], parameters=[CODE])
class EditionList(PublicList):
    serializer_class = EditionSerializer
    pagination_class = ByNumber

    def get_queryset(self):
        return editions().filter(township=queries.published_township(self.kwargs["code"]))


class EditionScoped(PublicRead):
    """Reads of one edition, named by its township's code and its number: immutable, so the
    edition's id names the answer."""

    def edition(self) -> Edition:
        if not hasattr(self, "_edition"):
            self._edition = get_object_or_404(
                editions(), township__code=self.kwargs["code"], number=self.kwargs["number"]
            )
        return self._edition

    def data_version(self) -> str:
        # Whether it is in force changes once, when the next edition is published.
        edition = self.edition()
        return f"edition:{edition.pk}:{edition.in_force}"


@extend_schema(summary="一个版本", tags=["公开"], parameters=[CODE, NUMBER])
class EditionDetail(EditionScoped):
    serializer_class = EditionSerializer

    def read(self, request) -> Response:
        return Response(self.get_serializer(self.edition()).data)


class EditionRows(EditionScoped, PublicList):
    def data_version(self) -> str:
        return f"edition:{self.edition().pk}"


@extend_schema(
    summary="一个版本的事项（现行版本或以前的版本），含全部公开列", tags=["公开"], parameters=[CODE, NUMBER]
)
class EditionItemList(EditionRows):
    serializer_class = ItemSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = EditionItemFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema asks for the model only
            return EditionItem.objects.none()
        return EditionItem.objects.filter(edition=self.edition()).select_related("edition__township")


@extend_schema(
    summary="一个版本的完整快照：版本信息和全部事项（按公布顺序），Repr-Digest 头给出正文的 SHA-256 校验和",
    tags=["公开"],
    parameters=[CODE, NUMBER],
)
class EditionSnapshot(EditionScoped):
    serializer_class = SnapshotSerializer

    def read(self, request) -> Response:
        edition = self.edition()
        rows = EditionItem.objects.filter(edition=edition).select_related("edition__township")
        return Response(self.get_serializer({"edition": edition, "items": rows.order_by(*FROZEN_ORDER)}).data)

    def finalize_response(self, request, response, *args, **kwargs):
        """The body's checksum (RFC 9530), so a downloaded snapshot can be checked against it."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response.render()
            digest = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
            response["Repr-Digest"] = f"sha-256=:{digest}:"
        return response


@extend_schema(summary="一个版本相对上一版本的变更记录", tags=["公开"], parameters=[CODE, NUMBER])
class EditionChangeList(EditionRows):
    serializer_class = ChangeSerializer

    def get_queryset(self):
        return EditionChange.objects.filter(edition=self.edition())


@extend_schema(
    summary="各乡镇（街道）现行版本中的事项，可按县、乡镇、类型、类别、部门、兜底、关键词筛选", tags=["公开"]
)
class ItemList(PublicList):
    serializer_class = ItemSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ItemFilter

    def get_queryset(self):
        return EditionItem.objects.filter(edition__current_of__isnull=False).select_related(
            "edition__township"
        )


@extend_schema(
    summary="按事项标识取一个事项：现行内容，或最后公布的内容及删除它的版本",
    tags=["公开"],
    parameters=[OpenApiParameter("key", OpenApiTypes.UUID, OpenApiParameter.PATH, description="事项标识")],
)
class ItemDetail(PublicRead):
    serializer_class = ItemPageSerializer

    def read(self, request) -> Response:
        try:
            key = uuid.UUID(self.kwargs["key"])
        except ValueError:
            raise Http404("找不到该事项：事项标识格式不正确。") from None
        township = (
            Township.objects.filter(editions__items__key=key)
            .order_by("-editions__pk")
            .select_related("county")
            .first()
        )
        if township is None:
            raise Http404("找不到该事项。")
        page = queries.item_page(township, key)
        page.item.edition = page.edition
        page.edition.township = township
        data = {
            "item": page.item,
            "in_force": page.removed_in is None,
            "removed_in": page.removed_in,
            "editions": page.editions,
        }
        return Response(self.get_serializer(data).data)


@extend_schema(
    summary="增量同步：since 游标之后公布的版本，以及新增、修改、调整类型和删除的事项",
    tags=["公开"],
    parameters=[
        OpenApiParameter(
            "since", OpenApiTypes.STR, description="上一次返回的 next；省略时从第一个公布的版本开始"
        )
    ],
)
class Changes(PublicRead):
    serializer_class = FeedSerializer

    def read(self, request) -> Response:
        cursor = feed.Cursor.decode(request.query_params.get("since", ""))
        page = feed.events_since(cursor, now=int(time.time()))
        return Response(self.get_serializer(page).data)

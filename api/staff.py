"""What every staff endpoint shares: who may call it, the item version carried in `ETag` / `If-Match`,
and references to a county's rows (categories, offices, departments) written by id and read as
`{"id", "name"}`.

Staff endpoints are thin callers: they look rows up through the same access functions as the pages
(`catalog.access`, `review.access`), parse with the pages' forms or serializers built from the column
declaration, and call one service with `by=request.user`. Every rule — who, when, which version — is
the service's; a refusal reaches the client through `api.errors` with the status and message a page
answers.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from catalog.refusals import Invalid, PreconditionFailed

from .errors import body
from .models import Scope
from .permissions import HasScope


class Staff(IsAuthenticated):
    """A person (a session, or a personal token with the `staff` scope): what they may see and do is
    asked of the same permission functions as the pages, by the access functions and services each
    view calls. An integration account's token is nobody here (`ApiClient`)."""

    message = "需要先登录，或使用带“工作人员”权限范围的个人令牌。"


class StaffView(generics.GenericAPIView):
    # The scope first, so a token without it is told so rather than asked to sign in.
    permission_classes = [HasScope(Scope.STAFF), Staff]
    filter_backends = []


def json_object(request, described=None) -> dict:
    """The request's JSON object, its values of the types `described` (a serializer class) gives
    them; the page form that parses it then checks the values themselves."""
    data = request.data
    if not isinstance(data, dict):
        raise Invalid("请求内容应为 JSON 对象（{…}）。", code="not_an_object")
    if described is not None:
        described(data=data, partial=True).is_valid(raise_exception=True)  # the form says what is missing
    return data


# The version an edit was made against, as HTTP carries it.

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='事项的版本号，取自读取事项时的 ETag（如 "3"）；已被他人修改时答复 412 和当前内容',
)
MISSING_VERSION = "缺少版本号，无法确认您修改的是最新内容。请在 If-Match 中给出读取事项时的 ETag。"
BAD_VERSION = 'If-Match 中的版本号无效，应为读取事项时的 ETag（如 "3"）。'


def etag_of(version: int) -> str:
    return f'"{version}"'


def expected_version(request) -> int:
    """The item version the client last read, from `If-Match` (428 without one, 400 for a bad one).

    `*` is refused: an edit must name what it was made against, or it could overwrite unseen.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionFailed([MISSING_VERSION], code="version_required", field="If-Match")
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 9:
        raise Invalid(BAD_VERSION, code="invalid_version", field="If-Match")
    return int(value)


def precondition_required(error: PreconditionFailed) -> bool:
    return error.code == "version_required"


def stale(error, current: dict, version: int) -> Response:
    """Someone saved the item after the client read it: 412, the service's message, and the item as it
    stands now, with its new ETag, so the client can show what changed and send its edit again."""
    return Response(
        body(error.code, str(error), "If-Match") | {"current": current},
        status=412,
        headers={"ETag": etag_of(version)},
    )


class Reference(serializers.PrimaryKeyRelatedField):
    """A row of the county's reference data: written as its id, read as `{"id", "name"}`."""

    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"] |= {
            "does_not_exist": f"没有编号为 {{pk_value}} 的{label}（须是本县、本乡镇（街道）的{label}）。",
            "incorrect_type": f"{label}应为编号（整数）。",
            "required": f"请填写{label}。",
            "null": f"请填写{label}。",
        }
        super().__init__(label=label, **kwargs)

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_representation(self, value) -> dict:
        return {"id": value.pk, "name": value.name}


class ReferenceSchema(OpenApiSerializerFieldExtension):
    target_class = Reference

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        return build_object_type(
            properties={"id": build_basic_type(OpenApiTypes.INT), "name": build_basic_type(OpenApiTypes.STR)},
            required=["id", "name"],
        )


def references(label: str, *, queryset=None, **kwargs) -> serializers.ManyRelatedField:
    """Several references (lead departments): written as a list of ids (read-only without a queryset)."""
    kwargs.pop("label", None)
    child = Reference(label, queryset=queryset) if queryset is not None else Reference(label, read_only=True)
    messages = {"not_a_list": f"{label}应为编号的列表，如 [3, 5]。"}
    return serializers.ManyRelatedField(child_relation=child, label=label, error_messages=messages, **kwargs)

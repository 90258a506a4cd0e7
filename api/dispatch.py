"""12345 派单依据: `GET /api/v1/route/` (which items of a township's list, or a county's, a
ticket's words match, and what the dispatcher does with the ticket) and `POST
/api/v1/dispatch-disputes/` (a ticket sent by an item was refused). The lookup reads
`publication.routing`; the dispute is written by `publication.services.file_dispute`."""

from django.db import connection
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from catalog.columns import Part
from catalog.models import county_code_validator, township_code_validator
from publication import routing, services
from publication.models import DispatchDispute

from .permissions import RecordsDispatch, actor_of
from .serializers import ItemSerializer, Link
from .views import PublicRead


class RouteQuery(serializers.Serializer):
    q = serializers.CharField(
        max_length=100,
        help_text="工单中的关键词，空格分开，任一个词相符即列出（含本县近义词，如 低保→最低生活保障）",
        error_messages={"required": "请填写工单中的关键词 q。", "blank": "请填写工单中的关键词 q。"},
    )
    township = serializers.CharField(
        required=False, validators=[township_code_validator], help_text="乡镇（街道）代码（9 位）"
    )
    county = serializers.CharField(
        required=False, validators=[county_code_validator], help_text="县级行政区划代码（6 位），查全县"
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=routing.MAX_LIMIT,
        default=routing.DEFAULT_LIMIT,
        help_text=f"最多列出几个事项（1–{routing.MAX_LIMIT}）",
    )

    def validate(self, data):
        if not data.get("township") and not data.get("county"):
            raise serializers.ValidationError(
                {"township": "请给出乡镇（街道）代码 township 或县代码 county。"}
            )
        return data


class VerdictSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["township", "department_leads", "department_reclaimed", "outside_list"], read_only=True
    )
    label = serializers.CharField(read_only=True, help_text="派单结论")


class EditionRef(serializers.Serializer):
    number = serializers.IntegerField(read_only=True, help_text="版次")
    document_number = serializers.CharField(read_only=True, help_text="文号")
    effective_on = serializers.DateField(read_only=True, help_text="施行日期")


class MatchSerializer(serializers.Serializer):
    score = serializers.IntegerField(read_only=True, help_text="相关度：相符的词越多、出现在事项名称中，越高")
    verdict = VerdictSerializer(read_only=True)
    text = serializers.CharField(read_only=True, help_text="派单结论的一句话说明，可写入工单")
    handler = serializers.CharField(read_only=True, help_text="主办：乡镇（街道）及其责任科室，或县级部门")
    assisting = serializers.CharField(read_only=True, help_text="协办：配合的乡镇（街道）；其他类型为空")
    duty = serializers.CharField(read_only=True, help_text="该类型清单的工作内容列")
    part_label = serializers.SerializerMethodField(help_text="清单类型名称")
    township_name = serializers.CharField(source="item.edition.township.name", read_only=True)
    edition = EditionRef(source="item.edition", read_only=True)
    content_hash = serializers.CharField(
        source="item.content_hash", read_only=True, help_text="事项公布内容的 SHA-256，写入工单以备查证"
    )
    page = serializers.SerializerMethodField(help_text="事项的公开页面（永久地址）")
    item = ItemSerializer(read_only=True, help_text="事项的全部公开列；item.url 是它在本接口的永久地址")

    def get_part_label(self, match) -> str:
        return Part(match.item.part).label

    def get_page(self, match) -> str:
        address = reverse("publication:item", args=[match.item.edition.township.code, match.item.key])
        return self.context["request"].build_absolute_uri(address)


class RouteSerializer(serializers.Serializer):
    q = serializers.CharField(read_only=True, help_text="查询所用的词")
    synonyms = serializers.SerializerMethodField(help_text="各词按本县近义词还查了哪些说法")
    scope = serializers.CharField(source="scope_name", read_only=True, help_text="查询范围")
    in_list = serializers.SerializerMethodField(help_text="是否有相符的事项；否即“清单之外”")
    verdict = VerdictSerializer(read_only=True, allow_null=True, help_text="没有相符事项时为“清单之外”")
    answer = serializers.CharField(read_only=True, help_text="给话务员的一句话结论")
    matches = MatchSerializer(many=True, read_only=True)
    more = serializers.BooleanField(read_only=True, help_text="相符的事项多于列出的")

    def get_synonyms(self, route) -> dict[str, list[str]]:
        return {term: found for term, found in route.terms if found}

    def get_in_list(self, route) -> bool:
        return bool(route.matches)


@extend_schema(
    summary="12345 派单依据：工单关键词 + 乡镇（街道）或县 → 相符事项、派单结论、依据、版本文号与内容校验值",
    tags=["12345 派单"],
    parameters=[RouteQuery],
)
class Route(PublicRead):
    """Anyone may look (the lists are public); the lookup of a person signed in or of the county's
    integration account is counted for the item it found first, as evidence for the annual review."""

    serializer_class = RouteSerializer

    def read(self, request) -> Response:
        query = RouteQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        found = routing.route(
            data["q"],
            connection.vendor,
            township=data.get("township", ""),
            county=data.get("county", ""),
            limit=data["limit"],
        )
        if found.matches:
            services.count_lookup(found.matches[0].item, by=actor_of(request))
        return Response(self.get_serializer(found).data)


def required(label: str) -> dict:
    return {"required": f"请填写{label}。", "blank": f"请填写{label}。", "null": f"请填写{label}。"}


class DisputeSerializer(serializers.ModelSerializer):
    key = serializers.UUIDField(
        help_text="派单所依据事项的标识（派单查询返回的 item.key）",
        error_messages={"required": "请填写事项标识 key。", "invalid": "事项标识 key 格式不正确。"},
    )
    ticket_number = serializers.CharField(help_text="12345 工单编号", error_messages=required("工单编号"))
    refused_by = serializers.CharField(
        help_text="退单单位，如“城关镇人民政府”“县民政局”", error_messages=required("退单单位")
    )
    reason = serializers.CharField(help_text="退单理由", error_messages=required("退单理由"))
    township = serializers.CharField(source="township.code", read_only=True)
    edition = serializers.IntegerField(source="edition.number", read_only=True, help_text="派单依据的版次")
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    item = Link("item", key="key")

    class Meta:
        model = DispatchDispute
        fields = [
            "id",
            "key",
            "item_name",
            "part",
            "township",
            "edition",
            "item",
            "ticket_number",
            "refused_by",
            "reason",
            "state",
            "state_label",
            "filed_at",
        ]
        read_only_fields = ["id", "item_name", "part", "state", "filed_at"]
        validators = []  # the service refuses a second record of the same ticket and item (409)


@extend_schema(summary="登记派单异议（退单）：依某事项派出的工单被承办单位退回", tags=["12345 派单"])
class DisputeCreate(generics.GenericAPIView):
    """Needs a person of the item's county signed in, or a token of the county's integration account
    with the dispatch scope."""

    permission_classes = [RecordsDispatch]
    serializer_class = DisputeSerializer

    def post(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        dispute = services.file_dispute(by=actor_of(request), **given.validated_data)
        return Response(self.get_serializer(dispute).data, status=status.HTTP_201_CREATED)

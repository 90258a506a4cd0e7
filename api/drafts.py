"""Staff reading and editing of drafts: the lists a user may see, their items, and the item edits of
the list editor — add, change, move to another part, delete, restore — each carrying the version the
client read (`If-Match`), as the editor's forms carry it in a hidden field.

Rows are looked up as the pages look them up (`catalog.access`); every write is one call of
`catalog.services` with `by=request.user`. A stale version answers 412 with the item as it stands.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.response import Response

from catalog import access, permissions, services
from catalog.columns import Part
from catalog.forms import MoveToPartForm
from catalog.models import Department, DutyItem
from catalog.refusals import Invalid

from .staff import IF_MATCH, StaffView, etag_of, expected_version, json_object, stale
from .staff_serializers import (
    DraftItemSerializer,
    DutyListDetailSerializer,
    DutyListSerializer,
    MoveSerializer,
)
from .views import Pages

LIST_ID = OpenApiParameter("list_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="清单编号")
ITEM_ID = OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="事项编号")
TAGS = ["草稿（工作人员）"]


def draft_items():
    """Items with every column's row, in a fixed number of queries whatever their number."""
    return DutyItem.objects.select_related(
        "duty_list", "category", "responsible_office", "receiving_department"
    ).prefetch_related("lead_departments")


def form_refusal(form) -> Invalid:
    """A page form's first problem as the API's 400, with the form field's Chinese message."""
    field, errors = next(iter(form.errors.as_data().items()))
    message = "；".join(errors[0].messages)
    return Invalid(message, code=errors[0].code or "invalid", field="" if field == "__all__" else field)


@extend_schema(summary="我能看到的清单（草稿和以往各轮）", tags=TAGS)
class ListList(mixins.ListModelMixin, StaffView):
    serializer_class = DutyListSerializer
    pagination_class = Pages

    def get_queryset(self):
        return permissions.visible_lists(self.request.user).select_related("township__county")

    def get(self, request, *args, **kwargs):
        return self.list(request)


@extend_schema(summary="一份清单：阶段、版本号和各类事项数", tags=TAGS, parameters=[LIST_ID])
class ListDetail(StaffView):
    serializer_class = DutyListDetailSerializer

    def get(self, request, list_id: int):
        return Response(self.get_serializer(access.visible_list(request.user, list_id)).data)


class ItemsOfList(mixins.ListModelMixin, StaffView):
    serializer_class = DraftItemSerializer
    pagination_class = Pages

    @extend_schema(
        summary="清单草稿中的事项，含全部列；deleted=true 只列已删除的",
        tags=TAGS,
        parameters=[
            LIST_ID,
            OpenApiParameter("part", OpenApiTypes.STR, enum=Part.values, description="清单类型"),
            OpenApiParameter("deleted", OpenApiTypes.BOOL),
        ],
    )
    def get(self, request, list_id: int):
        return self.list(request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema asks for the model only
            return DutyItem.objects.none()
        duty_list = access.visible_list(self.request.user, self.kwargs["list_id"])
        items = draft_items().filter(duty_list=duty_list)
        part = self.request.query_params.get("part")
        if part:
            if part not in Part.values:
                raise Invalid(f"没有“{part}”这种清单类型。", code="invalid_choice", field="part")
            items = items.filter(part=part)
        deleted = self.request.query_params.get("deleted", "false")
        if deleted not in ("true", "false"):
            raise Invalid("deleted 应为 true 或 false。", code="invalid", field="deleted")
        return items.filter(deleted_at__isnull=deleted == "false")

    @extend_schema(
        summary="新增事项（放在所选类别的末尾）；同一 key 重复提交只新增一次",
        tags=TAGS,
        parameters=[LIST_ID],
        request=DraftItemSerializer,
        responses={201: DraftItemSerializer},
    )
    def post(self, request, list_id: int):
        duty_list = access.editable_list(request.user, list_id)
        serializer = DraftItemSerializer(data=request.data, duty_list=duty_list)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        if not values.get("part"):
            raise Invalid("请选择清单类型（part）。", code="required", field="part")
        leads = values.pop("lead_departments", [])
        reason = values.pop("reason", "").strip() or "新增事项"
        item = DutyItem(duty_list=duty_list, origin=DutyItem.Origin.INDIVIDUAL, **values)
        saved = services.create_item(item, lead_departments=leads, by=request.user, reason=reason)
        return item_response(saved, status=201 if saved is item else 200)


def item_response(item: DutyItem, *, status: int = 200) -> Response:
    item = draft_items().get(pk=item.pk)
    return Response(DraftItemSerializer(item).data, status=status, headers={"ETag": etag_of(item.version)})


def item_of_list(request, list_id: int, item_id: int, *, edit: bool) -> DutyItem:
    """The item, looked up as the list editor looks it up, and only under its own list."""
    item = access.visible_item(request.user, item_id, edit=edit)
    if item.duty_list_id != list_id:
        raise Http404(access.ITEM_MISSING)
    return item


def versioned(request, list_id: int, item_id: int, act) -> Response:
    """Run an item service with the version the client read (`act(item, version)`), as the list
    editor's `versioned_action` does; a stale version answers 412 with the item as it stands."""
    item = item_of_list(request, list_id, item_id, edit=True)
    version = expected_version(request)
    try:
        act(item, version)
    except services.StaleItemError as error:
        current = draft_items().get(pk=item_id)
        return stale(error, DraftItemSerializer(current).data, current.version)
    return item_response(item)


@extend_schema(tags=TAGS, parameters=[LIST_ID, ITEM_ID])
class ItemDetail(StaffView):
    serializer_class = DraftItemSerializer

    @extend_schema(summary="一个事项；ETag 是它的版本号")
    def get(self, request, list_id: int, item_id: int):
        return item_response(item_of_list(request, list_id, item_id, edit=False))

    @extend_schema(
        summary="修改事项（清单类型不在此修改，请用 move）；If-Match 给出读取时的版本号",
        parameters=[IF_MATCH],
        request=DraftItemSerializer,
    )
    def patch(self, request, list_id: int, item_id: int):
        return versioned(request, list_id, item_id, lambda item, version: self.change(item, version))

    def change(self, item: DutyItem, version: int) -> None:
        request = self.request
        serializer = DraftItemSerializer(item, data=request.data, partial=True, duty_list=item.duty_list)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        if values.get("part", item.part) != item.part:
            raise Invalid(
                "修改事项不能改变清单类型，请用 move（移入其他类型，并填写理由）。",
                code="use_move",
                field="part",
            )
        if values.pop("key", item.key) != item.key:
            raise Invalid("事项标识终身不变，不能修改。", code="key_fixed", field="key")
        leads = values.pop("lead_departments", None)
        reason = values.pop("reason", "").strip() or "修改事项"
        for name, value in values.items():
            setattr(item, name, value)
        services.save_item(
            item, lead_departments=leads, by=request.user, reason=reason, expected_version=version
        )

    @extend_schema(
        summary="删除事项（可恢复）；If-Match 给出读取时的版本号",
        parameters=[IF_MATCH, OpenApiParameter("reason", OpenApiTypes.STR, description="删除理由")],
        request=None,
    )
    def delete(self, request, list_id: int, item_id: int):
        reason = request.query_params.get("reason", "").strip()[:500]
        return versioned(
            request,
            list_id,
            item_id,
            lambda item, version: services.delete_item(
                item, by=request.user, reason=reason, expected_version=version
            ),
        )


@extend_schema(
    summary="将事项移入其他清单类型，同时填写新类型要求的列；If-Match 给出读取时的版本号",
    tags=TAGS,
    parameters=[LIST_ID, ITEM_ID, IF_MATCH],
    request=MoveSerializer,
    responses=DraftItemSerializer,
)
class ItemMove(StaffView):
    serializer_class = DraftItemSerializer

    def post(self, request, list_id: int, item_id: int):
        return versioned(request, list_id, item_id, self.move)

    def move(self, item: DutyItem, version: int) -> None:
        request = self.request
        departments = Department.objects.filter(county_id=item.duty_list.township.county_id)
        data = json_object(request, MoveSerializer)
        form = MoveToPartForm(
            {**data, "expected_version": version}, departments=departments, exclude_part=item.part
        )
        if not form.is_valid():
            raise form_refusal(form)
        values = form.cleaned_data
        services.move_items_to_part(
            [item],
            part=values["part"],
            reason=values["reason"],
            by=request.user,
            lead_departments=values["lead_departments"],
            receiving_department=values["receiving_department"],
            work=values["work"],
            expected_versions={item.pk: version},
        )


@extend_schema(
    summary="恢复已删除的事项；If-Match 给出读取时的版本号",
    tags=TAGS,
    parameters=[LIST_ID, ITEM_ID, IF_MATCH],
    request=None,
    responses=DraftItemSerializer,
)
class ItemRestore(StaffView):
    serializer_class = DraftItemSerializer

    def post(self, request, list_id: int, item_id: int):
        return versioned(
            request,
            list_id,
            item_id,
            lambda item, version: services.restore_item(item, by=request.user, expected_version=version),
        )

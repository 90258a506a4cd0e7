"""Importing a workbook into a township's draft, as the 从 Excel 导入 page does it: the file is posted
and answered with the preview (what would be added, changed and removed, every problem with its
sheet, row and column, the names the county does not have) and a token; names may be chosen for the
unknown ones; the token is then confirmed, or the import cancelled.

The same pieces as the page: `catalog.access.township_for_import`, the upload form (size limit and
its message), `plan_import`, the staging of the file (`catalog.imports.staging`) and `apply_import`
with `by=request.user`. An API client has no session, so what the preview was made from waits in
the cache under the user's id, for as long as the file itself is kept.
"""

from collections.abc import Iterator, MutableMapping

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from catalog import access, permissions
from catalog.forms import ImportUploadForm
from catalog.imports import ImportFileError, apply_import, plan_import, staging
from catalog.imports.matching import ImportPlan, StalePlanError
from catalog.imports.names import CREATE
from catalog.models import NameAlias
from catalog.refusals import REFUSALS, Invalid, refusal_of
from catalog.uploads import upload_refused

from .drafts import form_refusal
from .errors import body
from .serializers import ChangedField
from .staff import StaffView

TAGS = ["导入（工作人员）"]
CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="乡镇（街道）代码")
TOKEN = OpenApiParameter("token", OpenApiTypes.STR, OpenApiParameter.PATH, description="预览给出的 token")
NAME_KINDS = NameAlias.Kind.choices  # named in the schema (ENUM_NAME_OVERRIDES)
EXPIRED = "这次导入的预览已失效，请重新上传文件。"


class CachedStore(MutableMapping):
    """A user's staged imports, in the cache instead of a session."""

    def __init__(self, user):
        self.prefix = f"api-imports:{user.pk}:"

    def __getitem__(self, key):
        value = cache.get(self.prefix + key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key, value):
        cache.set(self.prefix + key, value, settings.UPLOAD_MAX_AGE_HOURS * 3600)

    def __delitem__(self, key):
        cache.delete(self.prefix + key)

    def __iter__(self) -> Iterator:
        return iter(())  # staging asks for its key by name only

    def __len__(self) -> int:
        return 0


class Problem(serializers.Serializer):
    message = serializers.CharField(source="__str__", help_text="问题，含工作表、行和列")
    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()


class Named(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class Unresolved(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NAME_KINDS)
    label = serializers.CharField()
    name = serializers.CharField(help_text="文件中的名称")
    place = serializers.CharField(help_text="首次出现的位置")
    suggestions = Named(many=True, help_text="可能所指的已有记录，最接近的在前")
    options = Named(many=True, help_text="可以对应的全部记录")


class Added(serializers.Serializer):
    part = serializers.CharField()
    category = serializers.CharField(source="category.name")
    name = serializers.CharField()
    sheet = serializers.CharField(source="row.sheet")
    row = serializers.IntegerField(source="row.row")


class Changed(serializers.Serializer):
    id = serializers.IntegerField(source="item.pk")
    key = serializers.UUIDField(source="item.key")
    name = serializers.CharField(source="item.name")
    part = serializers.CharField(source="incoming.part")
    fields = serializers.SerializerMethodField(method_name="changed_fields", help_text="变化的列")

    @extend_schema_field(ChangedField(many=True))
    def changed_fields(self, change) -> list[dict]:
        return [
            {"column": f.name, "label": f.label, "before": f.before, "after": f.after}
            for f in change.fields
            if f.changed
        ]


class Missing(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    key = serializers.UUIDField()
    name = serializers.CharField()
    part = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    """The import page's preview as JSON."""

    token = serializers.CharField(help_text="确认导入或选择名称时使用；没有可导入的内容时为空")
    township = serializers.CharField(source="plan.township.code")
    filename = serializers.CharField(source="plan.filename")
    list = serializers.IntegerField(
        source="plan.duty_list.pk", allow_null=True, help_text="草稿编号（将新建时为空）"
    )
    list_version = serializers.IntegerField(source="plan.list_version", allow_null=True)
    ok = serializers.BooleanField(source="plan.ok", help_text="没有问题，可以导入")
    added = Added(source="plan.added", many=True)
    changed = Changed(source="plan.changed", many=True)
    missing = Missing(
        source="plan.missing", many=True, help_text="草稿中有、文件中没有的事项（确认时可选择删除）"
    )
    unchanged = serializers.IntegerField(source="plan.unchanged")
    problems = Problem(source="plan.problems", many=True)
    warnings = Problem(source="plan.warnings", many=True)
    to_create = serializers.DictField(
        source="plan.to_create",
        child=serializers.ListField(child=serializers.CharField()),
        help_text="将新建的名称",
    )
    unresolved = Unresolved(source="plan.unresolved", many=True, help_text="本县没有的名称：请选择对应的记录")


def preview(plan: ImportPlan, token: str, *, status: int = 200, refusal=None) -> Response:
    data = PreviewSerializer({"plan": plan, "token": token}).data
    if refusal is not None:
        data = body(refusal.code, refusal.message, refusal.field) | {"preview": data}
    return Response(data, status=status)


class UploadBody(serializers.Serializer):
    file = serializers.FileField(help_text="工作簿（.xlsx）")
    create_missing = serializers.BooleanField(required=False, help_text="新建本县没有的名称（仅县委编办）")


@extend_schema(
    summary="上传工作簿，得到导入预览和 token（不写入任何内容）",
    tags=TAGS,
    parameters=[CODE],
    request={"multipart/form-data": UploadBody},
    responses=PreviewSerializer,
)
class ImportUpload(StaffView):
    parser_classes = [MultiPartParser]
    serializer_class = PreviewSerializer

    def post(self, request, code: str):
        township, _ = access.township_for_import(request.user, code)
        offers_creation = permissions.can_create_reference_data(request.user, township.county_id)
        form = ImportUploadForm(
            request.data,
            request.FILES,
            offers_creation=offers_creation,
            too_large=upload_refused(request._request),
        )
        if not form.is_valid():
            refusal = refusal_of(form_refusal(form))
            status = 413 if form.has_error("file", "too_large") else 400
            return Response(body(refusal.code, refusal.message, refusal.field), status=status)
        upload, create_missing = form.cleaned_data["file"], form.cleaned_data["create_missing"]
        data = upload.read()
        try:
            plan = plan_import(data, upload.name, township, create_missing=create_missing, by=request.user)
        except ImportFileError as error:
            raise Invalid(str(error), code="unreadable_file", field="file") from None
        store = CachedStore(request.user)
        return preview(plan, staging.stage_upload(store, data, plan, create_missing=create_missing))


def waiting(request, code: str, token: str) -> tuple:
    township, duty_list = access.township_for_import(request.user, code)
    store = CachedStore(request.user)
    staged = staging.staged_upload(store, token, code)
    if staged is None:
        raise Http404(EXPIRED)
    return township, store, staged


class Choice(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NAME_KINDS)
    name = serializers.CharField(help_text="文件中的名称")
    value = serializers.CharField(help_text=f"所指记录的编号，或 {CREATE}（新建，仅县委编办）")


class NamesBody(serializers.Serializer):
    choices = Choice(many=True)


class ConfirmBody(serializers.Serializer):
    remove_missing = serializers.BooleanField(required=False, help_text="同时删除文件中没有的事项")


class Imported(serializers.Serializer):
    list = serializers.IntegerField(help_text="导入后的清单编号")
    added = serializers.IntegerField()
    changed = serializers.IntegerField()
    removed = serializers.IntegerField()


@extend_schema(tags=TAGS, parameters=[CODE, TOKEN])
class ImportStaged(StaffView):
    parser_classes = [JSONParser]
    serializer_class = Imported

    @extend_schema(
        summary="确认导入：按预览写入草稿；预览后清单已被修改时答复 409 和新的预览",
        operation_id="townships_imports_confirm",
        request=ConfirmBody,
        responses=Imported,
    )
    def post(self, request, code: str, token: str):
        township, store, staged = waiting(request, code, token)
        remove_missing = (
            request.data.get("remove_missing") is True if isinstance(request.data, dict) else False
        )
        try:
            plan = staging.confirmable_plan(store, staged, township, by=request.user)
            result = apply_import(plan, by=request.user, remove_missing=remove_missing)
        except ImportFileError as error:
            staging.discard_upload(store, token)
            raise Invalid(str(error), code="unreadable_file", field="file") from None
        except StalePlanError as error:
            still = token if staging.staged_upload(store, token, code) else ""
            return preview(error.plan, still, status=409, refusal=refusal_of(error))
        except REFUSALS:
            staging.discard_upload(store, token)
            raise
        staging.discard_upload(store, token)
        removed = len(plan.missing) if remove_missing else 0
        return Response(
            {"list": result.pk, "added": len(plan.added), "changed": len(plan.changed), "removed": removed}
        )

    @extend_schema(summary="取消导入，删除上传的文件", request=None, responses={204: None})
    def delete(self, request, code: str, token: str):
        _, store, _ = waiting(request, code, token)
        staging.discard_upload(store, token)
        return Response(status=204)


@extend_schema(
    summary="为本县没有的名称选择对应的已有记录（或新建），得到新的预览",
    tags=TAGS,
    parameters=[CODE, TOKEN],
    request=NamesBody,
    responses=PreviewSerializer,
)
class ImportNames(StaffView):
    parser_classes = [JSONParser]
    serializer_class = PreviewSerializer

    def post(self, request, code: str, token: str):
        township, store, staged = waiting(request, code, token)
        names = NamesBody(data=request.data)
        names.is_valid(raise_exception=True)
        chosen = {(c["kind"], c["name"]): c["value"] for c in names.validated_data["choices"]}
        for (_, name), value in chosen.items():
            if not (value.isdigit() or value == CREATE):
                raise Invalid(f"“{name}”的对应记录应为编号或 {CREATE}。", code="invalid", field="choices")
        choices = staged.chosen() | chosen
        try:
            plan = staging.replan(staged, township, by=request.user, choices=choices)
        except ImportFileError as error:
            staging.discard_upload(store, token)
            raise Invalid(str(error), code="unreadable_file", field="file") from None
        except REFUSALS:  # names only the county editor may create
            staging.discard_upload(store, token)
            raise
        return preview(plan, staging.restage(store, staged, plan.list_version, choices))

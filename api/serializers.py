"""What the API answers, read-only. An item's fields are the public columns of the one item declaration
(`catalog.columns.PUBLIC_COLUMNS`): a column added there is in the API, its schema and its docs,
under its own name, with nothing listed here."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog import columns
from catalog.columns import COLUMNS, PUBLIC_COLUMNS, Part
from publication.models import EditionChange


@extend_schema_field(OpenApiTypes.URI)
class Link(serializers.Field):
    """The absolute address of a view, its arguments read from the object (`"edition.number"`)."""

    def __init__(self, view_name: str, **arguments: str):
        self.view_name, self.arguments = view_name, arguments
        super().__init__(source="*", read_only=True)

    def to_representation(self, instance) -> str:
        kwargs = {name: read(instance, path) for name, path in self.arguments.items()}
        return self.context["request"].build_absolute_uri(reverse(f"api:{self.view_name}", kwargs=kwargs))


def read(instance, path: str):
    for name in path.split("."):
        instance = instance[name] if isinstance(instance, dict) else getattr(instance, name)
    return instance


class Names(serializers.ListField):
    """Departments as the edition names them: one text joined by 、, answered as a list."""

    child = serializers.CharField()

    def to_representation(self, value: str) -> list[str]:
        return [name for name in value.split("、") if name]


# How each kind of column reads: every column under its live name, from its frozen field.
COLUMN_FIELDS = {
    columns.TEXT: serializers.CharField,
    columns.NUMBER: serializers.IntegerField,
    columns.FLAG: serializers.BooleanField,
    columns.CATEGORY: serializers.CharField,
    columns.OFFICE: serializers.CharField,
    columns.DEPARTMENT: serializers.CharField,
    columns.DEPARTMENTS: Names,
}


def column_field(column: columns.Column) -> serializers.Field:
    options = {"read_only": True, "label": column.label, "help_text": column_help(column)}
    if column.name != column.frozen_name:
        options["source"] = column.frozen_name
    if column.kind == columns.CHOICE:
        return serializers.ChoiceField(choices=Part.choices, **options)
    return COLUMN_FIELDS[column.kind](**options)


def column_help(column: columns.Column) -> str:
    parts = "" if not column.by_part else "（仅" + "、".join(Part(p).label for p in column.parts) + "）"
    return f"{column.label}{parts}{'：' + column.help if column.help else ''}"


class ItemIdentity(serializers.Serializer):
    key = serializers.UUIDField(read_only=True, help_text="事项标识：事项终身不变的标识")
    township = serializers.CharField(
        source="edition.township.code", read_only=True, help_text="乡镇（街道）代码"
    )
    edition = serializers.IntegerField(source="edition.number", read_only=True, help_text="版次")
    url = Link("item", key="key")


ItemSerializer = type(
    "ItemSerializer",
    (ItemIdentity,),
    {
        "__doc__": "公布的事项：事项标识、所在乡镇和版次，以及清单的全部公开列。",
        **{column.name: column_field(column) for column in PUBLIC_COLUMNS},
    },
)


class CountySerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="县级行政区划代码")
    name = serializers.CharField(read_only=True)
    url = Link("county", code="code")
    townships_url = Link("townships", code="code")


class TownshipSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="乡镇（街道）代码")
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(source="get_kind_display", read_only=True, help_text="乡、镇或街道")
    county = serializers.CharField(source="county.code", read_only=True)
    edition_in_force = serializers.IntegerField(
        source="current_edition.edition.number", read_only=True, allow_null=True, help_text="现行版本的版次"
    )
    url = Link("township", code="code")
    editions_url = Link("editions", code="code")


class EditionSerializer(serializers.Serializer):
    township = serializers.CharField(source="township.code", read_only=True)
    number = serializers.IntegerField(read_only=True, help_text="版次")
    in_force = serializers.BooleanField(read_only=True, help_text="是否现行版本")
    effective_on = serializers.DateField(read_only=True, help_text="施行日期")
    document_number = serializers.CharField(read_only=True, help_text="文号")
    published_at = serializers.DateTimeField(read_only=True)
    note = serializers.CharField(read_only=True)
    basic_count = serializers.IntegerField(read_only=True)
    coordinated_count = serializers.IntegerField(read_only=True)
    reclaimed_count = serializers.IntegerField(read_only=True)
    url = Link("edition", code="township.code", number="number")
    items_url = Link("edition_items", code="township.code", number="number")
    changes_url = Link("edition_changes", code="township.code", number="number")


# Change logs name columns by label ([label, before, after]); the API names them by column too.
COLUMN_OF_LABEL = {column.label: column.name for column in COLUMNS}


class ChangedField(serializers.Serializer):
    column = serializers.CharField(help_text="列名（与事项字段同名）")
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class ChangedFields(serializers.ListField):
    child = ChangedField()

    def to_representation(self, fields: list) -> list[dict]:
        return [
            {"column": COLUMN_OF_LABEL.get(label, ""), "label": label, "before": before, "after": after}
            for label, before, after in fields
        ]


class ChangeSerializer(serializers.Serializer):
    key = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=EditionChange.Kind.choices, read_only=True)
    before_part = serializers.CharField(read_only=True, help_text="原清单类型（新增时为空）")
    after_part = serializers.CharField(read_only=True, help_text="新清单类型（删除时为空）")
    fields = ChangedFields(read_only=True)
    reason = serializers.CharField(read_only=True)


class ItemPageSerializer(serializers.Serializer):
    item = ItemSerializer(read_only=True, help_text="事项最后公布的内容")
    in_force = serializers.BooleanField(read_only=True, help_text="是否在现行版本中")
    removed_in = serializers.IntegerField(
        source="removed_in.number",
        read_only=True,
        allow_null=True,
        help_text="删除它的版次（仍在现行版本中时为空）",
    )
    editions = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="包含它的各版次"
    )


EVENT_TYPES = [
    ("edition.published", "公布新版本"),
    *((f"item.{kind}", f"事项{label}") for kind, label in EditionChange.Kind.choices),
]


class EventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=EVENT_TYPES, read_only=True)
    township = serializers.CharField(source="edition.township.code", read_only=True)
    edition = serializers.IntegerField(source="edition.number", read_only=True, help_text="版次")
    published_at = serializers.DateTimeField(source="edition.published_at", read_only=True)
    effective_on = serializers.DateField(source="edition.effective_on", read_only=True)
    document_number = serializers.CharField(source="edition.document_number", read_only=True)
    key = serializers.UUIDField(read_only=True, allow_null=True, help_text="事项标识（版本事件为空）")
    name = serializers.CharField(read_only=True, help_text="事项名称（版本事件为空）")
    item = ItemSerializer(read_only=True, allow_null=True, help_text="事项在该版本中的内容（删除时为空）")
    fields = ChangedFields(read_only=True, help_text="修改、调整清单类型时变化的列")


class FeedSerializer(serializers.Serializer):
    events = EventSerializer(many=True, read_only=True)
    next = serializers.CharField(source="next.encode", read_only=True, help_text="下次请求的 since")
    more = serializers.BooleanField(read_only=True, help_text="是否还有更多，应立即用 next 再取")


class SnapshotSerializer(serializers.Serializer):
    """A whole edition in one answer: the edition and every item, in the list's published order."""

    edition = EditionSerializer(read_only=True)
    items = ItemSerializer(many=True, read_only=True)

"""What the staff endpoints read and write. A draft item's fields are the columns of the one item
declaration (`catalog.columns.COLUMNS`), each typed by its kind: text as text, the 兜底 flag as a
boolean, references to the county's categories, offices and departments written by id and read as
`{"id", "name"}`. The columns the item form edits (`in_form`) are writable; the others (序号, 来源)
are the services'. Whether a value suits the item's part is the model's rule (`clean()`), reached
through the item services."""

from rest_framework import serializers

from catalog import columns
from catalog.columns import COLUMNS, PUBLIC_COLUMNS, Part
from catalog.models import Category, Department, DutyItem, Office
from review.models import Comment, CommentWindow

from .serializers import column_field, column_help
from .staff import Reference, references

WINDOW_KINDS = CommentWindow.Kind.choices  # named in the schema (ENUM_NAME_OVERRIDES)
REFERENCE_KINDS = {columns.CATEGORY, columns.OFFICE, columns.DEPARTMENT}


def draft_field(column: columns.Column) -> serializers.Field:
    """One column of a live item, writable when the item form edits it (and `part` on creation)."""
    options = {"label": column.label, "help_text": column_help(column)}
    writable = column.in_form or column.name == "part"
    if not writable:
        options["read_only"] = True
    else:
        options["required"] = False
    if column.kind == columns.DEPARTMENTS:
        if writable:
            return references(queryset=Department.objects.none(), **options)
        return references(**options)
    if column.kind in REFERENCE_KINDS:
        if writable:
            options |= {"queryset": REFERENCED[column.kind].objects.none(), "allow_null": True}
        return Reference(**options)
    if column.kind == columns.CHOICE:
        choices = Part.choices if column.name == "part" else DutyItem.Origin.choices
        return serializers.ChoiceField(choices=choices, **options)
    if column.kind == columns.FLAG:
        return serializers.BooleanField(**options)
    if column.kind == columns.NUMBER:
        return serializers.IntegerField(**options)
    return serializers.CharField(allow_blank=True, trim_whitespace=False, **options)


REFERENCED = {columns.CATEGORY: Category, columns.OFFICE: Office, columns.DEPARTMENT: Department}


class DraftItemBase(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="事项在草稿中的编号")
    key = serializers.UUIDField(
        required=False, help_text="事项标识，终身不变；新增时可给出，同一标识重复提交只新增一次"
    )
    version = serializers.IntegerField(read_only=True, help_text="版本号：修改时放在 If-Match 中")
    list = serializers.IntegerField(source="duty_list_id", read_only=True, help_text="清单编号")
    is_decided = serializers.BooleanField(read_only=True, help_text="已协调拍板：本轮审核中不能再修改")
    deleted_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="删除时间")
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500, help_text="修改理由（记入历史）"
    )

    def __init__(self, *args, duty_list=None, **kwargs):
        super().__init__(*args, **kwargs)
        if duty_list is None:
            return
        # The choices of the list's county and township, as the item form offers them.
        township = duty_list.township
        querysets = {
            "category": Category.objects.filter(county_id=township.county_id),
            "responsible_office": Office.objects.filter(township=township),
            "receiving_department": Department.objects.filter(county_id=township.county_id),
        }
        for name, queryset in querysets.items():
            self.fields[name].queryset = queryset
        self.fields["lead_departments"].child_relation.queryset = querysets["receiving_department"]

    def to_internal_value(self, data):
        # A misspelt column would otherwise be dropped without a word, and the edit saved without it.
        unknown = [name for name in data if name not in self.fields] if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError(
                {unknown[0]: [f"事项没有“{unknown[0]}”这一列，各列的名称见接口说明（/api/docs/）。"]},
                code="unknown_field",
            )
        return super().to_internal_value(data)


DraftItemSerializer = type(
    "DraftItemSerializer",
    (DraftItemBase,),
    {
        "__doc__": "草稿中的事项：编号、标识、版本号，以及清单的全部列。",
        **{column.name: draft_field(column) for column in COLUMNS},
    },
)


class MoveSerializer(serializers.Serializer):
    """Moving an item to another part: parsed by the move page's form (`MoveToPartForm`)."""

    part = serializers.ChoiceField(choices=Part.choices, help_text="移入的清单类型")
    reason = serializers.CharField(help_text="移动理由")
    lead_departments = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="县级主责部门编号（移入配合履职事项时必填）",
    )
    receiving_department = serializers.IntegerField(
        required=False, allow_null=True, help_text="收回（承接）部门编号（移入上级部门收回事项时必填）"
    )
    work = serializers.CharField(
        required=False, allow_blank=True, help_text="新类型的工作内容列；留空则沿用原有内容"
    )


class TownshipRef(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)


class DutyListSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    township = TownshipRef(read_only=True)
    stage = serializers.CharField(read_only=True, help_text="所处阶段")
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="清单版本号：每次修改事项加一")
    updated_at = serializers.DateTimeField(read_only=True)


class DutyListDetailSerializer(DutyListSerializer):
    basic_count = serializers.IntegerField(read_only=True)
    coordinated_count = serializers.IntegerField(read_only=True)
    reclaimed_count = serializers.IntegerField(read_only=True)


SubmittedItemSerializer = type(
    "SubmittedItemSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "提交稿（冻结）中的事项：事项标识和清单的全部公开列，为提交时的内容。",
        "key": serializers.UUIDField(read_only=True, help_text="事项标识"),
        **{column.name: column_field(column) for column in PUBLIC_COLUMNS},
    },
)


class SubmissionSerializer(serializers.Serializer):
    round = serializers.IntegerField(read_only=True, help_text="轮次")
    label = serializers.CharField(read_only=True)
    stage = serializers.CharField(read_only=True)
    list_version = serializers.IntegerField(read_only=True, help_text="提交时的清单版本号")
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    note = serializers.CharField(read_only=True)


class InvitationSerializer(serializers.Serializer):
    department = Reference("部门", read_only=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="反馈完毕时间")


class WindowSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=WINDOW_KINDS, read_only=True)
    submission = serializers.IntegerField(
        source="submission.round", read_only=True, help_text="所评提交的轮次"
    )
    deadline = serializers.DateField(read_only=True, allow_null=True)
    opened_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    invitations = InvitationSerializer(many=True, read_only=True)


def proposal_label(name: str) -> str:
    return Comment._meta.get_field(name).verbose_name


class CommentSerializer(serializers.Serializer):
    """A comment as 意见采纳情况表 shows it: who, on what, the position and proposal, and its answer."""

    id = serializers.IntegerField(read_only=True)
    window = serializers.IntegerField(source="window_id", read_only=True)
    submission = serializers.IntegerField(source="window.submission.round", read_only=True)
    item_key = serializers.UUIDField(
        read_only=True, allow_null=True, help_text="所评事项的标识（整体意见为空）"
    )
    item_name = serializers.CharField(read_only=True)
    item_part = serializers.CharField(read_only=True)
    department = Reference("部门", read_only=True, allow_null=True)
    signature = serializers.CharField(read_only=True, help_text="署名")
    position = serializers.ChoiceField(choices=Comment.Position.choices, read_only=True)
    reason = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    proposed_name = serializers.CharField(read_only=True)
    proposed_content = serializers.CharField(read_only=True)
    proposed_part = serializers.CharField(read_only=True)
    proposed_lead_departments = references("建议主责部门", read_only=True)
    proposed_receiving_department = Reference("建议收回（承接）部门", read_only=True, allow_null=True)
    proposed_category = Reference("建议类别", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    state = serializers.ChoiceField(choices=Comment.State.choices, read_only=True)
    answer = serializers.CharField(read_only=True)
    answer_reason = serializers.CharField(read_only=True)
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    applied_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="已按意见修改清单的时间"
    )
    outdated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)


class TransitionSerializer(serializers.Serializer):
    """An action of the workflow table the user may take now."""

    action = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True, help_text="当前阶段")
    target = serializers.CharField(read_only=True, help_text="完成后的阶段（阶段内的操作与当前相同）")
    params = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="须提交的参数")
    confirm = serializers.BooleanField(read_only=True, help_text="不可撤回：页面会先请用户确认")
    page = serializers.CharField(read_only=True, help_text="须在专门页面进行时，该页面的名称")


class StageChangeSerializer(serializers.Serializer):
    action = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    from_stage = serializers.CharField(read_only=True)
    to_stage = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    changed_at = serializers.DateTimeField(read_only=True)
    list = DutyListSerializer(source="duty_list", read_only=True)

"""Forms of the workbench and the back office: parsing and checking input only.

Choices are narrowed to the list's township and county; the per-part rules
themselves stay in the model and run through `clean()`.
"""

import uuid

from django import forms

from .columns import COLUMN, COLUMNS, PART_DEPENDENT_FIELDS, PART_FIELDS, PART_REQUIRED_FIELDS, WORK_FIELDS
from .imports.reading import MAX_FILE_BYTES
from .matrix import Filters
from .models import (
    Catalogue,
    Department,
    DutyItem,
    DutyList,
    Part,
    Township,
)
from .uploads import upload_limit_message

# The columns an item form edits, in the order of a printed list; the part-dependent ones among them.
ITEM_FORM_FIELDS = [column.name for column in COLUMNS if column.in_form]
PART_FORM_FIELDS = [name for name in ITEM_FORM_FIELDS if name in PART_DEPENDENT_FIELDS]


class PartFieldsForm(forms.ModelForm):
    """Hands the chosen lead departments to the model's part rules before it validates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = getattr(self.instance, "_history", None)
        if record is not None and "lead_departments" in self.fields:
            # Reverting to a historical version: offer that version's lead
            # departments, not the ones stored now.
            self.initial["lead_departments"] = [row.department_id for row in record.lead_departments.all()]

    def clean(self):
        cleaned = super().clean()
        if "lead_departments" in self.fields:
            self.instance.set_pending_lead_departments(cleaned.get("lead_departments") or [])
        return cleaned


def version_field() -> forms.IntegerField:
    """The hidden version an edit was made against; without it an edit could overwrite unseen."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "缺少版本号，无法确认您修改的是最新内容。请刷新页面后重试。",
            "invalid": "版本号无效，请刷新页面后重试。",
        },
    )


class DutyItemForm(PartFieldsForm):
    """Add or edit one item of a given part in the workbench.

    A new item's key is drawn with the form and sent back with it, so the same
    form sent twice adds one item (see `services.create_item`).
    """

    expected_version = version_field()
    new_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DutyItem
        fields = ITEM_FORM_FIELDS
        widgets = {
            **{c.name: forms.Textarea(attrs={"rows": c.rows}) for c in COLUMNS if c.rows},
            "lead_departments": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, duty_list: DutyList, part: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.duty_list = duty_list
        self.instance.part = part
        township = duty_list.township
        for name in PART_FORM_FIELDS:
            if name not in PART_FIELDS[part]:
                del self.fields[name]
        if part == Part.RECLAIMED:
            del self.fields["is_safeguard"]
        self.fields["category"].queryset = township.county.categories.all()
        if "responsible_office" in self.fields:
            self.fields["responsible_office"].queryset = township.offices.all()
            self.fields["responsible_office"].label_from_instance = lambda office: office.name
        departments = Department.objects.filter(county_id=township.county_id)
        for name in ["lead_departments", "receiving_department"]:
            if name in self.fields:
                self.fields[name].queryset = departments
        if self.instance.pk:
            del self.fields["new_key"]
            if not self.is_bound:
                self.fields["expected_version"].initial = self.instance.version
        else:
            self.fields["expected_version"].required = False  # a new item has no version yet
            self.fields["new_key"].initial = uuid.uuid4()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_key"):
            self.instance.key = cleaned["new_key"]
        return cleaned


# What the moved item does in its new part: that part's work column, named as the columns declare.
MOVE_WORK_LABEL = (
    "；".join(f"移入{part.label}：{COLUMN[WORK_FIELDS[part]].label}" for part in Part if part != Part.BASIC)
    + "（留空则沿用原有内容）"
)


class MoveToPartForm(forms.Form):
    """Move items to another part: the reason and the columns the new part requires, in one step."""

    part = forms.ChoiceField(label="移入清单类型", choices=Part.choices)
    reason = forms.CharField(label="移动理由", widget=forms.Textarea(attrs={"rows": 2}))
    lead_departments = forms.ModelMultipleChoiceField(
        label="县级主责部门（移入配合履职事项时必填）",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    receiving_department = forms.ModelChoiceField(
        label="收回（承接）部门（移入上级部门收回事项时必填）",
        queryset=Department.objects.none(),
        required=False,
    )
    work = forms.CharField(
        label=MOVE_WORK_LABEL,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    expected_version = version_field()

    def __init__(self, *args, departments, exclude_part: str | None = None, versioned: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not versioned:  # the back office's bulk action moves many items at once
            del self.fields["expected_version"]
        self.fields["lead_departments"].queryset = departments
        self.fields["receiving_department"].queryset = departments
        if exclude_part:
            self.fields["part"].choices = [(v, label) for v, label in Part.choices if v != exclude_part]

    def clean(self):
        cleaned = super().clean()
        # The departments the new part requires are asked for here, next to their
        # fields, with the model's own messages; the model checks everything else.
        for name, message in PART_REQUIRED_FIELDS.get(cleaned.get("part"), {}).items():
            if name in ("lead_departments", "receiving_department") and not cleaned.get(name):
                self.add_error(name, message)
        return cleaned


class VersionedActionForm(forms.Form):
    """Delete, restore and reorder: the version seen, and for deleting an optional reason."""

    reason = forms.CharField(label="理由", required=False, max_length=500)
    expected_version = version_field()


class RevertForm(forms.Form):
    reason = forms.CharField(
        label="恢复理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "恢复到历史版本必须填写理由。"},
    )
    expected_version = version_field()


class ItemFilterForm(forms.Form):
    """The editor's filters; every field optional, bad values simply ignored."""

    category = forms.TypedChoiceField(label="类别", required=False, coerce=int, empty_value=None)
    office = forms.TypedChoiceField(label="责任科室", required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(label="县级部门", required=False, coerce=int, empty_value=None)
    safeguard = forms.BooleanField(label="仅兜底事项", required=False)
    q = forms.CharField(label="关键词", required=False, max_length=100)

    def __init__(self, *args, categories, offices, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "全部类别"), *((c.pk, c.name) for c in categories)]
        self.fields["office"].choices = [("", "全部科室"), *((o.pk, o.name) for o in offices)]
        self.fields["department"].choices = [("", "全部部门"), *((d.pk, d.name) for d in departments)]

    def filters(self) -> dict:
        if not self.is_valid():
            return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return self.cleaned_data


class MatrixFilterForm(forms.Form):
    """交叉比对's filters (rows by category, department and part); bad values simply ignored."""

    category = forms.TypedChoiceField(label="类别", required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(label="县级部门", required=False, coerce=int, empty_value=None)
    part = forms.ChoiceField(label="清单类型", required=False)
    differing = forms.BooleanField(label="仅看有差异的事项", required=False)

    def __init__(self, *args, categories, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "全部类别"), *((c.pk, str(c)) for c in categories)]
        self.fields["department"].choices = [("", "全部部门"), *((d.pk, d.name) for d in departments)]
        self.fields["part"].choices = [("", "全部类型"), *Part.choices]

    def filters(self) -> Filters:
        if not self.is_bound:
            return Filters()
        self.is_valid()
        kept = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return Filters(
            category=kept.get("category"),
            department=kept.get("department"),
            part=kept.get("part") or None,
            differing=bool(kept.get("differing")),
        )


class StartListForm(forms.Form):
    township = forms.ModelChoiceField(label="乡镇（街道）", queryset=Township.objects.none())
    title = forms.CharField(
        label="清单标题", max_length=200, required=False, help_text="留空则为“××镇履行职责事项清单”。"
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    catalogue = forms.ModelChoiceField(
        label="由县级目录生成", queryset=Catalogue.objects.none(), required=False
    )
    source = forms.ModelChoiceField(
        label="或复制已有清单",
        queryset=DutyList.objects.none(),
        required=False,
        help_text="可选其他乡镇（街道）的清单，或本乡镇（街道）已公布的清单作为新一轮的起点（事项保持原标识）。",
    )
    copy_without_offices = forms.BooleanField(
        label="本乡镇（街道）没有同名责任科室的事项，也照样复制（责任科室留空）", required=False
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = Township.objects.filter(county__in=counties).select_related(
            "county"
        )
        self.fields["catalogue"].queryset = Catalogue.objects.filter(county__in=counties)
        self.fields["source"].queryset = DutyList.objects.filter(
            township__county__in=counties
        ).select_related("township")

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("catalogue")) == bool(cleaned.get("source")):
            raise forms.ValidationError("请在“县级目录”和“其他清单”中选择且只选择一个来源。")
        return cleaned


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件",
        help_text="已有清单的工作簿（.xlsx）；各种常见版式均可，导入前会先预览。",
        error_messages={"required": "请选择要导入的文件。", "empty": "文件是空的。"},
    )
    create_missing = forms.BooleanField(
        label="新建缺少的名称（文件中出现而系统中没有的类别、责任科室和县直部门）", required=False
    )

    def __init__(self, *args, offers_creation: bool, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large  # refused while it arrived: the form sees no file, and says why
        self.fields["file"].required = not too_large
        if not offers_creation:
            # Not shown; a value posted anyway reaches the import, which refuses it.
            self.fields["create_missing"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.too_large or (upload is not None and upload.size > MAX_FILE_BYTES):
            raise forms.ValidationError(upload_limit_message(), code="too_large")
        return upload


class CatalogueUploadForm(ImportUploadForm):
    """A catalogue's workbook: the file only (names must be the county's already)."""

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, offers_creation=False, too_large=too_large, **kwargs)
        del self.fields["create_missing"]
        self.fields["file"].help_text = "参考目录的工作簿（.xlsx），可先导出再修改；有任何问题都不会写入。"


class ProvinceCatalogueForm(forms.Form):
    name = forms.CharField(label="目录名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Catalogue.Kind.choices, initial=Catalogue.Kind.OTHER)
    description = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ClaimForm(forms.Form):
    """Which of the county's catalogues takes the entry, and what the names the county does not know
    mean there (`unresolved`: `(kind, text)` pairs; a category may stay empty)."""

    into = forms.ModelChoiceField(label="认领到", queryset=Catalogue.objects.none(), empty_label=None)

    def __init__(self, *args, county, unresolved=(), **kwargs):
        super().__init__(*args, **kwargs)
        catalogues = Catalogue.objects.filter(county=county).order_by("-kind", "name")  # 县级标准模板 first
        self.fields["into"].queryset = catalogues
        self.unresolved = {}
        for n, (kind, text) in enumerate(unresolved):
            is_category = kind == "category"
            records = (county.categories if is_category else county.departments).order_by("order", "name")
            self.fields[f"name_{n}"] = forms.ModelChoiceField(
                label=f"省级目录的{'类别' if is_category else '部门'}“{text}”在本县对应",
                queryset=records,
                required=not is_category,
                empty_label="（留空）" if is_category else "请选择",
                help_text="所选对应关系会记住，以后的认领和导入照此识别。",
            )
            self.unresolved[f"name_{n}"] = (kind, text)

    def choices(self) -> dict:
        """The answers, as `claims.claim_entry` takes them."""
        return {
            pair: self.cleaned_data[name]
            for name, pair in self.unresolved.items()
            if self.cleaned_data.get(name) is not None
        }


class BulkClaimForm(forms.Form):
    into = forms.ModelChoiceField(label="全部认领到", queryset=Catalogue.objects.none(), empty_label=None)

    def __init__(self, *args, county, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Catalogue.objects.filter(county=county).order_by("-kind", "name")


class DropForm(forms.Form):
    reason = forms.CharField(
        label="不采用理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=500, required=False
    )

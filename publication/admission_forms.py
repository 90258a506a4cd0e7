"""Forms of 职责准入 and the annual review: they parse; the services decide."""

from django import forms

from catalog import permissions as catalog_permissions
from catalog.models import Category, Department, Township

from . import permissions
from .models import AdjustmentItem, Admission, EditionItem
from .services import Task

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class AdmissionForm(forms.Form):
    """A department's request: the task, its basis, the resources it brings, which townships, why."""

    department = forms.ModelChoiceField(Department.objects.none(), label="申请部门")
    name = forms.CharField(label="事项名称", max_length=200)
    content = forms.CharField(label="具体内容", widget=TEXTAREA)
    basis = forms.CharField(
        label="依据", widget=TEXTAREA, help_text="法律、法规、规章或政策文件的名称和条款。"
    )
    part = forms.ChoiceField(
        label="拟列入的清单类型",
        choices=[(part.value, part.label) for part in Admission.PARTS],
        widget=forms.RadioSelect,
    )
    category = forms.ModelChoiceField(Category.objects.none(), label="类别")
    funding = forms.CharField(label="经费保障", widget=TEXTAREA, required=False)
    staff = forms.CharField(label="人员保障", widget=TEXTAREA, required=False)
    equipment = forms.CharField(label="装备保障", widget=TEXTAREA, required=False)
    townships = forms.ModelMultipleChoiceField(
        Township.objects.none(),
        label="涉及乡镇（街道）",
        widget=forms.CheckboxSelectMultiple,
        help_text="只能选择已公布清单的乡镇（街道）。",
    )
    reason = forms.CharField(label="申请理由", widget=TEXTAREA)

    def __init__(self, *args, county, user, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(county=county).order_by("name")
        if not catalog_permissions.can_manage_county(user, county.pk):
            departments = departments.filter(pk__in=permissions.filing_departments(user))
        self.fields["department"].queryset = departments
        self.fields["category"].queryset = Category.objects.filter(county=county).order_by("order", "pk")
        self.fields["townships"].queryset = Township.objects.filter(
            county=county, current_edition__isnull=False
        ).order_by("order", "code")

    def task(self) -> Task:
        data = self.cleaned_data
        return Task(
            **{name: data[name] for name in ("name", "content", "basis", "part", "category", "funding")},
            **{name: data[name] for name in ("staff", "equipment", "reason")},
            townships=list(data["townships"]),
        )


class ActForm(forms.Form):
    """One step of a request: the move, the reason, the item cited, the 文号 of an approval."""

    event = forms.ChoiceField(label="办理结果", widget=forms.RadioSelect)
    note = forms.CharField(label="意见或理由", widget=TEXTAREA, required=False)
    cited = forms.ModelChoiceField(
        EditionItem.objects.none(), label="对应的现行事项", required=False, empty_label="（不引用）"
    )
    document_number = forms.CharField(label="批准文号", max_length=100, required=False)

    def __init__(self, *args, admission: Admission, matches: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [
            (event, label)
            for event, (label, sources, _) in Admission.MOVES.items()
            if admission.state in sources
        ]
        self.fields["cited"].queryset = EditionItem.objects.filter(pk__in=[row.pk for row in matches])
        self.fields["cited"].label_from_instance = lambda row: (
            f"{row.edition.township.name}：{row.name}（{row.get_part_display()}）"
        )


class ReviewAdjustmentForm(forms.Form):
    """履职体检: what to ask for the chosen items: removal, or reclaiming by a department."""

    action = forms.ChoiceField(
        label="调整方式",
        choices=[
            (AdjustmentItem.Action.REMOVE.value, "删除事项"),
            (AdjustmentItem.Action.MOVE.value, "调整为上级部门收回事项"),
        ],
        widget=forms.RadioSelect,
    )
    receiving_department = forms.ModelChoiceField(
        Department.objects.none(), label="收回（承接）部门", required=False
    )
    basis = forms.CharField(label="依据", widget=TEXTAREA)
    reason = forms.CharField(label="理由", widget=TEXTAREA, initial="年度履职体检：全年无履职记录。")

    def __init__(self, *args, county, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_department"].queryset = Department.objects.filter(county=county).order_by(
            "name"
        )

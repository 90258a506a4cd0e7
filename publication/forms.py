"""The public search form: words and filters, each optional."""

import uuid

from django import forms

from catalog.columns import WORK_FIELDS
from catalog.models import Category, Department, Part
from review.forms import DATE_INPUT

from . import search
from .models import AdjustmentItem, Feedback
from .services import RequestedChange


class SearchForm(forms.Form):
    """Words and filters, each optional. The page never lists every county: the area offers the
    levels just above and below the chosen one (`search.subareas`), and categories and departments
    are suggested only once the area is one county or township — a fixed number of queries and a
    page of bounded size however many counties publish. The template writes the fields itself
    (`publication/search.html`): Django's widget templates took half of a search's time."""

    PART_CHOICES = [("", "全部"), *Part.choices]

    q = forms.CharField(label="查找事项", max_length=50, required=False)
    area = forms.CharField(
        label="范围", max_length=9, required=False, help_text="选择省、市、县后可再逐级缩小范围。"
    )
    part = forms.ChoiceField(label="清单类型", choices=PART_CHOICES, required=False)
    category = forms.CharField(label="类别", max_length=50, required=False)
    department = forms.CharField(label="县级部门", max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = str(self.data.get("area") or "").strip() if self.is_bound else ""
        self.scope = search.find_area(code) if code else None
        self.area_problem = ""
        if code and search.area_level(code) is None:
            self.area_problem = "范围应为行政区划代码：省、市、县为 6 位数字，乡镇（街道）为 9 位数字。"
        elif code and self.scope is None:
            self.area_problem = f"没有区划代码为 {code[:9]} 的地区，请从列表中选择范围。"
        self.area_options = self.area_choices()
        self.category_options, self.department_options = [], []
        if self.scope is not None and self.scope.county_id is not None:
            for name, model in (("category", Category), ("department", Department)):
                names = (
                    model.objects.filter(county_id=self.scope.county_id)
                    .order_by("name")
                    .values_list("name", flat=True)
                )
                setattr(self, f"{name}_options", list(dict.fromkeys(names)))
        else:
            for name in ("category", "department"):
                self.fields[name].help_text = "选择县或乡镇（街道）后可从列表中选择。"

    @property
    def suggested(self):
        """The text fields with their suggestions: (bound field, names)."""
        return [(self["category"], self.category_options), (self["department"], self.department_options)]

    def area_choices(self) -> list[tuple[str, str]]:
        """全国, the chosen area and the levels above it, then the levels below it (indented)."""
        choices = [("", "全国")]
        area = self.scope
        if area is not None:
            choices += [(code, name) for code, name in area.path]
            choices.append((area.code, area.name))
        below = [
            (code, f"　{name}") for code, name in search.subareas(area) if area is None or code != area.code
        ]
        return choices + below

    def clean_area(self):
        if self.area_problem:
            raise forms.ValidationError(self.area_problem, code="area")
        return self.scope

    def has_query(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.fields)

    def filters(self) -> search.SearchFilters:
        data = self.cleaned_data
        return search.SearchFilters(
            q=data["q"].strip(),
            area=data["area"],
            part=data["part"],
            category=data["category"].strip(),
            department=data["department"].strip(),
        )


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label="反映的问题",
        choices=Feedback.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择反映的问题。"},
    )
    text = forms.CharField(
        label="具体情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请写明具体情况。", "max_length": "具体情况请控制在 2000 字以内。"},
    )
    contact = forms.CharField(label="联系方式（选填，仅工作人员可见）", max_length=100, required=False)


class AdjustmentForm(forms.Form):
    summary = forms.CharField(
        label="申请说明",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写申请说明，如依据哪部法规的修订。"},
    )


# How many items of the edition in force one search offers: the applicant narrows the words, the
# page never lists a whole edition.
ITEM_SEARCH_LIMIT = 20
# Rows an adjustment may ask for, and blank rows a page without scripts may ask for at once.
MAX_ROWS = 50
MAX_BLANK_ROWS = 10


def prefilled(row) -> dict:
    """A 修改 row for a published item, starting from its published values: a small change is a small edit."""
    return {
        "action": AdjustmentItem.Action.CHANGE,
        "key": str(row.key),
        "name": row.name,
        "content": getattr(row, WORK_FIELDS[row.part]),
        "lead_departments": row.lead_department_ids,
        "receiving_department": row.receiving_department_id,
        "basis": row.basis,
    }


class AdjustmentItemForm(forms.Form):
    """One requested change; a row left without 调整方式 is ignored.

    The item select offers only the row's own item: items are chosen by search (`ITEM_SEARCH_LIMIT`
    at a time), never from a list of the whole edition; any item of the edition is accepted."""

    action = forms.ChoiceField(
        label="调整方式", choices=[("", "（不填）"), *AdjustmentItem.Action.choices], required=False
    )
    key = forms.CharField(label="现行事项（修改、删除、调整类型时选择）", required=False, widget=forms.Select)
    name = forms.CharField(label="事项名称（新增或改名时填写）", max_length=200, required=False)
    part = forms.ChoiceField(
        label="清单类型（新增或调整类型时选择）", choices=[("", "—"), *Part.choices], required=False
    )
    category = forms.ModelChoiceField(Category.objects.none(), label="类别（新增时选择）", required=False)
    content = forms.CharField(
        label="具体内容或配合职责", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_departments = forms.ModelMultipleChoiceField(
        Department.objects.none(), label="县级主责部门（配合事项）", required=False
    )
    receiving_department = forms.ModelChoiceField(
        Department.objects.none(), label="收回部门（收回事项）", required=False
    )
    basis = forms.CharField(label="依据", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, edition, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        county = edition.township.county_id
        self.published = edition.published_by_key
        chosen = self.data.get(self.add_prefix("key")) if self.is_bound else self.initial.get("key")
        rows = [*offered, *([self.published[chosen]] if chosen in self.published else [])]
        self.fields["key"].widget.choices = [("", "—"), *dict((str(r.key), r.name) for r in rows).items()]
        self.fields["category"].queryset = Category.objects.filter(county_id=county).order_by("order")
        departments = Department.objects.filter(county_id=county).order_by("order", "name")
        self.fields["lead_departments"].queryset = departments
        self.fields["receiving_department"].queryset = departments
        for name in ("category", "lead_departments", "receiving_department"):
            self.fields[name].label_from_instance = lambda obj: obj.name

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if key and key not in self.published:
            raise forms.ValidationError("请选择现行清单中的事项。")
        return key

    def change(self) -> RequestedChange | None:
        data = self.cleaned_data
        if not data.get("action"):
            return None
        return RequestedChange(
            action=data["action"],
            key=uuid.UUID(data["key"]) if data.get("key") else None,
            name=data.get("name", ""),
            part=data.get("part", ""),
            category=data.get("category"),
            content=data.get("content", ""),
            lead_departments=list(data.get("lead_departments") or []),
            receiving_department=data.get("receiving_department"),
            basis=data.get("basis", ""),
            reason=data.get("reason", ""),
        )


AdjustmentItemFormSet = forms.formset_factory(
    AdjustmentItemForm, extra=0, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS
)


class DecideAdjustmentForm(forms.Form):
    approve = forms.TypedChoiceField(
        error_messages={"required": "请选择审核结果。", "invalid_choice": "请选择审核结果。"},
        label="审核结果",
        choices=[("1", "批准并公布新版本"), ("0", "不予批准")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    document_number = forms.CharField(label="批准文号", max_length=100, required=False)
    effective_on = forms.DateField(
        label="新版本施行日期",
        required=False,
        error_messages={"invalid": "施行日期格式应为 年-月-日。"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    """印发公布: from when the list applies, and the document that issues it."""

    effective_on = forms.DateField(
        label="施行日期",
        widget=DATE_INPUT,
        error_messages={"required": "请填写施行日期。", "invalid": "施行日期格式应为 年-月-日。"},
    )
    document_number = forms.CharField(
        label="印发文号",
        max_length=100,
        error_messages={"required": "请填写印发文号，如“示办发〔2025〕21号”。"},
    )


class FeedbackLookUpForm(forms.Form):
    number = forms.CharField(
        label="受理编号",
        max_length=30,
        help_text="提交反映后页面上显示的编号，如 20261201-7KQ2M9XD。",
        error_messages={"required": "请填写受理编号。"},
    )


class HandleFeedbackForm(forms.Form):
    """The county editor's handling of a report: 转办 to a unit, or 办结 with a reply."""

    action = forms.ChoiceField(
        label="处理方式",
        choices=[("forward", "转办"), ("close", "办结")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择处理方式。"},
    )
    forwarded_to = forms.CharField(label="转办单位（转办时填写）", max_length=100, required=False)
    reply = forms.CharField(
        label="答复反映人（凭受理编号可查看）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note = forms.CharField(
        label="内部处理情况（不公开）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

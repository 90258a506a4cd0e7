"""Forms of the review pages: parsing and checking input only; the rules live in
`review/services.py` and `review/workflow.py`."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from catalog.columns import COLUMN, WORK_FIELDS
from catalog.models import CatalogueEntry, Category, Department, DutyList, Membership, Part, Township

from . import queries, workflow
from .models import Comment

# A browser date picker only shows a value written as YYYY-MM-DD, whatever the locale prints.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def county_departments(county_id: int):
    return Department.objects.filter(county_id=county_id).order_by("order", "name")


class DepartmentChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class WindowForm(forms.Form):
    """一下 / 二下: which departments are asked, and by when."""

    departments = DepartmentChoices(
        queryset=Department.objects.none(),
        label="征求意见部门",
        error_messages={"required": "请至少选择一个征求意见的部门。"},
    )
    deadline = forms.DateField(
        label="反馈截止日期",
        widget=DATE_INPUT,
        error_messages={"required": "请填写反馈截止日期。", "invalid": "截止日期格式应为 年-月-日。"},
    )

    def __init__(self, *args, county_id: int, named: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        with_reviewers = queries.departments_with_reviewers(county_id)
        field = self.fields["departments"]
        field.queryset = county_departments(county_id)
        field.label_from_instance = lambda d: (
            d.name if d.pk in with_reviewers else f"{d.name}（暂无审核账号）"
        )
        field.help_text = (
            "默认勾选清单中作为主责或承接部门、且已有审核账号的部门；"
            "暂无审核账号的部门无人能提出意见，须先在后台为其开设账号。"
        )
        self.initial.setdefault("departments", [pk for pk in named if pk in with_reviewers])
        self.initial.setdefault("deadline", timezone.localdate() + timedelta(days=10))


class CloseWindowForm(forms.Form):
    """Closing a round before its deadline while departments are still working: said and confirmed."""

    early = forms.BooleanField(
        required=True, error_messages={"required": "提前结束须确认尚未反馈完毕的部门记为“未反馈”。"}
    )

    def __init__(self, *args, waiting: list[str], deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "early"
        ].label = (
            f"确认提前结束（截止日期 {deadline:%Y-%m-%d}）：尚未反馈完毕的{'、'.join(waiting)}将记为“未反馈”"
        )


class ExtendDeadlineForm(forms.Form):
    deadline = forms.DateField(
        label="新的截止日期",
        widget=DATE_INPUT,
        error_messages={"required": "请填写新的截止日期。", "invalid": "截止日期格式应为 年-月-日。"},
    )
    note = forms.CharField(label="说明（选填）", required=False, max_length=500)


class ConsulteeStepForm(forms.Form):
    """征求意见 / 研究论证: an optional deadline for the consultees."""

    deadline = forms.DateField(
        label="意见截止日期（选填）",
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": "截止日期格式应为 年-月-日。"},
    )


class ApprovalForm(forms.Form):
    """审定: the meeting, its date and the document number."""

    meeting = forms.CharField(
        label="审定会议",
        max_length=200,
        error_messages={"required": "请填写审定会议，如“县委常委会第12次会议”。"},
    )
    approved_on = forms.DateField(
        label="审定日期",
        widget=DATE_INPUT,
        error_messages={"required": "请填写审定日期。", "invalid": "审定日期格式应为 年-月-日。"},
    )
    document_number = forms.CharField(
        label="文号", max_length=100, error_messages={"required": "请填写文号，如“示委办发〔2025〕12号”。"}
    )


class CommentForm(forms.ModelForm):
    """A position on an item, on the list, or a proposed new item."""

    department = forms.ModelChoiceField(queryset=Department.objects.none(), label="署名部门", required=False)

    class Meta:
        model = Comment
        fields = [
            "position",
            "reason",
            "text",
            "proposed_name",
            "proposed_content",
            "proposed_part",
            "proposed_lead_departments",
            "proposed_receiving_department",
            "proposed_category",
        ]
        widgets = {
            "position": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 3}),
            "proposed_content": forms.Textarea(attrs={"rows": 3}),
            "proposed_lead_departments": forms.CheckboxSelectMultiple,
        }

    # The fields each position asks for, as the form groups them; the position, the signature and
    # 意见内容 are asked of every one. With the script only the chosen position's group shows.
    GROUPS = [
        ("不同意的理由", (Comment.Position.DISAGREE,), ("reason",)),
        (
            "建议修改的内容",
            (Comment.Position.MODIFY, Comment.Position.ADD),
            tuple(Comment.PROPOSAL_FIELDS) + ("proposed_category",),
        ),
    ]

    def __init__(
        self, *args, kind: str, county_id: int, departments=(), adding: bool = False, item=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        # The item's frozen values as the proposal fields take them: prefilled, and dropped when unchanged.
        self.current = current_values(item) if item is not None else {}
        self.fields["position"].choices = [
            c
            for c in Comment.Position.choices
            if (c[0] == Comment.Position.ADD) == adding and c[0] in Comment.POSITIONS[kind]
        ]
        if Comment.Position.DISAGREE not in Comment.POSITIONS[kind]:
            del self.fields["reason"]
        if Comment.Position.NOT_APPLICABLE in Comment.POSITIONS[kind]:
            self.fields["text"].label = "意见内容（“不适用本乡镇”须写明理由）"
        if adding:
            self.initial["position"] = Comment.Position.ADD
        self.fields["proposed_part"].choices = [("", "（不调整）"), *Part.choices]
        if "reason" in self.fields:
            self.fields["reason"].choices = [("", "（不同意时选择）"), *Comment.Reason.choices]
        for name in ("proposed_lead_departments", "proposed_receiving_department"):
            self.fields[name].queryset = county_departments(county_id)
            self.fields[name].label_from_instance = lambda obj: obj.name
        self.fields["proposed_category"].queryset = Category.objects.filter(county_id=county_id).order_by(
            "order"
        )
        if len(departments) > 1:
            self.fields["department"].queryset = Department.objects.filter(pk__in=[d.pk for d in departments])
            self.fields["department"].required = True
        else:
            del self.fields["department"]
        if not adding:
            del self.fields["proposed_category"]
        if item is None and not adding:  # a comment on the list as a whole proposes no wording
            for name in Comment.PROPOSAL_FIELDS:
                del self.fields[name]
        if item is not None:
            work = COLUMN[WORK_FIELDS[item.part]]
            self.fields["proposed_content"].label = f"建议{work.label}"
            self.fields["proposed_content"].widget.attrs["rows"] = max(work.rows, 3)
            # 建议修改 starts from the item's wording: a small change is a small edit.
            for name, value in self.current.items():
                self.initial.setdefault(name, value)

    def grouped(self) -> list[tuple[str, str, list]]:
        """The fields asked of every position, then each position's group: (legend, positions, fields)."""
        grouped_names = {name for _, _, names in self.GROUPS for name in names}
        groups = [("", "", [self[name] for name in self.fields if name not in grouped_names])]
        for legend, positions, names in self.GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                groups.append((legend, " ".join(positions), fields))
        return groups

    def clean(self):
        """What still reads as the item does now is no proposal: only the changed fields are kept."""
        data = super().clean()
        for name, value in self.current.items():
            given = data.get(name)
            if name == "proposed_lead_departments":
                unchanged = {d.pk for d in given or []} == set(value)
                data[name] = [] if unchanged else given
            elif name == "proposed_receiving_department":
                if given is not None and given.pk == value:
                    data[name] = None
            elif (given or "").strip() == (value or "").strip():
                data[name] = ""
        return data

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["proposed_lead_departments"] = list(data.get("proposed_lead_departments") or [])
        return data


def current_values(item) -> dict:
    """A submitted item's frozen values (or a template entry's own, read as they would be frozen) as
    the proposal fields take them, read through the column declaration (a proposed "content" is the
    wording of the column saying what the item's part does)."""
    values = {}
    for proposal, name in Comment.PROPOSAL_FIELDS.items():
        column = COLUMN[WORK_FIELDS[item.part] if name == "content" else name]
        if item.part in column.parts:
            name = column.frozen_ids or column.frozen_name
            live = isinstance(item, CatalogueEntry)
            values[proposal] = column.frozen_from(item)[name] if live else getattr(item, name)
    return values


class TemplateRoundForm(forms.Form):
    """A round on the county template: which townships are asked, and by when."""

    townships = forms.ModelMultipleChoiceField(
        queryset=Township.objects.none(),
        label="征求意见的乡镇（街道）",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个征求意见的乡镇（街道）。"},
    )
    deadline = WindowForm.base_fields["deadline"]

    def __init__(self, *args, county_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        with_officials = set(
            Membership.objects.filter(
                role=Membership.Role.TOWNSHIP_OFFICIAL, township__county_id=county_id
            ).values_list("township_id", flat=True)
        )
        field = self.fields["townships"]
        field.queryset = Township.objects.filter(county_id=county_id).order_by("order", "name")
        field.label_from_instance = lambda t: (
            t.name if t.pk in with_officials else f"{t.name}（暂无乡镇账号）"
        )
        field.help_text = "默认勾选已有乡镇（街道）干部账号的乡镇；暂无账号的乡镇无人能提出意见。"
        self.initial.setdefault("townships", sorted(with_officials))
        self.initial.setdefault("deadline", timezone.localdate() + timedelta(days=10))


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="采纳情况",
        choices=Comment.Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择采纳情况。"},
    )
    answer_reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    apply = forms.BooleanField(label="同时按此意见修改清单", required=False)
    # When the page was drawn: an answer given since by someone else is not overwritten.
    seen_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class BulkAnswerForm(forms.Form):
    comments = forms.ModelMultipleChoiceField(
        queryset=Comment.objects.none(), error_messages={"required": "请至少勾选一条意见。"}
    )
    answer = AnswerForm.base_fields["answer"]
    answer_reason = AnswerForm.base_fields["answer_reason"]
    seen_at = AnswerForm.base_fields["seen_at"]

    def __init__(self, *args, duty_list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comments"].queryset = Comment.objects.filter(duty_list=duty_list)


class RespondForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("1", "认可答复"), ("0", "坚持原意见")], coerce=lambda v: v == "1", label="回应"
    )
    note = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    outcome = forms.CharField(
        label="决定内容",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请写明决定内容。"},
    )
    part = forms.ChoiceField(label="确定的清单类型", required=False)
    lead_departments = DepartmentChoices(
        queryset=Department.objects.none(), label="确定的主责部门", required=False
    )
    receiving_department = forms.ModelChoiceField(
        queryset=Department.objects.none(), label="确定的收回（承接）部门", required=False
    )
    name = forms.CharField(label="确定的事项名称", max_length=200, required=False)
    content = forms.CharField(
        label="确定的内容表述", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    meeting = forms.CharField(label="会议", max_length=200, error_messages={"required": "请填写会议名称。"})
    decided_on = forms.DateField(
        label="决定日期",
        widget=DATE_INPUT,
        error_messages={"required": "请填写决定日期。", "invalid": "决定日期格式应为 年-月-日。"},
    )
    document_number = forms.CharField(label="文号（选填）", max_length=100, required=False)

    def __init__(self, *args, county_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part"].choices = [("", "（不调整）"), *Part.choices]
        self.fields["lead_departments"].queryset = county_departments(county_id)
        self.fields["receiving_department"].queryset = county_departments(county_id)
        self.fields["receiving_department"].label_from_instance = lambda obj: obj.name


# The steps after coordination that open a consultees' window.
CONSULTEE_STEPS = {"start_consultation", "start_deliberation"}


def form_for_action(transition, duty_list: DutyList, data=None) -> forms.Form | None:
    """The form a workflow action asks for on the review page, or None when it needs no input."""
    county_id = duty_list.township.county_id
    if transition.action == "open_comments":
        return WindowForm(
            data, county_id=county_id, named=queries.named_departments(duty_list), prefix="window"
        )
    if transition.action == "close_comments":
        window = workflow.open_window(duty_list)
        waiting = workflow.unfinished_departments(window) if window else []
        if not waiting or window.is_past_deadline():
            return None
        return CloseWindowForm(data, waiting=waiting, deadline=window.deadline, prefix="close")
    if transition.action == "approve":
        return ApprovalForm(data, prefix="approval")
    if transition.action in CONSULTEE_STEPS:
        return ConsulteeStepForm(data, prefix=transition.action)
    return None

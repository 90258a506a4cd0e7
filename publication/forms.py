"""The public search form: words and filters, each optional."""

from django import forms

from catalog.models import Category, County, Department, Part, Township

from .models import Feedback
from .queries import SearchFilters


class SearchForm(forms.Form):
    q = forms.CharField(label="查找事项", max_length=50, required=False)
    county = forms.ModelChoiceField(
        County.objects.filter(townships__editions__isnull=False).distinct(),
        label="县（市、区）",
        required=False,
        empty_label="全部",
    )
    township = forms.ModelChoiceField(
        Township.objects.filter(editions__isnull=False).distinct().order_by("county__code", "order"),
        label="乡镇（街道）",
        required=False,
        empty_label="全部",
    )
    part = forms.ChoiceField(label="清单类型", choices=[("", "全部"), *Part.choices], required=False)
    category = forms.ChoiceField(label="类别", required=False)
    department = forms.ChoiceField(label="县级部门", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = Category.objects.filter(county__townships__editions__isnull=False).values_list(
            "name", flat=True
        )
        departments = Department.objects.filter(county__townships__editions__isnull=False).values_list(
            "name", flat=True
        )
        self.fields["category"].choices = [("", "全部"), *((n, n) for n in sorted(set(categories)))]
        self.fields["department"].choices = [("", "全部"), *((n, n) for n in sorted(set(departments)))]

    def has_query(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.fields)

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            q=data["q"].strip(),
            county=data["county"].pk if data["county"] else None,
            township=data["township"].pk if data["township"] else None,
            part=data["part"],
            category=data["category"],
            department=data["department"],
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

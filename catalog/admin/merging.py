"""The back office's "合并到…": a thin caller of `catalog.merging` for offices, departments and categories."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse

from .. import merging
from ..models import Office
from ..refusals import REFUSALS, refusal_of
from .scoping import scope_choices_queryset


class MergeForm(forms.Form):
    kept = forms.ModelChoiceField(
        queryset=None, label="保留", help_text="所选记录的全部引用将移到这一条，所选记录随后删除。"
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept"].queryset = queryset


class MergeActionAdmin(admin.ModelAdmin):
    """Adds "合并到…": the selected duplicates move every reference to the record chosen, then go."""

    actions = ["merge_into"]

    @admin.action(description="合并到…")
    def merge_into(self, request, queryset):
        duplicates = list(queryset)
        if not duplicates:
            return None
        label = merging.label_of(duplicates[0])
        choices = scope_choices_queryset(self.model, request.user)
        if self.model is Office:  # an office merges only with another of its township
            choices = choices.filter(township__in={d.township_id for d in duplicates})
        form = MergeForm(request.POST if "apply" in request.POST else None, queryset=choices)
        if form.is_valid():
            kept = form.cleaned_data["kept"]
            merged = [d for d in duplicates if d.pk != kept.pk] if len(duplicates) > 1 else duplicates
            try:
                with transaction.atomic():
                    moved = sum(sum(merging.merge(d, kept, by=request.user).values()) for d in merged)
            except REFUSALS as error:
                self.message_user(request, refusal_of(error).message, messages.ERROR)
                return None
            names = "、".join(f"“{d.name}”" for d in merged)
            self.message_user(
                request,
                f"已将{label}{names}合并到“{kept.name}”，移动了 {moved} 处引用；原名称今后导入时自动对应到“{kept.name}”。",
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/catalog/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": f"合并{label}",
                "label": label,
                "opts": self.model._meta,
                "form": form,
                "duplicates": [(d, merging.reference_counts(d)) for d in duplicates],
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

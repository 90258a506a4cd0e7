"""Back office for reference data and drafts.

The back office is one more caller of the services: writes to duty items go
through `catalog.services` (permission, stage under the list's lock, version
check, history) exactly as the workbench's do. It never writes what the
workflow owns — a list's stage and version, an item's decision lock — and a
list cannot be restored from its history.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from .. import permissions, services
from ..columns import COLUMNS, FIELD_NAMES, WORK_FIELDS, part_columns
from ..forms import MoveToPartForm, PartFieldsForm, version_field
from ..models import (
    PUBLISHED_ORDER,
    County,
    Department,
    DutyItem,
    DutyList,
    Part,
    Township,
)
from ..refusals import REFUSALS, Conflict, refusal_of
from ..refused_views import show_on_form
from .scoping import (
    CountyScopedAdmin,
    SaveThroughServiceAdmin,
    admin_change_url,
    checked_id,
    posted_version,
    scope_choices_queryset,
)


@admin.register(DutyList)
class DutyListAdmin(CountyScopedAdmin):
    county_path = "township__county"
    list_display = ["title", "township", "year", "stage", "version", "basic", "coordinated", "reclaimed"]
    list_filter = ["township__county", "stage", "year"]
    list_select_related = ["township"]
    search_fields = ["title", "township__name"]
    autocomplete_fields = ["township"]
    readonly_fields = ["stage", "version", "created_at", "updated_at"]

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.is_county_editor(request.user)
        return permissions.can_edit_list(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # Deleting a list deletes its items and their history: system administrators only.
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # A list stays with its township: its items name that township's offices.
            return [*self.readonly_fields, "township"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            # Title and year only, on the row as it stands: the form's copy of the stage may be old.
            services.update_list_details(
                obj, title=form.cleaned_data["title"], year=form.cleaned_data["year"], by=request.user
            )
            return
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError as error:
            raise Conflict(
                f"{obj.township.name}已有尚未审定的清单，请在该清单中修改，不必新建。",
                code="open_list_exists",
            ) from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as error:
            # The list moved on (or another was opened) between the form's checks and the locked write.
            self.message_user(request, refusal_of(error).message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Earlier versions of a list can be read, never restored: its stage belongs to the workflow."""
        if request.method == "POST":
            raise PermissionDenied(
                "清单的阶段和版本只能由审核流程改变，不能从历史版本恢复；标题和年度请在修改页面中修改。"
            )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(**{f"{part}_total": Count("items", filter=Q(items__part=part)) for part in Part.values})
        )

    @admin.display(description="基本", ordering="basic_total")
    def basic(self, obj):
        return obj.basic_total

    @admin.display(description="配合", ordering="coordinated_total")
    def coordinated(self, obj):
        return obj.coordinated_total

    @admin.display(description="收回", ordering="reclaimed_total")
    def reclaimed(self, obj):
        return obj.reclaimed_total


class CountyFilter(admin.SimpleListFilter):
    title = "县（市、区）"
    parameter_name = "county"

    def lookups(self, request, model_admin):
        return [(str(county.pk), county.name) for county in scope_choices_queryset(County, request.user)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(duty_list__township__county_id=checked_id(self.value()))
        return queryset


class TownshipFilter(admin.SimpleListFilter):
    title = "乡镇（街道）"
    parameter_name = "township"

    def lookups(self, request, model_admin):
        return [(str(t.pk), t.name) for t in scope_choices_queryset(Township, request.user)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(duty_list__township_id=checked_id(self.value()))
        return queryset


class DepartmentFilter(admin.SimpleListFilter):
    """Items naming a department, as lead or as receiving department."""

    title = "县直部门"
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return [(str(d.pk), d.name) for d in scope_choices_queryset(Department, request.user)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.naming_department(checked_id(self.value()))
        return queryset


# Columns the back office shows with the item's source rather than with its text.
MARKS = ["is_safeguard", "origin"]


class DutyItemAdminForm(PartFieldsForm):
    expected_version = version_field()

    class Meta:
        model = DutyItem
        fields = ["duty_list", *FIELD_NAMES, "catalogue_entry"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The version stored now, not the instance's: a reverted historical
            # instance carries its old version number.
            self.fields["expected_version"].initial = self.stored_version()
        else:
            self.fields["expected_version"].required = False

    def stored_version(self) -> int | None:
        return DutyItem.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            current = self.stored_version()
            if current != expected:
                raise ValidationError(str(services.StaleItemError(self.instance, expected, current)))
        return cleaned


@admin.register(DutyItem)
class DutyItemAdmin(SaveThroughServiceAdmin):
    county_path = "duty_list__township__county"
    form = DutyItemAdminForm
    list_display = [
        "order",
        "name",
        "part",
        "category",
        "township",
        "office",
        "departments",
        "is_safeguard",
    ]
    list_display_links = ["name"]
    list_filter = [
        CountyFilter,
        TownshipFilter,
        "part",
        "category",
        DepartmentFilter,
        "is_safeguard",
        "origin",
    ]
    search_fields = ["name", "content"]
    list_per_page = 500
    autocomplete_fields = [
        "duty_list",
        "category",
        "responsible_office",
        "lead_departments",
        "receiving_department",
        "catalogue_entry",
    ]
    readonly_fields = ["key", "version"]
    actions = ["move_to_part"]
    fieldsets = [
        (
            None,
            {"fields": ["duty_list", *(c.name for c in COLUMNS if not c.by_part and c.name not in MARKS)]},
        ),
        *((part.label, {"fields": [c.name for c in part_columns(part)]}) for part in Part),
        ("来源与标记", {"fields": [*MARKS, "catalogue_entry", "key", "version", "expected_version"]}),
    ]

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.is_county_editor(request.user)
        return permissions.can_edit_item(request.user, obj)

    has_delete_permission = has_change_permission

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "duty_list"]  # an item stays in its list
        return self.readonly_fields

    def get_actions(self, request):
        # Deleting is the workbench's soft delete, one item at a time with its version.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_queryset(self, request, queryset):
        raise PermissionDenied("事项只能逐个删除（可在“已删除”中恢复）。")

    def delete_model(self, request, obj):
        services.delete_item(
            obj, by=request.user, reason="后台删除", expected_version=posted_version(request)
        )

    def delete_view(self, request, object_id, extra_context=None):
        stored = DutyItem.objects.filter(pk=object_id).values_list("version", flat=True).first()
        try:
            return super().delete_view(
                request, object_id, {**(extra_context or {}), "stored_version": stored}
            )
        except REFUSALS as error:
            self.message_user(request, refusal_of(error).message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def revert_disabled(self, request, obj=None):
        current = obj and DutyItem.objects.select_related("duty_list__township").get(pk=obj.pk)
        return current is None or not permissions.can_edit_item(request.user, current)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Restoring a version is the workbench's revert: permission, stage, version check, history."""
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        item = get_object_or_404(DutyItem.objects.select_related("duty_list__township"), pk=object_id)
        if not self.has_view_permission(request, item):
            raise PermissionDenied("您无权查看该事项。")
        record = get_object_or_404(DutyItem.history.all(), id=item.pk, history_id=version_id)
        try:
            services.revert_item(
                item,
                record,
                by=request.user,
                reason="在后台恢复",
                expected_version=posted_version(request),
            )
        except REFUSALS as error:
            self.message_user(request, refusal_of(error).message, messages.ERROR)
            return HttpResponseRedirect(request.path)
        self.message_user(request, f"已将“{item.name}”恢复到第 {record.version} 版。", messages.SUCCESS)
        return HttpResponseRedirect(admin_change_url(item))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("duty_list__township", "category", "responsible_office", "receiving_department")
            .prefetch_related("lead_departments")
        )

    def get_ordering(self, request):
        return PUBLISHED_ORDER

    @admin.display(description="乡镇（街道）", ordering="duty_list__township__order")
    def township(self, obj):
        return obj.duty_list.township.name

    @admin.display(description="责任科室", ordering="responsible_office__name")
    def office(self, obj):
        return obj.responsible_office.name if obj.responsible_office else "—"

    @admin.display(description="县级部门")
    def departments(self, obj):
        if obj.part == Part.RECLAIMED:
            return obj.receiving_department.name if obj.receiving_department else "—"
        return "、".join(d.name for d in obj.lead_departments.all()) or "—"

    def save_model(self, request, obj, form, change):
        services.save_item(
            obj,
            lead_departments=form.cleaned_data.get("lead_departments"),
            by=request.user,
            reason="后台修改" if change else "后台新增",
            expected_version=form.cleaned_data.get("expected_version") if change else None,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleItemError as error:
            # Someone saved between the form's check and the locked write.
            self.message_user(request, refusal_of(error).message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    @admin.action(description="将所选事项移入其他清单类型")
    def move_to_part(self, request, queryset):
        if not queryset.exists():
            self.message_user(request, "所选事项不存在或不在您管理的范围内。", messages.ERROR)
            return None
        locked = [item.name for item in queryset if not permissions.can_edit_item(request.user, item)]
        if locked:
            self.message_user(
                request, f"以下事项所在清单当前阶段不可修改：{'、'.join(locked)}。", messages.ERROR
            )
            return None
        counties = County.objects.filter(townships__duty_lists__items__in=queryset).distinct()
        status = 200
        if "apply" in request.POST:
            form = MoveToPartForm(
                request.POST, departments=Department.objects.filter(county__in=counties), versioned=False
            )
            if form.is_valid():
                try:
                    moved = services.move_items_to_part(
                        queryset,
                        part=form.cleaned_data["part"],
                        reason=form.cleaned_data["reason"],
                        by=request.user,
                        lead_departments=form.cleaned_data["lead_departments"],
                        receiving_department=form.cleaned_data["receiving_department"],
                        work=form.cleaned_data["work"],
                    )
                except REFUSALS as error:
                    status = show_on_form(form, error, fields=dict.fromkeys(WORK_FIELDS.values(), "work"))
                else:
                    self.message_user(
                        request,
                        f"已将 {moved} 个事项移入{Part(form.cleaned_data['part']).label}。",
                        messages.SUCCESS,
                    )
                    return None
        else:
            form = MoveToPartForm(departments=Department.objects.filter(county__in=counties), versioned=False)
        return TemplateResponse(
            request,
            "admin/catalog/dutyitem/move_to_part.html",
            {
                **self.admin_site.each_context(request),
                "title": "移动事项",
                "opts": self.model._meta,
                "form": form,
                "items": queryset.select_related("duty_list__township", "category"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
            status=status,
        )

"""Back office for reference data and drafts.

The back office is one more caller of the services: writes to duty items go
through `catalog.services` (permission, stage under the list's lock, version
check, history) exactly as the workbench's do. It never writes what the
workflow owns — a list's stage and version, an item's decision lock — and a
list cannot be restored from its history.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from . import permissions, services
from .forms import PART_FORM_FIELDS, MoveToPartForm, PartFieldsForm, version_field
from .models import (
    ITEM_COLUMNS,
    PUBLISHED_ORDER,
    Catalogue,
    CatalogueEntry,
    Category,
    County,
    Department,
    DutyItem,
    DutyList,
    Membership,
    Office,
    Part,
    Township,
)


class CountyScopedAdmin(SimpleHistoryAdmin):
    """Back-office pages a county editor sees for their own county only.

    `county_path` leads from the model to its county. Access follows
    `catalog.permissions`, not Django's per-model permission flags.
    """

    county_path = "county"

    def history_view(self, request, object_id, extra_context=None):
        if not hasattr(self.model, "history"):  # a record without versions: the admin's own log
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def county_id_of(self, obj) -> int:
        *steps, last = self.county_path.split("__")
        for step in steps:
            obj = getattr(obj, step)
        return obj.pk if last == "pk" else getattr(obj, f"{last}_id")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.county_path}__in": permissions.edited_county_ids(request.user)})

    def has_module_permission(self, request):
        return permissions.is_county_editor(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return permissions.is_county_editor(request.user)
        return permissions.can_manage_county(request.user, self.county_id_of(obj))

    has_change_permission = has_delete_permission = has_view_permission

    def has_add_permission(self, request):
        return permissions.is_county_editor(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return scope_choices(field, request.user)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return scope_choices(field, request.user)

    def get_list_filter(self, request):
        """Filters on a related record offer only the records of the editor's counties."""
        return [scoped_filter(self.model, entry) for entry in super().get_list_filter(request)]


# How each referenced model leads to its county, for narrowing form choices.
COUNTY_PATHS = {
    County: "pk",
    Township: "county",
    Office: "township__county",
    Department: "county",
    Category: "county",
    Catalogue: "county",
    CatalogueEntry: "catalogue__county",
    DutyList: "township__county",
}


def scope_choices_queryset(model, user, queryset=None):
    """Rows of `model` in the counties the user edits (all of them for a superuser)."""
    queryset = model._default_manager.all() if queryset is None else queryset
    path = COUNTY_PATHS.get(model)
    if user.is_superuser or path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": permissions.edited_county_ids(user)})


def scope_choices(field, user):
    """Offer only rows of the counties the user edits."""
    if field is not None and hasattr(field, "queryset"):
        field.queryset = scope_choices_queryset(field.queryset.model, user, field.queryset)
    return field


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A sidebar filter on a related record listing only the counties' own records."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        path = COUNTY_PATHS.get(field.related_model)
        if request.user.is_superuser or path is None:
            return field.get_choices(include_blank=False, ordering=ordering)
        limit = {f"{path}__in": permissions.edited_county_ids(request.user)}
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)


def scoped_filter(model, entry):
    """`entry` of a `list_filter`, with a relation's choices scoped to the editor's counties."""
    if not isinstance(entry, str):
        return entry
    field = None
    for name in entry.split("__"):
        field = (field.related_model if field is not None else model)._meta.get_field(name)
    if field.is_relation and field.related_model in COUNTY_PATHS:
        return (entry, ScopedRelatedFieldListFilter)
    return entry


@admin.register(County)
class CountyAdmin(CountyScopedAdmin):
    county_path = "pk"
    list_display = ["name", "code", "township_count", "department_count"]
    search_fields = ["name", "code"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                township_total=Count("townships", distinct=True),
                department_total=Count("departments", distinct=True),
            )
        )

    @admin.display(description="乡镇（街道）数", ordering="township_total")
    def township_count(self, obj):
        return obj.township_total

    @admin.display(description="县直部门数", ordering="department_total")
    def department_count(self, obj):
        return obj.department_total


@admin.register(Township)
class TownshipAdmin(CountyScopedAdmin):
    list_display = ["name", "code", "kind", "county", "order"]
    list_filter = ["county", "kind"]
    list_select_related = ["county"]
    search_fields = ["name", "code"]


@admin.register(Office)
class OfficeAdmin(CountyScopedAdmin):
    county_path = "township__county"
    list_display = ["name", "township", "order"]
    list_filter = ["township__county", "township"]
    list_select_related = ["township"]
    search_fields = ["name", "township__name"]
    autocomplete_fields = ["township"]


@admin.register(Department)
class DepartmentAdmin(CountyScopedAdmin):
    list_display = ["name", "short_name", "county", "order"]
    list_filter = ["county"]
    list_select_related = ["county"]
    search_fields = ["name", "short_name"]


@admin.register(Category)
class CategoryAdmin(CountyScopedAdmin):
    list_display = ["name", "parent", "county", "order"]
    list_filter = ["county"]
    list_select_related = ["county", "parent"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


@admin.register(Catalogue)
class CatalogueAdmin(CountyScopedAdmin):
    list_display = ["name", "kind", "county", "entry_count"]
    list_filter = ["county", "kind"]
    list_select_related = ["county"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_total=Count("entries"))

    @admin.display(description="事项数", ordering="entry_total")
    def entry_count(self, obj):
        return obj.entry_total


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
                obj, title=form.cleaned_data["title"], year=form.cleaned_data["year"], user=request.user
            )
            return
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError as error:
            raise ValidationError(
                f"{obj.township.name}已有尚未审定的清单，请在该清单中修改，不必新建。"
            ) from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (PermissionDenied, ValidationError) as error:
            # The list moved on (or another was opened) between the form's checks and the locked write.
            self.message_user(request, "；".join(refusal_messages(error)), messages.ERROR)
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


def refusal_messages(error: Exception) -> list[str]:
    """The Chinese sentences of a service's refusal."""
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]


def checked_id(value: str) -> int:
    """A row id from a filter's query string; anything else shows the filter error page."""
    if not value.isdigit():
        raise IncorrectLookupParameters(f"筛选条件“{value}”无效。")
    return int(value)


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


# Catalogue entries are county-wide: they name no township office.
ENTRY_PART_FIELDS = [name for name in PART_FORM_FIELDS if name != "responsible_office"]


class CatalogueEntryAdminForm(PartFieldsForm):
    class Meta:
        model = CatalogueEntry
        fields = [
            "catalogue",
            "part",
            "category",
            "order",
            "name",
            "content",
            "basis",
            *ENTRY_PART_FIELDS,
            "is_safeguard",
            "is_mandatory",
        ]


class DutyItemAdminForm(PartFieldsForm):
    expected_version = version_field()

    class Meta:
        model = DutyItem
        fields = ["duty_list", *ITEM_COLUMNS, "catalogue_entry"]

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


class SaveThroughServiceAdmin(CountyScopedAdmin):
    """Saves rows with lead departments through `catalog.services` (one history record each)."""

    def save_related(self, request, form, formsets, change):
        # The service already wrote the lead departments together with the row.
        form.save_m2m = lambda: None
        super().save_related(request, form, formsets, change)


def posted_version(request) -> int:
    """The version of the item the page was drawn from; a form without it is refused."""
    value = request.POST.get("expected_version", "")
    if not value.isdigit():
        raise ValidationError("缺少版本号，请刷新页面后重试。")
    return int(value)


def admin_change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@admin.register(CatalogueEntry)
class CatalogueEntryAdmin(SaveThroughServiceAdmin):
    county_path = "catalogue__county"
    form = CatalogueEntryAdminForm
    list_display = ["name", "part", "category", "catalogue", "is_mandatory", "is_safeguard"]
    list_filter = ["catalogue__county", "catalogue", "part", "is_mandatory", "is_safeguard"]
    list_select_related = ["catalogue", "category"]
    search_fields = ["name", "content"]
    autocomplete_fields = ["catalogue", "category", "lead_departments", "receiving_department"]

    def save_model(self, request, obj, form, change):
        services.save_catalogue_entry(
            obj, lead_departments=form.cleaned_data.get("lead_departments"), user=request.user
        )


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
        (None, {"fields": ["duty_list", "part", "category", "order", "name", "content", "basis", "remarks"]}),
        ("基本履职事项", {"fields": ["responsible_office"]}),
        ("配合履职事项", {"fields": ["lead_departments", "department_duties", "township_duties", "support"]}),
        ("上级部门收回事项", {"fields": ["receiving_department", "reclaim_reason"]}),
        (
            "来源与标记",
            {"fields": ["is_safeguard", "origin", "catalogue_entry", "key", "version", "expected_version"]},
        ),
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
            obj, user=request.user, reason="后台删除", expected_version=posted_version(request)
        )

    def delete_view(self, request, object_id, extra_context=None):
        stored = DutyItem.objects.filter(pk=object_id).values_list("version", flat=True).first()
        try:
            return super().delete_view(
                request, object_id, {**(extra_context or {}), "stored_version": stored}
            )
        except (PermissionDenied, ValidationError, services.StaleItemError) as error:
            self.message_user(request, "；".join(refusal_messages(error)), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def revert_disabled(self, request, obj=None):
        current = obj and DutyItem.objects.select_related("duty_list__township").get(pk=obj.pk)
        return current is None or not permissions.can_edit_item(request.user, current)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Restoring a version is the workbench's revert: permission, stage, version check, history."""
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        item = get_object_or_404(self.get_queryset(request), pk=object_id)
        record = get_object_or_404(DutyItem.history.all(), id=item.pk, history_id=version_id)
        try:
            services.revert_item(
                item,
                record,
                user=request.user,
                reason="在后台恢复",
                expected_version=posted_version(request),
            )
        except (PermissionDenied, ValidationError, services.StaleItemError) as error:
            self.message_user(request, "；".join(refusal_messages(error)), messages.ERROR)
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
            user=request.user,
            reason="后台修改" if change else "后台新增",
            expected_version=form.cleaned_data.get("expected_version") if change else None,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleItemError as error:
            # Someone saved between the form's check and the locked write.
            self.message_user(request, str(error), messages.ERROR)
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
                        user=request.user,
                        lead_departments=form.cleaned_data["lead_departments"],
                        receiving_department=form.cleaned_data["receiving_department"],
                        reclaim_reason=form.cleaned_data["reclaim_reason"],
                        township_duties=form.cleaned_data["township_duties"],
                    )
                except ValidationError as error:
                    for message in error.messages:
                        form.add_error(None, message)
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
        )


@admin.register(Membership)
class MembershipAdmin(CountyScopedAdmin):
    list_display = ["user", "role", "county", "township", "department", "title"]
    list_filter = ["county", "role"]
    list_select_related = ["user", "county", "township", "department"]
    search_fields = ["user__username", "user__first_name", "title"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            # Accounts of the editor's counties and accounts with no role yet; never other counties' people.
            counties = permissions.edited_county_ids(request.user)
            field.queryset = field.queryset.filter(
                Q(memberships__county__in=counties) | Q(memberships__isnull=True)
            ).distinct()
        return field

"""What every back-office page shares: scoped to the editor's county, and refusals shown in Chinese."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from .. import permissions
from ..models import (
    Catalogue,
    CatalogueEntry,
    Category,
    County,
    Department,
    DutyList,
    Office,
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


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside a record, never edited there."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(CountyScopedAdmin):
    """Records of what happened: only the workflow, the services or the workers write them (review's
    records, editions, webhook deliveries)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version may be looked at, never restored: only the workflow writes these records."""
        if request.method == "POST":
            raise PermissionDenied("这些记录只能由审核流程写入，不能在后台恢复或修改。")
        return super().history_form_view(request, object_id, version_id, extra_context)


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


def checked_id(value: str) -> int:
    """A row id from a filter's query string; anything else shows the filter error page."""
    if not value.isdigit():
        raise IncorrectLookupParameters(f"筛选条件“{value}”无效。")
    return int(value)


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

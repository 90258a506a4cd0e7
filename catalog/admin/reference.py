"""Back-office pages of a county's reference data: townships, offices, departments, categories,
catalogues with their entries, and who holds which role."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from .. import permissions, services, synonyms
from ..forms import PART_FORM_FIELDS, PartFieldsForm
from ..models import (
    Catalogue,
    CatalogueEntry,
    Category,
    County,
    Department,
    Membership,
    NameAlias,
    Office,
    Synonym,
    Township,
)
from .merging import MergeActionAdmin
from .scoping import CountyScopedAdmin, SaveThroughServiceAdmin


@admin.register(County)
class CountyAdmin(CountyScopedAdmin):
    county_path = "pk"
    list_display = ["name", "code", "city", "township_count", "department_count"]
    list_select_related = ["city"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Where a county sits above is national reference data, not the county's to move.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else [*readonly, "city"]

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
class OfficeAdmin(MergeActionAdmin, CountyScopedAdmin):
    county_path = "township__county"
    list_display = ["name", "township", "order"]
    list_filter = ["township__county", "township"]
    list_select_related = ["township"]
    search_fields = ["name", "township__name"]
    autocomplete_fields = ["township"]


@admin.register(Department)
class DepartmentAdmin(MergeActionAdmin, CountyScopedAdmin):
    list_display = ["name", "short_name", "county", "order"]
    list_filter = ["county"]
    list_select_related = ["county"]
    search_fields = ["name", "short_name"]


@admin.register(Category)
class CategoryAdmin(MergeActionAdmin, CountyScopedAdmin):
    list_display = ["name", "parent", "county", "order"]
    list_filter = ["county"]
    list_select_related = ["county", "parent"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


@admin.register(Catalogue)
class CatalogueAdmin(CountyScopedAdmin):
    list_display = ["name", "kind", "is_illustrative", "county", "entry_count", "workbook"]
    list_filter = ["county", "kind", "is_illustrative"]
    list_select_related = ["county"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_total=Count("entries"))

    def get_readonly_fields(self, request, obj=None):
        # A province's catalogue is its editors' (on the workbench) or the system administrators'.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else [*readonly, "province"]

    @admin.display(description="事项数", ordering="entry_total")
    def entry_count(self, obj):
        return obj.entry_total

    @admin.display(description="Excel")
    def workbook(self, obj):
        return format_html(
            '<a href="{}">导出 Excel</a> · <a href="{}">导入 Excel</a>',
            reverse("catalog:catalogue_export", args=[obj.pk]),
            reverse("catalog:catalogue_import", args=[obj.pk]),
        )


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
            obj, lead_departments=form.cleaned_data.get("lead_departments"), by=request.user
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


@admin.register(NameAlias)
class NameAliasAdmin(CountyScopedAdmin):
    """The names imports map to existing records: read here, removed here when a choice was wrong."""

    list_display = ["text", "kind", "target_name", "township", "created_by", "created_at"]
    list_filter = ["county", "kind"]
    list_select_related = ["county", "township", "office", "department", "category", "created_by"]
    search_fields = ["text"]
    readonly_fields = ["merged_id", "created_by", "created_at"]
    autocomplete_fields = ["township", "office", "department", "category"]

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="对应到")
    def target_name(self, obj):
        return obj.target.name


class SynonymAdminForm(forms.ModelForm):
    class Meta:
        model = Synonym
        fields = ["county", "word", "terms"]

    def _post_clean(self):
        super()._post_clean()
        for field, (_code, message) in synonyms.synonym_problems(self.instance).items():
            if field not in self.errors:
                self.add_error(field, message)


@admin.register(Synonym)
class SynonymAdmin(CountyScopedAdmin):
    """近义词 the public search and the 12345 lookup expand words with; written through the service."""

    form = SynonymAdminForm
    list_display = ["word", "terms", "county"]
    list_filter = ["county"]
    list_select_related = ["county"]
    search_fields = ["word", "terms"]

    def save_model(self, request, obj, form, change):
        synonyms.save_synonym(obj, by=request.user)

    def delete_model(self, request, obj):
        synonyms.delete_synonym(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for synonym in queryset:
            synonyms.delete_synonym(synonym, by=request.user)

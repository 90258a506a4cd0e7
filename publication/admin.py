"""Back office for published editions: read-only, since an edition never changes."""

from django.contrib import admin

from review.admin import ReadOnlyAdmin

from .models import Edition, EditionChange


class EditionChangeInline(admin.TabularInline):
    model = EditionChange
    fields = ["kind", "name", "before_part", "after_part", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Edition)
class EditionAdmin(ReadOnlyAdmin):
    county_path = "township__county"
    list_display = ["township", "number", "effective_on", "document_number", "item_count", "published_at"]
    list_filter = ["effective_on"]
    list_select_related = ["township"]
    inlines = [EditionChangeInline]

    @admin.display(description="事项数")
    def item_count(self, obj):
        return obj.item_count

"""Back office for published editions: read-only, since an edition never changes."""

from django.contrib import admin
from django.utils import timezone

from catalog.admin import CountyScopedAdmin
from review.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Adjustment, AdjustmentItem, Edition, EditionChange, Feedback


class EditionChangeInline(ReadOnlyInline):
    model = EditionChange
    fields = ["kind", "name", "before_part", "after_part", "reason"]


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


@admin.register(Feedback)
class FeedbackAdmin(CountyScopedAdmin):
    """Visitors' reports: the county editor reads them and records how each was handled."""

    county_path = "township__county"
    list_display = ["item_name", "township", "kind", "created_at", "handled_at"]
    list_filter = ["kind", ("handled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["township"]
    search_fields = ["item_name", "text"]
    fields = ["township", "item_name", "kind", "text", "contact", "created_at", "handling_note", "handled_at"]
    readonly_fields = ["township", "item_name", "kind", "text", "contact", "created_at", "handled_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a citizen's report is kept, handled or not

    def save_model(self, request, obj, form, change):
        if obj.handling_note and obj.handled_at is None:
            obj.handled_at, obj.handled_by = timezone.now(), request.user
        super().save_model(request, obj, form, change)


class AdjustmentItemInline(ReadOnlyInline):
    model = AdjustmentItem
    fields = ["action", "name", "part", "basis", "reason"]


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyAdmin):
    """Adjustments are filed and decided in the workbench (/work/adjustments/); here they are read."""

    county_path = "township__county"
    list_display = ["township", "signature", "filed_at", "state", "document_number"]
    list_filter = ["state"]
    list_select_related = ["township"]
    inlines = [AdjustmentItemInline]

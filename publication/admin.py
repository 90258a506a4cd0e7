"""Back office for published editions: read-only, since an edition never changes."""

from django.contrib import admin

from catalog.admin.scoping import CountyScopedAdmin, ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Adjustment,
    AdjustmentItem,
    Admission,
    AdmissionPolicy,
    AdmissionStep,
    Edition,
    EditionChange,
    Feedback,
)


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
class FeedbackAdmin(ReadOnlyAdmin):
    """Visitors' reports are handled (转办, 办结 with a reply) in the workbench (/work/feedback/); here
    they are read."""

    county_path = "township__county"
    list_display = ["receipt_number", "item_name", "township", "kind", "created_at", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["township"]
    search_fields = ["receipt_number", "item_name", "text"]
    fields = [
        "receipt_number",
        "township",
        "item_name",
        "kind",
        "text",
        "contact",
        "created_at",
        "status",
        "forwarded_to",
        "reply",
        "handling_note",
        "handled_by",
        "handled_at",
    ]


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


@admin.register(AdmissionPolicy)
class AdmissionPolicyAdmin(CountyScopedAdmin):
    """Which department reviews 职责准入 requests for legality (司法局), and each stage's time limit."""

    list_display = ["county", "legality_department", "review_days", "legality_days", "approval_days"]
    list_select_related = ["county", "legality_department"]


class AdmissionStepInline(ReadOnlyInline):
    model = AdmissionStep
    fields = ["at", "event", "before", "after", "by", "note"]


@admin.register(Admission)
class AdmissionAdmin(ReadOnlyAdmin):
    """Requests are filed and moved on in the workbench (/work/admissions/); here they are read."""

    list_display = ["name", "department", "filed_at", "state", "deadline", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["department"]
    inlines = [AdmissionStepInline]

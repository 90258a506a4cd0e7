"""Back office for the review: a county's optional steps and reply templates are edited here;
everything the review records (stage log, submissions, windows and their deadline extensions,
comments and their replies, disputes, decisions, approvals) is read-only, since only the workflow and the review services write it."""

from django.contrib import admin
from django.db.models import Q

from catalog import permissions
from catalog.admin import CountyScopedAdmin
from catalog.admin.scoping import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Approval,
    Comment,
    CommentWindow,
    DeadlineExtension,
    Decision,
    Dispute,
    Reply,
    ReplyTemplate,
    ReviewPolicy,
    StageChange,
    Submission,
)


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(CountyScopedAdmin):
    list_display = [
        "county",
        "has_consultation",
        "has_deliberation",
        "has_congress_review",
        "missing_mandatory",
    ]
    list_select_related = ["county"]


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    county_path = "duty_list__township__county"
    list_display = ["duty_list", "from_stage", "to_stage", "changed_by", "changed_at"]
    list_filter = ["to_stage"]
    list_select_related = ["duty_list", "changed_by"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    county_path = "duty_list__township__county"
    list_display = ["duty_list", "round", "submitted_by", "submitted_at", "list_version"]
    list_select_related = ["duty_list", "submitted_by"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(CountyScopedAdmin):
    list_display = ["text", "answer", "county", "order"]
    list_filter = ["answer"]
    list_select_related = ["county"]


class DeadlineExtensionInline(ReadOnlyInline):
    model = DeadlineExtension
    fields = ["previous_deadline", "deadline", "extended_by", "extended_at", "note"]


class ReplyInline(ReadOnlyInline):
    model = Reply
    fields = ["kind", "answer", "text", "by", "at"]


class OnListOrTemplate(ReadOnlyAdmin):
    """Windows and comments are on a township's submission or on the county template: the county is
    reached by either path."""

    county_path = "duty_list__township__county"
    template_path = ""  # to the county through the catalogue

    def county_id_of(self, obj) -> int:
        return (obj if isinstance(obj, CommentWindow) else obj.window).county_id

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        counties = permissions.edited_county_ids(request.user)
        return queryset.filter(
            Q(**{f"{self.county_path}__in": counties}) | Q(**{f"{self.template_path}__in": counties})
        )


@admin.register(CommentWindow)
class CommentWindowAdmin(OnListOrTemplate):
    template_path = "catalogue__county"
    inlines = [DeadlineExtensionInline]
    list_display = ["__str__", "kind", "deadline", "opened_at", "closed_at"]
    list_filter = ["kind"]
    list_select_related = ["duty_list", "submission__duty_list", "catalogue"]


@admin.register(Comment)
class CommentAdmin(OnListOrTemplate):
    template_path = "window__catalogue__county"
    inlines = [ReplyInline]
    list_display = ["item_name", "signature", "position", "state", "answer", "duty_list", "created_at"]
    list_filter = ["position", "state", "answer"]
    search_fields = ["item_name", "text", "answer_reason", "signature"]
    list_select_related = ["duty_list", "window__catalogue"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    county_path = "duty_list__township__county"
    list_display = ["item_name", "signature", "duty_list", "is_escalated", "raised_at"]
    list_select_related = ["duty_list"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    county_path = "dispute__duty_list__township__county"
    list_display = ["dispute", "outcome", "meeting", "decided_on", "document_number", "decided_by"]
    list_select_related = ["dispute__duty_list", "decided_by"]


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    county_path = "duty_list__township__county"
    list_display = ["duty_list", "meeting", "approved_on", "document_number", "recorded_by"]
    list_select_related = ["duty_list", "recorded_by"]

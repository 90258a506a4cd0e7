"""Back office for the review: a county's optional steps; the stage log and submissions, read-only."""

from django.contrib import admin

from catalog.admin import CountyScopedAdmin

from .models import ReviewPolicy, StageChange, Submission


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(CountyScopedAdmin):
    list_display = ["county", "has_consultation", "has_deliberation", "has_congress_review"]
    list_select_related = ["county"]


class ReadOnlyAdmin(CountyScopedAdmin):
    """Records of what happened: only the workflow writes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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

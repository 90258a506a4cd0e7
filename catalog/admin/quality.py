"""Back-office pages of a county's quality check: its settings and the phrases it counts as vague,
saved and deleted through `catalog.quality`'s services (the form has run the model's checks first)."""

from django.contrib import admin

from .. import quality
from ..models import QualityPolicy, VaguePhrase
from .scoping import CountyScopedAdmin


class ServiceWrittenAdmin(CountyScopedAdmin):
    """Every save and delete, the bulk delete included, is a call of the concern's service."""

    services: tuple = ()  # (save, delete), each taking the row and `by=`

    def save_model(self, request, obj, form, change):
        self.services[0](obj, by=request.user)

    def delete_model(self, request, obj):
        self.services[1](obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(QualityPolicy)
class QualityPolicyAdmin(ServiceWrittenAdmin):
    services = (quality.save_quality_policy, quality.delete_quality_policy)
    list_display = ["county", "similarity_threshold"]
    list_select_related = ["county"]


@admin.register(VaguePhrase)
class VaguePhraseAdmin(ServiceWrittenAdmin):
    services = (quality.save_vague_phrase, quality.delete_vague_phrase)
    list_display = ["phrase", "note", "is_illustrative", "county"]
    list_filter = ["county", "is_illustrative"]
    list_select_related = ["county"]
    search_fields = ["phrase", "note"]

"""The levels above the county in the back office: kept by system administrators only.

Provinces, cities and the editors who supervise from them are national reference data; a county
editor sees their county's city (read-only on the county's page) and never grants a supervising role.
"""

from django.contrib import admin
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from ..models import City, Province, RegionMembership


class SuperuserAdmin(SimpleHistoryAdmin):
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_change_permission = has_delete_permission = has_view_permission

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Province)
class ProvinceAdmin(SuperuserAdmin):
    list_display = ["name", "code", "city_count"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(city_total=Count("cities"))

    @admin.display(description="市数", ordering="city_total")
    def city_count(self, obj):
        return obj.city_total


@admin.register(City)
class CityAdmin(SuperuserAdmin):
    list_display = ["name", "code", "province", "county_count"]
    list_filter = ["province"]
    list_select_related = ["province"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(county_total=Count("counties"))

    @admin.display(description="县数", ordering="county_total")
    def county_count(self, obj):
        return obj.county_total


@admin.register(RegionMembership)
class RegionMembershipAdmin(SuperuserAdmin):
    list_display = ["user", "role", "province", "city", "title"]
    list_filter = ["role", "province"]
    list_select_related = ["user", "province", "city"]
    search_fields = ["user__username", "user__first_name", "title"]
    autocomplete_fields = ["city"]

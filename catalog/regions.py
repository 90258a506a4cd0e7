"""A province or a city as the supervising pages read it: found by its division code, with the
counties below it in the order of the code table (a province's grouped by city).

Which region a user may read is `permissions.can_see_region`; the pages answer 404 otherwise.
"""

from django.db.models import QuerySet
from django.http import Http404

from .models import City, County, Province
from .permissions import can_see_region


def region_of(code: str) -> Province | City | None:
    """The province or city with this code (`330000` or `330100`), else None (one query)."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    if code.endswith("0000"):
        return Province.objects.filter(code=code).first()
    return City.objects.select_related("province").filter(code=code).first()


def counties_below(region: Province | City) -> QuerySet[County]:
    """The region's counties, city by city, each with its city."""
    counties = County.objects.select_related("city").order_by("city__code", "code")
    if isinstance(region, Province):
        return counties.filter(city__province=region)
    return counties.filter(city=region)


def region_in_view(user, code: str) -> Province | City:
    """The region a supervising page shows, or 404 for a code that names none or one not the user's."""
    region = region_of(code)
    if region is None or not can_see_region(user, region):
        raise Http404("没有可查看的省市。")
    return region


def is_province(region: Province | City) -> bool:
    return isinstance(region, Province)

"""Evidence that a county's items are exercised, for its annual review (items never exercised —
空转, "僵尸" — are candidates for reclaiming or removal): how often the 12345 hotline's lookups found
each item first, and how many tickets sent by it were refused (派单异议)."""

from datetime import date, datetime, time

from django.db.models import Count, Sum
from django.utils import timezone

from catalog.models import County

from .models import DispatchDispute, DispatchLookup


def lookup_counts(county: County | int, year: int) -> dict:
    """`{item key (UUID): lookups}`: how often the hotline's lookups found the item first in the
    calendar year, over the county's townships. One query."""
    county_id = county if isinstance(county, int) else county.pk
    rows = (
        DispatchLookup.objects.filter(township__county_id=county_id, day__year=year)
        .values("key")
        .annotate(total=Sum("count"))
    )
    return {row["key"]: row["total"] for row in rows}


def dispute_counts(county: County | int, year: int) -> dict:
    """`{item key (UUID): disputes}`: tickets sent by the item and refused in the calendar year (local
    time). One query."""
    county_id = county if isinstance(county, int) else county.pk
    start, end = year_bounds(year)
    rows = (
        DispatchDispute.objects.filter(township__county_id=county_id, filed_at__gte=start, filed_at__lt=end)
        .values("key")
        .annotate(total=Count("pk"))
    )
    return {row["key"]: row["total"] for row in rows}


def dispatch_counts(county: County | int, year: int) -> dict:
    """`{item key (UUID): (lookups, disputes)}` over the county's townships in the calendar year;
    items with neither are absent. Two queries."""
    lookups, disputes = lookup_counts(county, year), dispute_counts(county, year)
    return {key: (lookups.get(key, 0), disputes.get(key, 0)) for key in lookups.keys() | disputes.keys()}


def year_bounds(year: int):
    """The year's first instant and the next year's, in the site's time zone."""
    zone = timezone.get_current_timezone()
    return tuple(
        timezone.make_aware(datetime.combine(date(y, 1, 1), time.min), zone) for y in (year, year + 1)
    )

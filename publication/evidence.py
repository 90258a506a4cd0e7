"""Evidence that a county's items are exercised, for its annual review (items never exercised —
空转, "僵尸" — are candidates for reclaiming or removal): how often the 12345 hotline's lookups found
each item first, and how many tickets sent by it were refused (派单异议)."""

from collections import defaultdict
from datetime import date, datetime, time

from django.db.models import Count, Sum
from django.utils import timezone

from catalog.models import County

from .models import DispatchDispute, DispatchLookup


def dispatch_counts(county: County | int, year: int) -> dict:
    """`{item key (UUID): (lookups, disputes)}` over the county's townships in the calendar year
    (local time); items with neither are absent. Two queries."""
    county_id = county if isinstance(county, int) else county.pk
    counts: dict = defaultdict(lambda: [0, 0])
    lookups = (
        DispatchLookup.objects.filter(township__county_id=county_id, day__year=year)
        .values("key")
        .annotate(total=Sum("count"))
    )
    for row in lookups:
        counts[row["key"]][0] = row["total"]
    start, end = year_bounds(year)
    disputes = (
        DispatchDispute.objects.filter(township__county_id=county_id, filed_at__gte=start, filed_at__lt=end)
        .values("key")
        .annotate(total=Count("pk"))
    )
    for row in disputes:
        counts[row["key"]][1] = row["total"]
    return {key: (lookups, disputes) for key, (lookups, disputes) in counts.items()}


def year_bounds(year: int):
    """The year's first instant and the next year's, in the site's time zone."""
    zone = timezone.get_current_timezone()
    return tuple(
        timezone.make_aware(datetime.combine(date(y, 1, 1), time.min), zone) for y in (year, year + 1)
    )

"""What publication tells the county's registered systems (webhooks): a new edition in force, an
approved adjustment. Called inside the publishing transaction; the webhooks app sends nothing until
it commits. The data names the edition as the API does, with its API addresses."""

from django.conf import settings
from django.urls import reverse

from webhooks.events import emit
from webhooks.models import Event

from .models import Adjustment, Edition


def api_url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(f"api:{name}", kwargs=kwargs)


def edition_data(edition: Edition) -> dict:
    township = edition.township
    address = {"code": township.code, "number": edition.number}
    return {
        "county": township.county.code,
        "township": township.code,
        "township_name": township.name,
        "edition": edition.number,
        "effective_on": edition.effective_on.isoformat(),
        "document_number": edition.document_number,
        "published_at": edition.published_at.isoformat(),
        "basic_count": edition.basic_count,
        "coordinated_count": edition.coordinated_count,
        "reclaimed_count": edition.reclaimed_count,
        "url": api_url("edition", **address),
        "changes_url": api_url("edition_changes", **address),
        "snapshot_url": api_url("edition_snapshot", **address),
    }


def edition_published(edition: Edition) -> None:
    emit(edition.township.county_id, Event.EDITION_PUBLISHED, lambda: edition_data(edition))


def adjustment_approved(adjustment: Adjustment) -> None:
    emit(
        adjustment.township.county_id,
        Event.ADJUSTMENT_APPROVED,
        lambda: {
            "adjustment": adjustment.pk,
            "township": adjustment.township.code,
            "summary": adjustment.summary,
            "document_number": adjustment.document_number,
            "decided_at": adjustment.decided_at.isoformat(),
            "edition": edition_data(adjustment.new_edition),
        },
    )

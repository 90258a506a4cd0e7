"""Webhook deliveries in the background workers: thin, and safe to run twice (see delivery.py)."""

from celery import shared_task
from django.utils import timezone

from . import delivery


@shared_task
def deliver(delivery_id: int) -> None:
    delivery.attempt(delivery_id)


@shared_task
def retry_due_deliveries() -> None:
    """Every minute: queue each delivery whose next attempt is due (failed ones after their backoff,
    and any whose first task was lost)."""
    for pk in delivery.due_ids(timezone.now()):
        deliver.delay(pk)

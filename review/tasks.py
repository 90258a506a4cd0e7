"""Review's scheduled tasks (see CELERY_BEAT_SCHEDULE): thin callers of `review.notifications`.

Both are safe to run twice: a `Digest` row makes the digest once per user and day,
`Invitation.reminded_at` makes a reminder once per invitation.
"""

from celery import shared_task

from . import notifications


@shared_task
def send_deadline_reminders() -> int:
    return notifications.send_deadline_reminders()


@shared_task
def send_digests() -> int:
    return notifications.send_digests()

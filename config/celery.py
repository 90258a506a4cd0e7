"""The Celery application: `celery -A config worker -l info` and `celery -A config beat -l info`.

Its settings are the `CELERY_*` names in config/settings.py. Without
`CELERY_BROKER_URL` tasks run in the calling process (eager), so the demo and
the tests need no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's tasks.py: catalog (exports, clean-up), review (digests, reminders), publication (downloads).
app.autodiscover_tasks()

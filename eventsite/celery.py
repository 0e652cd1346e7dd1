"""The Celery application.

Without ``CELERY_BROKER_URL`` the settings make tasks run in-process (eager), so a fresh checkout
needs no broker; production points it at Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")

app = Celery("eventsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

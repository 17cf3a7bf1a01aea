"""The Celery app: reads Django settings under the CELERY_ namespace and
finds each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharekpi.settings")

app = Celery("sharekpi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

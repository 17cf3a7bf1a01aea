"""The Celery app: reads Django settings under the CELERY_ namespace and
finds each app's tasks.py."""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharekpi.settings")

app = Celery("sharekpi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(dispatch_uid="sharekpi.recycle_old_connections")
def recycle_old_connections(task=None, **kwargs) -> None:
    """Before each task, as before each web request: drop this thread's database
    connection if it broke or is older than CONN_MAX_AGE, and keep it otherwise
    (CELERY_DB_REUSE_MAX stops Celery's Django fix-up from closing it around every
    task, which made each task open a new PostgreSQL connection)."""
    from django.db import close_old_connections

    if task is not None and getattr(task.request, "is_eager", False):
        return  # run in the caller's thread (tests, .apply()): its connection is not ours
    close_old_connections()

"""Settings for `make bench` only: the app's settings plus the floor endpoint,
the test client's host, plain static files (no collectstatic manifest) and,
for the verification benchmark, the local fake platform server.

Never used in production: SHAREKPI_FETCH_TEST_HOST_MAP sends platform hosts
to a loopback server.
"""

import json
import os

from sharekpi.settings import *  # noqa: F403
from sharekpi.settings import ALLOWED_HOSTS, INSTALLED_APPS, STORAGES

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # manage.py generate_bench_data
ROOT_URLCONF = "bench.floor_urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1", "localhost", "testserver"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# JSON {"www.tiktok.com": "127.0.0.1:PORT", ...}, set by bench/run_bench.py for the workers.
_host_map = os.environ.get("SHAREKPI_FETCH_TEST_HOST_MAP", "").strip()
if _host_map:
    SHAREKPI_FETCH_TEST_HOST_MAP = json.loads(_host_map)
# The bench's workers take no remote-control commands (no pidbox queue left in Redis).
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharekpi.settings")
application = get_wsgi_application()

# A web process (gunicorn worker, runserver) loads the URLs and warms WeasyPrint and
# its fonts now, so the first report PDF is no slower than the next (scoring.reports).
# Management commands, Celery and tests never import this module.
from django.urls import get_resolver  # noqa: E402

from scoring.reports import warm_pdf  # noqa: E402

get_resolver().url_patterns  # noqa: B018 (imports every app's views and API once)
warm_pdf()

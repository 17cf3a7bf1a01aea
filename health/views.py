from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import checks


@never_cache
@require_GET
def healthz(request):
    """Public (for load balancers and monitoring): reveals no data, only up/down."""
    results = checks.run_all()
    healthy = all(part["ok"] for part in results.values())
    body = {"status": "ok" if healthy else "unhealthy", **results}
    return JsonResponse(body, status=200 if healthy else 503)

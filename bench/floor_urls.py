"""The app's routes plus ``bench/floor/``: the floor for API benchmarks.

The floor is the least a DRF endpoint can do on this server: the same
authentication classes and permission as the shares API (a token or session
lookup), JSON parsed and JSON rendered, and nothing else.
"""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from sharekpi.urls import urlpatterns as app_urlpatterns


class FloorView(APIView):
    def get(self, request):
        return Response({"ok": True, "user": request.user.pk})

    def post(self, request):
        return Response({"ok": True, "fields": sorted(request.data)}, status=201)


urlpatterns = [path("bench/floor/", FloorView.as_view(), name="bench-floor"), *app_urlpatterns]

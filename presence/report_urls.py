"""Pages of the compliance report (``/presence/``, namespace ``compliance``)."""

from django.urls import path

from . import report_views

app_name = "compliance"

urlpatterns = [
    path("presence/", report_views.report_page, name="report"),
    path("presence/missing/", report_views.missing_page, name="missing"),
]

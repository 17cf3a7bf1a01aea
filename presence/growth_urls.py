"""Pages of follower growth (``/presence/official/…``, namespace ``growth``)."""

from django.urls import path

from . import growth_views

app_name = "growth"

urlpatterns = [
    path("presence/official/", growth_views.official_page, name="official"),
    path("presence/official/snapshots/", growth_views.snapshot_create, name="snapshot_create"),
    path(
        "presence/official/accounts/<int:pk>/",
        growth_views.account_snapshots,
        name="account_snapshots",
    ),
    path("presence/official/drives/", growth_views.drive_create, name="drive_create"),
    path("presence/official/drives/<int:pk>/", growth_views.drive_detail, name="drive_detail"),
]

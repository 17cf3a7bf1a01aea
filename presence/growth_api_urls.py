"""Follower growth and compliance report endpoints under /api/v1/ (presence.api_growth)."""

from django.urls import path

from . import api_growth

urlpatterns = [
    path(
        "official-accounts/<int:pk>/followers/",
        api_growth.OfficialAccountFollowers.as_view(),
        name="official-account-followers",
    ),
    path("follow-drives/", api_growth.FollowDriveList.as_view(), name="follow-drive-list"),
    path("presence/", api_growth.PresenceReport.as_view(), name="presence-report"),
    path("presence/missing/", api_growth.PresenceMissing.as_view(), name="presence-missing"),
]

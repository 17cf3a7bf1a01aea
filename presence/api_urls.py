"""presence's endpoints under /api/v1/ (required platforms, official accounts, "I follow")."""

from django.urls import path

from . import api

urlpatterns = [
    path("required-platforms/", api.RequiredPlatformsView.as_view(), name="required-platforms"),
    path("official-accounts/", api.OfficialAccountList.as_view(), name="official-account-list"),
    path(
        "official-accounts/<int:pk>/follow/",
        api.OfficialAccountFollow.as_view(),
        name="official-account-follow",
    ),
]

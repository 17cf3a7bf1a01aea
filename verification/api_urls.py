"""Verification's endpoints under /api/v1/, included before campaigns' shares router."""

from django.urls import path

from . import api

urlpatterns = [
    path("shares/<int:pk>/", api.ShareDetailView.as_view(), name="share-detail"),
    path("shares/<int:pk>/review/", api.ShareReviewView.as_view(), name="share-review"),
    path("shares/<int:pk>/appeal/", api.ShareAppealView.as_view(), name="share-appeal"),
    path("appeals/", api.AppealListView.as_view(), name="appeal-list"),
    path("appeals/<int:pk>/decide/", api.AppealDecideView.as_view(), name="appeal-decide"),
]

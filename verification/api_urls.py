"""Verification's endpoints under /api/v1/, included before campaigns' shares router."""

from django.urls import path

from . import api

urlpatterns = [
    path("shares/<int:pk>/", api.ShareDetailView.as_view(), name="share-detail"),
    path("shares/<int:pk>/review/", api.ShareReviewView.as_view(), name="share-review"),
]

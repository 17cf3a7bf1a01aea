"""``POST /api/v1/shares/<id>/review/`` (HR); included before the shares router."""

from django.urls import path

from . import review_api

urlpatterns = [
    path("shares/<int:pk>/review/", review_api.ShareReviewView.as_view(), name="share-review"),
]

"""HR review pages and share screenshots (campaigns.review_views)."""

from django.urls import path

from . import review_views

app_name = "review"

urlpatterns = [
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/bulk/", review_views.review_bulk, name="review_bulk"),
    path("review/policies/", review_views.policy_list, name="policy_list"),
    path("review/shares/<int:pk>/decide/", review_views.review_decide, name="review_decide"),
    path("review/shares/<int:pk>/screenshot/", review_views.screenshot, name="screenshot"),
    path(
        "review/shares/<int:pk>/screenshot/upload/",
        review_views.screenshot_upload,
        name="screenshot_upload",
    ),
]

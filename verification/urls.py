"""HR review pages and share screenshots (verification.views). The URL names keep the
``review`` namespace the pages have always had."""

from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("review/policies/", views.policy_list, name="policy_list"),
    path("review/shares/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("review/shares/<int:pk>/screenshot/", views.screenshot, name="screenshot"),
    path(
        "review/shares/<int:pk>/screenshot/upload/",
        views.screenshot_upload,
        name="screenshot_upload",
    ),
]

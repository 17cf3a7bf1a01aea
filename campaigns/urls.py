from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/publish/", views.campaign_publish, name="campaign_publish"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path(
        "campaigns/<int:pk>/not-shared.csv",
        views.campaign_not_shared_csv,
        name="campaign_not_shared_csv",
    ),
    path("shares/", views.my_shares, name="my_shares"),
    path("shares/new/", views.share_create, name="share_create"),
    path("bookmarklet/", views.bookmarklet, name="bookmarklet"),
    path("manifest.webmanifest", views.web_app_manifest, name="manifest"),
]

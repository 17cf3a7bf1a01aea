from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/missing.csv", views.missing_csv, name="dashboard_missing_csv"),
    path("dashboard/settings/", views.dashboard_settings, name="dashboard_settings"),
]

"""Appeal pages (verification.views): ``/appeals/`` for HR (to decide) and staff (mine)."""

from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/new/<int:share_pk>/", views.appeal_create, name="appeal_create"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("appeals/<int:pk>/screenshot/", views.appeal_screenshot, name="appeal_screenshot"),
]

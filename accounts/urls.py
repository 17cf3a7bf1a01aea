from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.password_change, name="password_change"),
    path("password/change/done/", views.password_change_done, name="password_change_done"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password/set/<uidb64>/<token>/", views.password_set, name="password_set"),
    path("password/set/done/", views.password_set_done, name="password_set_done"),
    path("staff/import/", views.staff_import, name="staff_import"),
    path("staff/import/confirm/", views.staff_import_confirm, name="staff_import_confirm"),
    path("proofs/<int:pk>/screenshot/", views.proof_screenshot, name="proof_screenshot"),
    path("staff/import/template.csv", views.staff_import_template, name="staff_import_template"),
]

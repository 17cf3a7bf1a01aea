from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.ObtainToken.as_view(), name="auth-token"),
]

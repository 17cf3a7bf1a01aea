from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.ObtainToken.as_view(), name="auth-token"),
    path("me/data/", api.MyDataView.as_view(), name="my-data"),
]

from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.ObtainToken.as_view(), name="auth-token"),
    path("me/data/", api.MyDataView.as_view(), name="my-data"),
    path("me/accounts/", api.MyAccountList.as_view(), name="my-account-list"),
    path("me/accounts/<int:pk>/", api.MyAccountDetail.as_view(), name="my-account-detail"),
    path("me/accounts/<int:pk>/prove/", api.MyAccountProve.as_view(), name="my-account-prove"),
    path("units/", api.UnitList.as_view(), name="unit-list"),
]

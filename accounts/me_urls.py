"""Pages about oneself under /me/: my accounts (and their ownership proof), my API token."""

from django.urls import path

from . import views

app_name = "me"

urlpatterns = [
    path("me/accounts/", views.my_accounts, name="my_accounts"),
    path("me/token/", views.my_api_token, name="my_api_token"),
    path("me/token/revoke/", views.my_api_token_revoke, name="my_api_token_revoke"),
    path("me/accounts/code/", views.my_proof_code_renew, name="my_proof_code_renew"),
    path("me/accounts/<int:pk>/remove/", views.my_account_remove, name="my_account_remove"),
    path("me/accounts/<int:pk>/prove/", views.my_account_prove, name="my_account_prove"),
    path(
        "me/accounts/<int:pk>/screenshot/",
        views.my_account_screenshot,
        name="my_account_screenshot",
    ),
]

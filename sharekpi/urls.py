from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import languages
from accounts import views as account_views
from health import views as health_views

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("audit.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("verification.api_urls")),
    path("", include("campaigns.api_urls")),
    path("", include("scoring.api_urls")),
    # presence (required platforms, official accounts, "I follow")
    path("", include("presence.api_urls")),
    path("", include("presence.growth_api_urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/", include("accounts.urls")),
    path("me/data/", account_views.my_data, name="my_data"),
    path("me/data/download/", account_views.my_data_download, name="my_data_download"),
    path("", include("accounts.me_urls")),
    path("", include("audit.urls")),
    path("", include("campaigns.urls")),
    path("", include("verification.urls")),
    path("", include("verification.appeal_urls")),
    path("", include("scoring.urls")),
    path("", include("dashboard.urls")),
    # presence: required platforms, must-follow accounts, "I follow", spot checks
    path("", include("presence.urls")),
    path("", include("notifications.urls")),
    path("", include("presence.growth_urls")),
    path("", include("presence.report_urls")),
    # The language switch: Django's, and a logged-in person's choice saved on them.
    path("i18n/setlang/", languages.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
]

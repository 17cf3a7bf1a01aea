from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        # campaigns announces share status changes; the dashboard notes them for its
        # counts. Connected after scoring's recount (INSTALLED_APPS order), so locks are
        # always taken in the same order: the year's scoring lock, then the campaigns'.
        from . import handlers  # noqa: F401

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        # campaigns announces share status changes; the dashboard notes them for its
        # counts. Connected after scoring's recount (INSTALLED_APPS order), so locks are
        # always taken in the same order: the year's scoring lock, then the campaigns'.
        from . import handlers  # noqa: F401

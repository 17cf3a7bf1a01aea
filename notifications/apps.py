from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Top of the layering: listens to campaigns (share status changes) and to
        # verification (appeal decisions); nothing imports notifications.
        from . import handlers, personal_data  # noqa: F401

        personal_data.register()

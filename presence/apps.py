from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresenceConfig(AppConfig):
    name = "presence"
    verbose_name = _("Social presence")

    def ready(self) -> None:
        # The compliance report's cached counts are dropped when what they count changes.
        from . import report_signals

        report_signals.connect()

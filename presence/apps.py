from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresenceConfig(AppConfig):
    name = "presence"
    verbose_name = _("Social presence")

    def ready(self) -> None:
        # "My accounts" and the home page show what a person is asked to have and follow
        # (accounts cannot import presence: it fills in accounts' hooks instead).
        from accounts import hooks

        from . import panels

        hooks.add_panel(hooks.MY_ACCOUNTS, panels.my_presence_panel)
        hooks.add_panel(hooks.HOME, panels.home_panel)

        # "My data": the person's follow confirmations and the spot checks of them.
        from . import personal_data

        personal_data.register()

        # The compliance report's cached counts are dropped when what they count changes.
        from . import report_signals

        report_signals.connect()

        # Follow-confirmation screenshots are purged with the other screenshots of their
        # KPI year (verification.retention; DESIGN.md "Retention").
        from verification import retention

        from .models import FollowConfirmation

        retention.register_screenshots(
            "follow_screenshots", FollowConfirmation, field="screenshot", dated_by="confirmed_at"
        )

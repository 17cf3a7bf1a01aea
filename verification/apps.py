from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Verification and review")

    def ready(self) -> None:
        # campaigns announces each logged share; verification queues its check.
        from campaigns import hooks
        from campaigns import reasons as campaign_reasons

        from . import checks, handlers, personal_data, reasons, selectors  # noqa: F401

        # campaigns' pages show a share's reason through the catalogue of reason codes.
        campaign_reasons.register(reasons.describe)
        # "My shares" (campaigns) shows each rejected or removed share's appeal or deadline.
        hooks.add_own_share_annotator(selectors.annotate_own_shares)
        personal_data.register()

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Verification and review"

    def ready(self) -> None:
        # campaigns announces each logged share; verification queues its check.
        from campaigns import reasons as campaign_reasons

        from . import checks, handlers, reasons  # noqa: F401 - registers the checks and receivers

        # campaigns' pages show a share's reason through the catalogue of reason codes.
        campaign_reasons.register(reasons.describe)

        from . import personal_data

        personal_data.register()

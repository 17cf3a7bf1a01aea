from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Verification and review"

    def ready(self) -> None:
        # campaigns announces each logged share; verification queues its check.
        from . import checks, handlers  # noqa: F401 - registers the checks and receivers

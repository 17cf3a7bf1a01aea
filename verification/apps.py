from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Verification and review"

    def ready(self) -> None:
        # campaigns announces each logged share; verification queues its check.
        from campaigns import hooks

        from . import checks, handlers, selectors  # noqa: F401 - registers the checks and receivers

        # "My shares" (campaigns) shows each rejected or removed share's appeal or deadline.
        hooks.add_own_share_annotator(selectors.annotate_own_shares)

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "KPI scoring"

    def ready(self) -> None:
        # campaigns announces share status changes; scoring keeps KPI scores current.
        from . import handlers, personal_data  # noqa: F401

        personal_data.register()

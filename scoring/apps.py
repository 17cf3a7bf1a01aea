from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("KPI scoring")

    def ready(self) -> None:
        # campaigns announces share status changes; scoring keeps KPI scores current.
        from campaigns import hooks

        from . import handlers, home, personal_data, selectors  # noqa: F401

        # verification (a sibling, which may not import scoring) asks through campaigns.
        hooks.provide_year_closes(selectors.year_closes_in_force)
        personal_data.register()
        home.register()

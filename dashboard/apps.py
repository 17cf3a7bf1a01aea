from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_people_triggers(sender, using="default", **kwargs) -> None:
    """After every ``migrate``: (re)create the people counts' triggers (dashboard.people).
    SQLite drops a table's triggers whenever a migration rebuilds that table, in any app;
    on PostgreSQL this is a no-op re-creation. Skipped while the tables are not there."""
    from django.db import connections

    from . import people

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if {
        people.NOTES,
        people.USERS,
        people.ACCOUNTS,
        people.SCORES,
        people.UNITS,
        people.TALLIES,
    } <= tables:
        people.install(connection)


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        # campaigns announces share status changes; the dashboard notes them for its
        # counts. Connected after scoring's recount (INSTALLED_APPS order), so locks are
        # always taken in the same order: the year's scoring lock, then the campaigns'.
        from . import handlers  # noqa: F401

        post_migrate.connect(
            install_people_triggers, sender=self, dispatch_uid="dashboard.people_triggers"
        )

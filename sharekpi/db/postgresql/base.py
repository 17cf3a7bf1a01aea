"""Django's PostgreSQL backend, with a health check that runs at most once in
``SHAREKPI_DB_HEALTH_CHECK_SECONDS`` per connection.

A kept connection (``CONN_MAX_AGE``) is health-checked before reuse
(``CONN_HEALTH_CHECKS``): Django sends ``SELECT 1`` before the first query of every
request and every task. On the busiest call, ``POST /api/v1/shares/``, that is a
second round trip beside the share's one statement: a web process's CPU, PostgreSQL's
(the query parsed and planned each time) and the wait. Here a connection that connected
or passed a check within the interval is taken as it is, as PgBouncer does
(``server_check_delay``). What that risks is narrow: a database restarted within the
interval fails that connection's next request (the connection is then checked, found
dead and replaced, as after any error), where the check would have reconnected first.
At 0 every request is checked, as Django does.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _checked_at = float("-inf")  # time.monotonic() of the last connect or passed check

    def connect(self):
        super().connect()
        self._checked_at = time.monotonic()

    def is_usable(self):
        usable = super().is_usable()
        if usable:
            self._checked_at = time.monotonic()
        return usable

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and not self.health_check_done
            and time.monotonic() - self._checked_at < settings.SHAREKPI_DB_HEALTH_CHECK_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

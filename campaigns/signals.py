"""What campaigns announces to the apps that stand on it.

Every status change is announced twice, inside its transaction, after it is saved:

* ``share_status_changed`` once per change, with ``share``, ``old_status`` and
  ``new_status``, at once;
* ``share_statuses_changed`` with ``changes``, a list of ``StatusChange``: at once
  with one change, or — when a writer decides many shares in one transaction
  (``campaigns.services.batched_status_changes``: the verification workers' group
  commit) — once for all of them at the end of the batch, so a listener can do its
  work set-based.

A new share announces itself with ``old_status=None`` and ``new_status="pending"``.
On PostgreSQL a new share with nothing to replace is written by one statement, its own
transaction unless the caller holds one: its announcement comes right after that
statement, and a listener that must write with the share joins the statement instead
(``campaigns.hooks.add_new_share_part``; the dashboard does). scoring and dashboard
listen to ``share_statuses_changed``.

``share_logged`` (``share_id``) is sent once a new share's transaction has committed:
verification listens and queues its check. campaigns imports none of the apps that
listen.
"""

from __future__ import annotations

from typing import NamedTuple

from django.dispatch import Signal


class StatusChange(NamedTuple):
    share: object  # campaigns.models.Share (not imported: models import nothing from here)
    old_status: str | None
    new_status: str


share_status_changed = Signal()
share_statuses_changed = Signal()
share_logged = Signal()
# A campaign's "counts for the KPI" flag changed (``campaign``), inside the transaction
# of the change: scoring recounts the people with verified shares of it.
campaign_counting_changed = Signal()

"""What the apps standing on campaigns tell each other through it, without importing
each other (verification and scoring are siblings over campaigns: neither may import
the other).

* **Year closes.** scoring knows which KPI years are closed; it registers a provider in
  its ``AppConfig.ready``. verification asks through here when an appeal is decided
  (a closed year's frozen scores do not move) and when old data is purged (retention
  counts from the close). With no provider (scoring not installed) no year is closed.
* **My shares.** An app may add what it knows about a person's own shares to the
  "My shares" page (verification: the appeal, or how long one may still be filed):
  ``add_own_share_annotator(fn)``, ``fn(user, shares)`` sets attributes on the shares,
  set-based (one query for the whole page).
* **A new share's statement.** On PostgreSQL a new share is written by one statement
  (no transaction of several round trips): its INSERT in a CTE named ``new_share``
  (``RETURNING id, staff_id, campaign_id``), and the parts the apps standing on
  campaigns register with ``add_new_share_part(fn)``. ``fn(share)`` (the share about to
  be inserted, no pk yet) returns ``(ctes, params)``: further CTEs, ``name AS (…)``
  joined by commas, names prefixed with the app's, reading ``new_share``; or None (no
  part for this share: then it does its work on the status-change signal, as on
  SQLite). Data-modifying CTEs run to completion once the statement runs, and commit
  or roll back with the share (a duplicate fails the whole statement). The INSERT may
  write no row (a submission's guarded INSERT whose rules say no: campaigns.services.
  _log_at_once): a part reads ``new_share``, so it writes nothing either, and that
  share object is dropped (the usual path builds another). The signals are
  sent as always after it: a listener whose part joined the statement must know
  (from ``fn``) not to do its work again.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

_year_closes: Callable[[], dict[int, datetime.datetime]] | None = None
_own_share_annotators: list[Callable] = []
_new_share_parts: list[Callable] = []


def provide_year_closes(provider: Callable[[], dict[int, datetime.datetime]]) -> None:
    """Register the function that returns ``{year: closed_at}`` of the years closed now."""
    global _year_closes
    _year_closes = provider


def year_closes() -> dict[int, datetime.datetime]:
    """``{KPI year: when it was closed}`` for the years whose close is in force."""
    return {} if _year_closes is None else _year_closes()


def is_year_closed(year: int) -> bool:
    return year in year_closes()


def add_own_share_annotator(annotator: Callable) -> None:
    if annotator not in _own_share_annotators:
        _own_share_annotators.append(annotator)


def annotate_own_shares(user, shares: Sequence) -> None:
    """Let the registered apps add what they know to ``user``'s ``shares`` (a page)."""
    for annotator in _own_share_annotators:
        annotator(user, shares)


def add_new_share_part(part: Callable) -> None:
    """Register ``part(share) -> (ctes, params) | None`` (see the module docstring)."""
    if part not in _new_share_parts:
        _new_share_parts.append(part)


def new_share_parts(share) -> list[tuple[str, list]]:
    """The registered apps' CTEs for the statement that inserts ``share``."""
    return [found for part in _new_share_parts if (found := part(share)) is not None]

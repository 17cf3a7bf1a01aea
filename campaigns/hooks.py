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
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

_year_closes: Callable[[], dict[int, datetime.datetime]] | None = None
_own_share_annotators: list[Callable] = []


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

"""scoring's part of "my data" (accounts.personal_data): the person's KPI score per
year, and whether the year is closed (the score frozen)."""

from __future__ import annotations

from collections.abc import Iterable

from .models import KpiScore
from .selectors import closed_years


def scores(user) -> Iterable[dict]:
    closed = closed_years()
    for score in KpiScore.objects.filter(user=user).order_by("year"):
        yield {
            "year": score.year,
            "verified_shares": score.verified_shares,
            "points": score.points,
            "scheme_version": score.scheme_version,
            "computed_at": score.computed_at,
            "year_closed": score.year in closed,
        }


def register() -> None:
    from accounts import personal_data

    personal_data.register("scores", scores)

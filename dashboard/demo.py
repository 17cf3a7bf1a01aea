"""Demo data for the dashboard: ``seed_demo`` calls ``seed(stdout=...)`` after the
demo shares and scores exist, and this builds the dashboard's share counts."""

from __future__ import annotations

from . import stats


def seed(*, stdout) -> None:
    campaigns = stats.refresh_stats()
    stdout.write(f"Dashboard statistics: {campaigns} campaigns\n")

"""Demo data for scoring: the demo seeder calls ``seed(stdout)`` after it has
made people, campaigns and shares."""

from __future__ import annotations

from . import selectors, services


def seed(stdout) -> None:
    """Create this year's and last year's schemes (default bands), compute everyone's
    scores for both, so My KPI and the reports have something to show."""
    current = selectors.current_kpi_year()
    for year in (current - 1, current):
        services.scheme_for_year(year)
        if selectors.is_year_closed(year):
            continue
        written = services.compute_year(year=year)
        stdout.write(f"KPI scores {selectors.kpi_year_label(year)}: {written} people\n")

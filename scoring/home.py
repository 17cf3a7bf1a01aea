"""scoring's section of the home page (accounts.home): my points this year and how many
more verified shares reach the next band."""

from __future__ import annotations

from accounts import home
from campaigns.kpi_year import current_kpi_year

from . import reports


def points_section(request):
    kpi = reports.personal_kpi(person=request.user, year=current_kpi_year())
    return "scoring/_home_points.html", {"kpi": kpi}


def register() -> None:
    home.register("scoring.points", points_section, order=30)

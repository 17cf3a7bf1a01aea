"""scoring's panel on the home page (accounts.hooks): my points this year and how many
more verified shares reach the next band."""

from __future__ import annotations

from accounts import hooks
from campaigns.kpi_year import current_kpi_year

from . import reports


def points_section(request):
    kpi = reports.personal_kpi(person=request.user, year=current_kpi_year())
    return {"template": "scoring/_home_points.html", "kpi": kpi}


def register() -> None:
    hooks.add_panel(hooks.HOME, points_section)

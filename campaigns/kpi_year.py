"""The KPI year: which shares count for which year.

A KPI year starts on the 1st of ``SHAREKPI_KPI_YEAR_START_MONTH`` (1 = the
calendar year) at local midnight in the organisation's time zone. With
``SHAREKPI_KPI_YEAR_START_MONTH = 4``, KPI year 2025 is 1 Apr 2025 to 1 Apr 2026.
Filter with ``submitted_at__gte=start, submitted_at__lt=end``, never with
``__year``, which would cut the year at UTC midnight.

It lives in campaigns because shares are filtered by it there (API, re-checks);
scoring builds on the same functions.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def organisation_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def start_month() -> int:
    month = int(getattr(settings, "SHAREKPI_KPI_YEAR_START_MONTH", 1) or 1)
    if not 1 <= month <= 12:
        raise ValueError(f"SHAREKPI_KPI_YEAR_START_MONTH must be 1 to 12, not {month}")
    return month


def kpi_year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """``[start, end)`` of KPI year ``year`` as aware datetimes in the organisation's zone."""
    zone, month = organisation_zone(), start_month()
    return (
        datetime.datetime(year, month, 1, tzinfo=zone),
        datetime.datetime(year + 1, month, 1, tzinfo=zone),
    )


def kpi_year_of(moment: datetime.datetime) -> int:
    """The KPI year an instant falls in (judged on the organisation's local clock)."""
    local = moment.astimezone(organisation_zone())
    return local.year if local.month >= start_month() else local.year - 1


def current_kpi_year() -> int:
    return kpi_year_of(timezone.now())


def kpi_year_label(year: int) -> str:
    """``2025`` for calendar years; ``2025/26`` when the KPI year starts mid-year."""
    return str(year) if start_month() == 1 else f"{year}/{(year + 1) % 100:02d}"


def kpi_year_period(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last local day of the KPI year (for people to read)."""
    start, end = kpi_year_bounds(year)
    return start.date(), end.date() - datetime.timedelta(days=1)


def year_has_ended(year: int) -> bool:
    return timezone.now() >= kpi_year_bounds(year)[1]

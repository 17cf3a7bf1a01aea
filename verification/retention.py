"""Retention (DESIGN.md, "Records and personal data"): screenshots and verification
attempt details of a KPI year are purged ``SHAREKPI_RETENTION_DAYS`` (730) after
that year was closed. Fetched page bodies are never stored in the first place.

What goes: the share's screenshot, the appeal's screenshot, the screenshot of an
account's ownership proof and of a follow confirmation (files and the fields naming
them; the last two belong to the KPI year they were attached in) and each attempt's
details (the URL fetched, the HTTP status, the words of its reason). What stays: the
share, its status and reason code, the attempt's outcome and time, appeals and review
decisions with their reasons, the confirmation and the account with their proof status,
the scores and the audit log — what an appraisal may still have to answer for.

The purge runs in batches, each in its own transaction with its own audit entry
(``retention.purged``), so a long purge holds no lock for long and an interrupted
one picks up where it stopped: purged rows no longer match. Files are deleted
once the batch that forgot them has committed. A year that is re-opened is not
closed any more, so nothing of it is purged until it is closed again.

verification may not import scoring: which years are closed, and since when, comes
through ``campaigns.hooks.year_closes`` (scoring provides it). Apps above
verification that keep screenshots of their own (presence: follow confirmations)
name them with ``register_screenshots`` in their ``ready()``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

import audit
from accounts.models import SocialAccount
from campaigns import hooks
from campaigns.kpi_year import kpi_year_bounds
from campaigns.models import Share

from .models import Appeal, VerificationAttempt

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000
# The audit object of a KPI year, as scoring names it (its close and re-open entries).
KPI_YEAR = "scoring.kpiyear"


@dataclass
class YearPurge:
    """What was (or, on a dry run, would be) purged of one KPI year."""

    year: int
    closed_at: datetime.datetime
    share_screenshots: int = 0
    appeal_screenshots: int = 0
    attempts: int = 0
    # Other kinds of screenshot (SCREENSHOT_KINDS), by their name: count purged.
    other_screenshots: dict[str, int] = field(default_factory=dict)
    files_not_deleted: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        others = sum(self.other_screenshots.values())
        return self.share_screenshots + self.appeal_screenshots + self.attempts + others


@dataclass(frozen=True)
class ScreenshotKind:
    """Screenshots kept on ``model.<field>``, in the KPI year of ``dated_by``."""

    what: str  # the audit entry's "what" and the key in YearPurge.other_screenshots
    model: type
    field: str
    dated_by: str

    def of_year(self, year: int) -> QuerySet:
        start, end = kpi_year_bounds(year)
        return self.model.objects.filter(
            **{f"{self.dated_by}__gte": start, f"{self.dated_by}__lt": end}
        ).exclude(**{self.field: ""})


SCREENSHOT_KINDS: list[ScreenshotKind] = [
    ScreenshotKind("proof_screenshots", SocialAccount, "proof_screenshot", "proof_requested_at"),
]


def register_screenshots(what: str, model: type, *, field: str, dated_by: str) -> None:
    """Another app's screenshots come under retention too (idempotent)."""
    kind = ScreenshotKind(what, model, field, dated_by)
    if kind not in SCREENSHOT_KINDS:
        SCREENSHOT_KINDS.append(kind)


def retention_days() -> int:
    return int(settings.SHAREKPI_RETENTION_DAYS)


def expired_years(now: datetime.datetime | None = None) -> dict[int, datetime.datetime]:
    """``{year: closed_at}`` of the closed KPI years whose retention has run out."""
    limit = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    return {
        year: closed_at
        for year, closed_at in sorted(hooks.year_closes().items())
        if closed_at <= limit
    }


def _shares_of(year: int) -> QuerySet[Share]:
    start, end = kpi_year_bounds(year)
    return Share.objects.filter(submitted_at__gte=start, submitted_at__lt=end)


def _share_screenshots(year: int) -> QuerySet[Share]:
    return _shares_of(year).exclude(screenshot="")


def _appeal_screenshots(year: int) -> QuerySet[Appeal]:
    start, end = kpi_year_bounds(year)
    return Appeal.objects.filter(
        share__submitted_at__gte=start, share__submitted_at__lt=end
    ).exclude(screenshot="")


def _attempts_with_details(year: int) -> QuerySet[VerificationAttempt]:
    start, end = kpi_year_bounds(year)
    return VerificationAttempt.objects.filter(
        share__submitted_at__gte=start, share__submitted_at__lt=end
    ).filter(~Q(url_fetched="") | ~Q(reason="") | Q(http_status__isnull=False))


def _batches(queryset: QuerySet, batch_size: int, *fields: str) -> Iterator[list[tuple]]:
    """Keyset batches of ``(pk, *fields)``, ascending by pk."""
    last = 0
    while True:
        rows = list(
            queryset.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:batch_size]
        )
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _delete_files(names: list[str], report: YearPurge) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError as exc:  # the field is cleared; the file is for an operator to remove
            logger.warning("retention: could not delete %s: %s", name, exc)
            report.files_not_deleted.append(name)


def _purge_files(
    model,
    queryset: QuerySet,
    report: YearPurge,
    what: str,
    batch_size: int,
    field_name: str = "screenshot",
) -> int:
    done = 0
    for rows in _batches(queryset, batch_size, field_name):
        ids = [pk for pk, _name in rows]
        names = [name for _pk, name in rows if name]
        with transaction.atomic():
            model.objects.filter(pk__in=ids).update(**{field_name: ""})
            _record(report, what, ids)
        _delete_files(names, report)
        done += len(ids)
    return done


def _purge_attempts(year: int, report: YearPurge, batch_size: int) -> int:
    done = 0
    for rows in _batches(_attempts_with_details(year), batch_size):
        ids = [pk for (pk,) in rows]
        with transaction.atomic():
            VerificationAttempt.objects.filter(pk__in=ids).update(
                url_fetched="", http_status=None, reason=""
            )
            _record(report, "attempt_details", ids)
        done += len(ids)
    return done


def _record(report: YearPurge, what: str, ids: list[int]) -> None:
    audit.record(
        actor=None,
        action="retention.purged",
        object_type=KPI_YEAR,
        object_id=report.year,
        before=None,
        after={
            "what": what,
            "count": len(ids),
            "first_id": ids[0],
            "last_id": ids[-1],
            "year_closed_at": report.closed_at,
            "retention_days": retention_days(),
        },
    )


def purge_expired(
    *,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: datetime.datetime | None = None,
) -> list[YearPurge]:
    """Purge what retention no longer allows us to keep; on ``dry_run`` only count it."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    reports = []
    for year, closed_at in expired_years(now).items():
        report = YearPurge(year=year, closed_at=closed_at)
        if dry_run:
            report.share_screenshots = _share_screenshots(year).count()
            report.appeal_screenshots = _appeal_screenshots(year).count()
            report.attempts = _attempts_with_details(year).count()
            for kind in SCREENSHOT_KINDS:
                report.other_screenshots[kind.what] = kind.of_year(year).count()
        else:
            report.share_screenshots = _purge_files(
                Share, _share_screenshots(year), report, "share_screenshots", batch_size
            )
            report.appeal_screenshots = _purge_files(
                Appeal, _appeal_screenshots(year), report, "appeal_screenshots", batch_size
            )
            report.attempts = _purge_attempts(year, report, batch_size)
            for kind in SCREENSHOT_KINDS:
                report.other_screenshots[kind.what] = _purge_files(
                    kind.model, kind.of_year(year), report, kind.what, batch_size, kind.field
                )
        reports.append(report)
    return reports

"""Scoring schemes and their bands, each person's KPI score per year, and
the record of closed years.

A KPI year is labelled by the calendar year it starts in (see
``campaigns.kpi_year.kpi_year_bounds``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .bands import EN_DASH, Band


class ScoringScheme(models.Model):
    """The bands in force for one KPI year. ``version`` goes up with every edit;
    each KpiScore row remembers the version it was computed with."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Scoring scheme {self.year} (v{self.version})"

    def band_values(self) -> list[Band]:
        """The bands as plain values, lowest first (uses prefetched bands if any)."""
        return sorted(
            (Band(b.min_shares, b.max_shares, b.points) for b in self.bands.all()),
            key=lambda b: b.min_shares,
        )

    def as_json(self) -> dict:
        return {"year": self.year, "bands": [b.as_dict() for b in self.band_values()]}


class ScoringBand(models.Model):
    scheme = models.ForeignKey(
        ScoringScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="bands"
    )
    min_shares = models.PositiveIntegerField(_("min shares"))
    max_shares = models.PositiveIntegerField(
        _("max shares"), null=True, blank=True, help_text=_("Empty = open-ended.")
    )
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("scoring band")
        verbose_name_plural = _("scoring bands")
        ordering = ["scheme", "min_shares"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "min_shares"], name="scoringband_unique_min"),
        ]

    def __str__(self) -> str:
        upper = "+" if self.max_shares is None else f"{EN_DASH}{self.max_shares}"
        return f"{self.min_shares}{upper} → {self.points}"


class SchemeChange(models.Model):
    """Who changed a year's bands, when, from what to what: the audit trail."""

    scheme = models.ForeignKey(
        ScoringScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="changes"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveIntegerField(
        _("version"), help_text=_("The scheme version this change created.")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("scoring scheme change")
        verbose_name_plural = _("scoring scheme changes")

    def __str__(self) -> str:
        return f"{self.year} v{self.version} by {self.changed_by_id}"


class KpiScore(models.Model):
    """One person's KPI for one year: distinct campaigns with a counted share
    (``verified_shares``) and the points the scheme gives for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="kpi_scores",
        verbose_name=_("user"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    verified_shares = models.PositiveIntegerField(_("verified shares"), default=0)
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    scheme_version = models.PositiveIntegerField(_("scheme version"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        ordering = ["year", "user"]
        verbose_name = _("KPI score")
        verbose_name_plural = _("KPI scores")
        constraints = [
            models.UniqueConstraint(fields=["user", "year"], name="kpiscore_one_per_user_year"),
        ]
        indexes = [
            models.Index(fields=["year", "points"], name="kpiscore_year_points"),
            # The dashboard's leaderboard: the top of a year by count, read off the index.
            models.Index(fields=["year", "verified_shares"], name="kpiscore_year_shares"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.year}: {self.verified_shares} → {self.points}"


class YearClose(models.Model):
    """A KPI year closed by HR. While ``reopened_at`` is empty the year's scores
    are frozen; a superuser may re-open it, which is recorded here too. A year
    closed again later gets a new row, so the history stays complete."""

    year = models.PositiveSmallIntegerField(_("year"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reopen reason"), blank=True)

    class Meta:
        ordering = ["-year", "-closed_at"]
        verbose_name = _("KPI year close")
        verbose_name_plural = _("KPI year closes")
        constraints = [
            models.UniqueConstraint(
                fields=["year"],
                condition=models.Q(reopened_at__isnull=True),
                name="yearclose_one_open_close_per_year",
            ),
        ]

    def __str__(self) -> str:
        state = "re-opened" if self.reopened_at else "closed"
        return f"{self.year} {state}"

    @property
    def is_in_force(self) -> bool:
        return self.reopened_at is None

"""Scoring schemes and their bands, each person's KPI score per year, and
the record of closed years.

A KPI year is labelled by the calendar year it starts in (see
``campaigns.kpi_year.kpi_year_bounds``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .bands import EN_DASH, Band


class ScoringScheme(models.Model):
    """The bands in force for one KPI year. ``version`` goes up with every edit;
    each KpiScore row remembers the version it was computed with."""

    year = models.PositiveSmallIntegerField(unique=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
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
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="bands")
    min_shares = models.PositiveIntegerField()
    max_shares = models.PositiveIntegerField(null=True, blank=True, help_text="Empty = open-ended.")
    points = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["scheme", "min_shares"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "min_shares"], name="scoringband_unique_min"),
        ]

    def __str__(self) -> str:
        upper = "+" if self.max_shares is None else f"{EN_DASH}{self.max_shares}"
        return f"{self.min_shares}{upper} → {self.points}"


class SchemeChange(models.Model):
    """Who changed a year's bands, when, from what to what: the audit trail."""

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="changes")
    year = models.PositiveSmallIntegerField()
    version = models.PositiveIntegerField(help_text="The scheme version this change created.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    before = models.JSONField()
    after = models.JSONField()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year} v{self.version} by {self.changed_by_id}"


class KpiScore(models.Model):
    """One person's KPI for one year: distinct campaigns with a counted share
    (``verified_shares``) and the points the scheme gives for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kpi_scores"
    )
    year = models.PositiveSmallIntegerField()
    verified_shares = models.PositiveIntegerField(default=0)
    points = models.PositiveSmallIntegerField(default=0)
    scheme_version = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["year", "user"]
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

    year = models.PositiveSmallIntegerField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(default=timezone.now)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-year", "-closed_at"]
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


# --- dashboard ------------------------------------------------------------------------------
#
# Pre-aggregated share counts for the HR dashboard (see scoring/dashboard.py and the README,
# "Dashboard: how it stays fast"). Every row covers one *scope*: an OrgUnit id, counting the
# shares of everyone at or below that unit, or ORGANISATION_SCOPE (0) for the whole
# organisation. A share is thus counted once in its owner's unit and once in every unit above
# it, so any scope's numbers are a handful of index lookups, never a scan of its subtree.
# ``scope`` is a plain integer rather than a foreign key because 0 is not a unit.

ORGANISATION_SCOPE = 0


class ShareWeekStat(models.Model):
    """How many shares of one campaign on one platform, logged in one week of one KPI year
    by the people of one scope, are in each status now. Logged = the sum of the statuses.

    Kept current from ``ShareCountChange`` rows (written by ``scoring.handlers`` with each
    status change, folded in by ``scoring.dashboard.fold_changes``) and rebuilt per
    campaign by ``scoring.dashboard.refresh_campaign``."""

    scope = models.BigIntegerField(help_text="OrgUnit id (its whole subtree); 0 = everyone.")
    kpi_year = models.PositiveSmallIntegerField()
    week_start = models.DateField(help_text="Monday of the week (organisation's time zone).")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=True
    )
    platform = models.CharField(max_length=16)
    pending = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)
    needs_review = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    removed = models.IntegerField(default=0)

    class Meta:
        ordering = ["scope", "kpi_year", "week_start", "campaign", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "kpi_year", "week_start", "campaign", "platform"],
                name="shareweekstat_key",
            ),
        ]

    def __str__(self) -> str:
        return f"scope {self.scope} {self.week_start} c{self.campaign_id} {self.platform}"

    @property
    def logged(self) -> int:
        return self.pending + self.verified + self.needs_review + self.rejected + self.removed


class CampaignStaffStat(models.Model):
    """How many distinct people of one scope logged a share of a campaign, and how many
    have at least one verified share of it (a person who shared on three platforms
    counts once)."""

    scope = models.BigIntegerField(help_text="OrgUnit id (its whole subtree); 0 = everyone.")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=True
    )
    shared_staff = models.IntegerField(default=0)
    verified_staff = models.IntegerField(default=0)

    class Meta:
        ordering = ["scope", "campaign"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "campaign"], name="campaignstaffstat_key"),
        ]

    def __str__(self) -> str:
        return f"scope {self.scope} c{self.campaign_id}: {self.shared_staff}/{self.verified_staff}"


class ShareCountChange(models.Model):
    """One share's move between statuses (or its logging), waiting to be added to the
    dashboard's counts: the status-change signal inserts it in the share's own transaction
    (an insert, so concurrent submissions never queue on a shared counter row), and
    ``scoring.dashboard.fold_changes`` adds the waiting rows into ``ShareWeekStat`` and
    ``CampaignStaffStat`` and deletes them — before every dashboard read and every few
    seconds from beat."""

    person_id = models.BigIntegerField()
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=True
    )
    kpi_year = models.PositiveSmallIntegerField()
    week_start = models.DateField()
    platform = models.CharField(max_length=16)
    pending = models.SmallIntegerField(default=0)
    verified = models.SmallIntegerField(default=0)
    needs_review = models.SmallIntegerField(default=0)
    rejected = models.SmallIntegerField(default=0)
    removed = models.SmallIntegerField(default=0)
    shared_staff = models.SmallIntegerField(default=0)
    verified_staff = models.SmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"change {self.pk}: person {self.person_id} c{self.campaign_id} {self.platform}"


class CampaignStaffTally(models.Model):
    """Per person and campaign: shares logged and shares verified. The dashboard's
    distinct-people counts move only when one of these crosses zero; the person's own
    row is the lock that serialises two changes of the same person."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    person_id = models.BigIntegerField()
    shares = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person_id"], name="campaignstafftally_key"
            ),
        ]

    def __str__(self) -> str:
        return f"c{self.campaign_id} person {self.person_id}: {self.shares}/{self.verified}"


class DashboardSettings(models.Model):
    """The dashboard's settings: one row (pk 1). Showing a leaderboard ranks colleagues
    publicly, a policy choice, so it is off until HR turns it on; who changed it and when
    is kept. ``stats_refreshed_at`` is when the share aggregates were last rebuilt."""

    leaderboard_enabled = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    stats_refreshed_at = models.DateTimeField(null=True, blank=True)

    SINGLETON_PK = 1

    class Meta:
        verbose_name = "dashboard settings"
        verbose_name_plural = "dashboard settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="dashboardsettings_singleton"),
        ]

    def __str__(self) -> str:
        return f"Leaderboard {'on' if self.leaderboard_enabled else 'off'}"

    @classmethod
    def load(cls) -> DashboardSettings:
        """The settings row, or the defaults (unsaved) before anyone changed anything."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).select_related("updated_by").first() or cls(
            pk=cls.SINGLETON_PK
        )

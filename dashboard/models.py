"""The dashboard's pre-aggregated share counts, its change notes and its settings.

These tables were created by scoring (before the dashboard became an app of its own);
they keep their names, so an existing database upgraded with ``migrate`` keeps every
row (see migrations/0001_initial.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#
# Pre-aggregated share counts for the HR dashboard (see dashboard/stats.py and the README,
# "Dashboard: how it stays fast"). Every row covers one *scope*: an OrgUnit id, counting the
# shares of everyone at or below that unit, or ORGANISATION_SCOPE (0) for the whole
# organisation. A share is thus counted once in its owner's unit and once in every unit above
# it, so any scope's numbers are a handful of index lookups, never a scan of its subtree.
# ``scope`` is a plain integer rather than a foreign key because 0 is not a unit.

ORGANISATION_SCOPE = 0


class ShareWeekStat(models.Model):
    """How many shares of one campaign on one platform, logged in one week of one KPI year
    by the people of one scope, are in each status now. Logged = the sum of the statuses.

    Kept current from ``ShareCountChange`` rows (written by ``dashboard.handlers`` with each
    status change, folded in by ``dashboard.stats.fold_changes``) and rebuilt per
    campaign by ``dashboard.stats.refresh_campaign``."""

    scope = models.BigIntegerField(
        _("scope"), help_text=_("OrgUnit id (its whole subtree); 0 = everyone.")
    )
    kpi_year = models.PositiveSmallIntegerField(_("KPI year"))
    week_start = models.DateField(
        _("week start"), help_text=_("Monday of the week (organisation's time zone).")
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=True,
        verbose_name=_("campaign"),
    )
    platform = models.CharField(_("platform"), max_length=16)
    pending = models.IntegerField(_("pending"), default=0)
    verified = models.IntegerField(_("verified"), default=0)
    needs_review = models.IntegerField(_("needs review"), default=0)
    rejected = models.IntegerField(_("rejected"), default=0)
    removed = models.IntegerField(_("removed"), default=0)

    class Meta:
        db_table = "scoring_shareweekstat"  # created by scoring; kept on the move
        verbose_name = _("weekly share count")
        verbose_name_plural = _("weekly share counts (derived)")
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

    scope = models.BigIntegerField(
        _("scope"), help_text=_("OrgUnit id (its whole subtree); 0 = everyone.")
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=True,
        verbose_name=_("campaign"),
    )
    shared_staff = models.IntegerField(_("shared staff"), default=0)
    verified_staff = models.IntegerField(_("verified staff"), default=0)

    class Meta:
        db_table = "scoring_campaignstaffstat"  # created by scoring; kept on the move
        verbose_name = _("campaign participation count")
        verbose_name_plural = _("campaign participation counts (derived)")
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
    ``dashboard.stats.fold_changes`` adds the waiting rows into ``ShareWeekStat`` and
    ``CampaignStaffStat`` and deletes them — before every dashboard read and every few
    seconds from beat."""

    person_id = models.BigIntegerField(_("person ID"))
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=True,
        verbose_name=_("campaign"),
    )
    kpi_year = models.PositiveSmallIntegerField(_("KPI year"))
    week_start = models.DateField(_("week start"))
    platform = models.CharField(_("platform"), max_length=16)
    pending = models.SmallIntegerField(_("pending"), default=0)
    verified = models.SmallIntegerField(_("verified"), default=0)
    needs_review = models.SmallIntegerField(_("needs review"), default=0)
    rejected = models.SmallIntegerField(_("rejected"), default=0)
    removed = models.SmallIntegerField(_("removed"), default=0)
    shared_staff = models.SmallIntegerField(_("shared staff"), default=0)
    verified_staff = models.SmallIntegerField(_("verified staff"), default=0)

    class Meta:
        verbose_name = _("share count change")
        verbose_name_plural = _("share count changes")
        db_table = "scoring_sharecountchange"  # created by scoring; kept on the move

    def __str__(self) -> str:
        return f"change {self.pk}: person {self.person_id} c{self.campaign_id} {self.platform}"


class CampaignStaffTally(models.Model):
    """Per person and campaign: shares logged and shares verified. The dashboard's
    distinct-people counts move only when one of these crosses zero; the person's own
    row is the lock that serialises two changes of the same person."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("campaign"),
    )
    person_id = models.BigIntegerField(_("person ID"))
    shares = models.IntegerField(_("shares"), default=0)
    verified = models.IntegerField(_("verified"), default=0)

    class Meta:
        verbose_name = _("campaign staff tally")
        verbose_name_plural = _("campaign staff tallies")
        db_table = "scoring_campaignstafftally"  # created by scoring; kept on the move
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person_id"], name="campaignstafftally_key"
            ),
        ]
        indexes = [
            # A person's verified campaigns, for the people counts' notes when the person
            # moves or is (de)activated (dashboard.people).
            models.Index(
                fields=["person_id"],
                name="campaignstafftally_verified",
                condition=models.Q(verified__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"c{self.campaign_id} person {self.person_id}: {self.shares}/{self.verified}"


class DashboardSettings(models.Model):
    """The dashboard's settings: one row (pk 1). Showing a leaderboard ranks colleagues
    publicly, a policy choice, so it is off until HR turns it on; who changed it and when
    is kept. ``stats_refreshed_at`` is when the share aggregates were last rebuilt."""

    leaderboard_enabled = models.BooleanField(_("leaderboard enabled"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    stats_refreshed_at = models.DateTimeField(_("stats refreshed at"), null=True, blank=True)

    SINGLETON_PK = 1

    class Meta:
        db_table = "scoring_dashboardsettings"  # created by scoring; kept on the move
        verbose_name = _("dashboard settings")
        verbose_name_plural = _("dashboard settings")
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


# People counts per scope (see dashboard/people.py): like the share counts, one row per
# scope, kept exact by notes that database triggers insert in the writers' transactions.
STAFF_YEAR = 0  # the kpi_year of the rows counting a scope's active people
CAMPAIGN_YEAR = 1  # the kpi_year of the rows counting a campaign's verified people
TREE_CHANGED = -1  # the unit of the note that says the org tree changed (rebuild)


class _PeopleCounts(models.Model):
    """What a people count and a note of its change both hold: the KPI year (or
    ``STAFF_YEAR`` / ``CAMPAIGN_YEAR``), the points value (a campaign id for
    ``CAMPAIGN_YEAR``) and the two numbers."""

    kpi_year = models.PositiveSmallIntegerField(_("KPI year"))
    points = models.IntegerField(_("points"))
    people = models.IntegerField(_("people"), default=0)
    participants = models.IntegerField(_("participants"), default=0)

    class Meta:
        abstract = True


class PeopleStat(_PeopleCounts):
    """Active people of one scope (an OrgUnit id and its subtree; 0 = everyone) by KPI
    score. For a KPI year and a points value: ``people`` active people whose score of that
    year has those points, ``participants`` those of them with ≥ 1 counted verified share
    (people with no score row of the year are the scope's active people less the year's
    rows). For ``kpi_year`` 0 (``STAFF_YEAR``, points 0): ``people`` the scope's active
    people, ``participants`` those of them with at least one social account. For
    ``kpi_year`` 1 (``CAMPAIGN_YEAR``): ``points`` is a campaign id, ``people`` the scope's
    active people with a verified share of that campaign."""

    scope = models.BigIntegerField(
        _("scope"), help_text=_("OrgUnit id (its whole subtree); 0 = everyone.")
    )

    class Meta:
        verbose_name = _("people count")
        verbose_name_plural = _("people counts (derived)")
        ordering = ["scope", "kpi_year", "points"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "kpi_year", "points"], name="peoplestat_key"),
        ]

    def __str__(self) -> str:
        return f"scope {self.scope} {self.kpi_year} {self.points}: {self.people}"


class PeopleCountChange(_PeopleCounts):
    """A change of ``PeopleStat`` waiting to be folded in, for one unit (0 = no unit;
    ``TREE_CHANGED``: the org tree changed, rebuild), inserted by the triggers on people,
    social accounts, KPI scores and units in the writer's own transaction; folded into the
    unit's scopes (and deleted) by ``dashboard.stats.fold_changes``."""

    unit = models.BigIntegerField(_("unit"))

    class Meta:
        verbose_name = _("people count change")
        verbose_name_plural = _("people count changes")

    def __str__(self) -> str:
        return f"change {self.pk}: unit {self.unit} {self.kpi_year} {self.points}"

"""Campaigns (official messages to share) and shares (staff members' own posts
re-sharing them). How a share is verified lives in verification.models."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Platform


class OfficialAccount(models.Model):
    """An official account of the organisation or one of its leaders, which staff must follow."""

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=200)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Who it belongs to, e.g. 'Chief Executive'.")
    )
    profile_url = models.URLField(_("profile URL"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("official account")
        verbose_name_plural = _("official accounts")
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint("platform", Lower("handle"), name="officialaccount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()} @{self.handle})"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Campaign(models.Model):
    """One official message: posts to share, a window and an audience."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(
        _("starts on"), help_text=_("First day staff may log shares (organisation's time zone).")
    )
    ends_on = models.DateField(_("ends on"), help_text=_("Last day, inclusive."))
    status = models.CharField(
        _("status"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="campaigns",
        help_text=_("Audience: these units and every unit below them. None = everyone."),
        verbose_name=_("units"),
    )  # fmt: skip
    counts_for_kpi = models.BooleanField(
        _("counts for the KPI"),
        default=True,
        help_text=_(
            "Verified shares of this campaign count towards KPI points. Only HR may turn "
            "it on for a campaign a manager created."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "starts_on", "ends_on"], name="campaign_open"),
            models.Index(fields=["created_by", "-starts_on"], name="campaign_created_by"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_window_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day: datetime.date) -> bool:
        return self.status == CampaignStatus.ACTIVE and self.starts_on <= day <= self.ends_on

    def is_open_today(self) -> bool:
        return self.is_open_on(timezone.localdate())


class ManagerCampaignRight(models.Model):
    """HR's switch for department campaigns: a manager may create and publish campaigns
    for their own subtree unless this is off for their unit or any unit above it."""

    unit = models.OneToOneField(
        OrgUnit, on_delete=models.CASCADE, related_name="manager_campaign_right",
        verbose_name=_("unit"),
    )  # fmt: skip
    managers_may_campaign = models.BooleanField(_("managers may run campaigns"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__path"]
        verbose_name = _("department campaign right")
        verbose_name_plural = _("department campaign rights")

    def __str__(self) -> str:
        return f"{self.unit.path}: {'on' if self.managers_may_campaign else 'off'}"


class CampaignPost(models.Model):
    """An official post of a campaign; one per platform at most."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="posts", verbose_name=_("campaign")
    )
    url = models.URLField(_("URL"), max_length=2000)
    normalized_url = models.CharField(_("normalised URL"), max_length=2000)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    # From campaigns.platforms.parse, as on a share: a share that is this very post (in
    # another URL shape) or by its author is refused at submission.
    post_id = models.CharField(_("post ID"), max_length=200, blank=True)
    author_handle = models.CharField(_("author handle"), max_length=200, blank=True)
    official_account = models.ForeignKey(
        OfficialAccount,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        verbose_name=_("official account"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign post")
        verbose_name_plural = _("campaign posts")
        ordering = ["campaign", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "platform"], name="campaignpost_one_per_platform"
            )
        ]
        indexes = [
            models.Index(fields=["normalized_url"], name="campaignpost_url"),
            models.Index(fields=["platform", "post_id"], name="campaignpost_platform_post"),
            models.Index(fields=["platform", "author_handle"], name="campaignpost_author"),
        ]

    def __str__(self) -> str:
        return self.normalized_url

    @staticmethod
    def parsed_fields(parsed) -> dict[str, str]:
        """The fields a post takes from ``platforms.parse`` of its URL."""
        return {
            "normalized_url": parsed.normalized_url,
            "platform": parsed.platform,
            "post_id": parsed.post_id or "",
            "author_handle": parsed.author_handle or "",
        }


class ShareStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    REJECTED = "rejected", _("Rejected")
    REMOVED = "removed", _("Removed")
    # A rejected or removed share its owner replaced by another URL for the same campaign
    # and platform: kept (linked to the new one), never counted, not live.
    REPLACED = "replaced", _("Replaced")


# The statuses a share can be replaced from (and appealed from).
REPLACEABLE_STATUSES = (ShareStatus.REJECTED, ShareStatus.REMOVED)


class ShareSource(models.TextChoices):
    FORM = "form", _("Web form")
    BOOKMARKLET = "bookmarklet", _("Bookmarklet")
    API = "api", _("API")
    SHARE_TARGET = "share-target", _("Phone share")


class Share(models.Model):
    """A staff member's own post re-sharing a campaign."""

    # Every index costs each submission's INSERT (and, where its pages are random, a full
    # page image in the WAL after each checkpoint): the staff, campaign and status lookups
    # use the composite indexes of Meta, which start with those columns; the normalised
    # URL is unique by a constraint, with no second (pattern) index for LIKE queries that
    # nothing runs.
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="shares",
        db_index=False,  # share_staff_status_time
        verbose_name=_("staff member"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="shares",
        db_index=False,  # share_campaign_status
        verbose_name=_("campaign"),
    )
    url = models.URLField(_("URL"), max_length=2000, help_text=_("As the staff member gave it."))
    normalized_url = models.CharField(_("normalised URL"), max_length=2000)  # share_url_unique
    # The short link as logged, kept after the verifier resolves it.
    short_url = models.CharField(_("short URL"), max_length=2000, blank=True)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    post_id = models.CharField(_("post ID"), max_length=200, blank=True)
    author_handle = models.CharField(_("author handle"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ShareStatus.choices,
        default=ShareStatus.PENDING,
    )  # share_status_time
    # Why it has its status: HR's own words, or a code of the reason catalogue with its
    # parameters (campaigns.reasons; the catalogue is verification.reasons).
    status_reason = models.TextField(_("status reason"), blank=True)
    status_code = models.CharField(_("status code"), max_length=40, blank=True)
    status_params = models.JSONField(_("status parameters"), default=dict, blank=True)
    # When the status last changed (an appeal's deadline counts from the rejection or removal).
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    replaced_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
        help_text=_("The share logged in place of this one (status replaced)."),
        verbose_name=_("replaced by"),
    )
    source = models.CharField(
        _("source"), max_length=16, choices=ShareSource.choices, default=ShareSource.FORM
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    screenshot = models.FileField(_("screenshot"), upload_to="screenshots/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # The duplicate key (DESIGN.md): a post is logged once, by anyone.
            models.UniqueConstraint(fields=["normalized_url"], name="share_url_unique"),
            # One live share per person, campaign and platform: replaced ones do not count.
            models.UniqueConstraint(
                fields=["staff", "campaign", "platform"],
                condition=~models.Q(status="replaced"),
                name="share_one_live_per_staff_campaign_platform",
            ),
        ]
        indexes = [
            models.Index(
                fields=["staff", "status", "submitted_at"], name="share_staff_status_time"
            ),
            models.Index(fields=["status", "submitted_at"], name="share_status_time"),
            models.Index(fields=["campaign", "status"], name="share_campaign_status"),
            models.Index(fields=["platform", "post_id"], name="share_platform_post"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.normalized_url} ({self.status})"

    @property
    def reason(self):
        """How the reason of its status reads (campaigns.reasons.Described)."""
        from .reasons import describe

        return describe(self)

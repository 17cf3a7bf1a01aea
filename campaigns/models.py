"""Campaigns (official messages to share), shares (staff members' own posts
re-sharing them) and the trail of how each share was verified."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import OrgUnit, Platform


class OfficialAccount(models.Model):
    """An official account of the organisation or one of its leaders, which staff must follow."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    handle = models.CharField(max_length=200)
    name = models.CharField(max_length=200, help_text="Who it belongs to, e.g. 'Chief Executive'.")
    profile_url = models.URLField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint("platform", Lower("handle"), name="officialaccount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()} @{self.handle})"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Campaign(models.Model):
    """One official message: posts to share, a window and an audience."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_on = models.DateField(
        help_text="First day staff may log shares (organisation's time zone)."
    )
    ends_on = models.DateField(help_text="Last day, inclusive.")
    status = models.CharField(
        max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="campaigns",
        help_text="Audience: these units and every unit below them. None = everyone.",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["status", "starts_on", "ends_on"], name="campaign_open")]
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


class CampaignPost(models.Model):
    """An official post of a campaign; one per platform at most."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="posts")
    url = models.URLField(max_length=2000)
    normalized_url = models.CharField(max_length=2000)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    official_account = models.ForeignKey(
        OfficialAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "platform"], name="campaignpost_one_per_platform"
            )
        ]

    def __str__(self) -> str:
        return self.normalized_url


class ShareStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    NEEDS_REVIEW = "needs_review", "Needs review"
    REJECTED = "rejected", "Rejected"
    REMOVED = "removed", "Removed"


class ShareSource(models.TextChoices):
    FORM = "form", "Web form"
    BOOKMARKLET = "bookmarklet", "Bookmarklet"
    API = "api", "API"
    SHARE_TARGET = "share-target", "Phone share"


class Share(models.Model):
    """A staff member's own post re-sharing a campaign."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shares"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="shares")
    url = models.URLField("URL", max_length=2000, help_text="As the staff member gave it.")
    normalized_url = models.CharField(max_length=2000, unique=True)
    # The short link as logged, kept after the verifier resolves it.
    short_url = models.CharField(max_length=2000, blank=True)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    post_id = models.CharField(max_length=200, blank=True)
    author_handle = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=ShareStatus.choices, default=ShareStatus.PENDING, db_index=True
    )
    status_reason = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=ShareSource.choices, default=ShareSource.FORM)
    submitted_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    screenshot = models.FileField(upload_to="screenshots/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "campaign", "platform"],
                name="share_one_per_staff_campaign_platform",
            )
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


class VerificationOutcome(models.TextChoices):
    VERIFIED = "verified", "Verified"
    NEEDS_REVIEW = "needs_review", "Needs review"
    REJECTED = "rejected", "Rejected"
    REMOVED = "removed", "Removed"
    RETRY = "retry", "Temporary failure, will retry"
    ERROR = "error", "Error"


class VerificationAttempt(models.Model):
    """One try at verifying a share: what was fetched, what came back, what it meant."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField(default=timezone.now)
    url_fetched = models.CharField(max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=VerificationOutcome.choices)
    reason = models.TextField(blank=True)
    # Which run of the task made it (Celery task id), so a redelivered task does not record twice.
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["share", "started_at"]
        indexes = [models.Index(fields=["share", "started_at"], name="attempt_share_time")]

    def __str__(self) -> str:
        return f"{self.share_id} {self.outcome} {self.http_status or ''}"


class ReviewDecision(models.Model):
    """An HR decision on a share in review: the audit trail."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="review_decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=8, choices=Decision.choices)
    reason = models.TextField(blank=True)
    old_status = models.CharField(max_length=16, choices=ShareStatus.choices)
    new_status = models.CharField(max_length=16, choices=ShareStatus.choices)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.decision} share {self.share_id} by {self.reviewer_id}"


class VerificationPolicy(models.TextChoices):
    EVIDENCE = "evidence", "Evidence (the post must be shown to exist and be yours)"
    SAMPLE = "sample", "Sample (structural checks; a random N % go to review)"
    REVIEW = "review", "Review (every share goes to HR review)"


class PlatformPolicy(models.Model):
    """How shares on one platform are verified. HR sets it; changes are recorded."""

    platform = models.CharField(max_length=16, choices=Platform.choices, unique=True)
    policy = models.CharField(max_length=8, choices=VerificationPolicy.choices)
    sample_percent = models.PositiveSmallIntegerField(
        default=10, help_text="With the sample policy: the share of submissions sent to review."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["platform"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sample_percent__lte=100), name="platformpolicy_percent_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform}: {self.policy}"


class PlatformPolicyChange(models.Model):
    platform = models.CharField(max_length=16, choices=Platform.choices)
    old_policy = models.CharField(max_length=8, blank=True)
    old_sample_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    new_policy = models.CharField(max_length=8)
    new_sample_percent = models.PositiveSmallIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.platform}: {self.old_policy or '-'} -> {self.new_policy}"

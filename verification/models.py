"""How shares are verified: each attempt, HR's review decisions, and the per-platform
verification policies with their history.

These tables were created by campaigns (before verification became an app of its
own); they keep their names, so an existing database upgraded with ``migrate``
keeps every row (see migrations/0001_initial.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Platform
from campaigns.models import Share, ShareStatus


class VerificationOutcome(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    REJECTED = "rejected", _("Rejected")
    REMOVED = "removed", _("Removed")
    RETRY = "retry", _("Temporary failure, will retry")
    ERROR = "error", _("Error")


class VerificationAttempt(models.Model):
    """One try at verifying a share: what was fetched, what came back, what it meant."""

    share = models.ForeignKey(
        Share, verbose_name=_("share"), on_delete=models.CASCADE, related_name="attempts"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    url_fetched = models.CharField(_("URL fetched"), max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=16, choices=VerificationOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    # Which run of the task made it (Celery task id), so a redelivered task does not record twice.
    task_id = models.CharField(_("task ID"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("verification attempt")
        verbose_name_plural = _("verification attempts")
        db_table = "campaigns_verificationattempt"  # created by campaigns; kept on the move
        ordering = ["share", "started_at"]
        indexes = [models.Index(fields=["share", "started_at"], name="attempt_share_time")]

    def __str__(self) -> str:
        return f"{self.share_id} {self.outcome} {self.http_status or ''}"


class ReviewDecision(models.Model):
    """An HR decision on a share in review: the audit trail."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    share = models.ForeignKey(
        Share, verbose_name=_("share"), on_delete=models.CASCADE, related_name="review_decisions"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    old_status = models.CharField(_("old status"), max_length=16, choices=ShareStatus.choices)
    new_status = models.CharField(_("new status"), max_length=16, choices=ShareStatus.choices)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        db_table = "campaigns_reviewdecision"  # created by campaigns; kept on the move
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.decision} share {self.share_id} by {self.reviewer_id}"


class VerificationPolicy(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence (the post must be shown to exist and be yours)")
    # xgettext:no-python-format
    SAMPLE = "sample", _("Sample (structural checks; a random N % go to review)")
    REVIEW = "review", _("Review (every share goes to HR review)")


class PlatformPolicy(models.Model):
    """How shares on one platform are verified. HR sets it; changes are recorded."""

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices, unique=True)
    policy = models.CharField(_("policy"), max_length=8, choices=VerificationPolicy.choices)
    sample_percent = models.PositiveSmallIntegerField(
        _("sample percent"),
        default=10,
        help_text=_("With the sample policy: the share of submissions sent to review."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "campaigns_platformpolicy"  # created by campaigns; kept on the move
        verbose_name = _("platform policy")
        verbose_name_plural = _("platform policies")
        ordering = ["platform"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sample_percent__lte=100), name="platformpolicy_percent_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform}: {self.policy}"


class PlatformPolicyChange(models.Model):
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    old_policy = models.CharField(_("old policy"), max_length=8, blank=True)
    old_sample_percent = models.PositiveSmallIntegerField(
        _("old sample percent"), null=True, blank=True
    )
    new_policy = models.CharField(_("new policy"), max_length=8)
    new_sample_percent = models.PositiveSmallIntegerField(_("new sample percent"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("platform policy change")
        verbose_name_plural = _("platform policy changes")
        db_table = "campaigns_platformpolicychange"  # created by campaigns; kept on the move
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.platform}: {self.old_policy or '-'} -> {self.new_policy}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    OVERTURNED = "overturned", _("Overturned")


class Appeal(models.Model):
    """A staff member contesting the rejection or removal of their share: once per
    share, within SHAREKPI_APPEAL_DAYS; an HR admin upholds or overturns it."""

    class Decision(models.TextChoices):
        UPHOLD = "uphold", _("Uphold")
        OVERTURN = "overturn", _("Overturn")

    share = models.ForeignKey(
        Share, verbose_name=_("share"), on_delete=models.CASCADE, related_name="appeals"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("staff"),
    )
    note = models.TextField(_("note"))
    screenshot = models.FileField(_("screenshot"), upload_to="appeals/%Y/%m/", blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    # The share's status the appeal contests (rejected or removed) and when it was set.
    appealed_status = models.CharField(
        _("appealed status"), max_length=16, choices=ShareStatus.choices
    )
    appealed_status_at = models.DateTimeField(_("appealed status at"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    # The share's KPI year was closed when the appeal was decided: its frozen score
    # did not change (an overturn still makes the share verified).
    year_closed = models.BooleanField(_("year closed"), default=False)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["share"], name="appeal_one_per_share"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="appeal_status_time"),
            models.Index(fields=["staff", "created_at"], name="appeal_staff_time"),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} of share {self.share_id} ({self.status})"

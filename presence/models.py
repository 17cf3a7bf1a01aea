"""Social presence: which platforms each unit's people must have an account on,
which official accounts an audience must follow, the people's own "I follow"
confirmations and HR's spot checks of them, follower snapshots of the official
accounts and follow drives that compare expected with observed growth.

A server cannot see who follows whom, so following is *confirmed by the
person* and *spot-checked by HR*; nobody is labelled by a guess.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Platform, SocialAccount
from campaigns.models import OfficialAccount


class RequiredPlatforms(models.Model):
    """The platforms a unit's people must have an account on. Inherited down the
    tree: the nearest unit with an entry decides (an empty list = no requirement)."""

    unit = models.OneToOneField(
        OrgUnit, on_delete=models.CASCADE, related_name="required_platforms", verbose_name=_("unit")
    )
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["unit__path"]
        verbose_name = _("required platforms")
        verbose_name_plural = _("required platforms")

    def __str__(self) -> str:
        return f"{self.unit.path}: {', '.join(self.platforms) or '-'}"


class FollowRequirement(models.Model):
    """An official account that an audience must follow (no units = everyone)."""

    official_account = models.OneToOneField(
        OfficialAccount,
        on_delete=models.CASCADE,
        related_name="follow_requirement",
        verbose_name=_("official account"),
    )
    must_follow = models.BooleanField(_("must follow"), default=True)
    units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="+", verbose_name=_("audience units")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("must-follow account")
        verbose_name_plural = _("must-follow accounts")
        indexes = [
            models.Index(
                fields=["must_follow"],
                name="followreq_active",
                condition=models.Q(must_follow=True),
            )
        ]

    def __str__(self) -> str:
        return str(self.official_account)


class FollowConfirmation(models.Model):
    """A person's own word that they follow an official account. One row per
    person and account; un-confirming keeps the row with ``following`` off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follow_confirmations",
        verbose_name=_("person"),
    )
    official_account = models.ForeignKey(
        OfficialAccount,
        on_delete=models.CASCADE,
        related_name="follow_confirmations",
        verbose_name=_("official account"),
    )
    following = models.BooleanField(_("following"), default=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    screenshot = models.FileField(_("screenshot"), upload_to="follow-proofs/%Y/%m/", blank=True)

    class Meta:
        ordering = ["user", "official_account"]
        verbose_name = _("follow confirmation")
        verbose_name_plural = _("follow confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "official_account"], name="followconfirmation_one_per_account"
            )
        ]
        indexes = [
            models.Index(
                fields=["official_account", "confirmed_at"],
                name="followconf_account_since",
                condition=models.Q(following=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.official_account_id} ({self.following})"


class SpotCheckKind(models.TextChoices):
    FOLLOW = "follow", _("Follow confirmation")
    ACCOUNT = "account", _("Own account")


class SpotCheckResult(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    CONFIRMED = "confirmed", _("Confirmed")
    NOT_FOUND = "not_found", _("Spot check failed")


class SpotCheck(models.Model):
    """One item of HR's monthly random sample: a follow confirmation or an
    unproven own account, opened by HR and marked confirmed or not found."""

    kind = models.CharField(_("kind"), max_length=16, choices=SpotCheckKind.choices)
    month = models.DateField(_("month"), help_text=_("First day of the month sampled."))
    confirmation = models.ForeignKey(
        FollowConfirmation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="spot_checks",
        verbose_name=_("follow confirmation"),
    )
    social_account = models.ForeignKey(
        SocialAccount,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="spot_checks",
        verbose_name=_("own account"),
    )
    # Denormalised so the report counts by person and account without joins.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    official_account = models.ForeignKey(
        OfficialAccount,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="spot_checks",
        verbose_name=_("official account"),
    )
    result = models.CharField(
        _("result"), max_length=16, choices=SpotCheckResult.choices, default=SpotCheckResult.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "result", "pk"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "confirmation"],
                condition=models.Q(confirmation__isnull=False),
                name="spotcheck_once_per_confirmation_month",
            ),
            models.UniqueConstraint(
                fields=["month", "social_account"],
                condition=models.Q(social_account__isnull=False),
                name="spotcheck_once_per_account_month",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="follow", confirmation__isnull=False)
                    | models.Q(kind="account", social_account__isnull=False)
                ),
                name="spotcheck_subject_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["official_account", "result"], name="spotcheck_account")]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m} {self.result}"


class SnapshotSource(models.TextChoices):
    MANUAL = "manual", _("Entered by HR")
    API = "api", _("Platform API")


class FollowerSnapshot(models.Model):
    """An official account's follower count on a day."""

    official_account = models.ForeignKey(
        OfficialAccount,
        on_delete=models.CASCADE,
        related_name="follower_snapshots",
        verbose_name=_("official account"),
    )
    taken_on = models.DateField(_("taken on"))
    followers = models.PositiveBigIntegerField(_("followers"))
    source = models.CharField(
        _("source"), max_length=8, choices=SnapshotSource.choices, default=SnapshotSource.MANUAL
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["official_account", "taken_on"]
        verbose_name = _("follower snapshot")
        verbose_name_plural = _("follower snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["official_account", "taken_on"], name="followersnapshot_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.official_account_id} {self.taken_on}: {self.followers}"


class FollowerApiKey(models.Model):
    """A key HR configured for a platform's official API, used by beat to fetch
    follower counts daily. Never shown back once saved."""

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices, unique=True)
    secret = models.TextField(_("key or token"))
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    last_fetch_at = models.DateTimeField(_("last fetch"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("follower API key")
        verbose_name_plural = _("follower API keys")

    def __str__(self) -> str:
        return self.get_platform_display()


class FollowDrive(models.Model):
    """A push to get an audience to follow an official account from a date:
    expected growth (confirmations since the start) against observed growth
    (snapshots)."""

    official_account = models.ForeignKey(
        OfficialAccount,
        on_delete=models.CASCADE,
        related_name="follow_drives",
        verbose_name=_("official account"),
    )
    starts_on = models.DateField(_("starts on"))
    units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="+", verbose_name=_("audience units")
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("e.g. 'Follow the Governor, 2025'.")
    )
    people_asked = models.PositiveIntegerField(
        _("people asked"),
        null=True,
        blank=True,
        help_text=_(
            "How many people the memo asked to follow, when it is known from outside "
            "ShareKPI. Blank: the people of the audience in ShareKPI."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("follow drive")
        verbose_name_plural = _("follow drives")

    def __str__(self) -> str:
        return f"{self.official_account} from {self.starts_on}"

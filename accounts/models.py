"""People, the org tree and their social accounts."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

UNIT_SEPARATOR = "/"


class Platform(models.TextChoices):
    """The social platforms ShareKPI knows. campaigns.platforms knows their URLs."""

    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    X = "x", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    LINKEDIN = "linkedin", "LinkedIn"
    THREADS = "threads", "Threads"


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    MANAGER = "manager", _("Manager")
    HR_ADMIN = "hr_admin", _("HR admin")


class OrgUnitQuerySet(models.QuerySet):
    def subtree(self, unit: OrgUnit) -> OrgUnitQuerySet:
        """The unit and every unit below it, in one indexed prefix query."""
        return self.filter(
            models.Q(path=unit.path) | models.Q(path__startswith=unit.subtree_prefix)
        )


class OrgUnit(models.Model):
    """A node of the org tree. ``path`` is the materialised path
    (``Headquarters/Communications/Digital``), so a whole subtree is one
    ``path LIKE 'prefix/%'`` query however deep the tree."""

    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(_("path"), max_length=1000, unique=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        indexes = [
            # Lets PostgreSQL use the index for ``path LIKE 'x/%'`` whatever the collation.
            models.Index(
                fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def subtree_prefix(self) -> str:
        return self.path + UNIT_SEPARATOR


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(staff_id=username)

    def create_user(self, staff_id: str, email: str, password: str | None = None, **fields):
        if not staff_id:
            raise ValueError("staff_id is required")
        user = self.model(staff_id=staff_id, email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, staff_id: str, email: str, password: str | None = None, **fields):
        fields.setdefault("full_name", staff_id)
        fields.update(is_superuser=True, role=Role.HR_ADMIN)
        return self.create_user(staff_id, email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. Logs in with ``staff_id`` or ``email``."""

    staff_id = models.CharField(_("staff ID"), max_length=64, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("unit"),
    )
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("manager"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Chosen with the language switch; applied at login on every device. Blank:
    # follow the browser (Accept-Language), else LANGUAGE_CODE.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_("Blank: follow the browser."),
    )

    objects = UserManager()

    USERNAME_FIELD = "staff_id"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["staff_id"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["unit", "is_active"], name="user_unit_active")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.staff_id})"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_staff(self) -> bool:
        """Django admin access: HR admins and superusers."""
        return self.is_superuser or self.role == Role.HR_ADMIN

    @property
    def is_hr_admin(self) -> bool:
        return self.is_superuser or self.role == Role.HR_ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    def has_perm(self, perm, obj=None) -> bool:
        """HR admins run the programme: every model permission, like a superuser."""
        if self.is_active and self.role == Role.HR_ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.role == Role.HR_ADMIN:
            return True
        return super().has_module_perms(app_label)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.staff_id


class ProofStatus(models.TextChoices):
    UNPROVEN = "unproven", _("Not proven yet")
    PROVEN = "proven", _("Proven")
    FAILED = "failed", _("Proof failed")


class ProofReason(models.TextChoices):
    """Why a proof stands where it stands: stored as a code, explained to the
    person by PROOF_REASON_MESSAGES in their language."""

    CODE_FOUND = "code_found", _("Code found")
    CODE_NOT_FOUND = "code_not_found", _("Code not in the bio")
    PROFILE_NOT_FOUND = "profile_not_found", _("Profile not found")
    LOGIN_WALL = "login_wall", _("Login wall")
    NO_PUBLIC_BIO = "no_public_bio", _("Bio not public")
    COULD_NOT_CHECK = "could_not_check", _("Could not check")
    AWAITING_SPOT_CHECK = "awaiting_spot_check", _("Screenshot waiting for HR")
    SPOT_CHECK_CONFIRMED = "spot_check_confirmed", _("Confirmed by HR")
    SPOT_CHECK_FAILED = "spot_check_failed", _("Not confirmed by HR")


PROOF_REASON_MESSAGES = {
    ProofReason.CODE_FOUND: _("Your code was found on the profile."),
    ProofReason.CODE_NOT_FOUND: _(
        "The profile's bio is public but your code is not in it. Put the code in your bio, "
        "save it, then check again."
    ),
    ProofReason.PROFILE_NOT_FOUND: _(
        "The platform says this profile does not exist. Check the handle, then check again."
    ),
    ProofReason.LOGIN_WALL: _(
        "The platform shows this profile only to logged-in visitors, so ShareKPI cannot read "
        "the bio. Attach a screenshot of your profile showing the code; HR will check it."
    ),
    ProofReason.NO_PUBLIC_BIO: _(
        "This platform does not show profile bios to ShareKPI. Attach a screenshot of your "
        "profile showing the code; HR will check it."
    ),
    ProofReason.COULD_NOT_CHECK: _(
        "ShareKPI could not read the profile this time. Check again later, or attach a "
        "screenshot of your profile showing the code."
    ),
    ProofReason.AWAITING_SPOT_CHECK: _("Your screenshot is waiting for HR to check it."),
    ProofReason.SPOT_CHECK_CONFIRMED: _("HR checked your screenshot: proven."),
    ProofReason.SPOT_CHECK_FAILED: _(
        "HR could not confirm the code from your screenshot. Check your bio and try again."
    ),
}


# Reasons after which the next step is a screenshot for HR, not a new check.
SCREENSHOT_REASONS = frozenset(
    {ProofReason.LOGIN_WALL, ProofReason.NO_PUBLIC_BIO, ProofReason.COULD_NOT_CHECK}
)


class SocialAccount(models.Model):
    """A person's own account on a platform, one per platform at most.

    Only current accounts live here (verification matches post authors against
    ``handle``, presence counts them); every add, replace and removal is kept
    in :class:`SocialAccountChange`. Ownership proof: the person puts their
    :class:`ProofCode` in the profile bio and asks for a check (``proof_*``).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="social_accounts", verbose_name=_("user")
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    handle = models.CharField(
        _("handle"), max_length=200, help_text=_("Without the @, as shown in the URL.")
    )
    profile_url = models.URLField(_("profile URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    proof_status = models.CharField(
        _("proof status"), max_length=16, choices=ProofStatus.choices, default=ProofStatus.UNPROVEN
    )
    proof_reason = models.CharField(
        _("proof reason"), max_length=32, choices=ProofReason.choices, blank=True
    )
    proof_detail = models.CharField(
        _("proof detail"),
        max_length=300,
        blank=True,
        help_text=_("What the check saw (for HR), in plain words."),
    )
    proof_checked_at = models.DateTimeField(_("proof checked at"), null=True, blank=True)
    proof_requested_at = models.DateTimeField(_("proof requested at"), null=True, blank=True)
    proof_screenshot = models.FileField(
        _("proof screenshot"), upload_to="account-proofs/", blank=True
    )
    proof_needs_check = models.BooleanField(
        _("proof needs a check"),
        default=False,
        help_text=_("A screenshot waits for HR's spot check."),
    )

    class Meta:
        ordering = ["user", "platform"]
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")
        constraints = [
            models.UniqueConstraint(
                "platform", Lower("handle"), name="socialaccount_platform_handle_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "platform"], name="socialaccount_one_per_platform"
            ),
        ]
        indexes = [
            models.Index(
                fields=["proof_needs_check"],
                name="socialaccount_spot_check",
                condition=models.Q(proof_needs_check=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform}:@{self.handle}"

    def save(self, *args, **kwargs):
        self.handle = self.handle.strip().lstrip("@")
        super().save(*args, **kwargs)

    @property
    def proof_message(self) -> str:
        return str(PROOF_REASON_MESSAGES.get(self.proof_reason, "")) if self.proof_reason else ""

    @property
    def proof_wants_screenshot(self) -> bool:
        """The check cannot tell by itself: a screenshot for HR is the way on."""
        return (
            self.proof_status != ProofStatus.PROVEN
            and not self.proof_needs_check
            and self.proof_reason in SCREENSHOT_REASONS
        )


class AccountChange(models.TextChoices):
    ADDED = "added", _("Added")
    REPLACED = "replaced", _("Replaced")
    REMOVED = "removed", _("Removed")


class SocialAccountChange(models.Model):
    """History of a person's accounts: one row per add, replace or removal,
    never edited. ``handle`` is the account after the change (the removed one
    for ``removed``); ``old_handle`` the one it replaced."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="account_changes", verbose_name=_("user")
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    change = models.CharField(_("change"), max_length=16, choices=AccountChange.choices)
    handle = models.CharField(_("handle"), max_length=200)
    profile_url = models.URLField(_("profile URL"), max_length=500, blank=True)
    old_handle = models.CharField(_("old handle"), max_length=200, blank=True)
    old_proof_status = models.CharField(
        _("old proof status"), max_length=16, choices=ProofStatus.choices, blank=True
    )
    account_id = models.PositiveBigIntegerField(
        _("account ID"),
        null=True,
        blank=True,
        help_text=_("The social account row (gone once removed)."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    via = models.CharField(
        _("via"), max_length=16, default="self", help_text=_("self, import or admin")
    )

    class Meta:
        ordering = ["user", "at", "pk"]
        verbose_name = _("social account change")
        verbose_name_plural = _("social account changes")
        indexes = [models.Index(fields=["user", "platform", "at"], name="accountchange_user")]

    def __str__(self) -> str:
        return f"{self.platform}:@{self.handle} {self.change}"


PROOF_CODE_PREFIX = "SKPI-"
# No 0/O, 1/I/L: the code is read off a screen and typed into a bio.
PROOF_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PROOF_CODE_LENGTH = 8  # 31**8 ≈ 8.5e11: unguessable for this purpose


def new_proof_code() -> str:
    return PROOF_CODE_PREFIX + "".join(
        secrets.choice(PROOF_CODE_ALPHABET) for _ in range(PROOF_CODE_LENGTH)
    )


class ProofCode(models.Model):
    """The short code a person puts in their profile bios to prove they own them.
    Stable until they ask for a new one."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="proof_code", verbose_name=_("user")
    )
    code = models.CharField(_("code"), max_length=32, unique=True, default=new_proof_code)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("proof code")
        verbose_name_plural = _("proof codes")

    def __str__(self) -> str:
        return self.code

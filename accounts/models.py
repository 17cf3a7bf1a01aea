"""People, the org tree and their social accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

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
    STAFF = "staff", "Staff"
    MANAGER = "manager", "Manager"
    HR_ADMIN = "hr_admin", "HR admin"


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

    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=1000, unique=True)
    depth = models.PositiveSmallIntegerField(default=0)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
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

    staff_id = models.CharField("staff ID", max_length=64, unique=True)
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    is_active = models.BooleanField("active", default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "staff_id"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["staff_id"]
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


class SocialAccount(models.Model):
    """A staff member's own account on a platform; verification matches post
    authors against ``handle``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="social_accounts")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    handle = models.CharField(max_length=200, help_text="Without the @, as shown in the URL.")
    profile_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "platform"]
        constraints = [
            models.UniqueConstraint(
                "platform", Lower("handle"), name="socialaccount_platform_handle_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:@{self.handle}"

    def save(self, *args, **kwargs):
        self.handle = self.handle.strip().lstrip("@")
        super().save(*args, **kwargs)

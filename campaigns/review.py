"""What HR decides about verification: review decisions, platform policies,
and the screenshots staff attach to shares in review.

Every write is one transaction, keyword-only, and audited: a ReviewDecision
per decision (who, when, old and new status, reason), a PlatformPolicyChange
per policy change (who, when, before, after).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import OrgUnit, Platform, User

from . import services
from .models import (
    PlatformPolicy,
    PlatformPolicyChange,
    ReviewDecision,
    Share,
    ShareStatus,
    VerificationAttempt,
    VerificationPolicy,
)

# --- verification policies --------------------------------------------------------

# When HR has not set a policy: the platforms whose oEmbed names the author are
# checked on evidence; the ones behind login walls are sampled.
DEFAULT_POLICIES: dict[str, tuple[str, int]] = {
    Platform.X: (VerificationPolicy.EVIDENCE, 10),
    Platform.TIKTOK: (VerificationPolicy.EVIDENCE, 10),
    Platform.YOUTUBE: (VerificationPolicy.EVIDENCE, 10),
    Platform.FACEBOOK: (VerificationPolicy.SAMPLE, 10),
    Platform.INSTAGRAM: (VerificationPolicy.SAMPLE, 10),
    Platform.THREADS: (VerificationPolicy.SAMPLE, 10),
    Platform.LINKEDIN: (VerificationPolicy.SAMPLE, 10),
}


@dataclass(frozen=True)
class EffectivePolicy:
    """The policy in force for a platform (HR's row, or the default)."""

    platform: str
    policy: str
    sample_percent: int
    is_default: bool = True
    updated_by: User | None = None
    updated_at: object = None

    @property
    def platform_label(self) -> str:
        return Platform(self.platform).label

    @property
    def policy_label(self) -> str:
        return VerificationPolicy(self.policy).label

    def describe(self) -> str:
        if self.policy == VerificationPolicy.SAMPLE:
            return f"sample {self.sample_percent} %"
        return str(self.policy)


class PolicyInvalid(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _effective(platform: str, row: PlatformPolicy | None) -> EffectivePolicy:
    if row is None:
        policy, percent = DEFAULT_POLICIES[platform]
        return EffectivePolicy(platform, str(policy), percent)
    return EffectivePolicy(
        platform, row.policy, row.sample_percent, False, row.updated_by, row.updated_at
    )


def policy_for(platform: str) -> EffectivePolicy:
    return _effective(platform, PlatformPolicy.objects.filter(platform=platform).first())


def all_policies() -> list[EffectivePolicy]:
    rows = {row.platform: row for row in PlatformPolicy.objects.select_related("updated_by")}
    return [_effective(platform, rows.get(platform)) for platform in Platform.values]


def policy_changes(limit: int = 50) -> QuerySet[PlatformPolicyChange]:
    return PlatformPolicyChange.objects.select_related("changed_by")[:limit]


@transaction.atomic
def set_policy(*, platform: str, policy: str, sample_percent: int, actor: User) -> EffectivePolicy:
    """Set how shares on ``platform`` are verified, recording who changed what."""
    if platform not in Platform.values:
        raise PolicyInvalid("platform", f"Unknown platform {platform!r}.")
    if policy not in VerificationPolicy.values:
        raise PolicyInvalid("policy", "Choose evidence, sample or review.")
    try:
        sample_percent = int(sample_percent)
    except (TypeError, ValueError):
        raise PolicyInvalid("sample_percent", "The sample must be a whole number.") from None
    if not 0 <= sample_percent <= 100:
        raise PolicyInvalid("sample_percent", "The sample must be between 0 and 100 %.")
    row = PlatformPolicy.objects.select_for_update().filter(platform=platform).first()
    before = _effective(platform, row)
    if row is not None and (row.policy, row.sample_percent) == (policy, sample_percent):
        return before
    PlatformPolicy.objects.update_or_create(
        platform=platform,
        defaults={"policy": policy, "sample_percent": sample_percent, "updated_by": actor},
    )
    PlatformPolicyChange.objects.create(
        platform=platform,
        old_policy=before.policy,
        old_sample_percent=before.sample_percent,
        new_policy=policy,
        new_sample_percent=sample_percent,
        changed_by=actor,
        changed_at=timezone.now(),
    )
    return policy_for(platform)


# --- the review queue -------------------------------------------------------------

REVIEWABLE = (ShareStatus.NEEDS_REVIEW, ShareStatus.PENDING)


def shares_in_review(
    *,
    text: str = "",
    campaign_id: int | None = None,
    unit: OrgUnit | None = None,
    platform: str = "",
) -> QuerySet[Share]:
    """needs_review shares, oldest first, with their attempts; filters are optional."""
    shares = Share.objects.filter(status=ShareStatus.NEEDS_REVIEW)
    if text:
        shares = shares.filter(
            Q(status_reason__icontains=text) | Q(attempts__reason__icontains=text)
        ).distinct()
    if campaign_id:
        shares = shares.filter(campaign_id=campaign_id)
    if unit is not None:
        shares = shares.filter(
            Q(staff__unit__path=unit.path) | Q(staff__unit__path__startswith=unit.subtree_prefix)
        )
    if platform:
        shares = shares.filter(platform=platform)
    return (
        shares.select_related("staff", "staff__unit", "campaign")
        .prefetch_related(
            Prefetch("attempts", queryset=VerificationAttempt.objects.order_by("started_at"))
        )
        .order_by("submitted_at", "pk")
    )


# --- decisions --------------------------------------------------------------------


class ReviewRefused(Exception):
    """A decision that cannot be made; ``field`` is the form/API field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


DECISION_STATUS = {
    ReviewDecision.Decision.APPROVE: ShareStatus.VERIFIED,
    ReviewDecision.Decision.REJECT: ShareStatus.REJECTED,
}


def check_decision(*, decision: str, reason: str) -> str:
    """The cleaned reason, or ReviewRefused for a bad decision or a reject without reason."""
    if decision not in DECISION_STATUS:
        raise ReviewRefused("decision", "The decision must be approve or reject.")
    reason = (reason or "").strip()
    if decision == ReviewDecision.Decision.REJECT and not reason:
        raise ReviewRefused(
            "reason", "Give a reason for rejecting: the member of staff will see it."
        )
    return reason


@transaction.atomic
def decide(*, share: Share, reviewer: User, decision: str, reason: str = "") -> Share:
    """Approve (→ verified) or reject (→ rejected) a share in review, audited."""
    if not reviewer.is_hr_admin:
        raise ReviewRefused("reviewer", "Only HR admins may review shares.")
    reason = check_decision(decision=decision, reason=reason)
    locked = Share.objects.select_for_update().get(pk=share.pk)
    if locked.status not in REVIEWABLE:
        raise ReviewRefused(
            "share", f"This share is {locked.get_status_display().lower()}, not in review."
        )
    old_status = locked.status
    new_status = DECISION_STATUS[decision]
    verb = "Approved" if decision == ReviewDecision.Decision.APPROVE else "Rejected"
    services.change_share_status(
        share=locked,
        new_status=new_status,
        reason=f"{verb} in review" + (f": {reason}" if reason else ""),
    )
    ReviewDecision.objects.create(
        share=locked,
        reviewer=reviewer,
        decision=decision,
        reason=reason,
        old_status=old_status,
        new_status=new_status,
        decided_at=timezone.now(),
    )
    return locked


@dataclass
class BulkResult:
    decided: list[Share] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


@transaction.atomic
def bulk_decide(
    *, share_ids: list[int], reviewer: User, decision: str, reason: str = ""
) -> BulkResult:
    """The same decision for many shares; those no longer in review are skipped, not failed."""
    if not reviewer.is_hr_admin:
        raise ReviewRefused("reviewer", "Only HR admins may review shares.")
    reason = check_decision(decision=decision, reason=reason)
    result = BulkResult()
    shares = {s.pk: s for s in Share.objects.filter(pk__in=share_ids)}
    for share_id in dict.fromkeys(share_ids):
        share = shares.get(share_id)
        if share is None:
            result.skipped.append((share_id, "no such share"))
            continue
        try:
            with transaction.atomic():
                result.decided.append(
                    decide(share=share, reviewer=reviewer, decision=decision, reason=reason)
                )
        except ReviewRefused as exc:
            result.skipped.append((share_id, exc.message))
    return result


# --- screenshots ------------------------------------------------------------------

# Magic bytes → (extension, content type). The file's own name and the browser's
# content type are never trusted.
SCREENSHOT_TYPES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "png", "image/png"),
    (b"\xff\xd8\xff", 0, "jpg", "image/jpeg"),
    (b"GIF87a", 0, "gif", "image/gif"),
    (b"GIF89a", 0, "gif", "image/gif"),
)


def screenshot_type(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of an image from its first bytes, or None."""
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "image/webp"
    for magic, offset, ext, content_type in SCREENSHOT_TYPES:
        if head[offset : offset + len(magic)] == magic:
            return ext, content_type
    return None


def screenshot_max_bytes() -> int:
    return int(getattr(settings, "SHAREKPI_SCREENSHOT_MAX_BYTES", 5 * 1024 * 1024))


class ScreenshotRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def may_see_screenshot(user: User, share: Share) -> bool:
    return bool(user.is_authenticated and (user.pk == share.staff_id or user.is_hr_admin))


@transaction.atomic
def attach_screenshot(*, share: Share, staff: User, upload) -> Share:
    """Save an image the owner of a share in review took of their post."""
    locked = Share.objects.select_for_update().get(pk=share.pk)
    if locked.staff_id != staff.pk:
        raise ScreenshotRefused("Only the person who logged this share may add a screenshot.")
    if locked.status != ShareStatus.NEEDS_REVIEW:
        raise ScreenshotRefused(
            "A screenshot can be added only while the share is waiting for review "
            f"(this one is {locked.get_status_display().lower()})."
        )
    limit = screenshot_max_bytes()
    if upload.size == 0:
        raise ScreenshotRefused("The file is empty.")
    if upload.size > limit:
        raise ScreenshotRefused(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{limit / 1024 / 1024:.0f} MB. Crop the screenshot or save it as JPEG."
        )
    upload.seek(0)
    kind = screenshot_type(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ScreenshotRefused(
            "Only PNG, JPEG, WebP or GIF images can be attached, and this file is none of them."
        )
    old_name = locked.screenshot.name
    locked.screenshot.save(f"share-{locked.pk}-{uuid.uuid4().hex}.{kind[0]}", upload, save=False)
    locked.save(update_fields=["screenshot", "updated_at"])
    if old_name:
        transaction.on_commit(lambda: default_storage.delete(old_name))
    return locked


def open_screenshot(share: Share):
    """(file, content type) of a share's screenshot; the type is read from its bytes."""
    handle = share.screenshot.open("rb")
    head = handle.read(16)
    handle.seek(0)
    kind = screenshot_type(head)
    return handle, (kind[1] if kind else "application/octet-stream")

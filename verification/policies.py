"""Verification policies: how shares on each platform are verified (evidence /
sample N % / review), HR's setting of them and its history.

Every change is one transaction that writes the PlatformPolicyChange row (the history
HR sees on the policies page) and its audit entry together.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

import audit
from accounts.models import Platform, User

from .models import PlatformPolicy, PlatformPolicyChange, VerificationPolicy

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
            return _("sample %(percent)s %%") % {"percent": self.sample_percent}
        if self.policy == VerificationPolicy.EVIDENCE:
            return pgettext("verification policy", "evidence")
        if self.policy == VerificationPolicy.REVIEW:
            return pgettext("verification policy", "review")
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
        raise PolicyInvalid(
            "platform", _("Unknown platform %(platform)r.") % {"platform": platform}
        )
    if policy not in VerificationPolicy.values:
        raise PolicyInvalid("policy", _("Choose evidence, sample or review."))
    try:
        sample_percent = int(sample_percent)
    except (TypeError, ValueError):
        raise PolicyInvalid("sample_percent", _("The sample must be a whole number.")) from None
    if not 0 <= sample_percent <= 100:
        raise PolicyInvalid("sample_percent", _("The sample must be between 0 and 100 %%.") % {})
    row = PlatformPolicy.objects.select_for_update().filter(platform=platform).first()
    before = _effective(platform, row)
    if row is not None and (row.policy, row.sample_percent) == (policy, sample_percent):
        return before
    row, _created = PlatformPolicy.objects.update_or_create(
        platform=platform,
        defaults={"policy": policy, "sample_percent": sample_percent, "updated_by": actor},
    )
    audit.record(
        actor=actor,
        action="policy.changed",
        obj=row,
        before={
            "policy": before.policy,
            "sample_percent": before.sample_percent,
            "default": before.is_default,
        },
        after={"policy": policy, "sample_percent": sample_percent, "default": False},
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

"""Drop the compliance report's cached counts (presence.report.cached_tree) when a
person, unit, own account, official account, confirmation, spot check or rule is
saved or deleted. Bulk writes send no signals: the cache's time-out
(SHAREKPI_PRESENCE_REPORT_CACHE_SECONDS) bounds how stale the report can be."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save


def connect() -> None:
    from accounts.models import OrgUnit, SocialAccount, User
    from campaigns.models import OfficialAccount

    from . import report
    from .models import FollowConfirmation, FollowRequirement, RequiredPlatforms, SpotCheck

    for model in (
        User,
        OrgUnit,
        SocialAccount,
        OfficialAccount,
        FollowConfirmation,
        SpotCheck,
        RequiredPlatforms,
        FollowRequirement,
    ):
        uid = f"presence.report.forget.{model._meta.label_lower}"
        post_save.connect(report.forget, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(report.forget, sender=model, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(
        report.forget,
        sender=FollowRequirement.units.through,
        dispatch_uid="presence.report.forget.followrequirement_units",
    )

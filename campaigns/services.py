"""Every write about campaigns and shares: one transaction each, keyword-only."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import OrgUnit, User

from . import platforms, selectors
from .models import Campaign, CampaignPost, CampaignStatus, Share, ShareSource, ShareStatus
from .signals import share_status_changed

log = logging.getLogger(__name__)


class ShareRefused(Exception):
    """Bad input for a share; ``field`` is the form/API field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class DuplicateShare(Exception):
    """The post is already logged (by this person or someone else), or this person
    already logged a share of this campaign on this platform."""

    def __init__(self, existing: Share, *, own: bool, message: str):
        super().__init__(message)
        self.existing = existing
        self.own = own
        self.message = message


class CampaignInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def duplicate_message(existing: Share, staff: User) -> DuplicateShare:
    if existing.staff_id == staff.pk:
        return DuplicateShare(
            existing, own=True, message="You have already logged this post (see My shares)."
        )
    return DuplicateShare(
        existing,
        own=False,
        message="This post has already been claimed by another member of staff.",
    )


def queue_verification(share_id: int) -> None:
    """Hand the share to a worker. A broker outage must not fail the submission:
    the share stays pending and the sweep re-queues it."""
    from . import tasks

    try:
        tasks.verify_share.delay(share_id)
    except Exception:  # kombu raises many kinds when the broker is down
        log.warning("Could not queue verification of share %s; the sweep will retry", share_id)


@transaction.atomic
def submit_share(
    *, staff: User, campaign: Campaign, url: str, source: str = ShareSource.FORM
) -> Share:
    try:
        parsed = platforms.parse(url)
    except platforms.InvalidShareUrl as exc:
        raise ShareRefused("url", str(exc)) from exc
    if not campaign.is_open_today():
        raise ShareRefused("campaign", "This campaign is not open for shares today.")
    if not selectors.is_in_audience(campaign, staff):
        raise ShareRefused("campaign", "This campaign is not meant for your unit.")
    post_platforms = set(campaign.posts.values_list("platform", flat=True))
    if post_platforms and parsed.platform not in post_platforms:
        names = ", ".join(sorted(p.title() for p in post_platforms))
        raise ShareRefused(
            "url",
            f"This campaign has no official post on {parsed.platform.title()}; "
            f"share it on {names}.",
        )
    existing = Share.objects.filter(normalized_url=parsed.normalized_url).first()
    if existing is None and parsed.post_id:
        # The same post reached through another URL shape (permalink.php vs /posts/).
        existing = Share.objects.filter(platform=parsed.platform, post_id=parsed.post_id).first()
    if existing is not None:
        raise duplicate_message(existing, staff)
    same_platform = Share.objects.filter(
        staff=staff, campaign=campaign, platform=parsed.platform
    ).first()
    if same_platform is not None:
        raise DuplicateShare(
            same_platform,
            own=True,
            message=f"You have already logged a {parsed.platform.title()} share of this campaign.",
        )
    try:
        with transaction.atomic():
            share = Share.objects.create(
                staff=staff,
                campaign=campaign,
                url=url.strip(),
                normalized_url=parsed.normalized_url,
                short_url=parsed.normalized_url if parsed.kind == platforms.SHORT_LINK else "",
                platform=parsed.platform,
                post_id=parsed.post_id or "",
                author_handle=parsed.author_handle or "",
                source=source,
                submitted_at=timezone.now(),
            )
    except IntegrityError:
        # A concurrent submission won the race; report it like any duplicate.
        existing = (
            Share.objects.filter(normalized_url=parsed.normalized_url).first()
            or Share.objects.filter(
                staff=staff, campaign=campaign, platform=parsed.platform
            ).first()
        )
        if existing is None:
            raise
        raise duplicate_message(existing, staff) from None
    # A new share is a status change too (from nothing to pending): listeners that keep
    # counts of logged shares (the dashboard) see it in this transaction.
    share_status_changed.send(
        sender=Share, share=share, old_status=None, new_status=ShareStatus.PENDING
    )
    transaction.on_commit(lambda: queue_verification(share.pk))
    return share


def change_share_status(
    *, share: Share, new_status: str, reason: str = "", save_fields: tuple[str, ...] = ()
) -> Share:
    """Set a share's status and announce it. Callers hold a transaction and a row lock."""
    old_status = share.status
    share.status = new_status
    share.status_reason = reason
    if new_status == ShareStatus.VERIFIED and share.verified_at is None:
        share.verified_at = timezone.now()
    share.save(update_fields=["status", "status_reason", "verified_at", "updated_at", *save_fields])
    if old_status != new_status:
        share_status_changed.send(
            sender=Share, share=share, old_status=old_status, new_status=new_status
        )
    return share


def validated_posts(urls: list[str]) -> tuple[list[platforms.ParsedUrl], dict[str, list[str]]]:
    parsed_posts: list[platforms.ParsedUrl] = []
    errors: list[str] = []
    seen: set[str] = set()
    for url in urls:
        try:
            parsed = platforms.parse(url)
        except platforms.InvalidShareUrl as exc:
            errors.append(f"{url}: {exc}")
            continue
        if parsed.platform in seen:
            errors.append(f"{url}: only one official post per platform ({parsed.platform}).")
        seen.add(parsed.platform)
        parsed_posts.append(parsed)
    if not urls:
        errors.append("Give at least one official post URL.")
    return parsed_posts, ({"posts": errors} if errors else {})


@dataclass
class CampaignInput:
    title: str
    description: str
    starts_on: object
    ends_on: object
    post_urls: list[str]
    units: list[OrgUnit]
    status: str = CampaignStatus.ACTIVE


@transaction.atomic
def save_campaign(
    *, actor: User, values: CampaignInput, campaign: Campaign | None = None
) -> Campaign:
    """Create or edit a campaign with its official posts (checked by the platform rules)."""
    errors: dict[str, list[str]] = {}
    if not values.title.strip():
        errors["title"] = ["Give the campaign a title."]
    if values.starts_on and values.ends_on and values.ends_on < values.starts_on:
        errors["ends_on"] = ["The campaign cannot end before it starts."]
    parsed_posts, post_errors = validated_posts([u.strip() for u in values.post_urls if u.strip()])
    errors.update(post_errors)
    if errors:
        raise CampaignInvalid(errors)
    if campaign is None:
        campaign = Campaign(created_by=actor)
    campaign.title = values.title.strip()
    campaign.description = values.description
    campaign.starts_on = values.starts_on
    campaign.ends_on = values.ends_on
    campaign.status = values.status
    campaign.save()
    campaign.units.set(values.units)
    keep = {p.platform for p in parsed_posts}
    campaign.posts.exclude(platform__in=keep).delete()
    for parsed, url in zip(
        parsed_posts, [u.strip() for u in values.post_urls if u.strip()], strict=True
    ):
        CampaignPost.objects.update_or_create(
            campaign=campaign,
            platform=parsed.platform,
            defaults={"url": url, "normalized_url": parsed.normalized_url},
        )
    return campaign


@transaction.atomic
def close_campaign(*, campaign: Campaign, actor: User) -> Campaign:
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status", "updated_at"])
    return campaign

"""Demo campaigns and shares: ``seed_demo`` calls ``seed(stdout=...)`` after the
people exist, so the pages, reports and dashboard have something to show.

The same on every run (a seeded random generator) and idempotent: a campaign
that already has shares is left alone. The shares are already decided
(verified, in review, rejected): nothing pending is left for the workers, so
the demo never sends its made-up post URLs to the real platforms.
"""

from __future__ import annotations

import datetime
import random
import zlib

from django.db import transaction
from django.utils import timezone

from accounts.models import Platform, SocialAccount, User

from . import platforms
from .models import (
    Campaign,
    CampaignPost,
    CampaignStatus,
    OfficialAccount,
    Share,
    ShareSource,
    ShareStatus,
)

OFFICIAL = [
    (Platform.FACEBOOK, "jabatandemo", "Demo agency", "https://www.facebook.com/jabatandemo"),
    (Platform.INSTAGRAM, "jabatandemo", "Demo agency", "https://www.instagram.com/jabatandemo"),
    (Platform.X, "ketuapengarah", "Director-General", "https://x.com/ketuapengarah"),
    (Platform.TIKTOK, "jabatandemo", "Demo agency", "https://www.tiktok.com/@jabatandemo"),
]

# (title, days before today it started, length in days, platforms of its official posts)
CAMPAIGNS = [
    ("New online contribution portal", 300, 21, (Platform.FACEBOOK, Platform.INSTAGRAM)),
    ("Budget briefing by the Director-General", 240, 14, (Platform.FACEBOOK, Platform.X)),
    ("Hari Raya open house", 200, 14, (Platform.FACEBOOK, Platform.INSTAGRAM)),
    ("Scam alert: fake SMS messages", 150, 28, (Platform.FACEBOOK, Platform.TIKTOK)),
    ("Employment insurance: what is covered", 100, 21, (Platform.FACEBOOK, Platform.INSTAGRAM)),
    ("National Day message", 60, 14, (Platform.FACEBOOK, Platform.X, Platform.TIKTOK)),
    ("Counter hours during the floods", 20, 10, (Platform.FACEBOOK,)),
    ("Retirement planning talk", 5, 30, (Platform.FACEBOOK, Platform.INSTAGRAM)),
    ("Mobile app update", 2, 21, (Platform.FACEBOOK, Platform.X)),
]

POST_SHAPES = {
    Platform.FACEBOOK: "https://www.facebook.com/{handle}/posts/{number}",
    Platform.INSTAGRAM: "https://www.instagram.com/p/C{number}x/",
    Platform.X: "https://x.com/{handle}/status/{number}",
    Platform.TIKTOK: "https://www.tiktok.com/@{handle}/video/{number}",
}

# (cumulative chance, status, reason code of verification.reasons). verification.demo
# then records the attempt that decided each share.
OUTCOMES = [
    (0.86, ShareStatus.VERIFIED, "verified.checks"),
    (0.93, ShareStatus.NEEDS_REVIEW, "review.sampled"),
    (0.97, ShareStatus.REJECTED, "rejected.gone"),
    (1.01, ShareStatus.REMOVED, "removed.gone"),
]


def _official_accounts() -> dict[str, OfficialAccount]:
    accounts = {}
    for platform, handle, name, url in OFFICIAL:
        accounts[platform], _ = OfficialAccount.objects.get_or_create(
            platform=platform, handle=handle, defaults={"name": name, "profile_url": url}
        )
    return accounts


def _campaign(title, started_days_ago, length, post_platforms, officials, today):
    starts_on = today - datetime.timedelta(days=started_days_ago)
    ends_on = starts_on + datetime.timedelta(days=length - 1)
    campaign, created = Campaign.objects.get_or_create(
        title=title,
        defaults={
            "description": f"Please share our post about: {title.lower()}.",
            "starts_on": starts_on,
            "ends_on": ends_on,
            "status": CampaignStatus.ACTIVE if ends_on >= today else CampaignStatus.CLOSED,
        },
    )
    if created:
        for number, platform in enumerate(post_platforms, start=1):
            url = POST_SHAPES[platform].format(
                handle=officials[platform].handle, number=f"{zlib.crc32(title.encode())}{number}"
            )
            parsed = platforms.parse(url)
            CampaignPost.objects.create(
                campaign=campaign,
                url=url,
                official_account=officials[platform],
                **CampaignPost.parsed_fields(parsed),
            )
    return campaign


def _shares_for(campaign, people, accounts_by_user, rng, today, now):
    """A realistic share of the audience logs a share on a platform it has an account on."""
    post_platforms = set(campaign.posts.values_list("platform", flat=True))
    last_day = min(campaign.ends_on, today)
    days = (last_day - campaign.starts_on).days + 1
    zone = timezone.get_current_timezone()
    shares = []
    turnout = rng.uniform(0.45, 0.8)
    for user in people:
        if user.staff_id == "stf001" and campaign.ends_on >= today:
            continue  # leave the demo staff member something to log
        if rng.random() > turnout:
            continue
        mine = [(p, h) for p, h in accounts_by_user.get(user.pk, []) if p in post_platforms]
        platform, handle = rng.choice(mine) if mine else (Platform.FACEBOOK, user.staff_id)
        if platform not in post_platforms:
            continue
        number = f"{campaign.pk:03d}{user.pk:06d}"
        parsed = platforms.parse(POST_SHAPES[platform].format(handle=handle, number=number))
        day = campaign.starts_on + datetime.timedelta(days=rng.randrange(days))
        moment = datetime.datetime.combine(
            day, datetime.time(rng.randrange(8, 22), rng.randrange(60)), tzinfo=zone
        )
        submitted_at = min(moment, now - datetime.timedelta(minutes=5))
        roll = rng.random()
        status, code = next(o[1:] for o in OUTCOMES if roll < o[0])
        shares.append(
            Share(
                staff=user,
                campaign=campaign,
                url=parsed.normalized_url,
                normalized_url=parsed.normalized_url,
                platform=parsed.platform,
                post_id=parsed.post_id or "",
                author_handle=parsed.author_handle or "",
                status=status,
                status_code=code,
                status_params={"platform": parsed.platform},
                source=rng.choice([ShareSource.FORM, ShareSource.BOOKMARKLET, ShareSource.API]),
                submitted_at=submitted_at,
                verified_at=submitted_at if status != ShareStatus.NEEDS_REVIEW else None,
                last_checked_at=submitted_at,
            )
        )
    Share.objects.bulk_create(shares)
    return len(shares)


@transaction.atomic
def seed(*, stdout) -> None:
    today, now = timezone.localdate(), timezone.now()
    officials = _official_accounts()
    people = list(User.objects.filter(is_active=True).exclude(staff_id__startswith="hr"))
    accounts_by_user: dict[int, list[tuple[str, str]]] = {}
    for user_id, platform, handle in SocialAccount.objects.values_list(
        "user_id", "platform", "handle"
    ):
        accounts_by_user.setdefault(user_id, []).append((platform, handle))
    made = 0
    for title, started, length, post_platforms in CAMPAIGNS:
        campaign = _campaign(title, started, length, post_platforms, officials, today)
        if campaign.shares.exists():
            continue
        rng = random.Random(title)
        made += _shares_for(campaign, people, accounts_by_user, rng, today, now)
    stdout.write(f"Demo campaigns: {len(CAMPAIGNS)}; {made} new shares.\n")

"""Demo data of follower growth: ``seed_demo`` calls ``seed(stdout=...)`` after the
demo people and official accounts exist.

The seed case (DESIGN.md): a memo asked 6,750 people to follow the leader's account;
its followers went from about 7,200 to 8,582 instead of the 6,750 more expected. The
demo organisation has 200 people, so the drive says how many the memo asked
(``people_asked``), and most demo staff confirmed following since the start.

Idempotent and quick: bulk writes, a handful of queries; a second run adds nothing.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Platform, User
from campaigns.models import OfficialAccount

from .models import (
    FollowConfirmation,
    FollowDrive,
    FollowerSnapshot,
    FollowRequirement,
    SnapshotSource,
)

DRIVE_NAME = "Follow the Director-General (memo: all 6,750 contract staff)"
PEOPLE_ASKED = 6_750
START_FOLLOWERS, END_FOLLOWERS = 7_200, 8_582
DRIVE_DAYS_AGO = 84  # twelve weeks of weekly counts
CONFIRMING = 0.8


def _account() -> OfficialAccount | None:
    return (
        OfficialAccount.objects.filter(platform=Platform.X).order_by("pk").first()
        or OfficialAccount.objects.order_by("pk").first()
    )


@transaction.atomic
def seed(*, stdout) -> None:
    account = _account()
    if account is None:
        stdout.write("Follower growth demo: no official account, skipped.\n")
        return
    if FollowDrive.objects.filter(official_account=account, name=DRIVE_NAME).exists():
        stdout.write("Follower growth demo: already there.\n")
        return
    today = timezone.localdate()
    starts_on = today - datetime.timedelta(days=DRIVE_DAYS_AGO)
    FollowRequirement.objects.get_or_create(official_account=account)
    hr = User.objects.filter(role="hr_admin").order_by("pk").first()
    FollowDrive.objects.create(
        official_account=account,
        starts_on=starts_on,
        name=DRIVE_NAME,
        people_asked=PEOPLE_ASKED,
        created_by=hr,
    )
    weeks = DRIVE_DAYS_AGO // 7
    rng = random.Random(8582)
    # Growth that stalls: most of it in the first weeks after the memo.
    weights = [1 / (week + 1) ** 0.7 for week in range(weeks)]
    total = sum(weights)
    counts, running = [START_FOLLOWERS], float(START_FOLLOWERS)
    for week in range(weeks):
        running += (END_FOLLOWERS - START_FOLLOWERS) * weights[week] / total
        counts.append(round(running))
    counts[-1] = END_FOLLOWERS
    taken = set(
        FollowerSnapshot.objects.filter(official_account=account).values_list("taken_on", flat=True)
    )
    FollowerSnapshot.objects.bulk_create(
        [
            FollowerSnapshot(
                official_account=account,
                taken_on=starts_on + datetime.timedelta(days=7 * week),
                followers=count,
                source=SnapshotSource.MANUAL,
                entered_by=hr,
            )
            for week, count in enumerate(counts)
            if starts_on + datetime.timedelta(days=7 * week) not in taken
        ]
    )
    already = set(
        FollowConfirmation.objects.filter(official_account=account).values_list(
            "user_id", flat=True
        )
    )
    start = timezone.make_aware(datetime.datetime.combine(starts_on, datetime.time(9)))
    confirmations = []
    for user_id in User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True):
        if user_id in already or rng.random() >= CONFIRMING:
            continue
        # Most confirm in the first two weeks after the memo.
        delay = datetime.timedelta(hours=rng.expovariate(1 / 150))
        at = min(start + delay, timezone.now())
        confirmations.append(
            FollowConfirmation(user_id=user_id, official_account=account, confirmed_at=at)
        )
    FollowConfirmation.objects.bulk_create(confirmations)
    stdout.write(
        f"Follower growth demo: drive on {account} from {starts_on}, {len(counts)} snapshots "
        f"({START_FOLLOWERS:,} → {END_FOLLOWERS:,}), {len(confirmations)} confirmations.\n"
    )

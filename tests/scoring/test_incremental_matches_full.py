"""The per-share signal keeps scores exactly where a full recompute puts them,
whatever happens to the shares (run on SQLite and on PostgreSQL)."""

import datetime
import random

import pytest
from django.db import connection

from accounts.models import Platform
from campaigns.models import Share, ShareStatus
from scoring import services
from scoring.models import KpiScore
from tests.factories import UserFactory

from .conftest import KL, make_campaign, make_share, set_status

pytestmark = pytest.mark.django_db

YEARS = (2024, 2025, 2026)
START = datetime.datetime(2024, 12, 20, tzinfo=KL)
SPAN_MINUTES = int((datetime.datetime(2026, 1, 12, tzinfo=KL) - START).total_seconds() // 60)


def random_moment(rng: random.Random, campaign) -> datetime.datetime:
    """Mostly inside the campaign window, sometimes anywhere in the span; with extra
    weight on the minutes around local midnight, where UTC and local days differ."""
    if rng.random() < 0.75:
        opens = datetime.datetime.combine(campaign.starts_on, datetime.time(), tzinfo=KL)
        days = (campaign.ends_on - campaign.starts_on).days + 1
        moment = opens + datetime.timedelta(minutes=rng.randrange(days * 24 * 60))
    else:
        moment = START + datetime.timedelta(minutes=rng.randrange(SPAN_MINUTES))
    if rng.random() < 0.3:
        moment = moment.replace(hour=rng.choice([0, 23]), minute=rng.choice([0, 1, 29, 30, 59]))
    return moment


def counted_in_python() -> dict:
    """The KPI count rule written out plainly, as a reference for the SQL."""
    campaigns: dict = {}
    for share in Share.objects.filter(status=ShareStatus.VERIFIED).select_related("campaign"):
        local = share.submitted_at.astimezone(KL)
        if share.campaign.starts_on <= local.date() <= share.campaign.ends_on:
            campaigns.setdefault((share.staff_id, local.year), set()).add(share.campaign_id)
    return {key: len(ids) for key, ids in campaigns.items()}


def snapshot() -> dict:
    return {
        (row.user_id, row.year): (row.verified_shares, row.points, row.scheme_version)
        for row in KpiScore.objects.all()
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_share_histories(seed):
    rng = random.Random(seed)
    people = [UserFactory(unit=rng.choice(["HQ", "HQ/A", "HQ/A/B", "HQ/C"])) for _ in range(10)]
    campaigns = []
    for _ in range(12):
        starts = START.date() + datetime.timedelta(days=rng.randrange(380))
        campaigns.append(make_campaign(starts, starts + datetime.timedelta(days=rng.randrange(30))))
    for year in YEARS:
        services.compute_year(year=year)

    statuses = ShareStatus.values
    shares: list[Share] = []
    for _ in range(120):
        staff, campaign = rng.choice(people), rng.choice(campaigns)
        platform = rng.choice(Platform.values)
        if Share.objects.filter(staff=staff, campaign=campaign, platform=platform).exists():
            continue
        shares.append(
            make_share(
                staff,
                campaign,
                random_moment(rng, campaign),
                platform=platform,
                status=rng.choice(statuses),
            )
        )
    for _ in range(150):
        share = rng.choice(shares)
        share.refresh_from_db()
        set_status(share, rng.choice(statuses))

    incremental = snapshot()
    expected = counted_in_python()
    assert {key: row[0] for key, row in incremental.items() if row[0]} == expected
    assert len(expected) >= 5, "the test should score several people"

    for year in YEARS:
        services.compute_year(year=year)
    assert snapshot() == incremental, f"incremental and full differ on {connection.vendor}"

"""The dashboard's pre-aggregated share counts: whatever happens to the shares, the
per-change updates leave exactly what a full rebuild from the shares writes (run on
SQLite and on PostgreSQL), and logging a share through campaigns counts it."""

from __future__ import annotations

import datetime
import random
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction

from campaigns.models import Campaign, CampaignPost, CampaignStatus, Share, ShareStatus
from campaigns.services import batched_status_changes, change_share_status, submit_share
from dashboard import stats as dashboard
from dashboard.models import (
    CampaignStaffStat,
    CampaignStaffTally,
    DashboardSettings,
    ShareCountChange,
    ShareWeekStat,
)
from scoring.models import KpiScore
from scoring.services import compute_year
from tests.factories import UserFactory, make_unit

from .conftest import KL, make_campaign, set_status
from .test_dashboard import log_share

D = datetime.date
# replaced shares are out of the live set: no dashboard column (the new share counts).
STATUSES = [s.value for s in ShareStatus if s != ShareStatus.REPLACED]
# Where shares may go next (the states a real share moves through, plus HR's decisions).
MOVES = {
    ShareStatus.PENDING: [ShareStatus.VERIFIED, ShareStatus.NEEDS_REVIEW, ShareStatus.REJECTED],
    ShareStatus.NEEDS_REVIEW: [ShareStatus.VERIFIED, ShareStatus.REJECTED],
    ShareStatus.VERIFIED: [ShareStatus.REMOVED, ShareStatus.NEEDS_REVIEW],
    ShareStatus.REJECTED: [ShareStatus.VERIFIED],
    ShareStatus.REMOVED: [ShareStatus.VERIFIED],
}
PLATFORMS = ["facebook", "instagram", "tiktok", "x"]


def snapshot() -> dict:
    """Every non-empty aggregate row (after folding the waiting notes in), keyed by what
    it counts, and every person's tally."""
    dashboard.fold_changes()
    weeks = {
        ("week", r.scope, r.kpi_year, r.week_start, r.campaign_id, r.platform): (
            r.pending,
            r.verified,
            r.needs_review,
            r.rejected,
            r.removed,
        )
        for r in ShareWeekStat.objects.all()
        if r.logged or r.verified
    }
    people = {
        ("people", r.scope, r.campaign_id): (r.shared_staff, r.verified_staff)
        for r in CampaignStaffStat.objects.all()
        if r.shared_staff or r.verified_staff
    }
    tallies = {
        ("tally", r.campaign_id, r.person_id): (r.shares, r.verified)
        for r in CampaignStaffTally.objects.all()
        if r.shares or r.verified
    }
    return weeks | people | tallies


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_counts_equal_a_full_rebuild(seed):
    rng = random.Random(seed)
    paths = ["HQ", "HQ/A", "HQ/A/B", "HQ/A/B/C", "HQ/D", "Branch", "Branch/E"]
    people = [UserFactory(unit=rng.choice(paths)) for _ in range(14)]
    people.append(UserFactory(unit=None))  # someone without a unit counts for everyone
    campaigns = [
        make_campaign(
            D(2024, 12, 1) + datetime.timedelta(days=20 * i),
            D(2024, 12, 25) + datetime.timedelta(days=20 * i),
        )
        for i in range(4)
    ]
    campaigns[1].units.set([make_unit("HQ/A")])
    shares: list[Share] = []
    for person in people:
        for campaign in rng.sample(campaigns, rng.randint(0, 3)):
            for platform in rng.sample(PLATFORMS, rng.randint(1, 3)):
                # Across the year boundary, and around local midnight.
                day = campaign.starts_on + datetime.timedelta(days=rng.randrange(30))
                when = datetime.datetime.combine(
                    day, datetime.time(rng.choice([0, 7, 23]), rng.choice([0, 30, 59])), KL
                )
                shares.append(log_share(person, campaign, when, platform=platform))
    for step in range(len(shares) * 3):
        share = rng.choice(shares)
        share.refresh_from_db()
        shares[shares.index(share)] = set_status(share, rng.choice(MOVES[share.status]))
        if step == len(shares):
            # A rebuild while notes wait: it counts their changes from the shares and
            # drops them, and the notes written after it add on top.
            assert ShareCountChange.objects.exists()
            dashboard.refresh_stats()
            assert not ShareCountChange.objects.exists()
        if step == 2 * len(shares):
            dashboard.fold_changes()

    incremental = snapshot()
    assert incremental, "the random history produced no counts"
    dashboard.refresh_stats()
    assert snapshot() == incremental

    # And the organisation's row is the plain count of the shares.
    by_status = {s: Share.objects.filter(status=s).count() for s in STATUSES}
    org = ShareWeekStat.objects.filter(scope=0)
    assert {s: sum(getattr(r, s) for r in org) for s in STATUSES} == by_status


@pytest.mark.django_db
def test_distinct_people_count_once_however_many_platforms():
    alice = UserFactory(unit="HQ/A")
    campaign = make_campaign(D(2025, 3, 1), D(2025, 3, 31))
    moment = datetime.datetime(2025, 3, 5, 9, tzinfo=KL)
    fb = log_share(alice, campaign, moment, platform="facebook")
    ig = log_share(alice, campaign, moment, platform="instagram")

    def people(scope=0):
        dashboard.fold_changes()
        row = CampaignStaffStat.objects.get(scope=scope, campaign=campaign)
        return row.shared_staff, row.verified_staff

    assert people() == (1, 0) and people(make_unit("HQ/A").pk) == (1, 0)
    set_status(fb, ShareStatus.VERIFIED)
    set_status(ig, ShareStatus.VERIFIED)
    assert people() == (1, 1)
    set_status(fb, ShareStatus.REMOVED)
    assert people() == (1, 1)  # still one verified share
    set_status(ig, ShareStatus.REMOVED)
    assert people() == (1, 0)
    dashboard.refresh_stats()
    assert people() == (1, 0) and people(make_unit("HQ").pk) == (1, 0)


@pytest.mark.django_db
def test_submitting_a_share_counts_it_as_logged():
    alice = UserFactory(staff_id="alice", unit="HQ/A")
    with time_machine.travel(datetime.datetime(2025, 3, 5, 9, tzinfo=KL), tick=False):
        campaign = Campaign.objects.create(
            title="Budget",
            starts_on=D(2025, 3, 1),
            ends_on=D(2025, 3, 31),
            status=CampaignStatus.ACTIVE,
        )
        CampaignPost.objects.create(
            campaign=campaign,
            url="https://www.facebook.com/agency/posts/1",
            normalized_url="https://www.facebook.com/agency/posts/1",
            platform="facebook",
        )
        share = submit_share(
            staff=alice, campaign=campaign, url="https://www.facebook.com/alice/posts/42"
        )
    dashboard.fold_changes()
    row = ShareWeekStat.objects.get(scope=0)
    assert (row.kpi_year, row.week_start, row.campaign_id, row.platform) == (
        2025,
        D(2025, 3, 3),
        campaign.pk,
        "facebook",
    )
    assert (row.logged, row.pending) == (1, 1)
    assert CampaignStaffStat.objects.get(scope=0).shared_staff == 1
    set_status(share, ShareStatus.VERIFIED)  # the score handler counts it, the year is fine
    dashboard.fold_changes()
    row.refresh_from_db()
    assert (row.pending, row.verified) == (0, 1)


@pytest.mark.django_db
def test_command_rebuilds_after_a_bulk_load(settings):
    alice = UserFactory(unit="HQ/A")
    campaign = make_campaign(D(2025, 3, 1), D(2025, 3, 31))
    Share.objects.bulk_create(  # no signals: the way a bulk load writes
        Share(
            staff=alice,
            campaign=campaign,
            url=f"https://www.{p}.com/a/posts/1",
            normalized_url=f"https://www.{p}.com/a/posts/1",
            platform=p,
            status=ShareStatus.VERIFIED,
            submitted_at=datetime.datetime(2025, 3, 2, tzinfo=KL),
        )
        for p in ("facebook", "x")
    )
    assert not ShareWeekStat.objects.exists()
    call_command("refresh_dashboard_stats", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sum(r.verified for r in ShareWeekStat.objects.filter(scope=0)) == 2
    assert CampaignStaffStat.objects.get(scope=0).verified_staff == 1
    assert DashboardSettings.load().stats_refreshed_at is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_shares_of_one_person_count_them_once(require_postgres):
    """Two platforms' shares of one campaign logged at the same moment by one person: the
    person's tally row makes the second wait, so it sees the first."""
    alice = UserFactory(unit="HQ/A")
    campaign = make_campaign(D(2025, 3, 1), D(2025, 3, 31))
    moment = datetime.datetime(2025, 3, 5, 9, tzinfo=KL)
    first_counted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def log(platform: str, hold: bool):
        try:
            if not hold:
                first_counted.wait(10)
            with transaction.atomic():
                log_share(alice, campaign, moment, platform=platform)
                if hold:
                    first_counted.set()
                    release.wait(10)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=log, args=("facebook", True)),
        threading.Thread(target=log, args=("instagram", False)),
    ]
    for thread in threads:
        thread.start()
    first_counted.wait(10)
    threading.Event().wait(0.5)  # the second one is now waiting for the lock
    release.set()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    dashboard.fold_changes()
    assert CampaignStaffStat.objects.get(scope=0, campaign=campaign).shared_staff == 1
    incremental = snapshot()
    dashboard.refresh_stats()
    assert snapshot() == incremental


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [4, 5])
def test_changes_announced_in_batches_count_like_one_by_one(seed):
    """The verification workers' group commit decides many shares in one transaction and
    announces them together: the counts, tallies and KPI scores come out exactly as a
    rebuild from the shares writes them, also when one batch moves the same share twice
    or one person's shares of a campaign on several platforms."""
    rng = random.Random(seed)
    people = [UserFactory(unit=rng.choice(["HQ", "HQ/A", "HQ/A/B", "Branch"])) for _ in range(8)]
    campaigns = [make_campaign(D(2025, 3, 1), D(2025, 3, 31)) for _ in range(3)]
    shares = [
        log_share(person, campaign, datetime.datetime(2025, 3, 3, 9, tzinfo=KL), platform=p)
        for person in people
        for campaign in rng.sample(campaigns, 2)
        for p in rng.sample(PLATFORMS, rng.randint(1, 3))
    ]
    for _ in range(12):
        with transaction.atomic(), batched_status_changes():
            for share in rng.sample(shares, rng.randint(1, 12)):
                for _ in range(rng.randint(1, 2)):
                    locked = Share.objects.select_for_update().get(pk=share.pk)
                    change_share_status(share=locked, new_status=rng.choice(MOVES[locked.status]))

    incremental = snapshot()
    scores = dict(KpiScore.objects.filter(year=2025).values_list("user_id", "verified_shares"))
    assert any(scores.values()), "the random history verified nothing"
    dashboard.refresh_stats()
    assert snapshot() == incremental
    compute_year(year=2025)
    full = dict(KpiScore.objects.filter(year=2025).values_list("user_id", "verified_shares"))
    assert full == scores | {p.pk: 0 for p in people if p.pk not in scores}

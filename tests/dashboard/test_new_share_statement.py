"""A share logged through campaigns.services is counted by the dashboard exactly as a
rebuild from the shares counts it, on PostgreSQL through the share's one statement
(dashboard.new_shares, joined by campaigns.hooks) and on SQLite through the signal,
also when one person logs several shares of a campaign at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from campaigns.models import ShareStatus
from campaigns.services import DuplicateShare, submit_share
from dashboard import stats as dashboard
from dashboard.models import CampaignStaffStat, CampaignStaffTally, ShareCountChange, ShareWeekStat
from tests.factories import UserFactory, make_campaign

from .conftest import set_status

POSTS = (
    "https://www.facebook.com/agency/posts/1",
    "https://x.com/agency/status/1",
    "https://www.tiktok.com/@agency/video/1",
    "https://www.youtube.com/watch?v=agency00001",
)


def own_post(platform: str, person: str, n: int) -> str:
    return {
        "facebook": f"https://www.facebook.com/{person}/posts/{n}",
        "x": f"https://x.com/{person}/status/{n}",
        "tiktok": f"https://www.tiktok.com/@{person}/video/{n}",
        "youtube": f"https://www.youtube.com/watch?v={person[:4]}{n:07d}",
    }[platform]


def counts() -> dict:
    """The dashboard's rows (after folding the waiting notes in) and every tally."""
    dashboard.fold_changes()
    return {
        "weeks": sorted(
            (r.scope, r.kpi_year, r.week_start, r.campaign_id, r.platform, r.logged, r.verified)
            for r in ShareWeekStat.objects.all()
            if r.logged or r.verified
        ),
        "people": sorted(
            (r.scope, r.campaign_id, r.shared_staff, r.verified_staff)
            for r in CampaignStaffStat.objects.all()
            if r.shared_staff or r.verified_staff
        ),
        "tallies": sorted(
            CampaignStaffTally.objects.values_list("campaign_id", "person_id", "shares", "verified")
        ),
    }


@pytest.mark.django_db
# Prepared off: what the README asks for behind PgBouncer in transaction mode; the
# statement's text is then sent with its parameters, so a literal ``%`` in it must be
# written ``%%``.
@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "not-prepared"])
def test_logged_shares_count_as_a_rebuild_counts_them(prepared, settings):
    settings.SHAREKPI_DB_PREPARED_STATEMENTS = prepared
    people = [UserFactory(unit=unit) for unit in ("HQ", "HQ/A", "HQ/A/B", "Branch")]
    campaigns = [make_campaign(f"Campaign {n}", posts=POSTS) for n in range(2)]
    logged = []
    for i, person in enumerate(people):
        for campaign in campaigns[: 1 + i % 2]:
            for platform in ("facebook", "x", "tiktok")[: 1 + i % 3]:
                url = own_post(platform, person.staff_id, 1000 + 100 * i + campaign.pk)
                logged.append(submit_share(staff=person, campaign=campaign, url=url))
    set_status(logged[0], ShareStatus.VERIFIED)
    set_status(logged[1], ShareStatus.REJECTED)
    # Replacing the rejected one: the old share's move and the new share's logging.
    first = logged[1]
    submit_share(
        staff=first.staff,
        campaign=first.campaign,
        url=own_post(first.platform, first.staff.staff_id, 999),
    )
    with pytest.raises(DuplicateShare):  # refused: nothing written, nothing counted
        submit_share(staff=people[0], campaign=campaigns[0], url=logged[0].url)

    incremental = counts()
    assert not ShareCountChange.objects.exists()
    assert incremental["people"], "nothing was counted"
    dashboard.refresh_stats()
    assert counts() == incremental


@pytest.mark.django_db(transaction=True)
def test_one_persons_shares_logged_at_once_count_them_once(require_postgres):
    """Four platforms' shares of one campaign by one person, logged at the same moment
    (each its own statement and transaction): one person who shared, four shares, as a
    rebuild counts them."""
    alice = UserFactory(unit="HQ/A")
    campaign = make_campaign(posts=POSTS)
    start = threading.Barrier(len(POSTS))
    errors: list[BaseException] = []

    def log(platform: str) -> None:
        try:
            start.wait(10)
            submit_share(staff=alice, campaign=campaign, url=own_post(platform, "alice", 7))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=log, args=(p,)) for p in ("facebook", "x", "tiktok", "youtube")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    incremental = counts()
    assert CampaignStaffStat.objects.get(scope=0, campaign=campaign).shared_staff == 1
    assert CampaignStaffTally.objects.get(campaign=campaign, person_id=alice.pk).shares == 4
    dashboard.refresh_stats()
    assert counts() == incremental
